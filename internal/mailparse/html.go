package mailparse

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLToText renders an HTML body as readable plain text: paragraphs and
// line breaks kept, list items bulleted or numbered, links as
// "text (url)", blockquotes as "> " quoting, script and style dropped. It
// uses the tokenizer, not the tree builder, so deeply nested or broken
// markup costs linear time.
func HTMLToText(s string) string {
	w := &textWriter{}
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0 // depth inside script/style/head
	var lists []int
	var hrefs []string
	var linkText []int // w.len() where each open link's text starts
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return cleanText(w.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			w.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Noscript, atom.Template:
				if tt == html.StartTagToken {
					skip++
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch a {
			case atom.Br:
				w.newline()
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table:
				w.paragraph()
			case atom.Div, atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Center, atom.Dl, atom.Dt, atom.Dd, atom.Address:
				w.newline()
			case atom.Hr:
				w.newline()
				w.raw("---")
				w.newline()
			case atom.Pre:
				w.paragraph()
				w.pre++
			case atom.Blockquote:
				w.paragraph()
				w.quote++
			case atom.Ul:
				w.newline()
				lists = append(lists, -1)
			case atom.Ol:
				w.newline()
				lists = append(lists, 0)
			case atom.Li:
				w.newline()
				bullet := "- "
				if n := len(lists); n > 0 && lists[n-1] >= 0 {
					lists[n-1]++
					bullet = strconv.Itoa(lists[n-1]) + ". "
				}
				if n := len(lists); n > 1 {
					w.raw(strings.Repeat("  ", min(n-1, 8)))
				}
				w.raw(bullet)
			case atom.Td, atom.Th:
				w.space()
			case atom.A:
				href := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "href" {
						href = strings.TrimSpace(string(v))
					}
				}
				if len(hrefs) < 100 {
					hrefs = append(hrefs, href)
					linkText = append(linkText, w.b.Len())
				}
			case atom.Img:
				alt := ""
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "alt" {
						alt = strings.TrimSpace(string(v))
					}
				}
				if alt != "" {
					w.text("[" + alt + "]")
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Noscript, atom.Template:
				if skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch a {
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table, atom.Ul, atom.Ol:
				w.paragraph()
				if (a == atom.Ul || a == atom.Ol) && len(lists) > 0 {
					lists = lists[:len(lists)-1]
				}
			case atom.Div, atom.Tr, atom.Li, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Center, atom.Dl, atom.Dt, atom.Dd, atom.Address:
				w.newline()
			case atom.Pre:
				if w.pre > 0 {
					w.pre--
				}
				w.paragraph()
			case atom.Blockquote:
				w.paragraph()
				if w.quote > 0 {
					w.quote--
				}
			case atom.A:
				if n := len(hrefs); n > 0 {
					href, start := hrefs[n-1], linkText[n-1]
					hrefs, linkText = hrefs[:n-1], linkText[:n-1]
					text := strings.TrimSpace(w.b.String()[min(start, w.b.Len()):])
					if showHref(href, text) {
						w.text(" (" + strings.TrimPrefix(href, "mailto:") + ")")
					}
				}
			}
		}
	}
}

// showHref reports whether a link target adds anything to its text.
func showHref(href, text string) bool {
	if href == "" || strings.HasPrefix(href, "#") || strings.HasPrefix(strings.ToLower(href), "javascript:") {
		return false
	}
	target := strings.TrimPrefix(href, "mailto:")
	if text == "" || text == href || text == target {
		return false
	}
	for _, pre := range []string{"https://", "http://"} {
		if strings.TrimSuffix(strings.TrimPrefix(href, pre), "/") == strings.TrimSuffix(strings.TrimPrefix(text, pre), "/") {
			return false
		}
	}
	return true
}

// textWriter collapses whitespace and prefixes quoted lines.
type textWriter struct {
	b          strings.Builder
	pre        int
	quote      int
	lineStart  bool // at the start of a line, nothing written on it yet
	pendSpace  bool
	started    bool
	pendBlank  bool // an empty line goes before the next text
	blankQuote int  // quote depth where that empty line was asked for
}

func (w *textWriter) String() string { return w.b.String() }

func (w *textWriter) startLine() {
	if w.lineStart || !w.started {
		if w.pendBlank && w.started {
			if q := min(w.quote, w.blankQuote, 20); q > 0 {
				w.b.WriteString(strings.TrimRight(strings.Repeat("> ", q), " "))
			}
			w.b.WriteByte('\n')
		}
		w.pendBlank = false
		if w.quote > 0 {
			w.b.WriteString(strings.Repeat("> ", min(w.quote, 20)))
		}
		w.lineStart = false
		w.started = true
	}
}

func (w *textWriter) raw(s string) {
	w.startLine()
	w.b.WriteString(s)
}

func (w *textWriter) text(s string) {
	if w.pre > 0 {
		for i, line := range strings.Split(s, "\n") {
			if i > 0 {
				w.newline()
			}
			if line != "" {
				w.raw(line)
			}
		}
		return
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		if s != "" && w.started && !w.lineStart {
			w.pendSpace = true
		}
		return
	}
	if isSpace(s[0]) && w.started && !w.lineStart {
		w.pendSpace = true
	}
	for i, f := range fields {
		if i > 0 || w.pendSpace {
			if !w.lineStart && w.started {
				w.b.WriteByte(' ')
			}
		}
		w.pendSpace = false
		w.raw(f)
	}
	if isSpace(s[len(s)-1]) {
		w.pendSpace = true
	}
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' }

func (w *textWriter) space() {
	if w.started && !w.lineStart {
		w.pendSpace = true
	}
}

func (w *textWriter) newline() {
	w.pendSpace = false
	if !w.started {
		return
	}
	if w.lineStart {
		return
	}
	w.b.WriteByte('\n')
	w.lineStart = true
}

func (w *textWriter) paragraph() {
	w.pendSpace = false
	if !w.started {
		return
	}
	if !w.lineStart {
		w.b.WriteByte('\n')
		w.lineStart = true
	}
	if !w.pendBlank {
		w.blankQuote = w.quote
	}
	w.pendBlank = true
}
