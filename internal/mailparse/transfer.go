package mailparse

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
)

// transferEncoding normalises a Content-Transfer-Encoding value.
func transferEncoding(v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	v = strings.Trim(v, `"';`)
	if i := strings.IndexAny(v, " ;\t"); i >= 0 {
		v = v[:i]
	}
	switch v {
	case "", "7bit", "8bit", "binary", "7-bit", "8-bit", "plain", "none", "text":
		return ""
	case "base64", "quoted-printable", "x-uuencode", "uuencode", "x-uue":
		return v
	case "qp", "quoted_printable", "quotedprintable":
		return "quoted-printable"
	}
	return "unknown:" + v
}

// decodeTransfer undoes a transfer encoding, tolerating garbage: stray
// characters in base64, bad escapes in quoted-printable, and unknown
// encodings (passed through with a warning).
func decodeTransfer(b []byte, cte string, warn func(string)) []byte {
	switch cte {
	case "":
		return b
	case "base64":
		return decodeBase64(b, warn)
	case "quoted-printable":
		return decodeQP(b)
	case "x-uuencode", "uuencode", "x-uue":
		_, data, ok := decodeUU(b)
		if !ok {
			warn("malformed uuencoded part passed through")
			return b
		}
		return data
	}
	warn("unknown transfer encoding " + quoteShort(strings.TrimPrefix(cte, "unknown:")) + " passed through")
	return b
}

// transferReader streams the decoded content of b, for attachments that
// go to a sink without being held decoded in memory.
func transferReader(b []byte, cte string, warn func(string)) io.Reader {
	if cte == "base64" {
		return base64.NewDecoder(base64.RawStdEncoding, &base64Filter{b: b})
	}
	return bytes.NewReader(decodeTransfer(b, cte, warn))
}

// decodedSize is the decoded size of b without decoding base64.
func decodedSize(b []byte, cte string, warn func(string)) int64 {
	if cte == "base64" {
		// count rather than decode: everything but line breaks, blanks
		// and padding is taken to be base64
		n := len(b) - bytes.Count(b, []byte{'\n'}) - bytes.Count(b, []byte{'='}) -
			bytes.Count(b, []byte{' '}) - bytes.Count(b, []byte{'\t'}) - bytes.Count(b, []byte{'\r'})
		return int64(n/4*3 + [4]int{0, 0, 1, 2}[n%4])
	}
	return int64(len(decodeTransfer(b, cte, warn)))
}

// base64Filter yields only the base64 alphabet of b, so the decoder never
// sees line breaks, padding or garbage.
type base64Filter struct{ b []byte }

func (f *base64Filter) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && len(f.b) > 0 {
		c := f.b[0]
		f.b = f.b[1:]
		if isBase64Char(c) {
			p[n] = c
			n++
		}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// decodeBase64 decodes base64 tolerantly. Padding ends a run, so several
// concatenated base64 blobs decode one after the other.
func decodeBase64(b []byte, warn func(string)) []byte {
	out := make([]byte, 0, len(b)*3/4)
	chunk := make([]byte, 0, len(b))
	garbage := false
	flush := func() {
		n := len(chunk)
		if n%4 == 1 {
			chunk = chunk[:n-1]
			garbage = true
		}
		if len(chunk) > 0 {
			dst := make([]byte, base64.RawStdEncoding.DecodedLen(len(chunk)))
			k, err := base64.RawStdEncoding.Decode(dst, chunk)
			if err != nil {
				garbage = true
			}
			out = append(out, dst[:k]...)
		}
		chunk = chunk[:0]
	}
	for _, c := range b {
		switch {
		case isBase64Char(c):
			chunk = append(chunk, c)
		case c == '=':
			if len(chunk)%4 != 0 {
				flush()
			}
		case c == '\n' || c == '\r' || c == ' ' || c == '\t':
		case c == '-' || c == '_':
			// base64url slipped in
			if c == '-' {
				chunk = append(chunk, '+')
			} else {
				chunk = append(chunk, '/')
			}
		default:
			garbage = true
		}
	}
	flush()
	if garbage {
		warn("garbage in base64 part ignored")
	}
	return out
}

// decodeQP decodes quoted-printable; malformed escapes are kept as they
// are, as mail readers do.
func decodeQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		var line []byte
		hasNL := nl >= 0
		if hasNL {
			line, b = b[:nl], b[nl+1:]
		} else {
			line, b = b, nil
		}
		line = bytes.TrimRight(line, " \t\r")
		soft := false
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c != '=' {
				out = append(out, c)
				continue
			}
			if i == len(line)-1 {
				soft = true
				break
			}
			if h, ok := unhex2(line[i+1 : min(i+3, len(line))]); ok {
				out = append(out, h)
				i += 2
				continue
			}
			out = append(out, c)
		}
		if hasNL && !soft {
			out = append(out, '\n')
		}
	}
	return out
}

func unhex2(s []byte) (byte, bool) {
	if len(s) != 2 {
		return 0, false
	}
	hi, ok1 := unhex(s[0])
	lo, ok2 := unhex(s[1])
	return hi<<4 | lo, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeUU decodes the first uuencoded block in b ("begin 644 name" ...
// "end"). ok is false when b holds none.
func decodeUU(b []byte) (name string, data []byte, ok bool) {
	start := findUUBegin(b)
	if start < 0 {
		return "", nil, false
	}
	b = b[start:]
	nl := bytes.IndexByte(b, '\n')
	if nl < 0 {
		return "", nil, false
	}
	fields := strings.Fields(string(b[:nl]))
	if len(fields) >= 3 {
		name = strings.Join(fields[2:], " ")
	}
	b = b[nl+1:]
	for len(b) > 0 {
		nl := bytes.IndexByte(b, '\n')
		line := b
		if nl >= 0 {
			line, b = b[:nl], b[nl+1:]
		} else {
			b = nil
		}
		line = bytes.TrimRight(line, "\r")
		if bytes.Equal(bytes.TrimSpace(line), []byte("end")) {
			break
		}
		if len(line) == 0 {
			continue
		}
		n := int((line[0] - ' ') & 63)
		if n == 0 {
			continue
		}
		line = line[1:]
		var got int
		for i := 0; i < len(line) && got < n; i += 4 {
			var q [4]byte
			for k := 0; k < 4; k++ {
				if i+k < len(line) {
					q[k] = (line[i+k] - ' ') & 63
				}
			}
			three := [3]byte{q[0]<<2 | q[1]>>4, q[1]<<4 | q[2]>>2, q[2]<<6 | q[3]}
			for k := 0; k < 3 && got < n; k++ {
				data = append(data, three[k])
				got++
			}
		}
	}
	return name, data, true
}

// findUUBegin returns the offset of a "begin NNN name" line, or -1.
func findUUBegin(b []byte) int {
	off := 0
	for {
		i := bytes.Index(b[off:], []byte("begin "))
		if i < 0 {
			return -1
		}
		at := off + i
		if at == 0 || b[at-1] == '\n' {
			rest := b[at+6:]
			j := 0
			for j < len(rest) && rest[j] >= '0' && rest[j] <= '7' {
				j++
			}
			if j >= 3 && j <= 4 && j < len(rest) && rest[j] == ' ' {
				return at
			}
		}
		off = at + 6
	}
}
