package mailparse

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// field is one unfolded header field. Name is lower case.
type field struct {
	name  string
	value string
}

type header []field

func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

func (h header) values(name string) []string {
	var vs []string
	for _, f := range h {
		if f.name == name {
			vs = append(vs, f.value)
		}
	}
	return vs
}

func (h header) has(name string) bool {
	for _, f := range h {
		if f.name == name {
			return true
		}
	}
	return false
}

// readHeader splits b (LF line endings) into its header fields and the body
// that follows the blank line. It never fails on malformed lines: those are
// folded into the previous field or taken as the start of the body, with a
// warning. ok is false when the header is larger than maxBytes.
func readHeader(b []byte, maxBytes int, warn func(string)) (h header, body []byte, ok bool) {
	pos := 0
	var cur []byte // value of the field being read
	curName := ""
	flush := func() {
		if curName != "" {
			h = append(h, field{name: curName, value: string(bytes.TrimSpace(cur))})
		}
		curName, cur = "", cur[:0]
	}
	first := true
	for pos < len(b) {
		end := bytes.IndexByte(b[pos:], '\n')
		var line []byte
		next := len(b)
		if end >= 0 {
			line = b[pos : pos+end]
			next = pos + end + 1
		} else {
			line = b[pos:]
		}
		if pos+len(line) > maxBytes {
			return nil, nil, false
		}
		if len(line) == 0 {
			flush()
			return h, b[next:], true
		}
		if first && bytes.HasPrefix(line, []byte("From ")) {
			// mbox separator line
			first = false
			pos = next
			continue
		}
		first = false
		if line[0] == ' ' || line[0] == '\t' {
			if curName == "" {
				if len(h) == 0 {
					warn("header starts with a continuation line")
				}
				pos = next
				continue
			}
			cur = append(cur, line...)
			pos = next
			continue
		}
		if name, value, good := splitField(line); good {
			flush()
			curName = name
			cur = append(cur, value...)
			pos = next
			continue
		}
		// A malformed line: a broken fold if a header field follows,
		// otherwise the body starts here without a blank line.
		if curName != "" && nextIsField(b[next:]) {
			warn("malformed header line folded into " + curName)
			cur = append(cur, ' ')
			cur = append(cur, line...)
			pos = next
			continue
		}
		flush()
		if len(h) == 0 {
			return nil, b, true
		}
		warn("no blank line between header and body")
		return h, b[pos:], true
	}
	flush()
	return h, nil, true
}

// nextIsField reports whether the next line of b that is not a
// continuation is a well-formed header field.
func nextIsField(b []byte) bool {
	for len(b) > 0 {
		end := bytes.IndexByte(b, '\n')
		line := b
		if end >= 0 {
			line = b[:end]
		}
		if len(line) == 0 {
			return false
		}
		if line[0] != ' ' && line[0] != '\t' {
			_, _, ok := splitField(line)
			return ok
		}
		if end < 0 {
			return false
		}
		b = b[end+1:]
	}
	return false
}

// splitField splits "Name: value". Names are printable ASCII without
// spaces; "Name : value" (space before the colon) is tolerated.
func splitField(line []byte) (name string, value []byte, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 || i > 76 {
		return "", nil, false
	}
	n := bytes.TrimRight(line[:i], " \t")
	if len(n) == 0 {
		return "", nil, false
	}
	for _, c := range n {
		if c <= ' ' || c >= 0x7f {
			return "", nil, false
		}
	}
	return lowerASCII(n), line[i+1:], true
}

func lowerASCII(b []byte) string {
	for _, c := range b {
		if c >= 'A' && c <= 'Z' {
			return strings.ToLower(string(b))
		}
	}
	return string(b)
}

// decodeWords decodes RFC 2047 encoded words and makes raw 8-bit header
// text valid UTF-8.
func (p *parser) decodeWords(s string) string {
	if strings.Contains(s, "=?") {
		d, err := p.words.DecodeHeader(s)
		if err != nil {
			p.warn("undecodable encoded word: " + err.Error())
		} else {
			s = d
		}
	}
	return p.validText(s, "header")
}

// validText returns s as valid UTF-8, reading invalid bytes as
// windows-1252.
func (p *parser) validText(s, where string) string {
	if utf8.ValidString(s) {
		return s
	}
	p.warn("raw 8-bit " + where + " text is not UTF-8, read as windows-1252")
	return string(decodeLatin([]byte(s)))
}

func (p *parser) addressList(v string) []Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	ap := mail.AddressParser{WordDecoder: p.words}
	list, err := ap.ParseList(v)
	if err == nil {
		out := make([]Address, 0, len(list))
		for _, a := range list {
			out = append(out, Address{Name: p.validText(a.Name, "address"), Address: p.validText(a.Address, "address")})
		}
		return out
	}
	return p.lenientAddresses(p.decodeWords(v))
}

// lenientAddresses reads an address list that net/mail rejects: commas
// outside quotes and angle brackets separate entries, "<addr>" wins,
// otherwise the token with an @ (or the whole entry) is the address.
func (p *parser) lenientAddresses(v string) []Address {
	var out []Address
	var parts []string
	inAngle, inQuote, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && inQuote:
			i++
		case c == '"':
			inQuote = !inQuote
		case c == '<' && !inQuote:
			inAngle = true
		case c == '>' && !inQuote:
			inAngle = false
		case (c == ',' || c == ';') && !inQuote && !inAngle:
			parts = append(parts, v[start:i])
			start = i + 1
		}
	}
	parts = append(parts, v[start:])
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		var a Address
		if lt := strings.LastIndexByte(part, '<'); lt >= 0 {
			gt := strings.IndexByte(part[lt:], '>')
			if gt < 0 {
				gt = len(part) - lt
			}
			a.Address = strings.TrimSpace(part[lt+1 : lt+gt])
			a.Name = strings.Trim(strings.TrimSpace(part[:lt]), `"' <`)
		} else {
			var name string
			part, name = stripComments(part)
			a.Address = strings.Trim(part, `"' `)
			for _, f := range strings.Fields(part) {
				if strings.Contains(f, "@") {
					a.Address = strings.Trim(f, `"'<>`)
					break
				}
			}
			a.Name = name
		}
		if a.Address == "" && a.Name == "" {
			continue
		}
		out = append(out, a)
	}
	if len(out) > 0 {
		p.warn("malformed address list read leniently")
	}
	return out
}

// stripComments removes RFC 5322 comments ("(his account)"), nested or
// not, outside quoted strings, and returns what is left with the first
// comment's text, which old mailers used for the display name:
// "pete(his account)@silly.test(his host)" -> "pete@silly.test", "his account".
func stripComments(s string) (rest, first string) {
	var b, c strings.Builder
	depth, inQuote, seen := 0, false, false
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch == '\\' && i+1 < len(s):
			if depth == 0 {
				b.WriteByte(ch)
				b.WriteByte(s[i+1])
			} else if !seen {
				c.WriteByte(s[i+1])
			}
			i++
			continue
		case ch == '"' && depth == 0:
			inQuote = !inQuote
		case ch == '(' && !inQuote:
			depth++
			if depth == 1 {
				continue
			}
		case ch == ')' && !inQuote && depth > 0:
			depth--
			if depth == 0 {
				seen = true
				continue
			}
		}
		if depth == 0 {
			b.WriteByte(ch)
		} else if !seen {
			c.WriteByte(ch)
		}
	}
	return strings.TrimSpace(b.String()), strings.TrimSpace(c.String())
}

// messageIDs returns the IDs in v without angle brackets, in order.
func messageIDs(v string, limit int) []string {
	var ids []string
	rest := v
	for len(rest) > 0 {
		lt := strings.IndexByte(rest, '<')
		if lt < 0 {
			break
		}
		gt := strings.IndexByte(rest[lt:], '>')
		if gt < 0 {
			break
		}
		if id := strings.TrimSpace(rest[lt+1 : lt+gt]); id != "" && !strings.ContainsAny(id, " \t<") {
			ids = append(ids, id)
		}
		rest = rest[lt+gt+1:]
	}
	if len(ids) == 0 {
		for _, f := range strings.Fields(v) {
			f = strings.Trim(f, "<>,;")
			if strings.Contains(f, "@") {
				ids = append(ids, f)
			}
		}
	}
	if limit > 0 && len(ids) > limit {
		// keep the root and the most recent ones
		ids = append(ids[:1:1], ids[len(ids)-(limit-1):]...)
	}
	return ids
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 MST 2006",
	"Mon, 2 Jan 2006 15:04:05",
	"2006-01-02 15:04:05 -0700",
	time.RFC3339,
}

func (p *parser) parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	clean := v
	if i := strings.IndexByte(clean, '('); i > 0 {
		clean = strings.TrimSpace(clean[:i])
	}
	clean = strings.Join(strings.Fields(clean), " ")
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, clean); err == nil {
			return t
		}
	}
	p.warn("unparseable Date header")
	return time.Time{}
}

// mediaType parses a Content-Type or Content-Disposition value, falling back
// to a lenient reading of malformed values.
func (p *parser) mediaType(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return mt, params
	}
	p.warn("malformed media type " + quoteShort(v) + " read leniently")
	return lenientMediaType(v)
}

func lenientMediaType(v string) (string, map[string]string) {
	parts := splitParams(v)
	mt := strings.ToLower(strings.TrimSpace(parts[0]))
	mt = strings.Trim(mt, `"' `)
	if i := strings.IndexAny(mt, " \t"); i >= 0 {
		mt = mt[:i]
	}
	params := map[string]string{}
	for _, kv := range parts[1:] {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		k = strings.TrimSuffix(k, "*")
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		} else {
			val = strings.Trim(val, `"`)
		}
		if _, dup := params[k]; !dup && k != "" {
			params[k] = val
		}
	}
	return mt, params
}

// splitParams splits on semicolons outside quotes.
func splitParams(v string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case ';':
			if !inQuote {
				out = append(out, v[start:i])
				start = i + 1
			}
		}
	}
	return append(out, v[start:])
}

func quoteShort(s string) string {
	if len(s) > 60 {
		s = s[:60] + "..."
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
