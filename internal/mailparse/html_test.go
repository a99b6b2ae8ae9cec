package mailparse

import "testing"

func TestHTMLToText(t *testing.T) {
	tests := []struct {
		name, html, want string
	}{
		{name: "paragraphs and breaks", html: "<p>Hello,</p><p>line one<br>line two</p>", want: "Hello,\n\nline one\nline two"},
		{name: "whitespace collapsed", html: "<div>  lots   of\n\n   space </div>", want: "lots of space"},
		{name: "entities", html: "<p>Fish &amp; chips &lt;3 &eacute;</p>", want: "Fish & chips <3 é"},
		{name: "script and style dropped", html: "<html><head><title>T</title><style>p{color:red}</style></head><body><script>alert(1)</script><p>visible</p></body></html>", want: "visible"},
		{name: "link with text", html: `<p>See <a href="https://example.com/p">the price list</a>.</p>`, want: "See the price list (https://example.com/p)."},
		{name: "link text equals url", html: `<a href="https://example.com/">https://example.com</a>`, want: "https://example.com"},
		{name: "mailto link", html: `<a href="mailto:sales@example.com">write us</a>`, want: "write us (sales@example.com)"},
		{name: "anchor link", html: `<a href="#top">top</a>`, want: "top"},
		{name: "unordered list", html: "<ul><li>one</li><li>two</li></ul>", want: "- one\n- two"},
		{name: "ordered list", html: "<ol><li>first</li><li>second</li></ol>", want: "1. first\n2. second"},
		{name: "nested list", html: "<ul><li>a<ul><li>b</li></ul></li></ul>", want: "- a\n  - b"},
		{name: "blockquote", html: "<p>Yes.</p><blockquote><p>Can you ship?</p></blockquote>", want: "Yes.\n\n> Can you ship?"},
		{name: "table cells", html: "<table><tr><td>SKU</td><td>Qty</td></tr><tr><td>A-1</td><td>4</td></tr></table>", want: "SKU Qty\nA-1 4"},
		{name: "pre keeps lines", html: "<pre>a  b\n  c</pre>", want: "a  b\n  c"},
		{name: "image alt", html: `<p><img src="x.png" alt="logo"> Acme</p>`, want: "[logo] Acme"},
		{name: "broken markup", html: "<p>unclosed <b>bold <i>italic", want: "unclosed bold italic"},
		{name: "inline spacing kept", html: "<p>a<b>b</b> <i>c</i></p>", want: "ab c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HTMLToText(tt.html); got != tt.want {
				t.Errorf("HTMLToText(%q) = %q, want %q", tt.html, got, tt.want)
			}
		})
	}
}
