package report

import (
	"errors"
	"strconv"
	"strings"
)

// ErrAmount is returned by ParseAmount for text that is not an amount.
var ErrAmount = errors.New("report: not an amount such as 1200 or 1,200.50")

// ParseAmount reads an amount a person typed ("1200", "1,200.50",
// "1200.5") as cents. Commas group thousands; at most two decimals; no
// sign. Empty is 0.
func ParseAmount(s string) (int64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0, nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 2 || strings.ContainsAny(whole+frac, "+-") {
		return 0, ErrAmount
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w > (1<<53)/100 {
		return 0, ErrAmount
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil {
		return 0, ErrAmount
	}
	return w*100 + f, nil
}

// IsCurrency reports whether c is written as an ISO 4217 code: three
// capital letters.
func IsCurrency(c string) bool {
	if len(c) != 3 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}
