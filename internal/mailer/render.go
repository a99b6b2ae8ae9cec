package mailer

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htemplate "html/template"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	ttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"

	tzone "salesdesk/internal/zone" // the tests name a helper zone
)

//go:embed templates/*.txt templates/*.html
var defaultTemplates embed.FS

// Shared template files: the HTML frame every NAME.html is rendered in,
// and the blocks (account summary, ...) that several templates use.
const (
	layoutFile       = "layout.html"
	partialsText     = "partials.txt"
	partialsHTML     = "partials.html"
	partialsBaseName = "partials"
	// languageTemplate is the template the layout calls for the mail's
	// language code: {{template "mail-language"}}.
	languageTemplate = "mail-language"
)

// RenderOptions configures a Renderer.
type RenderOptions struct {
	// TemplatesDir, when set, is searched first: a file there replaces the
	// embedded default of the same name (ack.txt, ack.html, layout.html,
	// ...), and a new NAME.txt adds a template.
	TemplatesDir string
	// Team signs every mail, e.g. "Acme Sales Support". Default
	// "Sales Support".
	Team string
	// TeamPhone and TeamHours follow the team's name when no person signs
	// a customer mail, e.g. "+49 421 555 0100" and "Mon-Fri 08:00-17:00
	// CET". Empty ones are left out.
	TeamPhone string
	TeamHours string
	// Location is the time zone dates are shown in. Default UTC.
	Location *time.Location
}

// Rendered is one rendered mail: the pieces Outgoing needs.
type Rendered struct {
	Subject string // one line, no control characters
	Text    string
	HTML    string // empty when the template has no NAME.html
}

// Renderer renders named mail templates. It is safe for concurrent use.
type Renderer struct {
	opts    RenderOptions
	phrases catalogs
	// text and html hold every template by name in English, and the
	// templates that speak through the phrase catalog also by NAME.LANG
	// for every other language with a catalog.
	text map[string]*ttemplate.Template
	html map[string]*htemplate.Template
}

// NewRenderer parses every template once per language, so that a broken
// override fails at start rather than at the first mail.
func NewRenderer(o RenderOptions) (*Renderer, error) {
	if o.Team == "" {
		o.Team = "Sales Support"
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	phrases, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	r := &Renderer{opts: o, phrases: phrases, text: map[string]*ttemplate.Template{}, html: map[string]*htemplate.Template{}}
	names, err := r.names()
	if err != nil {
		return nil, err
	}
	for _, language := range phrases.languages() {
		if err := r.parse(language, names); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// parse parses the templates names in language: all of them in English,
// in another language those that speak through the catalog.
func (r *Renderer) parse(language string, names []string) error {
	textFuncs, htmlFuncs := r.funcs(language)
	layout, err := r.read(layoutFile)
	if err != nil {
		return err
	}
	base, err := htemplate.New(layoutFile).Funcs(htmlFuncs).Option("missingkey=error").Parse(layout)
	if err != nil {
		return fmt.Errorf("mailer: template %s: %w", layoutFile, err)
	}
	shared, err := r.read(partialsHTML)
	if err != nil {
		return err
	}
	if _, err := base.New(partialsHTML).Parse(shared); err != nil {
		return fmt.Errorf("mailer: template %s: %w", partialsHTML, err)
	}
	// The layout's <html lang> names the language the mail is written in.
	if _, err := base.New(languageTemplate).Parse(htemplate.HTMLEscapeString(language)); err != nil {
		return fmt.Errorf("mailer: template %s: %w", layoutFile, err)
	}
	sharedText, err := r.read(partialsText)
	if err != nil {
		return err
	}
	for _, name := range names {
		key := name
		if language != fallbackLanguage {
			if !r.phrases.speaks(name) {
				continue
			}
			key = name + "." + language
		}
		src, err := r.read(name + ".txt")
		if err != nil {
			return err
		}
		// Partials first, so that a template's own {{define}} of the same
		// name replaces the shared one.
		tt := ttemplate.New(name).Funcs(textFuncs).Option("missingkey=error")
		if _, err := tt.New(partialsText).Parse(sharedText); err != nil {
			return fmt.Errorf("mailer: template %s: %w", partialsText, err)
		}
		if _, err := tt.Parse(src); err != nil {
			return fmt.Errorf("mailer: template %s.txt: %w", name, err)
		}
		if tt.Lookup("subject") == nil {
			return fmt.Errorf("mailer: template %s.txt: no {{define \"subject\"}}", name)
		}
		r.text[key] = tt

		src, err = r.read(name + ".html")
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		ht, err := base.Clone()
		if err != nil {
			return fmt.Errorf("mailer: template %s.html: %w", name, err)
		}
		if _, err := ht.New(name + ".html").Parse(src); err != nil {
			return fmt.Errorf("mailer: template %s.html: %w", name, err)
		}
		if ht.Lookup("content") == nil {
			return fmt.Errorf("mailer: template %s.html: no {{define \"content\"}}", name)
		}
		r.html[key] = ht
	}
	return nil
}

// Names lists the templates the renderer knows, sorted; a template's
// versions in other languages are not listed (see [Renderer.HasLanguage]).
func (r *Renderer) Names() []string {
	names := make([]string, 0, len(r.text))
	for n := range r.text {
		if !strings.Contains(n, ".") {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// renderBuffers keeps the buffers Render executes templates into, grown
// to a mail's size, for the next mail.
var renderBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Render executes template name with data.
func (r *Renderer) Render(name string, data any) (Rendered, error) {
	tt, ok := r.text[name]
	if !ok {
		return Rendered{}, fmt.Errorf("mailer: no template %q", name)
	}
	buf := renderBuffers.Get().(*bytes.Buffer)
	defer renderBuffers.Put(buf)
	buf.Reset()
	if err := tt.ExecuteTemplate(buf, "subject", data); err != nil {
		return Rendered{}, fmt.Errorf("mailer: render %s subject: %w", name, err)
	}
	out := Rendered{Subject: HeaderText(buf.String())}
	buf.Reset()
	if err := tt.Execute(buf, data); err != nil {
		return Rendered{}, fmt.Errorf("mailer: render %s text: %w", name, err)
	}
	out.Text = tidyBody(buf.String())
	if ht, ok := r.html[name]; ok {
		buf.Reset()
		if err := ht.ExecuteTemplate(buf, "layout", data); err != nil {
			return Rendered{}, fmt.Errorf("mailer: render %s html: %w", name, err)
		}
		out.HTML = tidyBody(buf.String())
	}
	if out.Subject == "" {
		return Rendered{}, fmt.Errorf("mailer: render %s: empty subject", name)
	}
	return out, nil
}

// names lists NAME for every NAME.txt, embedded or in TemplatesDir.
func (r *Renderer) names() ([]string, error) {
	set := map[string]bool{}
	add := func(entries []fs.DirEntry) {
		for _, e := range entries {
			if n, ok := strings.CutSuffix(e.Name(), ".txt"); ok && !e.IsDir() && n != partialsBaseName {
				set[n] = true
			}
		}
	}
	entries, err := defaultTemplates.ReadDir("templates")
	if err != nil {
		return nil, fmt.Errorf("mailer: embedded templates: %w", err)
	}
	add(entries)
	if r.opts.TemplatesDir != "" {
		entries, err := os.ReadDir(r.opts.TemplatesDir)
		if err != nil {
			return nil, fmt.Errorf("mailer: templates dir: %w", err)
		}
		add(entries)
	}
	names := make([]string, 0, len(set))
	for n := range set {
		names = append(names, n)
	}
	slices.Sort(names)
	return names, nil
}

// read returns a template file's text: TemplatesDir's copy when there is
// one, else the embedded default.
func (r *Renderer) read(file string) (string, error) {
	if r.opts.TemplatesDir != "" {
		b, err := os.ReadFile(filepath.Join(r.opts.TemplatesDir, file))
		if err == nil {
			return string(b), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("mailer: template %s: %w", file, err)
		}
	}
	b, err := defaultTemplates.ReadFile("templates/" + file)
	if err != nil {
		return "", fmt.Errorf("mailer: template %s: %w", file, err)
	}
	return string(b), nil
}

// funcs are the helpers every template may use, for text and for HTML
// templates, with the words of language (phraseFuncs).
func (r *Renderer) funcs(language string) (text, html map[string]any) {
	loc := r.opts.Location
	m := map[string]any{
		"team":      func() string { return r.opts.Team },
		"teamphone": func() string { return r.opts.TeamPhone },
		"teamhours": func() string { return r.opts.TeamHours },
		"withref":   SubjectWithReference,
		"quote":     quote,
		"label":     categoryLabel,
		"internal":  InternalSubject,
		"datetime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
		},
		// localtime shows t in the reader's IANA timezone (a rep's), or
		// the team's when tz is empty or unknown, with the zone shown.
		"localtime": func(t time.Time, tz string) string {
			if t.IsZero() {
				return ""
			}
			return t.In(tzone.Of(tz, loc.String())).Format("Mon 2 Jan 2006 15:04 MST")
		},
		// localdate shows the day of t in the reader's timezone.
		"localdate": func(t time.Time, tz string) string {
			if t.IsZero() {
				return ""
			}
			return t.In(tzone.Of(tz, loc.String())).Format("Mon 2 Jan 2006")
		},
		"percent": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return one
			}
			return many
		},
		"oneline": HeaderText,
		"safeurl": safeURL,
		"button": func(url, label string, primary bool) button {
			return button{URL: url, Label: label, Primary: primary}
		},
	}
	text, html = r.phrases.phraseFuncs(language, loc)
	maps.Copy(text, m)
	maps.Copy(html, m)
	return text, html
}

var replyPrefix = regexp.MustCompile(`(?i)^\s*(re|aw|sv|antw|vs|ref|r|wg|fw|fwd|tr)\s*(\[\d+\])?\s*:\s*`)

// button is one link drawn as a button by the "button" HTML block.
type button struct {
	URL     string
	Label   string
	Primary bool
}

// ReplySubject returns subject as a reply: one reply prefix in front.
// A subject that starts with one (Re:, AW:, SV:, ...) keeps its first and
// loses the ones after it, so "Re: Re: x" becomes "Re: x"; an empty
// subject gives "Re: your message".
func ReplySubject(subject string) string {
	subject = HeaderText(subject)
	if subject == "" {
		return "Re: your message"
	}
	m := replyPrefix.FindStringSubmatch(subject)
	if m == nil {
		return "Re: " + subject
	}
	rest := stripReplyPrefixes(subject)
	if rest == "" {
		return "Re: your message"
	}
	prefix := m[1]
	if strings.EqualFold(prefix, "re") || strings.EqualFold(prefix, "fw") || strings.EqualFold(prefix, "fwd") {
		prefix = "Re"
	}
	return prefix + ": " + rest
}

// stripReplyPrefixes drops every leading reply or forward prefix.
func stripReplyPrefixes(subject string) string {
	for {
		loc := replyPrefix.FindStringIndex(subject)
		if loc == nil {
			return strings.TrimSpace(subject)
		}
		subject = subject[loc[1]:]
	}
}

// quote prefixes every line of s with "> ", for quoting a mail in a text
// body.
func quote(s string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n ")
	if s == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if l == "" || strings.HasPrefix(l, ">") {
			lines[i] = ">" + l
		} else {
			lines[i] = "> " + l
		}
	}
	return strings.Join(lines, "\n")
}

var categoryLabels = map[string]string{
	"order_status":    "Order status",
	"order_change":    "Order change",
	"quote_request":   "Quote request",
	"meeting_request": "Meeting request",
	"support":         "Support",
	"billing":         "Billing",
	"account":         "Account",
	"complaint":       "Complaint",
	"unsubscribe":     "Unsubscribe",
	"other":           "Other",
}

// categoryLabel names a routing category for people: "quote_request" ->
// "Quote request".
func categoryLabel(c string) string {
	if l, ok := categoryLabels[c]; ok {
		return l
	}
	c = strings.ReplaceAll(HeaderText(c), "_", " ")
	if c == "" {
		return ""
	}
	rs := []rune(c)
	rs[0] = unicode.ToUpper(rs[0])
	return string(rs)
}

// safeURL returns u when it is an absolute http, https or mailto URL on
// one line, else "": text bodies show links as they are, and a mail
// client may make any of them clickable.
func safeURL(u string) string {
	if strings.ContainsFunc(u, func(r rune) bool { return r == ' ' || isControl(r) }) {
		return ""
	}
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	switch strings.ToLower(p.Scheme) {
	case "http", "https":
		if p.Host == "" {
			return ""
		}
		return u
	case "mailto":
		return u
	}
	return ""
}

// tidyBody drops control characters other than tab and newline, trims
// trailing space on lines, collapses runs of blank lines left by template
// actions and ends the body with one newline.
//
// It does so in one pass: spaces and tabs wait until a character follows
// them on their line (so trailing ones are dropped), newlines wait until
// a character follows them (at most two are written, none before the
// first character), and invalid UTF-8 becomes U+FFFD.
func tidyBody(s string) string {
	out := make([]byte, 0, len(s)+1)
	newlines := 0          // newlines waiting for a character
	var blanksBuf [64]byte // spaces and tabs waiting for a character
	blanks := blanksBuf[:0]
	// flush writes what waits before a character.
	flush := func() {
		if newlines > 0 && len(out) > 0 {
			out = append(out, "\n\n"[:min(newlines, 2)]...)
		}
		newlines = 0
		out = append(out, blanks...)
		blanks = blanks[:0]
	}
	for i := 0; i < len(s); {
		// Most of a body is printable ASCII: copy it a run at a time.
		if c := s[i]; c > ' ' && c < 0x7f {
			j := i + 1
			for j < len(s) && s[j] > ' ' && s[j] < 0x7f {
				j++
			}
			flush()
			out = append(out, s[i:j]...)
			i = j
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		i += w
		switch {
		case r == '\n':
			newlines++
			blanks = blanks[:0]
		case r == ' ' || r == '\t':
			blanks = append(blanks, byte(r))
		case isControl(r):
		default:
			flush()
			out = utf8.AppendRune(out, r) // U+FFFD for an invalid byte
		}
	}
	return string(append(out, '\n'))
}
