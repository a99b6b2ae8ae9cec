package mailparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

// mustParse parses raw and fails the test on an error.
func mustParse(t *testing.T, raw string) *Message {
	t.Helper()
	m, err := Parse([]byte(raw), Options{})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return m
}

func encode(t *testing.T, e encoding.Encoding, s string) string {
	t.Helper()
	b, err := e.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encode test text: %v", err)
	}
	return b
}

func hasWarning(m *Message, sub string) bool {
	for _, w := range m.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

func TestBodyCharsets(t *testing.T) {
	tests := []struct {
		name     string
		charset  string
		body     string
		want     string
		wantWarn string
	}{
		{name: "iso-8859-1", charset: "iso-8859-1", body: "Caf\xe9 cr\xe8me", want: "Café crème"},
		{name: "windows-1252 quotes", charset: "windows-1252", body: "\x93quoted\x94 \x80 5", want: "“quoted” € 5"},
		{name: "koi8-r", charset: "koi8-r", body: encode(t, charmap.KOI8R, "Привет, мир"), want: "Привет, мир"},
		{name: "shift_jis", charset: "shift_jis", body: encode(t, japanese.ShiftJIS, "こんにちは世界"), want: "こんにちは世界"},
		{name: "iso-2022-jp", charset: "ISO-2022-JP", body: encode(t, japanese.ISO2022JP, "日本語のメール"), want: "日本語のメール"},
		{name: "gb2312", charset: "gb2312", body: encode(t, simplifiedchinese.GBK, "你好，世界"), want: "你好，世界"},
		{name: "big5", charset: "big5", body: encode(t, traditionalchinese.Big5, "繁體中文"), want: "繁體中文"},
		{name: "utf-7", charset: "utf-7", body: "Hi Mom -+Jjo--! 1 +- 1", want: "Hi Mom -☺-! 1 + 1"},
		{name: "misspelled utf8", charset: "utf8", body: "Grüße", want: "Grüße"},
		{name: "misspelled latin-1", charset: "latin-1", body: "Gr\xfc\xdfe", want: "Grüße"},
		{name: "iso8859_15 spelling", charset: "iso8859_15", body: "\xa4 10", want: "€ 10"},
		{name: "quoted charset name", charset: `"UTF-8"`, body: "naïve", want: "naïve"},
		{name: "unknown charset, latin bytes", charset: "x-bogus", body: "Caf\xe9", want: "Café", wantWarn: "unknown charset"},
		{name: "unknown charset, utf-8 bytes", charset: "x-bogus", body: "Café", want: "Café", wantWarn: "unknown charset"},
		{name: "utf-8 label on latin bytes", charset: "utf-8", body: "Caf\xe9", want: "Café", wantWarn: "is not"},
		{name: "no charset, 8-bit", charset: "", body: "Caf\xe9", want: "Café"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct := "text/plain"
			if tt.charset != "" {
				ct += "; charset=" + tt.charset
			}
			m := mustParse(t, "From: a@example.com\nSubject: x\nContent-Type: "+ct+"\n\n"+tt.body+"\n")
			if m.Text != tt.want {
				t.Errorf("Text = %q, want %q", m.Text, tt.want)
			}
			if tt.wantWarn != "" && !hasWarning(m, tt.wantWarn) {
				t.Errorf("Warnings = %q, want one containing %q", m.Warnings, tt.wantWarn)
			}
		})
	}
}

func TestEncodedWords(t *testing.T) {
	tests := []struct {
		name, subject, want, wantWarn string
	}{
		{name: "q latin1", subject: "=?ISO-8859-1?Q?Andr=E9?= Pirard", want: "André Pirard"},
		{name: "adjacent words join", subject: "=?UTF-8?Q?Hello_?= =?UTF-8?Q?World?=", want: "Hello World"},
		{name: "adjacent words split a rune", subject: "=?UTF-8?B?w6k=?=\n =?UTF-8?B?w6k=?=", want: "éé"},
		{name: "b koi8-r", subject: "=?koi8-r?B?" + b64(encode(t, charmap.KOI8R, "Заказ")) + "?=", want: "Заказ"},
		{name: "shift_jis", subject: "=?shift_jis?B?" + b64(encode(t, japanese.ShiftJIS, "注文")) + "?=", want: "注文"},
		{name: "iso-2022-jp", subject: "=?ISO-2022-JP?B?" + b64(encode(t, japanese.ISO2022JP, "見積もり")) + "?=", want: "見積もり"},
		{name: "gb2312", subject: "=?gb2312?B?" + b64(encode(t, simplifiedchinese.GBK, "订单")) + "?=", want: "订单"},
		{name: "misspelled utf8", subject: "=?utf8?Q?Gr=C3=BC=C3=9Fe?=", want: "Grüße"},
		{name: "unknown charset", subject: "=?x-unknown?Q?Caf=E9?=", want: "Café", wantWarn: "unknown charset"},
		{name: "mixed plain and encoded", subject: "Re: =?UTF-8?Q?Bestellung_f=C3=BCr?= Mai", want: "Re: Bestellung für Mai"},
		{name: "raw utf-8", subject: "Größe", want: "Größe"},
		{name: "raw latin1", subject: "Gr\xf6\xdfe", want: "Größe", wantWarn: "not UTF-8"},
		{name: "folded", subject: "a long\n  subject", want: "a long subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, "From: a@example.com\nSubject: "+tt.subject+"\n\nbody\n")
			if m.Subject != tt.want {
				t.Errorf("Subject = %q, want %q", m.Subject, tt.want)
			}
			if tt.wantWarn != "" && !hasWarning(m, tt.wantWarn) {
				t.Errorf("Warnings = %q, want one containing %q", m.Warnings, tt.wantWarn)
			}
		})
	}
}

func b64(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var sb strings.Builder
	b := []byte(s)
	for i := 0; i < len(b); i += 3 {
		var n uint32
		k := min(3, len(b)-i)
		for j := 0; j < 3; j++ {
			n <<= 8
			if j < k {
				n |= uint32(b[i+j])
			}
		}
		for j := 0; j < 4; j++ {
			if j <= k {
				sb.WriteByte(alphabet[n>>(18-6*j)&63])
			} else {
				sb.WriteByte('=')
			}
		}
	}
	return sb.String()
}

func TestEnvelope(t *testing.T) {
	raw := "From: =?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.de>\n" +
		"To: \"Sales, Team\" <sales@example.com>, bob@example.com\n" +
		"Cc: broken <<carol@example.com>, dave@example.com\n" +
		"Reply-To: Replies <replies@example.de>\n" +
		"Subject: Angebot\n" +
		"Date: Tue, 5 Mar 2024 10:11:12 +0100\n" +
		"Message-ID: <abc@example.de>\n" +
		"In-Reply-To: <out-1@salesdesk.example.com>\n" +
		"References: <root@example.com>\n <out-1@salesdesk.example.com>\n\n" +
		"Hallo\n"
	m := mustParse(t, raw)
	if got, want := m.From, (Address{Name: "Jürgen Müller", Address: "juergen@example.de"}); got != want {
		t.Errorf("From = %+v, want %+v", got, want)
	}
	if len(m.To) != 2 || m.To[0].Name != "Sales, Team" || m.To[1].Address != "bob@example.com" {
		t.Errorf("To = %+v", m.To)
	}
	if len(m.Cc) != 2 || m.Cc[0].Address != "carol@example.com" || m.Cc[1].Address != "dave@example.com" {
		t.Errorf("Cc = %+v (lenient parse)", m.Cc)
	}
	if len(m.ReplyTo) != 1 || m.ReplyTo[0].Address != "replies@example.de" {
		t.Errorf("ReplyTo = %+v", m.ReplyTo)
	}
	if want := time.Date(2024, 3, 5, 9, 11, 12, 0, time.UTC); !m.Date.Equal(want) {
		t.Errorf("Date = %v, want %v", m.Date, want)
	}
	if m.MessageID != "abc@example.de" {
		t.Errorf("MessageID = %q", m.MessageID)
	}
	if len(m.InReplyTo) != 1 || m.InReplyTo[0] != "out-1@salesdesk.example.com" {
		t.Errorf("InReplyTo = %q", m.InReplyTo)
	}
	if want := []string{"root@example.com", "out-1@salesdesk.example.com"}; fmt.Sprint(m.References) != fmt.Sprint(want) {
		t.Errorf("References = %q, want %q", m.References, want)
	}
	if m.Kind != KindHuman {
		t.Errorf("Kind = %s", m.Kind)
	}
}

func TestStructure(t *testing.T) {
	tests := []struct {
		name      string
		raw       string
		wantText  string
		wantHTML  bool
		wantAtt   []Attachment
		wantWarn  string
		wantNoErr bool
	}{
		{
			name: "alternative prefers plain",
			raw: "From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n" +
				"--b\nContent-Type: text/plain\n\nplain body\n--b\nContent-Type: text/html\n\n<p>html body</p>\n--b--\n",
			wantText: "plain body", wantHTML: true,
		},
		{
			name: "html only converted",
			raw: "From: a@example.com\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" +
				"<p>Hello <b>there</b>=2C</p><p>see <a href=3D\"https://example.com/x\">our site</a></p>\n",
			wantText: "Hello there,\n\nsee our site (https://example.com/x)", wantHTML: true,
		},
		{
			name: "mixed with base64 attachment",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"xyz\"\n\n" +
				"preamble\n--xyz\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\nSGVsbG8gV29ybGQ=\n" +
				"--xyz\nContent-Type: application/pdf; name=\"=?UTF-8?Q?Angebot_M=C3=A4rz.pdf?=\"\nContent-Disposition: attachment\nContent-Transfer-Encoding: base64\n\n" +
				"JVBERi0xLjQK\nJSVFT0YK\n--xyz--\nepilogue\n",
			wantText: "Hello World",
			wantAtt:  []Attachment{{Name: "Angebot März.pdf", ContentType: "application/pdf", Size: 15}},
		},
		{
			name: "truncated multipart",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: text/plain\n\nfirst part\n--b\nContent-Type: text/plain\n\nsecond part cut of",
			wantText: "first part\n\nsecond part cut of", wantWarn: "not closed",
		},
		{
			name: "missing boundary parameter",
			raw: "From: a@example.com\nContent-Type: multipart/mixed\n\n" +
				"--guess\nContent-Type: text/plain\n\nguessed\n--guess--\n",
			wantText: "guessed", wantWarn: "boundary guessed",
		},
		{
			name: "mismatched boundary",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=declared\n\n" +
				"--actual\nContent-Type: text/plain\n\nmismatch\n--actual--\n",
			wantText: "mismatch", wantWarn: "does not match",
		},
		{
			name:     "empty boundary, no delimiter",
			raw:      "From: a@example.com\nContent-Type: multipart/mixed; boundary=\"\"\n\nJust text.\n",
			wantText: "Just text.", wantWarn: "without boundary",
		},
		{
			name:     "malformed header line",
			raw:      "From: a@example.com\nSubject: one\nthis line is broken\nTo: b@example.com\n\nbody\n",
			wantText: "body", wantWarn: "malformed header line",
		},
		{
			name:     "no blank line after header",
			raw:      "From: a@example.com\nSubject: x\nthe body starts here\nand goes on\n",
			wantText: "the body starts here\nand goes on", wantWarn: "no blank line",
		},
		{
			name:     "base64 with garbage",
			raw:      "From: a@example.com\nContent-Transfer-Encoding: base64\n\nSGVs!!bG8g*V29y\nbGQ=\n",
			wantText: "Hello World", wantWarn: "garbage",
		},
		{
			name:     "quoted-printable with bad escapes",
			raw:      "From: a@example.com\nContent-Transfer-Encoding: quoted-printable\n\n100=% sure =ZZ soft=\nbreak =C3=A9\n",
			wantText: "100=% sure =ZZ softbreak é",
		},
		{
			name: "x-uuencode part",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee file\n" +
				"--b\nContent-Type: application/octet-stream; name=cat.txt\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 cat.txt\n#0V%T\n`\nend\n--b--\n",
			wantText: "see file",
			wantAtt:  []Attachment{{Name: "cat.txt", ContentType: "application/octet-stream", Size: 3}},
		},
		{
			name:     "uuencoded file inside plain text",
			raw:      "From: a@example.com\n\nhere it is\nbegin 644 cat.txt\n#0V%T\n`\nend\nbye\n",
			wantText: "here it is\n\nbye",
			wantAtt:  []Attachment{{Name: "cat.txt", ContentType: "text/plain; charset=utf-8", Size: 3}},
		},
		{
			name:     "CRLF and bare CR line endings",
			raw:      "From: a@example.com\r\nSubject: x\r\n\r\nline one\rline two\r\n",
			wantText: "line one\nline two",
		},
		{
			name: "attached message is listed, its text a last resort",
			raw: "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n" +
				"--b\nContent-Type: message/rfc822\n\nFrom: c@example.com\nSubject: Inner\n\ninner text\n--b--\n",
			wantText: "inner text",
			wantAtt:  []Attachment{{Name: "Inner.eml", ContentType: "message/rfc822", Size: 46}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := mustParse(t, tt.raw)
			if m.Text != tt.wantText {
				t.Errorf("Text = %q, want %q", m.Text, tt.wantText)
			}
			if (m.HTML != "") != tt.wantHTML {
				t.Errorf("HTML = %q, want present=%v", m.HTML, tt.wantHTML)
			}
			if fmt.Sprint(m.Attachments) != fmt.Sprint(tt.wantAtt) {
				t.Errorf("Attachments = %+v, want %+v", m.Attachments, tt.wantAtt)
			}
			if tt.wantWarn != "" && !hasWarning(m, tt.wantWarn) {
				t.Errorf("Warnings = %q, want one containing %q", m.Warnings, tt.wantWarn)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want error
	}{
		{name: "empty", raw: "", want: ErrNotMail},
		{name: "blank", raw: "\n\n  \n", want: ErrNotMail},
		{name: "binary", raw: "\x00\x01\x02\x03garbage", want: ErrNotMail},
		{name: "prose", raw: "Dear sir,\nplease send me the catalogue.\n", want: ErrNotMail},
		{name: "huge header", raw: "From: a@example.com\nSubject: " + strings.Repeat("x", 300<<10) + "\n\nbody", want: ErrTooComplex},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Parse([]byte(tt.raw), Options{})
			if !errors.Is(err, tt.want) {
				t.Fatalf("Parse = %v, %v; want error %v", m, err, tt.want)
			}
		})
	}
}

func TestOversize(t *testing.T) {
	body := strings.Repeat("0123456789abcdef\n", 1000) // 17,000 bytes
	raw := "From: a@example.com\nSubject: big\n\n" + body
	m, err := Parse([]byte(raw), Options{MaxBytes: 1000})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if !m.Oversize {
		t.Error("Oversize not set")
	}
	if m.Subject != "big" || m.From.Address != "a@example.com" {
		t.Errorf("header not read: %q %q", m.Subject, m.From.Address)
	}
	if len(m.Text) > 1000 || !strings.HasPrefix(m.Text, "0123456789abcdef") {
		t.Errorf("Text has %d bytes, want the first <=1000 bytes of the body", len(m.Text))
	}
}

func TestAttachmentSink(t *testing.T) {
	content := bytes.Repeat([]byte("salesdesk"), 1000)
	var enc strings.Builder
	raw := b64(string(content))
	for i := 0; i < len(raw); i += 76 {
		enc.WriteString(raw[i:min(i+76, len(raw))] + "\n")
	}
	msg := "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nsee attached\n" +
		"--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=\"data.bin\"\nContent-Transfer-Encoding: base64\n\n" +
		enc.String() + "--b--\n"
	var got []byte
	var gotName string
	m, err := Parse([]byte(msg), Options{AttachmentSink: func(a Attachment, r io.Reader) error {
		gotName = a.Name
		var err error
		got, err = io.ReadAll(r)
		return err
	}})
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if gotName != "data.bin" || !bytes.Equal(got, content) {
		t.Errorf("sink got %q with %d bytes, want data.bin with %d", gotName, len(got), len(content))
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Size != int64(len(content)) {
		t.Errorf("Attachments = %+v", m.Attachments)
	}
	// a failing sink is a warning, not a failure
	m, err = Parse([]byte(msg), Options{AttachmentSink: func(Attachment, io.Reader) error { return errors.New("disk full") }})
	if err != nil || !hasWarning(m, "disk full") || m.Attachments[0].Size != int64(len(content)) {
		t.Errorf("failing sink: err %v, warnings %q, attachments %+v", err, m.Warnings, m.Attachments)
	}
}

// TestPathological feeds messages built to be expensive; each must parse
// (within the budget, degraded) or be rejected with ErrTooComplex. How
// fast is measured in BenchmarkPathological, not here.
func TestPathological(t *testing.T) {
	for _, pc := range pathologicalCases() {
		t.Run(pc.name, func(t *testing.T) {
			m, err := Parse(pc.raw, Options{})
			if err != nil {
				if !errors.Is(err, ErrTooComplex) {
					t.Fatalf("Parse error %v, want nil or ErrTooComplex", err)
				}
				return
			}
			if pc.wantWarn != "" && !hasWarning(m, pc.wantWarn) {
				t.Errorf("Warnings = %q, want one containing %q", m.Warnings, pc.wantWarn)
			}
			if pc.check != nil {
				pc.check(t, m)
			}
		})
	}
}

type pathologicalCase struct {
	name     string
	raw      []byte
	wantWarn string
	check    func(*testing.T, *Message)
}

func pathologicalCases() []pathologicalCase {
	var folded bytes.Buffer
	folded.WriteString("From: a@example.com\nSubject: start")
	for i := 0; i < 10000; i++ {
		folded.WriteString("\n x")
	}
	folded.WriteString("\n\nbody\n")

	var manyFields bytes.Buffer
	manyFields.WriteString("From: a@example.com\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&manyFields, "X-Trace-%d: %d\n", i, i)
	}
	manyFields.WriteString("\nbody\n")

	var nested bytes.Buffer
	nested.WriteString("From: a@example.com\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&nested, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i, i)
	}
	nested.WriteString("Content-Type: text/plain\n\ndeep\n")

	var nestedMsg bytes.Buffer
	nestedMsg.WriteString("From: a@example.com\n")
	for i := 0; i < 10000; i++ {
		nestedMsg.WriteString("Content-Type: message/rfc822\n\nFrom: b@example.com\n")
	}
	nestedMsg.WriteString("\ninnermost\n")

	var many bytes.Buffer
	many.WriteString("From: a@example.com\nContent-Type: multipart/mixed; boundary=p\n\n")
	for i := 0; i < 100000; i++ {
		many.WriteString("--p\n\nx\n")
	}
	many.WriteString("--p--\n")

	longLine := append([]byte("From: a@example.com\n\n"), bytes.Repeat([]byte("a"), 20<<20)...)

	var quotes bytes.Buffer
	quotes.WriteString("From: a@example.com\n\n")
	for i := 0; i < 50000; i++ {
		quotes.WriteString("On Mon, a@example.com\n> x\n")
	}

	html := "From: a@example.com\nContent-Type: text/html\n\n" + strings.Repeat("<div><blockquote><ul><li><a href=x>", 20000)

	return []pathologicalCase{
		{name: "folded header x10000", raw: folded.Bytes(), check: func(t *testing.T, m *Message) {
			if !strings.HasPrefix(m.Subject, "start x x") {
				t.Errorf("Subject = %.40q", m.Subject)
			}
		}},
		{name: "header fields x10000", raw: manyFields.Bytes()},
		{name: "multipart nesting x10000", raw: nested.Bytes(), wantWarn: "nesting deeper"},
		{name: "message nesting x10000", raw: nestedMsg.Bytes(), wantWarn: "nesting deeper"},
		{name: "parts x100000", raw: many.Bytes(), wantWarn: "more than 1000 MIME parts"},
		{name: "20 MiB line", raw: longLine},
		{name: "attribution lines x50000", raw: quotes.Bytes()},
		{name: "unclosed html x20000", raw: []byte(html)},
	}
}

// BenchmarkPathological reports how long each pathological message takes.
func BenchmarkPathological(b *testing.B) {
	for _, pc := range pathologicalCases() {
		b.Run(pc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = Parse(pc.raw, Options{})
			}
		})
	}
}
