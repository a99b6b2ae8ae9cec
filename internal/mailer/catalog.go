package mailer

import (
	"embed"
	"fmt"
	htemplate "html/template"
	"io/fs"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// The phrases of every customer mail, one catalog per language:
// lang/<code>.yaml maps a key ("ack.received") to the phrase in that
// language, with named placeholders ("... reference {reference}."). A
// template is written once and says its words with {{t "key" "name"
// value ...}}; it is rendered in every language that has a catalog.
// English is the fallback for a key a language lacks.
//
//go:embed lang/*.yaml
var defaultCatalogs embed.FS

// fallbackLanguage is the language of the mail when the customer's has
// no catalog, and of every phrase a catalog lacks.
const fallbackLanguage = "en"

// countArg is the placeholder a plural phrase (tn) may use for its count.
const countArg = "count"

// catalog is one language's phrases by key.
type catalog map[string]string

// catalogs are the phrases per language; catalogs[fallbackLanguage] is
// always there.
type catalogs map[string]catalog

// loadCatalogs reads lang/*.yaml.
func loadCatalogs() (catalogs, error) {
	files, err := fs.Glob(defaultCatalogs, "lang/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("mailer: phrase catalogs: %w", err)
	}
	out := catalogs{}
	for _, f := range files {
		b, err := defaultCatalogs.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("mailer: phrase catalog %s: %w", f, err)
		}
		var c catalog
		if err := yaml.Unmarshal(b, &c); err != nil {
			return nil, fmt.Errorf("mailer: phrase catalog %s: %w", f, err)
		}
		out[strings.TrimSuffix(strings.TrimPrefix(f, "lang/"), ".yaml")] = c
	}
	if _, ok := out[fallbackLanguage]; !ok {
		return nil, fmt.Errorf("mailer: no phrase catalog lang/%s.yaml", fallbackLanguage)
	}
	return out, nil
}

// languages lists the languages with a catalog, English first.
func (cs catalogs) languages() []string {
	out := make([]string, 0, len(cs))
	for l := range cs {
		if l != fallbackLanguage {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return append([]string{fallbackLanguage}, out...)
}

// speaks reports whether template name says its words through the
// catalog, so that it can be rendered in every language: the English
// catalog has phrases of its own ("name.*").
func (cs catalogs) speaks(name string) bool {
	for k := range cs[fallbackLanguage] {
		if strings.HasPrefix(k, name+".") {
			return true
		}
	}
	return false
}

// phrase is key in language, else in English.
func (cs catalogs) phrase(language, key string) (string, error) {
	if p, ok := cs[language][key]; ok {
		return p, nil
	}
	if p, ok := cs[fallbackLanguage][key]; ok {
		return p, nil
	}
	return "", fmt.Errorf("mailer: no phrase %q", key)
}

// fill puts args (name, value, name, value, ...) into the placeholders of
// phrase, each value as show writes it. Every placeholder needs a value
// and every value a placeholder, but for the implicit count of tn.
//
// A placeholder is {name} with name of a-z and _; fill scans for them by
// hand rather than with a regexp and a map, as every phrase of every mail
// passes through here.
func fill(key, phrase string, args []any, show func(any) string) (string, error) {
	if len(args)%2 != 0 {
		return "", fmt.Errorf("mailer: phrase %q: odd number of arguments", key)
	}
	for i := 0; i < len(args); i += 2 {
		if _, ok := args[i].(string); !ok {
			return "", fmt.Errorf("mailer: phrase %q: argument name %v is not a string", key, args[i])
		}
	}
	// value is the last value given for name, as a map of the arguments
	// would hold it.
	value := func(name string) (int, bool) {
		for i := len(args) - 2; i >= 0; i -= 2 {
			if args[i].(string) == name {
				return i, true
			}
		}
		return 0, false
	}
	// used[i/2]: argument i has a placeholder.
	var usedBuf [16]bool
	used := usedBuf[:]
	if len(args)/2 > len(usedBuf) {
		used = make([]bool, len(args)/2)
	}
	var b strings.Builder
	b.Grow(len(phrase) + 16*len(args)/2)
	var missing string
	written := 0
	for i := 0; i < len(phrase); i++ {
		if phrase[i] != '{' {
			continue
		}
		j := i + 1
		for j < len(phrase) && (phrase[j] >= 'a' && phrase[j] <= 'z' || phrase[j] == '_') {
			j++
		}
		if j == i+1 || j == len(phrase) || phrase[j] != '}' {
			continue
		}
		name := phrase[i+1 : j]
		b.WriteString(phrase[written:i])
		written = j + 1
		k, ok := value(name)
		if !ok {
			missing = name
			b.WriteString(phrase[i : j+1])
		} else {
			used[k/2] = true
			b.WriteString(show(args[k+1]))
		}
		i = j
	}
	if missing != "" {
		return "", fmt.Errorf("mailer: phrase %q: no value for {%s}", key, missing)
	}
	for i := 0; i < len(args); i += 2 {
		name := args[i].(string)
		if name == countArg {
			continue
		}
		k, _ := value(name)
		if !used[k/2] {
			return "", fmt.Errorf("mailer: phrase %q: value %q has no placeholder", key, name)
		}
	}
	if written == 0 {
		return phrase, nil
	}
	b.WriteString(phrase[written:])
	return b.String(), nil
}

// pluralKey is key's form for n: key.one or key.other.
func pluralKey(n int, key string) string {
	if n == 1 {
		return key + ".one"
	}
	return key + ".other"
}

// htmlText escapes v exactly as html/template escapes a value it places in
// text, so that a value reads the same whether a template or a phrase
// places it. Values already of type template.HTML pass unchanged.
var htmlText = htemplate.Must(htemplate.New("text").Parse("{{.}}"))

// escapeText is v as HTML text (see htmlText). Strings and
// template.HTML, the values phrases get, take a short way with the same
// result; other values go through htmlText.
func escapeText(v any) string {
	switch s := v.(type) {
	case string:
		return escapeHTMLText(s)
	case htemplate.HTML:
		return string(s)
	}
	var b strings.Builder
	if err := htmlText.Execute(&b, v); err != nil {
		return htemplate.HTMLEscapeString(fmt.Sprint(v))
	}
	return b.String()
}

// escapeHTMLText escapes s as html/template escapes a string in HTML text
// (its htmlEscaper): NUL, ", &, ', +, < and >. Every one of them is a
// single byte below 0x80, so a byte scan finds them in UTF-8 and leaves
// any invalid byte as it is, like html/template.
func escapeHTMLText(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		if written == 0 {
			b.Grow(len(s) + 8)
		}
		b.WriteString(s[written:i])
		b.WriteString(repl)
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// phraseFuncs are the helpers that say a template's words in language:
// t and tn (plurals) in text and HTML flavour, and the words that are
// not whole phrases (order status, lists, dates, next steps).
func (cs catalogs) phraseFuncs(language string, loc *time.Location) (text, html map[string]any) {
	say := func(key string, args []any, show func(any) string) (string, error) {
		p, err := cs.phrase(language, key)
		if err != nil {
			return "", err
		}
		return fill(key, p, args, show)
	}
	plain := func(v any) string { return fmt.Sprint(v) }
	t := func(key string, args ...any) (string, error) { return say(key, args, plain) }
	tn := func(n int, key string, args ...any) (string, error) {
		return say(pluralKey(n, key), append(args, countArg, n), plain)
	}
	word := func(key string) string {
		p, _ := cs.phrase(language, key)
		return p
	}
	common := map[string]any{
		// status is an order status (order.StatusWords) in language; one
		// the catalog does not know stays as it is.
		"status": func(words string) string {
			if p, err := cs.phrase(language, "status."+words); err == nil {
				return p
			}
			return words
		},
		"longdate": func(d time.Time) string {
			if d.IsZero() {
				return ""
			}
			return d.Format(word("common.long_date_layout"))
		},
		"list": func(items []string) string { return joinList(items, word("common.and")) },
		"date": func(d time.Time) string {
			if d.IsZero() {
				return ""
			}
			return d.In(loc).Format(word("common.date_layout"))
		},
		"reply": func(subject string) string {
			if HeaderText(subject) == "" {
				return "Re: " + word("common.your_message")
			}
			return ReplySubject(subject)
		},
		// nextstep is the acknowledgement's "what happens next" for a
		// category, said of who will answer (a name, "" for our team;
		// owner: they own the customer's account).
		"nextstep": func(who string, owner bool, category string) (string, error) {
			who = HeaderText(who)
			var err error
			switch {
			case who == "":
				who = word("next.who")
			case owner:
				if who, err = t("next.who_owner", "name", who); err != nil {
					return "", err
				}
			}
			key := "next.default"
			switch category {
			case "order_status", "order_change":
				key = "next.order"
			case "quote_request", "meeting_request", "complaint", "unsubscribe":
				key = "next." + category
			}
			p, err := cs.phrase(language, key)
			if err != nil {
				return "", err
			}
			return strings.ReplaceAll(p, "{who}", who), nil
		},
	}
	text = map[string]any{"t": t, "tn": tn, "strong": plain}
	html = map[string]any{
		"t": func(key string, args ...any) (htemplate.HTML, error) {
			s, err := say(key, args, escapeText)
			return htemplate.HTML(s), err
		},
		"tn": func(n int, key string, args ...any) (htemplate.HTML, error) {
			s, err := say(pluralKey(n, key), append(args, countArg, n), escapeText)
			return htemplate.HTML(s), err
		},
		// tplain is t as plain text, for a label html/template escapes
		// itself (a button's).
		"tplain": t,
		// strong marks a value in a phrase: {{t "k" "ref" (strong .Ref)}}.
		"strong": func(v any) htemplate.HTML { return htemplate.HTML("<strong>" + escapeText(v) + "</strong>") },
	}
	for k, f := range common {
		text[k], html[k] = f, f
	}
	text["tplain"] = t
	return text, html
}

// joinList joins items for a sentence with and: "a", "a and b", "a, b
// and c".
func joinList(items []string, and string) string {
	clean := make([]string, 0, len(items))
	for _, it := range items {
		if it = HeaderText(it); it != "" {
			clean = append(clean, it)
		}
	}
	if len(clean) < 2 {
		return strings.Join(clean, "")
	}
	return strings.Join(clean[:len(clean)-1], ", ") + " " + and + " " + clean[len(clean)-1]
}
