package mailer

import (
	"regexp"
	"strings"
)

// anyReference finds reference tokens of any of our objects in a subject:
// "[SD-302]".
var anyReference = regexp.MustCompile(`(?i)\s*\[SD-[0-9A-Za-z]{1,32}\]`)

// SubjectWithReference returns subject, reduced to one line, carrying
// exactly one reference token: the one it already has (the thread's,
// kept when present), else "[ref]" appended. Further tokens are dropped,
// so a thread never collects "[SD-302] [SD-357]".
func SubjectWithReference(subject, ref string) string {
	subject, ref = HeaderText(subject), HeaderText(ref)
	locs := anyReference.FindAllStringIndex(subject, -1)
	if len(locs) > 0 {
		first := strings.TrimSpace(subject[locs[0][0]:locs[0][1]])
		rest := strings.TrimSpace(anyReference.ReplaceAllString(subject, ""))
		if rest == "" {
			return first
		}
		return rest + " " + first
	}
	if ref == "" {
		return subject
	}
	token := "[" + ref + "]"
	if subject == "" {
		return token
	}
	return subject + " " + token
}

// InternalSubject is the subject of a mail to our own people about a
// customer's mail: the category label once in front, then the customer's
// subject without reply prefixes or an earlier label, so that neither
// "Billing: Billing:" nor "Re: Re:" grows along a thread.
func InternalSubject(label, subject string) string {
	label = HeaderText(label)
	subject = HeaderText(subject)
	for {
		s := stripReplyPrefixes(subject)
		s = stripLabel(s)
		if s == subject {
			break
		}
		subject = s
	}
	if subject == "" {
		subject = "(no subject)"
	}
	if label == "" {
		return subject
	}
	return label + ": " + subject
}

// stripLabel drops one leading category label ("Billing: ").
func stripLabel(s string) string {
	for _, l := range categoryLabels {
		if len(s) > len(l)+1 && strings.EqualFold(s[:len(l)], l) && s[len(l)] == ':' {
			return strings.TrimSpace(s[len(l)+1:])
		}
	}
	return s
}
