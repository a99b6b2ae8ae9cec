package meeting

import (
	"regexp"
	"strings"
	"time"
)

// MailRepHelp is the mail (template pair and outbound kind) that answers a
// rep's reply to a meeting mail that changed nothing: what was understood,
// what to write, and the rep's signed links.
const MailRepHelp = "meeting_rep_help"

// RepAction is what a rep's reply to a meeting mail asks for.
type RepAction string

// Rep actions. RepUnclear is any reply that asks for none of the others,
// or for more than one at once.
const (
	RepUnclear RepAction = "unclear"
	RepConfirm RepAction = "confirm"
	RepMove    RepAction = "move"
	RepCancel  RepAction = "cancel"
)

// RepInstruction is what a rep's reply to a meeting mail says to do.
type RepInstruction struct {
	Action RepAction
	// Start is the new start of a move, read in the rep's zone.
	Start time.Time
	// Text is the words the instruction was read from ("cancel",
	// "Tuesday 3pm"); for RepUnclear the first line that was read.
	Text string
	// Why says, for RepUnclear, what was missing or ambiguous.
	Why string
}

// repInstructionLines is how many non-empty lines of a reply are read:
// the instruction is at the top, and a longer note is for a person.
const repInstructionLines = 3

// maxRepInstructionText bounds the text an instruction is read from.
const maxRepInstructionText = 500

var (
	cancelRe  = regexp.MustCompile(`(?i)\b(?:cancel(?:led|ed|s)?|call(?:ed)? (?:it )?off)\b`)
	negateRe  = regexp.MustCompile(`(?i)\b(?:don'?t|do not|not|no need to|never)\s+(?:\w+\s+)?(?:cancel|call)`)
	confirmRe = regexp.MustCompile(`(?i)^\s*(?:yes[,.!]?\s*)?(?:i\s+)?(?:confirm(?:ed|s)?|ok(?:ay)?|accept(?:ed)?|fine|sounds good|that works|works for me)\b`)
)

// ParseRepInstruction reads what a rep's reply to a meeting mail asks:
// text is what the rep wrote above the quote (mailparse.SplitReply's new
// text), ref when they wrote it and loc the rep's zone, in which a time
// such as "Tuesday 3pm" is read (with ParseProposals, so the wall clock
// holds across a DST change). Only the first few lines count. A move
// needs exactly one day with a time of day; a cancel must not name a time
// too; anything else, or both, is RepUnclear.
func ParseRepInstruction(text string, ref time.Time, loc *time.Location) RepInstruction {
	top := firstLines(text, repInstructionLines, maxRepInstructionText)
	if top == "" {
		return RepInstruction{Action: RepUnclear, Why: "the reply has no words above the quoted mail"}
	}
	var exact []Proposal
	partOfDay := ""
	for _, p := range ParseProposals(top, ref, loc) {
		if !p.Exact() {
			partOfDay = p.Text
			continue
		}
		if len(exact) == 0 || !exact[0].Start.Equal(p.Start) {
			exact = append(exact, p)
		}
	}
	cancel := cancelRe.FindString(top)
	if cancel != "" && negateRe.MatchString(top) {
		cancel = ""
		if len(exact) == 0 {
			return RepInstruction{Action: RepUnclear, Text: firstLine(top), Why: "it says not to cancel, and names no new time"}
		}
	}
	switch {
	case cancel != "" && len(exact) > 0:
		return RepInstruction{Action: RepUnclear, Text: firstLine(top), Why: "it says both cancel and a new time"}
	case cancel != "":
		return RepInstruction{Action: RepCancel, Text: cancel}
	case len(exact) > 1:
		return RepInstruction{Action: RepUnclear, Text: exact[0].Text + "; " + exact[1].Text, Why: "it names more than one time"}
	case len(exact) == 1:
		return RepInstruction{Action: RepMove, Start: exact[0].Start, Text: exact[0].Text}
	case partOfDay != "":
		return RepInstruction{Action: RepUnclear, Text: partOfDay, Why: "it names a part of a day, not a time"}
	}
	if m := confirmRe.FindString(top); m != "" {
		return RepInstruction{Action: RepConfirm, Text: strings.TrimSpace(m)}
	}
	return RepInstruction{Action: RepUnclear, Text: firstLine(top), Why: "it says neither cancel, confirm nor a day with a time"}
}

// firstLines is the first n non-empty lines of text, at most max bytes.
func firstLines(text string, n, max int) string {
	var out []string
	for l := range strings.SplitSeq(text, "\n") {
		if l = strings.TrimSpace(l); l == "" {
			continue
		}
		if out = append(out, l); len(out) == n {
			break
		}
	}
	s := strings.Join(out, "\n")
	if len(s) > max {
		s = strings.ToValidUTF8(s[:max], "")
	}
	return s
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// RepHelpData is what MailRepHelp reads: the meeting as the rep sees it
// (times in the rep's zone, the rep's signed links as Actions), what the
// reply was read as and why it changed nothing.
type RepHelpData struct {
	MailData
	// Understood is what was read from the reply ("move to Tuesday, 31
	// March 2026, 15:00 (CEST, UTC+02:00)"); empty when nothing was.
	Understood string
	// Problem completes "Nothing changed because ..." ("the rep is not
	// free then").
	Problem string
	// Zone is where the rep's times are read (an IANA name or offset).
	Zone string
}
