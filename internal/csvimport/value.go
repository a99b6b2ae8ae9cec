package csvimport

import (
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxText bounds a text cell; notes may be longer.
const (
	maxText  = 500
	maxNotes = 10000
)

// text checks a cell's length and characters. Only the long free-text
// cells (max maxNotes: notes, a lead's summary) may span lines or hold
// tabs; no cell holds another control character, and names and every
// other short cell are one line, because they end up in mail headers,
// greetings and page titles.
func text(column, v string, max int) (string, error) {
	if utf8.RuneCountInString(v) > max {
		return "", fmt.Errorf("%s: longer than %d characters", column, max)
	}
	multiline := max >= maxNotes
	if strings.ContainsFunc(v, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || r == '\u2028' || r == '\u2029'
	}) {
		return "", fmt.Errorf("%s: a line break or control character is not allowed here", column)
	}
	return v, nil
}

// parseEmail accepts a bare address ("ann@acme.example"), lower-cased.
func parseEmail(column, v string) (string, error) {
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v || !strings.Contains(v, "@") || len(v) > 254 {
		return "", fmt.Errorf("%s: %q is not an email address", column, v)
	}
	return strings.ToLower(v), nil
}

// parseDomain accepts "acme.com", "www.acme.com" or "https://acme.com/x"
// and returns "acme.com".
func parseDomain(v string) (string, error) {
	d := strings.ToLower(v)
	if i := strings.Index(d, "://"); i >= 0 {
		d = d[i+3:]
	}
	if i := strings.IndexAny(d, "/?#"); i >= 0 {
		d = d[:i]
	}
	d = strings.TrimPrefix(strings.TrimSuffix(d, "."), "www.")
	if i := strings.LastIndexByte(d, '@'); i >= 0 { // an email address: its domain
		d = d[i+1:]
	}
	if d == "" || !strings.Contains(d, ".") || len(d) > 253 || strings.ContainsFunc(d, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r > 127)
	}) {
		return "", fmt.Errorf("domain: %q is not a domain name", v)
	}
	return d, nil
}

// parseBool reads yes/no cells; empty is false.
func parseBool(column, v string) (bool, error) {
	switch strings.ToLower(v) {
	case "", "0", "no", "n", "false", "f", "off":
		return false, nil
	case "1", "yes", "y", "true", "t", "on", "x":
		return true, nil
	}
	return false, fmt.Errorf("%s: %q is not yes or no", column, v)
}

// dateLayouts are the date forms accepted, ISO first.
var dateLayouts = []string{"2006-01-02", "2006/01/02", "02.01.2006", "2.1.2006", time.RFC3339, "2006-01-02 15:04:05", "2006-01-02T15:04:05"}

// parseDate reads a calendar date; "" is no date. Ambiguous forms such as
// 03/04/2026 are refused rather than guessed.
func parseDate(column, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			if t.Year() < 1900 || t.Year() > 2200 {
				break
			}
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("%s: %q is not a date (use YYYY-MM-DD)", column, v)
}

var errMoney = errors.New("not an amount")

// parseCents reads an amount such as "1240", "1,240.50", "1240.5",
// "1.240,50" or "12,50" into cents. A comma followed by exactly one or two
// digits at the end is a decimal comma; otherwise commas group thousands.
func parseCents(column, v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	s := strings.ReplaceAll(strings.ReplaceAll(v, " ", ""), "\u00a0", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case comma > dot && len(s)-comma-1 <= 2 && len(s)-comma-1 > 0:
		// decimal comma: dots group thousands
		s = strings.ReplaceAll(s[:comma], ".", "") + "." + s[comma+1:]
	default:
		s = strings.ReplaceAll(s, ",", "")
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || len(whole) > 15 || strings.Contains(frac, ".") {
		return 0, fmt.Errorf("%s: %q: %w", column, v, errMoney)
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if whole == "" {
		whole = "0"
	}
	w, err1 := strconv.ParseUint(whole, 10, 63)
	f, err2 := strconv.ParseUint(frac, 10, 8)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("%s: %q: %w", column, v, errMoney)
	}
	c := int64(w)*100 + int64(f)
	if neg {
		c = -c
	}
	return c, nil
}

// setIf sets *dst to v when the file has the column col: an absent column
// leaves the stored value alone, an empty cell clears it.
func setIf(has map[string]bool, col string, dst *string, v string) {
	if has[col] {
		*dst = v
	}
}
