package admin

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// allowedElements may appear in sanitised HTML, with the attributes listed.
var allowedElements = map[atom.Atom][]string{
	atom.A: {"href", "title"}, atom.Abbr: {"title"}, atom.B: nil, atom.Blockquote: nil, atom.Br: nil,
	atom.Caption: nil, atom.Center: nil, atom.Code: nil, atom.Col: {"span", "width"}, atom.Colgroup: {"span", "width"},
	atom.Dd: nil, atom.Del: nil, atom.Div: nil, atom.Dl: nil, atom.Dt: nil, atom.Em: nil, atom.Font: {"color", "size"},
	atom.H1: nil, atom.H2: nil, atom.H3: nil, atom.H4: nil, atom.H5: nil, atom.H6: nil, atom.Hr: nil, atom.I: nil,
	atom.Img: {"src", "alt", "title", "width", "height"}, atom.Ins: nil, atom.Li: nil, atom.Ol: {"start", "type"},
	atom.P: nil, atom.Pre: nil, atom.Q: nil, atom.S: nil, atom.Small: nil, atom.Span: nil, atom.Strong: nil,
	atom.Sub: nil, atom.Sup: nil, atom.Table: {"border", "cellpadding", "cellspacing", "width", "summary"},
	atom.Tbody: nil, atom.Td: {"colspan", "rowspan", "width", "height", "nowrap"}, atom.Tfoot: nil,
	atom.Th: {"colspan", "rowspan", "width", "height", "scope", "nowrap"}, atom.Thead: nil, atom.Tr: nil,
	atom.U: nil, atom.Ul: {"type"},
}

// globalAttributes are allowed on every allowed element; style only when
// it matches safeStyle.
var globalAttributes = []string{"align", "valign", "bgcolor", "dir", "lang", "title"}

var (
	// safeLink admits absolute http, https and mailto links; bluemonday
	// then checks that they parse.
	safeLink = regexp.MustCompile(`(?i)^\s*(https?://|mailto:)`)
	// inlineImage admits only inline raster images: a remote image would
	// tell its sender that the mail was opened, and from where.
	inlineImage = regexp.MustCompile(`(?i)^\s*data:image/(png|gif|jpeg|webp);base64,`)
	// safeStyle admits declarations of listed layout and typography
	// properties whose values cannot fetch, run or escape anything: no
	// url(), expression(), escapes or at-rules, and no position, which
	// would let a mail draw over our page.
	safeStyle = regexp.MustCompile(`(?i)^\s*(` +
		`(color|background(-color)?|border(-[a-z]+){0,2}|margin(-[a-z]+)?|padding(-[a-z]+)?|` +
		`(min-|max-)?(width|height)|font(-[a-z]+)?|text-(align|decoration|indent|transform)|` +
		`line-height|letter-spacing|word-spacing|white-space|vertical-align|direction|display|` +
		`list-style(-type)?|border-collapse|border-spacing|mso-[a-z-]+)` +
		`\s*:([\w\s#%.,!'"+-]|(rgba?|hsla?)\([\d\s.,%]*\))*(;\s*|$))*$`)
)

// voidElements among allowedElements have no end tag.
var voidElements = map[atom.Atom]bool{atom.Br: true, atom.Col: true, atom.Hr: true, atom.Img: true}

// sanitizePolicy is built once; a bluemonday policy is safe for concurrent
// use once built.
var sanitizePolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowURLSchemes("mailto")
	hasHost := func(u *url.URL) bool { return u.Host != "" }
	p.AllowURLSchemeWithCustomPolicy("http", hasHost)
	p.AllowURLSchemeWithCustomPolicy("https", hasHost)
	p.AllowDataURIImages()
	for el, attrs := range allowedElements {
		name := el.String()
		p.AllowNoAttrs().OnElements(name)
		for _, attr := range attrs {
			switch attr {
			case "href":
				p.AllowAttrs(attr).Matching(safeLink).OnElements(name)
			case "src":
				p.AllowAttrs(attr).Matching(inlineImage).OnElements(name)
			default:
				p.AllowAttrs(attr).OnElements(name)
			}
		}
	}
	p.AllowAttrs(globalAttributes...).Globally()
	p.AllowAttrs("style").Matching(safeStyle).Globally()
	p.SkipElementsContent("head", "title", "style", "script", "noscript", "template", "iframe", "frame",
		"frameset", "noframes", "object", "applet", "noembed", "svg", "math", "textarea", "select", "button",
		"audio", "video", "canvas", "xmp", "plaintext")
	return p
})

// SanitizeHTML returns html reduced to an allowlist of formatting
// elements and attributes, safe to put into one of our pages: no scripts,
// style sheets, frames, forms or event handlers; links only to http,
// https and mailto (opened in a new tab without a referrer); images only
// from data: URLs, so that showing a mail loads nothing from outside;
// inline styles only of listed properties and without url(), expression()
// or escapes. Unknown elements are dropped and their text kept; the
// output is well nested. Bluemonday does the allow-listing; tidySanitized
// finishes its output.
func SanitizeHTML(s string) string {
	return tidySanitized(sanitizePolicy().Sanitize(s))
}

// tidySanitized finishes bluemonday's output, which leaves three things
// we want undone: it passes mis-nested and unclosed tags through as they
// came, so a mail could leave a <b> or <table> open over the rest of our
// page; it keeps an <img> whose remote src it dropped, where we show the
// alt text instead; and it has no fixed rel and target for links. The
// HTML5 tree builder would nest the tags but also reorder and duplicate
// them (adoption agency, implied tbody), so this closes tags in stack
// order instead: an end tag closes everything opened after its match,
// and a stray one is dropped.
func tidySanitized(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	var open []atom.Atom
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			b.WriteString(html.EscapeString(tok.Data))
		case html.StartTagToken, html.SelfClosingTagToken:
			if _, ok := attrValue(tok, "src"); tok.DataAtom == atom.Img && !ok {
				if alt, _ := attrValue(tok, "alt"); alt != "" {
					b.WriteString("[" + html.EscapeString(alt) + "]")
				}
				continue
			}
			b.WriteString("<" + tok.Data)
			for _, a := range tok.Attr {
				b.WriteString(" " + a.Key + `="` + html.EscapeString(a.Val) + `"`)
			}
			if _, ok := attrValue(tok, "href"); tok.DataAtom == atom.A && ok {
				b.WriteString(` rel="noopener noreferrer nofollow" target="_blank"`)
			}
			b.WriteString(">")
			if !voidElements[tok.DataAtom] {
				open = append(open, tok.DataAtom)
			}
		case html.EndTagToken:
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == tok.DataAtom {
					closeTags(&b, open[i:])
					open = open[:i]
					break
				}
			}
		}
	}
	closeTags(&b, open)
	return b.String()
}

// closeTags writes end tags for open, innermost first.
func closeTags(b *strings.Builder, open []atom.Atom) {
	for _, el := range slices.Backward(open) {
		b.WriteString("</" + el.String() + ">")
	}
}

func attrValue(tok html.Token, key string) (string, bool) {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}
