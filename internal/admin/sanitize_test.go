package admin

import (
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

func TestSanitizeHTML(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"plain formatting kept", `<p>Hello <b>Ada</b>,<br>thanks!</p>`, `<p>Hello <b>Ada</b>,<br>thanks!</p>`},
		{"script removed with content", `<p>a</p><script>alert(document.cookie)</script><p>b</p>`, `<p>a</p><p>b</p>`},
		{"style sheet removed", `<style>body{background:red}</style><p>x</p>`, `<p>x</p>`},
		{"event handlers removed", `<p onclick="steal()" onmouseover="x()">hi</p>`, `<p>hi</p>`},
		{"body onload dropped with body", `<body onload="alert(1)"><p>hi</p></body>`, `<p>hi</p>`},
		{"javascript link loses href", `<a href="javascript:alert(1)">po</a>`, `<a>po</a>`},
		{"javascript link with spaces and case", `<a href=" JaVaScRiPt:alert(1)">po</a>`, `<a>po</a>`},
		{"data link refused", `<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>`, `<a>x</a>`},
		{"https link opens safely", `<a href="https://example.com/x?a=1&amp;b=2">x</a>`,
			`<a href="https://example.com/x?a=1&amp;b=2" rel="noopener noreferrer nofollow" target="_blank">x</a>`},
		{"mailto kept", `<a href="mailto:sales@example.com">mail</a>`,
			`<a href="mailto:sales@example.com" rel="noopener noreferrer nofollow" target="_blank">mail</a>`},
		{"remote image becomes its alt text", `<img src="https://tracker.example/p.gif" alt="logo" onerror="x()">`, `[logo]`},
		{"inline image kept", `<img src="data:image/png;base64,iVBORw0KGgo=" alt="">`, `<img src="data:image/png;base64,iVBORw0KGgo=" alt="">`},
		{"iframe, object, form controls removed", `<iframe src="https://evil.example"></iframe><object data="x"><p>no</p></object><form action="/x"><input name="p"><button>Go</button></form>ok`, `ok`},
		{"unknown elements unwrapped", `<custom-tag><marquee>moving</marquee></custom-tag>`, `moving`},
		{"safe inline style kept", `<p style="color:#333;font-size:14px">x</p>`, `<p style="color:#333;font-size:14px">x</p>`},
		{"style with url removed", `<p style="background:url(https://evil.example/x)">x</p>`, `<p>x</p>`},
		{"style with expression removed", `<p style="width:expression(alert(1))">x</p>`, `<p>x</p>`},
		{"style with fixed position removed", `<div style="position:fixed;top:0">x</div>`, `<div>x</div>`},
		{"text is escaped", `1 &lt; 2 &amp; <b>"q"</b>`, `1 &lt; 2 &amp; <b>&#34;q&#34;</b>`},
		{"unclosed elements closed", `<table><tr><td>a`, `<table><tr><td>a</td></tr></table>`},
		{"stray end tags dropped", `</div></p>x</b>`, `x`},
		{"mis-nested closed in order", `<b><i>x</b>y</i>`, `<b><i>x</i></b>y`},
		{"attribute values escaped", `<a href="https://e.example/&quot;onmouseover=x" title='a"b'>l</a>`,
			`<a href="https://e.example/%22onmouseover=x" title="a&#34;b" rel="noopener noreferrer nofollow" target="_blank">l</a>`},
		{"svg with script removed", `<svg><script>alert(1)</script><circle/></svg>after`, `after`},
		{"head with void elements dropped, body kept", `<html><head><meta charset="utf-8"><link rel="stylesheet" href="x.css"><title>T</title><style>p{}</style></head><body><p>kept</p></body></html>`, `<p>kept</p>`},
		{"void elements inside a dropped element", `<object><param name="a"><embed src="x"></object><p>after</p>`, `<p>after</p>`},
		{"comments removed", `<!-- <script>x</script> -->ok`, `ok`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SanitizeHTML(tt.in); got != tt.want {
				t.Errorf("SanitizeHTML(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzSanitizeHTML(f *testing.F) {
	f.Add(`<p onclick=x>a<script>b</script><a href="javascript:c">d</a></p>`)
	f.Add(`<svg><foreignObject><img src=x onerror=alert(1)></foreignObject></svg>`)
	f.Add(`<<script>script>alert(1)<</script>/script>`)
	f.Fuzz(func(t *testing.T, in string) {
		out := SanitizeHTML(in)
		if again := SanitizeHTML(out); again != out {
			t.Fatalf("not idempotent:\n in %q\nout %q\nagain %q", in, out, again)
		}
		// Read the output as a browser would and look for anything active.
		doc, err := html.Parse(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				if _, ok := allowedElements[n.DataAtom]; !ok && n.DataAtom != atom.Html && n.DataAtom != atom.Head && n.DataAtom != atom.Body {
					t.Fatalf("element <%s> in %q (from %q)", n.Data, out, in)
				}
				for _, a := range n.Attr {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					switch {
					case strings.HasPrefix(strings.ToLower(a.Key), "on"):
						t.Fatalf("handler %s in %q (from %q)", a.Key, out, in)
					case a.Key == "href" && !(strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") || strings.HasPrefix(v, "mailto:") || strings.HasPrefix(v, "#")):
						t.Fatalf("href %q in %q (from %q)", a.Val, out, in)
					case a.Key == "src" && !strings.HasPrefix(v, "data:image/"):
						t.Fatalf("src %q in %q (from %q)", a.Val, out, in)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	})
}
