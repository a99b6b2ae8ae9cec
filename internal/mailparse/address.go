package mailparse

import (
	"net/mail"
	"strings"
)

// Sendable returns addr trimmed and lower-cased when salesdesk can send a
// mail to it, else "": a From read leniently ("nsb", "pete(comment)@x(y)")
// names nobody to answer, acknowledge or put in a Reply-To.
func Sendable(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	if addr == "" {
		return ""
	}
	if a, err := mail.ParseAddress(addr); err != nil || a.Address != addr {
		return ""
	}
	return addr
}
