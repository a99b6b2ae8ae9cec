package demo

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"
	"unicode/utf8"
)

// draft is a mail being written; bytes renders it as RFC 5322 with CRLF
// line endings.
type draft struct {
	fromName, fromAddr string
	to                 string
	subject            string
	date               time.Time
	messageID          string // without angle brackets
	inReplyTo          string // without angle brackets
	references         []string
	extra              [][2]string // further header fields, already encoded

	text   string
	html   string // adds a text/html alternative
	qp     bool   // quoted-printable text instead of 8bit
	attach []attachment

	// contentType and body, when set, replace the generated body.
	contentType string
	body        string
}

type attachment struct {
	name, contentType string
	data              []byte
}

func (d draft) bytes(boundarySeed uint64) []byte {
	var b bytes.Buffer
	h := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	h("From", formatAddress(d.fromName, d.fromAddr))
	h("To", d.to)
	h("Subject", encodeHeader(d.subject))
	h("Date", d.date.Format(time.RFC1123Z))
	h("Message-ID", "<"+d.messageID+">")
	if d.inReplyTo != "" {
		h("In-Reply-To", "<"+d.inReplyTo+">")
	}
	if len(d.references) > 0 {
		refs := make([]string, len(d.references))
		for i, r := range d.references {
			refs[i] = "<" + r + ">"
		}
		h("References", strings.Join(refs, "\r\n "))
	}
	for _, kv := range d.extra {
		h(kv[0], kv[1])
	}
	h("MIME-Version", "1.0")
	if d.contentType != "" {
		h("Content-Type", d.contentType)
		b.WriteString("\r\n")
		b.WriteString(crlf(d.body))
		return b.Bytes()
	}
	textPart := func(w *bytes.Buffer) {
		w.WriteString("Content-Type: text/plain; charset=utf-8\r\n")
		if d.qp {
			w.WriteString("Content-Transfer-Encoding: quoted-printable\r\n\r\n")
			var q bytes.Buffer
			qw := quotedprintable.NewWriter(&q)
			qw.Write([]byte(crlf(d.text)))
			qw.Close()
			w.Write(q.Bytes())
		} else {
			w.WriteString("Content-Transfer-Encoding: 8bit\r\n\r\n")
			w.WriteString(crlf(d.text))
		}
	}
	alt := func(w *bytes.Buffer, boundary string) {
		w.WriteString("Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n")
		w.WriteString("--" + boundary + "\r\n")
		textPart(w)
		w.WriteString("\r\n--" + boundary + "\r\n")
		w.WriteString("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		w.WriteString(crlf(d.html))
		w.WriteString("\r\n--" + boundary + "--\r\n")
	}
	outer := fmt.Sprintf("=_mixed_%016x", boundarySeed)
	inner := fmt.Sprintf("=_alt_%016x", boundarySeed)
	switch {
	case len(d.attach) > 0:
		b.WriteString("Content-Type: multipart/mixed; boundary=\"" + outer + "\"\r\n\r\n")
		b.WriteString("This is a multi-part message in MIME format.\r\n")
		b.WriteString("--" + outer + "\r\n")
		if d.html != "" {
			alt(&b, inner)
		} else {
			textPart(&b)
		}
		for _, a := range d.attach {
			b.WriteString("\r\n--" + outer + "\r\n")
			b.WriteString("Content-Type: " + a.contentType + "; name=\"" + a.name + "\"\r\n")
			b.WriteString("Content-Disposition: attachment; filename=\"" + a.name + "\"\r\n")
			b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
			b.WriteString(base64Lines(a.data))
		}
		b.WriteString("\r\n--" + outer + "--\r\n")
	case d.html != "":
		alt(&b, inner)
	default:
		textPart(&b)
	}
	return b.Bytes()
}

// formatAddress writes "Name <addr>", encoding a non-ASCII name.
func formatAddress(name, addr string) string {
	if name == "" {
		return addr
	}
	if isASCII(name) {
		if strings.ContainsAny(name, `,;:"()<>@.[]\`) {
			return `"` + strings.ReplaceAll(name, `"`, `\"`) + `" <` + addr + ">"
		}
		return name + " <" + addr + ">"
	}
	return mime.QEncoding.Encode("utf-8", name) + " <" + addr + ">"
}

// encodeHeader encodes a non-ASCII value as encoded words and folds a long
// one at spaces.
func encodeHeader(s string) string {
	if !isASCII(s) {
		return mime.QEncoding.Encode("utf-8", s)
	}
	return fold(s, 76)
}

func fold(s string, width int) string {
	if len(s) <= width {
		return s
	}
	var b strings.Builder
	line := 0
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			if line+1+len(w) > width {
				b.WriteString("\r\n ")
				line = 1
			} else {
				b.WriteByte(' ')
				line++
			}
		}
		b.WriteString(w)
		line += len(w)
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// crlf turns any line endings into CRLF.
func crlf(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.String()
}

// textToHTML is the HTML alternative a mail client would write for text.
func textToHTML(text string) string {
	var b strings.Builder
	b.WriteString("<html><body style=\"font-family:Arial,sans-serif;font-size:14px\">\n")
	for _, para := range strings.Split(strings.TrimSpace(text), "\n\n") {
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(htmlEscape(para), "\n", "<br>\n"))
		b.WriteString("</p>\n")
	}
	b.WriteString("</body></html>\n")
	return b.String()
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func htmlEscape(s string) string { return htmlEscaper.Replace(s) }
