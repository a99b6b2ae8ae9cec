package main

import (
	"strings"

	"salesdesk/config"
)

// ownAddresses are the addresses salesdesk sends from or reads: mail from
// them, or naming them in X-Loop, is ours and never answered.
func ownAddresses(cfg config.Config) []string {
	own := []string{cfg.SMTP.From, cfg.SMTP.ReplyTo}
	for _, m := range cfg.Mailboxes {
		if strings.Contains(m.Username, "@") {
			own = append(own, m.Username)
		}
	}
	return own
}
