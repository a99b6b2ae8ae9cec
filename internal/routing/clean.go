package routing

import (
	"regexp"
	"strings"
)

// Quoted history and signatures say nothing about what the customer wants
// now, and they drown short mails. The caller normally passes the new part
// of a mail already; these functions cut what is left defensively.

var (
	// "On Tue, 3 Mar 2025 at 10:02, Ann <ann@x.com> wrote:" and its
	// translations; the attribution may wrap onto a second line.
	attributionRe = regexp.MustCompile(`(?im)^[ \t]*(?:on|am|le|el|il|op|den)\b[^\n]{0,200}(?:\n[^\n]{0,100})?\b(?:wrote|schrieb|a écrit|escribió|ha scritto|schreef|skrev)[ \t]*:?[ \t]*$`)
	// Outlook's separators and header blocks.
	originalRe = regexp.MustCompile(`(?im)^[ \t]*(?:-{2,}[ \t]*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original)[ \t]*-{2,}|_{10,}|from:[^\n]*\n(?:[^\n]*\n){0,3}?[ \t]*(?:sent|date|gesendet|envoyé):)`)
	// Mobile footers.
	sentFromRe = regexp.MustCompile(`(?im)^[ \t]*(?:sent from my|sent from (?:outlook|mail) for|get outlook for|von meinem)\b[^\n]*$`)
	// A line that is only a closing formula.
	signoffRe = regexp.MustCompile(`(?i)^[ \t]*(?:(?:best|kind|warm|warmest|many|with best|with kind)?[ \t]*(?:regards|wishes)|regards|best|br|cheers|sincerely|yours(?: sincerely| faithfully| truly)?|(?:many )?thanks(?: (?:again|in advance|a lot|so much))?|thank you(?: (?:again|in advance|very much))?|thx|ty|mfg|mit freundlichen grüßen|cordialement|saludos|un saluto|groeten|tack)[ \t]*[,.!]*[ \t]*$`)
)

// StripQuoted returns text without the quoted history of a reply: lines
// starting with ">", and everything from an attribution line ("On ... wrote:")
// or an Outlook header block onwards.
func StripQuoted(text string) string {
	cut := len(text)
	if loc := attributionRe.FindStringIndex(text); loc != nil && loc[0] < cut {
		cut = loc[0]
	}
	if loc := originalRe.FindStringIndex(text); loc != nil && loc[0] < cut {
		cut = loc[0]
	}
	text = text[:cut]
	if !strings.Contains(text, ">") {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for line := range strings.Lines(text) {
		if strings.HasPrefix(strings.TrimLeft(line, " \t"), ">") {
			continue
		}
		b.WriteString(line)
	}
	return b.String()
}

// SplitSignature splits the body of a mail into the message and the
// signature block: from a "-- " delimiter, a mobile footer, or a closing
// formula ("Best regards,") in the last lines. sig is empty when none is
// found. The closing formula itself goes with the signature.
func SplitSignature(text string) (body, sig string) {
	if i := sigDelimIndex(text); i >= 0 {
		return text[:i], text[i:]
	}
	if loc := sentFromRe.FindStringIndex(text); loc != nil {
		text = text[:loc[0]]
	}
	// Look for a closing formula within the last lines, after some content.
	lines := strings.SplitAfter(text, "\n")
	// Drop trailing blank lines from the count.
	last := len(lines)
	for last > 0 && strings.TrimSpace(lines[last-1]) == "" {
		last--
	}
	offset := 0
	starts := make([]int, len(lines))
	for i, l := range lines {
		starts[i] = offset
		offset += len(l)
	}
	seenContent := false
	for i := 0; i < last; i++ {
		l := strings.TrimSpace(lines[i])
		if i >= last-10 && seenContent && signoffRe.MatchString(l) {
			return text[:starts[i]], text[starts[i]:]
		}
		if l != "" {
			seenContent = true
		}
	}
	return text, ""
}

// sigDelimIndex finds the conventional "-- " signature delimiter line.
func sigDelimIndex(text string) int {
	off := 0
	for line := range strings.Lines(text) {
		t := strings.TrimRight(line, "\r\n")
		if t == "-- " || t == "--" {
			if off > 0 {
				return off
			}
		}
		off += len(line)
	}
	return -1
}

// NewText reduces a mail body to what the customer wrote this time: the
// quoted history and the signature removed.
func NewText(body string) string {
	body = StripQuoted(body)
	body, _ = SplitSignature(body)
	return strings.TrimSpace(body)
}

var subjectPrefixRe = regexp.MustCompile(`(?i)^(?:\s*(?:re|fw|fwd|aw|wg|sv|vs|tr|antw|rif)\s*(?:\[\d+\])?\s*:\s*)+`)

// cleanSubject drops reply and forward prefixes.
func cleanSubject(s string) string {
	return subjectPrefixRe.ReplaceAllString(s, "")
}
