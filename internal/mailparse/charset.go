package mailparse

import (
	"encoding/base64"
	"io"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// lookupCharset finds the decoder for a charset name, trying the WHATWG
// labels, the IANA registry and common misspellings ("utf8", "latin-1",
// "iso8859_1", "win-1252"). ok is false for names nothing knows.
func lookupCharset(name string) (enc encoding.Encoding, canonical string, ok bool) {
	n := strings.ToLower(strings.Trim(strings.TrimSpace(name), `"' `))
	for _, cand := range charsetCandidates(n) {
		if e, err := htmlindex.Get(cand); err == nil && e != nil {
			return e, cand, true
		}
		for _, idx := range []*ianaindex.Index{ianaindex.MIME, ianaindex.IANA, ianaindex.MIB} {
			if e, err := idx.Encoding(cand); err == nil && e != nil {
				return e, cand, true
			}
		}
	}
	return nil, n, false
}

func charsetCandidates(n string) []string {
	c := []string{n}
	squeezed := strings.NewReplacer("-", "", "_", "", " ", "", ".", "").Replace(n)
	switch {
	case squeezed == "utf8" || squeezed == "utf" || strings.HasPrefix(squeezed, "unicode11utf8"):
		return append(c, "utf-8")
	case squeezed == "latin" || squeezed == "latin1" || squeezed == "l1" || squeezed == "88591":
		return append(c, "iso-8859-1")
	case strings.HasPrefix(squeezed, "iso8859") && len(squeezed) > 7:
		c = append(c, "iso-8859-"+squeezed[7:])
	case strings.HasPrefix(squeezed, "iso") && len(squeezed) > 3 && squeezed[3] >= '0' && squeezed[3] <= '9':
		c = append(c, "iso-"+squeezed[3:])
	case strings.HasPrefix(squeezed, "windows"):
		c = append(c, "windows-"+squeezed[7:])
	case strings.HasPrefix(squeezed, "win"):
		c = append(c, "windows-"+squeezed[3:])
	case strings.HasPrefix(squeezed, "cp") && len(squeezed) > 2:
		c = append(c, "windows-"+squeezed[2:], "ibm"+squeezed[2:])
	case strings.HasPrefix(squeezed, "latin") && len(squeezed) > 5:
		c = append(c, "l"+squeezed[5:], "latin"+squeezed[5:])
	}
	if strings.HasPrefix(n, "x-") {
		c = append(c, n[2:])
	}
	if s := strings.ReplaceAll(n, "_", "-"); s != n {
		c = append(c, s)
	}
	return c
}

func isUTF8Name(n string) bool {
	switch strings.ToLower(strings.Trim(n, `"' `)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968", "7bit", "8bit", "default", "x-unknown", "unknown", "unknown-8bit":
		return true
	}
	return false
}

func isUTF7Name(n string) bool {
	n = strings.ToLower(strings.Trim(n, `"' `))
	return n == "utf-7" || n == "utf7" || n == "x-utf-7" || n == "unicode-1-1-utf-7"
}

// decodeCharset converts b from the named charset to UTF-8. It never fails:
// unknown charsets and undecodable bytes are read as UTF-8 where valid and
// as windows-1252 otherwise, and warn is told.
func decodeCharset(b []byte, name string, warn func(string)) string {
	if isUTF8Name(name) {
		if utf8.Valid(b) {
			return string(b)
		}
		if name != "" && !strings.EqualFold(name, "us-ascii") && !strings.EqualFold(name, "utf-8") {
			warn("unknown charset " + quoteShort(name) + ", read as windows-1252")
		} else if name != "" {
			warn("text declared " + name + " is not, read as windows-1252")
		}
		return string(decodeLatin(b))
	}
	if isUTF7Name(name) {
		return decodeUTF7(b)
	}
	enc, _, ok := lookupCharset(name)
	if !ok {
		if utf8.Valid(b) {
			warn("unknown charset " + quoteShort(name) + ", read as UTF-8")
			return string(b)
		}
		warn("unknown charset " + quoteShort(name) + ", read as windows-1252")
		return string(decodeLatin(b))
	}
	if hn, _ := htmlindex.Name(enc); hn == "utf-8" {
		if utf8.Valid(b) {
			return string(b)
		}
		warn("text declared " + name + " is not, read as windows-1252")
		return string(decodeLatin(b))
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		warn("charset " + quoteShort(name) + " decoding failed, read as windows-1252")
		return string(decodeLatin(b))
	}
	return strings.ToValidUTF8(string(out), "\uFFFD")
}

// decodeLatin reads b as windows-1252 (the superset of ISO-8859-1 that mail
// labelled latin-1 or unlabelled really uses).
func decodeLatin(b []byte) []byte {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return []byte(strings.ToValidUTF8(string(b), "\uFFFD"))
	}
	return out
}

// decodeUTF7 decodes RFC 2152 UTF-7, best effort: malformed shifted
// sequences are copied through.
func decodeUTF7(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '+' {
			sb.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(b) && isBase64Char(b[j]) {
			j++
		}
		if j == i+1 {
			// "+-" is a literal plus
			sb.WriteByte('+')
			if j < len(b) && b[j] == '-' {
				i = j
			}
			continue
		}
		raw, err := base64.RawStdEncoding.DecodeString(string(b[i+1 : j][:(j-i-1)/4*4+rawTail((j-i-1)%4)]))
		if err != nil || len(raw) < 2 {
			sb.Write(b[i:j])
			i = j - 1
			continue
		}
		units := make([]uint16, len(raw)/2)
		for k := range units {
			units[k] = uint16(raw[2*k])<<8 | uint16(raw[2*k+1])
		}
		sb.WriteString(string(utf16.Decode(units)))
		if j < len(b) && b[j] == '-' {
			j++
		}
		i = j - 1
	}
	return strings.ToValidUTF8(sb.String(), "\uFFFD")
}

// rawTail is how many trailing base64 characters of a group can be decoded.
func rawTail(n int) int {
	if n == 1 {
		return 0
	}
	return n
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

// charsetReader is the mime.WordDecoder hook: every charset decodes.
func (p *parser) charsetReader(name string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	return strings.NewReader(decodeCharset(b, name, p.warn)), nil
}
