package mailparse

import (
	"regexp"
	"strings"
)

var referenceToken = regexp.MustCompile(`\[SD-([0-9A-Za-z]{1,32})\]`)

// ReferenceToken finds our reference token "[SD-<digits or base32>]" in a
// subject and returns what follows "SD-" in upper case.
func ReferenceToken(subject string) (string, bool) {
	m := referenceToken.FindStringSubmatch(subject)
	if m == nil {
		return "", false
	}
	return strings.ToUpper(m[1]), true
}

// ThreadKeys returns the message IDs a reply can be threaded by, most
// specific first: In-Reply-To, then References from the newest back. They
// are deduplicated (so two mails that point at each other give a finite
// list) and at most 50.
func ThreadKeys(m *Message) []string {
	if m == nil {
		return nil
	}
	seen := map[string]bool{}
	if m.MessageID != "" {
		seen[m.MessageID] = true // a mail never threads onto itself
	}
	var keys []string
	add := func(id string) {
		if id == "" || seen[id] || len(keys) >= maxReferences {
			return
		}
		seen[id] = true
		keys = append(keys, id)
	}
	for _, id := range m.InReplyTo {
		add(id)
	}
	for i := len(m.References) - 1; i >= 0; i-- {
		add(m.References[i])
	}
	return keys
}
