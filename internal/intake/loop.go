package intake

import (
	"net/mail"
	"strings"

	"salesdesk/internal/mailparse"
)

// ownAddresses normalises Options.OwnAddresses ("Name <a@b>" or "a@b")
// to lower-case bare addresses.
func ownAddresses(list []string) map[string]bool {
	own := make(map[string]bool, len(list))
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if a, err := mail.ParseAddress(s); err == nil {
			s = a.Address
		}
		own[strings.ToLower(s)] = true
	}
	return own
}

// loopReason says why m must not be answered because it came from us: its
// From is one of our own addresses, or an X-Loop header names one of them
// (RFC 3834's loop marker, which our own mails carry). "" means neither.
func (p *Processor) loopReason(m *mailparse.Message) string {
	if len(p.own) == 0 {
		return ""
	}
	if p.own[strings.ToLower(strings.TrimSpace(m.From.Address))] {
		return "from our own address"
	}
	for _, v := range m.Headers.Values("X-Loop") {
		for own := range p.own {
			if strings.Contains(strings.ToLower(v), own) {
				return "x-loop names us"
			}
		}
	}
	return ""
}
