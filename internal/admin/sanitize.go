package admin

import (
	"net/url"
	"strings"

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

// globalAttributes are allowed on every allowed element.
var globalAttributes = []string{"style", "align", "valign", "bgcolor", "dir", "lang", "title"}

// droppedWithContent are removed together with everything inside them.
var droppedWithContent = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Iframe: true, atom.Frame: true, atom.Frameset: true,
	atom.Object: true, atom.Embed: true, atom.Applet: true, atom.Noscript: true, atom.Template: true,
	atom.Title: true, atom.Head: true, atom.Svg: true, atom.Math: true, atom.Textarea: true,
	atom.Select: true, atom.Button: true, atom.Audio: true, atom.Video: true, atom.Canvas: true,
	atom.Noembed: true, atom.Noframes: true, atom.Xmp: true, atom.Plaintext: true,
}

// voidElements have no end tag, so they never open a level to skip.
var voidElements = map[atom.Atom]bool{
	atom.Area: true, atom.Base: true, atom.Br: true, atom.Col: true, atom.Embed: true, atom.Hr: true,
	atom.Img: true, atom.Input: true, atom.Keygen: true, atom.Link: true, atom.Meta: true, atom.Param: true,
	atom.Source: true, atom.Track: true, atom.Wbr: true,
}

// SanitizeHTML returns html reduced to an allowlist of formatting
// elements and attributes, safe to put into one of our pages: no scripts,
// styles sheets, frames, forms or event handlers; links only to http,
// https and mailto (opened in a new tab without a referrer); images only
// from data: URLs, so that showing a mail loads nothing from outside;
// inline styles only without url(), expression() or escapes. Unknown
// elements are dropped and their text kept; the output is well nested.
func SanitizeHTML(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	var open []atom.Atom // allowed elements written and not yet closed
	skip := 0            // depth inside a dropped-with-content element
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break // io.EOF, or input the tokenizer cannot go on with
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			if skip == 0 {
				b.WriteString(html.EscapeString(tok.Data))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			if skip > 0 {
				if tt == html.StartTagToken && !voidElements[tok.DataAtom] {
					skip++
				}
				continue
			}
			if droppedWithContent[tok.DataAtom] {
				if tt == html.StartTagToken {
					skip = 1
				}
				continue
			}
			attrs, ok := allowedElements[tok.DataAtom]
			if !ok {
				continue
			}
			if tok.DataAtom == atom.Img && !safeImage(tok.Attr) {
				if alt := attrValue(tok.Attr, "alt"); alt != "" {
					b.WriteString("[" + html.EscapeString(alt) + "]")
				}
				continue
			}
			b.WriteString("<" + tok.DataAtom.String())
			writeAttrs(&b, tok, attrs)
			b.WriteString(">")
			if !voidElements[tok.DataAtom] {
				open = append(open, tok.DataAtom)
			}
		case html.EndTagToken:
			if skip > 0 {
				skip--
				continue
			}
			// Close up to the matching open element; a stray end tag is
			// dropped.
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == tok.DataAtom {
					for j := len(open) - 1; j >= i; j-- {
						b.WriteString("</" + open[j].String() + ">")
					}
					open = open[:i]
					break
				}
			}
		}
	}
	for i := len(open) - 1; i >= 0; i-- {
		b.WriteString("</" + open[i].String() + ">")
	}
	return b.String()
}

func writeAttrs(b *strings.Builder, tok html.Token, allowed []string) {
	seen := map[string]bool{}
	for _, a := range tok.Attr {
		key := strings.ToLower(a.Key)
		if a.Namespace != "" || seen[key] || !(contains(allowed, key) || contains(globalAttributes, key)) {
			continue
		}
		val := a.Val
		switch key {
		case "href":
			var ok bool
			if val, ok = safeLink(val); !ok {
				continue
			}
		case "src":
			// safeImage checked it.
		case "style":
			if !safeStyle(val) {
				continue
			}
		}
		seen[key] = true
		b.WriteString(" " + key + `="` + html.EscapeString(val) + `"`)
	}
	if tok.DataAtom == atom.A && seen["href"] {
		b.WriteString(` rel="noopener noreferrer nofollow" target="_blank"`)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func attrValue(attrs []html.Attribute, key string) string {
	for _, a := range attrs {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// safeLink allows absolute http, https and mailto URLs and fragments.
func safeLink(v string) (string, bool) {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "#") {
		return v, true
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		if u.Host == "" {
			return "", false
		}
		return u.String(), true
	case "mailto":
		return u.String(), true
	}
	return "", false
}

// safeImage allows only inline raster images: a remote image would tell
// its sender that the mail was opened, and from where.
func safeImage(attrs []html.Attribute) bool {
	src := strings.ToLower(strings.TrimSpace(attrValue(attrs, "src")))
	for _, p := range []string{"data:image/png;", "data:image/gif;", "data:image/jpeg;", "data:image/webp;"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}

// safeStyle refuses inline styles that can fetch, run or hide code.
func safeStyle(v string) bool {
	l := strings.ToLower(v)
	for _, bad := range []string{"url(", "expression", "javascript", "vbscript", "@import", "\\", "behavior", "binding", "<", "position"} {
		if strings.Contains(l, bad) {
			return false
		}
	}
	return true
}
