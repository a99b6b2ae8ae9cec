package mailparse

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/textproto"
	"strings"
)

// errInternal marks a bug in this package caught by Parse's recover; the
// fuzz target fails on it.
var errInternal = errors.New("mailparse: internal error")

// classificationHeaders are copied into Message.Headers.
var classificationHeaders = []string{
	"auto-submitted", "precedence", "list-id", "list-unsubscribe", "list-post",
	"x-autoreply", "x-autorespond", "x-auto-response-suppress", "return-path",
	"x-failed-recipients", "content-type", "x-mailer", "user-agent",
	"feedback-id", "x-loop", "list-subscribe", "list-help", "list-owner",
	"mailing-list", "x-mlserver", "x-ms-exchange-generated-message-source",
}

type parser struct {
	o     Options
	m     *Message
	words *mime.WordDecoder
	seen  map[string]bool

	parts        int
	partsCapped  bool
	depthCapped  bool
	nestedText   []string // text of attached messages, the last resort
	report       report
	hasReport    bool
	fromOriginal string // Message-ID found in a returned message
	body         []byte // the raw body, for bounces that hide the original
}

// content is the readable text an entity contributes.
type content struct {
	plain []string
	html  []string
}

func (c *content) add(o content) {
	c.plain = append(c.plain, o.plain...)
	c.html = append(c.html, o.html...)
}

// Parse reads one raw message. It returns an error wrapping ErrNotMail or
// ErrTooComplex only when the input cannot be read as mail at all; every
// other flaw is read around and named in Message.Warnings.
func Parse(raw []byte, o Options) (m *Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("%w: %v", errInternal, r)
		}
	}()
	p := &parser{o: o.withDefaults(), m: &Message{}, seen: map[string]bool{}}
	p.words = &mime.WordDecoder{CharsetReader: p.charsetReader}
	return p.parse(raw)
}

func (p *parser) warn(w string) {
	if p.seen[w] || len(p.m.Warnings) >= maxWarnings {
		return
	}
	p.seen[w] = true
	p.m.Warnings = append(p.m.Warnings, w)
}

func (p *parser) parse(raw []byte) (*Message, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrNotMail)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	raw = normalizeNewlines(raw)
	h, body, ok := readHeader(raw, p.o.MaxHeaderBytes, p.warn)
	if !ok {
		return nil, fmt.Errorf("%w: header larger than %d bytes", ErrTooComplex, p.o.MaxHeaderBytes)
	}
	if !looksLikeMail(h) {
		return nil, fmt.Errorf("%w: no mail header fields", ErrNotMail)
	}
	if int64(len(body)) > p.o.MaxBytes {
		body = body[:p.o.MaxBytes]
		p.m.Oversize = true
		p.warn(fmt.Sprintf("message larger than %d bytes, body truncated", p.o.MaxBytes))
	}
	m := p.m
	p.body = body
	p.readEnvelope(h)

	c := p.entity(h, body, 0, "")
	if len(c.plain) > 0 {
		m.Text = cleanText(strings.Join(c.plain, "\n\n"))
	}
	if len(c.html) > 0 {
		m.HTML = strings.Join(c.html, "\n")
		if m.Text == "" {
			m.Text = HTMLToText(m.HTML)
		}
	}
	if m.Text == "" && len(p.nestedText) > 0 {
		m.Text = cleanText(strings.Join(p.nestedText, "\n\n"))
	}
	if p.partsCapped {
		p.warn(fmt.Sprintf("more than %d MIME parts, the rest skipped", p.o.MaxParts))
	}
	if p.depthCapped {
		p.warn(fmt.Sprintf("MIME nesting deeper than %d, inner parts kept as attachments", p.o.MaxDepth))
	}
	m.NewText, m.Quoted, m.Signature = SplitReply(m.Text)
	p.classify(h)
	return m, nil
}

// normalizeNewlines turns CRLF and bare CR into LF, copying only when
// needed.
func normalizeNewlines(b []byte) []byte {
	i := bytes.IndexByte(b, '\r')
	if i < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:i]...)
	for ; i < len(b); i++ {
		c := b[i]
		if c != '\r' {
			out = append(out, c)
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			continue
		}
		out = append(out, '\n')
	}
	return out
}

var mailFields = map[string]bool{
	"from": true, "to": true, "cc": true, "subject": true, "date": true,
	"message-id": true, "received": true, "return-path": true,
	"mime-version": true, "content-type": true, "sender": true,
	"reply-to": true, "delivered-to": true, "in-reply-to": true,
	"references": true, "x-mailer": true, "content-transfer-encoding": true,
}

func looksLikeMail(h header) bool {
	for _, f := range h {
		if mailFields[f.name] {
			return true
		}
	}
	return false
}

func (p *parser) readEnvelope(h header) {
	m := p.m
	from := p.addressList(h.get("from"))
	if len(from) == 0 {
		from = p.addressList(h.get("sender"))
	}
	if len(from) > 0 {
		m.From = from[0]
	}
	m.To = p.addressList(strings.Join(h.values("to"), ", "))
	m.Cc = p.addressList(strings.Join(h.values("cc"), ", "))
	m.ReplyTo = p.addressList(h.get("reply-to"))
	m.Subject = strings.TrimSpace(collapseSpace(p.decodeWords(h.get("subject"))))
	m.Date = p.parseDate(h.get("date"))
	if ids := messageIDs(h.get("message-id"), 1); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = messageIDs(h.get("in-reply-to"), 5)
	m.References = messageIDs(strings.Join(h.values("references"), " "), maxReferences)
	m.Headers = textproto.MIMEHeader{}
	for _, name := range classificationHeaders {
		for _, v := range h.values(name) {
			m.Headers.Add(name, p.validText(v, "header"))
		}
	}
}

func collapseSpace(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// entity reads one MIME entity and returns the text it contributes.
func (p *parser) entity(h header, body []byte, depth int, parent string) content {
	ctype := h.get("content-type")
	mt, params := p.mediaType(ctype)
	if mt == "" {
		if parent == "multipart/digest" {
			mt = "message/rfc822"
		} else {
			mt = "text/plain"
		}
	} else if !strings.Contains(mt, "/") {
		p.warn("content type without subtype " + quoteShort(mt))
		switch mt {
		case "text", "":
			mt = "text/plain"
		case "multipart":
			mt = "multipart/mixed"
		default:
			mt = "application/octet-stream"
		}
	}
	cte := transferEncoding(h.get("content-transfer-encoding"))
	disp, dparams := p.mediaType(h.get("content-disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	if name != "" {
		name = p.decodeWords(name)
	}
	isAttachment := disp == "attachment" || (name != "" && disp != "inline" && parent != "multipart/alternative")

	switch {
	case strings.HasPrefix(mt, "multipart/"):
		if depth >= p.o.MaxDepth {
			p.depthCapped = true
			p.attachment(Attachment{Name: name, ContentType: mt}, body, cte)
			return content{}
		}
		if cte != "" {
			p.warn("multipart with transfer encoding " + cte)
			body = decodeTransfer(body, cte, p.warn)
		}
		return p.multipart(mt, params, body, depth)
	case mt == "message/rfc822" || mt == "message/global":
		return p.attachedMessage(name, body, cte, depth, parent)
	case mt == "text/rfc822-headers" || mt == "text/rfc822-header":
		oh, _, _ := readHeader(decodeTransfer(body, cte, p.warn), p.o.MaxHeaderBytes, func(string) {})
		p.noteOriginal(oh)
		return content{}
	case mt == "message/delivery-status" || mt == "message/global-delivery-status":
		p.deliveryStatus(decodeTransfer(body, cte, p.warn))
		return content{}
	case mt == "message/feedback-report" || mt == "message/disposition-notification":
		p.hasReport = true
		return content{}
	case (mt == "text/plain" || mt == "text/html") && !isAttachment:
		data := decodeTransfer(body, cte, p.warn)
		if mt == "text/html" {
			cs := params["charset"]
			if cs == "" {
				cs = htmlMetaCharset(data)
			}
			return content{html: []string{decodeCharset(data, cs, p.warn)}}
		}
		if cte == "" {
			data = p.extractUU(data)
		}
		return content{plain: []string{decodeCharset(data, params["charset"], p.warn)}}
	}
	p.attachment(Attachment{
		Name:        name,
		ContentType: mt,
		Inline:      disp == "inline" || (disp == "" && h.get("content-id") != ""),
		ContentID:   strings.Trim(h.get("content-id"), "<> "),
	}, body, cte)
	return content{}
}

func (p *parser) multipart(mt string, params map[string]string, body []byte, depth int) content {
	parts := p.splitMultipart(body, params["boundary"])
	if parts == nil {
		// no usable boundary: the best we can do is read it as text
		data := body
		return content{plain: []string{decodeCharset(data, params["charset"], p.warn)}}
	}
	var out content
	var alts []content
	for _, part := range parts {
		if p.parts >= p.o.MaxParts {
			p.partsCapped = true
			break
		}
		p.parts++
		ph, pb, ok := readHeader(part, p.o.MaxHeaderBytes, p.warn)
		if !ok {
			p.warn("MIME part header too large, part skipped")
			continue
		}
		c := p.entity(ph, pb, depth+1, mt)
		if mt == "multipart/alternative" {
			alts = append(alts, c)
			continue
		}
		out.add(c)
	}
	if mt == "multipart/report" {
		p.hasReport = true
		if p.report.reportType == "" {
			p.report.reportType = strings.ToLower(params["report-type"])
		}
	}
	if len(alts) > 0 {
		// prefer the plain text; keep the richest HTML for display
		for _, c := range alts {
			if len(c.plain) > 0 {
				out.plain = c.plain
				break
			}
		}
		for i := len(alts) - 1; i >= 0; i-- {
			if len(alts[i].html) > 0 {
				out.html = alts[i].html
				break
			}
		}
	}
	return out
}

// splitMultipart returns the bodies of the parts of a multipart body, or
// nil when no boundary can be found. A missing or mismatched boundary is
// guessed from the body, a missing closing delimiter ends the last part at
// the end of the body; both with a warning.
func (p *parser) splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		boundary = detectBoundary(body)
		if boundary == "" {
			p.warn("multipart without boundary read as text")
			return nil
		}
		p.warn("multipart without boundary parameter, boundary guessed")
	}
	parts, closed, found := p.findParts(body, boundary)
	if !found {
		guess := detectBoundary(body)
		if guess == "" || guess == boundary {
			p.warn("multipart boundary not found, read as text")
			return nil
		}
		p.warn("multipart boundary does not match the body, boundary guessed")
		parts, closed, found = p.findParts(body, guess)
		if !found {
			return nil
		}
	}
	if !closed {
		p.warn("multipart not closed (truncated message?)")
	}
	return parts
}

func (p *parser) findParts(body []byte, boundary string) (parts [][]byte, closed, found bool) {
	delim := []byte("--" + boundary)
	start := -1 // start of the current part's content
	limit := p.o.MaxParts - p.parts + 1
	off := 0
	for off <= len(body) {
		i := bytes.Index(body[off:], delim)
		if i < 0 {
			break
		}
		at := off + i
		off = at + len(delim)
		if at > 0 && body[at-1] != '\n' {
			continue
		}
		rest := body[at+len(delim):]
		eol := bytes.IndexByte(rest, '\n')
		line := rest
		if eol >= 0 {
			line = rest[:eol]
		}
		isClose := bytes.HasPrefix(line, []byte("--"))
		if !isClose && len(bytes.TrimSpace(line)) != 0 {
			continue // a longer boundary that merely starts like ours
		}
		found = true
		if start >= 0 {
			end := at
			if end > start && body[end-1] == '\n' {
				end--
			}
			if end < start {
				end = start
			}
			parts = append(parts, body[start:end])
			if len(parts) >= limit {
				return parts, true, true
			}
		}
		if isClose {
			return parts, true, true
		}
		if eol < 0 {
			start = len(body)
		} else {
			start = at + len(delim) + eol + 1
		}
		off = start
	}
	if start >= 0 && start <= len(body) {
		parts = append(parts, body[start:])
	}
	return parts, false, found
}

// detectBoundary guesses the boundary from the first delimiter-looking
// line of body.
func detectBoundary(body []byte) string {
	for n := 0; len(body) > 0 && n < 1000; n++ {
		eol := bytes.IndexByte(body, '\n')
		line := body
		if eol >= 0 {
			line = body[:eol]
		}
		line = bytes.TrimRight(line, " \t")
		if len(line) > 3 && line[0] == '-' && line[1] == '-' && len(bytes.Trim(line, "-")) > 0 {
			b := string(line[2:])
			b = strings.TrimSuffix(b, "--")
			if len(b) > 0 && !strings.ContainsAny(b, " ") {
				return b
			}
		}
		if eol < 0 {
			break
		}
		body = body[eol+1:]
	}
	return ""
}

// attachedMessage reads a message/rfc822 part: it is listed as an
// attachment, its header may identify the mail a bounce returns, and its
// text is the last resort when the outer message has none.
func (p *parser) attachedMessage(name string, body []byte, cte string, depth int, parent string) content {
	data := decodeTransfer(body, cte, p.warn)
	h, inner, ok := readHeader(data, p.o.MaxHeaderBytes, func(string) {})
	if !ok {
		p.warn("attached message header too large")
	}
	if name == "" {
		if s := p.decodeWords(h.get("subject")); s != "" {
			name = s + ".eml"
		} else {
			name = "message.eml"
		}
	}
	p.attachment(Attachment{Name: name, ContentType: "message/rfc822"}, data, "")
	if parent == "multipart/report" || p.hasReport {
		p.noteOriginal(h)
	} else if p.fromOriginal == "" {
		// a forwarded or returned message in a non-standard bounce
		if ids := messageIDs(h.get("message-id"), 1); len(ids) > 0 {
			p.fromOriginal = ids[0]
		}
	}
	if !ok {
		return content{}
	}
	if depth >= p.o.MaxDepth {
		p.depthCapped = true
		return content{}
	}
	c := p.entity(h, inner, depth+1, "message/rfc822")
	if len(c.plain) > 0 {
		p.nestedText = append(p.nestedText, c.plain...)
	} else if len(c.html) > 0 {
		p.nestedText = append(p.nestedText, HTMLToText(strings.Join(c.html, "\n")))
	}
	return content{}
}

// attachment lists an attachment and streams it to the sink.
func (p *parser) attachment(a Attachment, body []byte, cte string) {
	if a.Name == "" {
		a.Name = defaultName(a.ContentType)
	}
	if p.o.AttachmentSink == nil {
		a.Size = decodedSize(body, cte, p.warn)
		p.m.Attachments = append(p.m.Attachments, a)
		return
	}
	cr := &countingReader{r: transferReader(body, cte, p.warn)}
	if err := p.o.AttachmentSink(a, cr); err != nil {
		p.warn("attachment sink: " + err.Error())
	}
	_, _ = io.Copy(io.Discard, cr)
	a.Size = cr.n
	p.m.Attachments = append(p.m.Attachments, a)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n += int64(n)
	return n, err
}

func defaultName(mt string) string {
	switch {
	case mt == "text/calendar":
		return "invite.ics"
	case strings.HasPrefix(mt, "image/"):
		return "image." + strings.TrimPrefix(mt, "image/")
	case mt == "application/pdf":
		return "document.pdf"
	case mt == "application/ms-tnef":
		return "winmail.dat"
	}
	return "attachment"
}

// extractUU lists uuencoded files embedded in a plain text body as
// attachments and returns the text without them.
func (p *parser) extractUU(data []byte) []byte {
	start := findUUBegin(data)
	if start < 0 {
		return data
	}
	end := bytes.Index(data[start:], []byte("\nend"))
	if end < 0 {
		return data
	}
	end += start + len("\nend")
	name, file, ok := decodeUU(data[start:end])
	if !ok {
		return data
	}
	if name == "" {
		name = "attachment"
	}
	p.attachment(Attachment{Name: name, ContentType: mime.TypeByExtension(extOf(name))}, file, "")
	out := append([]byte{}, data[:start]...)
	return append(out, data[end:]...)
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		return name[i:]
	}
	return ""
}

// htmlMetaCharset finds a <meta charset> in the start of an HTML body.
func htmlMetaCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	lb := bytes.ToLower(b)
	i := bytes.Index(lb, []byte("charset="))
	if i < 0 {
		return ""
	}
	rest := lb[i+len("charset="):]
	rest = bytes.TrimLeft(rest, `"' `)
	j := 0
	for j < len(rest) && (rest[j] == '-' || rest[j] == '_' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= '0' && rest[j] <= '9') {
		j++
	}
	return string(rest[:j])
}

// cleanText trims trailing spaces on lines and collapses runs of blank
// lines.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			blank++
			if blank > 1 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.Trim(strings.Join(out, "\n"), "\n")
}
