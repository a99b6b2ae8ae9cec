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
	// RepHeld and RepNoShow answer the outcome mail: the meeting was
	// held, or the customer did not come.
	RepHeld   RepAction = "held"
	RepNoShow RepAction = "no_show"
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
	// Note is, for RepHeld and RepNoShow, the next step the rep wrote
	// after the outcome ("held, next step: send the quote"); may be empty.
	Note string
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
// holds across a DST change). Only the first few lines count. A reply
// that begins with how the meeting went ("held", "no-show", "didn't
// show", "hat stattgefunden", "pas venu", ...) is that outcome, with the
// rest as the next step, whatever else it names. A move
// needs exactly one day with a time of day; a cancel must not name a time
// too; anything else, or both, is RepUnclear.
func ParseRepInstruction(text string, ref time.Time, loc *time.Location) RepInstruction {
	top := firstLines(text, repInstructionLines, maxRepInstructionText)
	if top == "" {
		return RepInstruction{Action: RepUnclear, Why: "the reply has no words above the quoted mail"}
	}
	if ins, ok := parseOutcome(top); ok {
		return ins
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
	return RepInstruction{Action: RepUnclear, Text: firstLine(top), Why: "it says neither cancel, confirm, held, no-show nor a day with a time"}
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

// The outcome words, folded (see fold), in every language salesdesk
// answers in. An outcome counts only at the very start of the reply and
// when its clause ends there ("held, next step: quote", "No-show."), so
// "held up in traffic" or "not held" is no outcome.
var (
	outcomeRe = regexp.MustCompile(`^(?:(?:yes|ja|oui|si|sim|the|our|der|die|das|unser|le|la|el|il|de|het|o|a|` +
		`meeting|call|termin|besprechung|gesprach|rendez-vous|reunion|riunione|incontro|afspraak|gesprek|reuniao|` +
		`customer|client|kunde|kundin|cliente|klant|they|he|she|er|sie|elle|ils|ella|lui|lei|hij|zij|ele|ela|` +
		`was|is|has|hat|ist|est|ha|e|heeft|foi|se|si)[,.!]?\s+){0,4}` +
		`(?:(?P<held>held|took\s+place|went\s+ahead|happened|stattgefunden|fand\s+statt|eu\s+lieu|` +
		`celebrad[ao]|celebro|realizad[ao]|realizo|tuvo\s+lugar|tenut[ao]|svolt[ao]|avvenut[ao]|gehouden|plaatsgevonden|` +
		`vond\s+plaats|aconteceu|realizou-se)` +
		`|(?P<noshow>no-?\s?show|did\s*n'?o?t\s+(?:show(?:\s+up)?|come|turn\s+up)|never\s+(?:showed|came)(?:\s+up)?|` +
		`nicht\s+(?:erschienen|gekommen|da)|absente?|(?:n'est\s+)?pas\s+venue?|ne\s+s'est\s+pas\s+presentee?|` +
		`no\s+(?:se\s+presento|vino|asistio|aparecio)|non\s+(?:si\s+e\s+presentat[oa]|e\s+venut[oa])|assente|` +
		`niet\s+(?:verschenen|gekomen|komen\s+opdagen|opgedaagd)|nao\s+(?:compareceu|apareceu|veio)|faltou))` +
		`[ \t]*(?:$|\r?\n|[.,;:!\-(]|\x{2013}|\x{2014})`)

	// nextStepRe is the label a rep may put before the next step.
	nextStepRe = regexp.MustCompile(`^(?:next\s+steps?|nachster\s+schritt|nachste\s+schritte|prochaine\s+etape|` +
		`siguiente\s+paso|proximo\s+paso|prossimo\s+passo|volgende\s+stap|proximo\s+passo)\s*[:\-]?\s*`)
)

// maxOutcomeNote bounds the next step kept from a reply.
const maxOutcomeNote = 300

// parseOutcome reads an outcome at the start of top (the first lines of a
// reply) and the next step after it.
func parseOutcome(top string) (RepInstruction, bool) {
	f, orig := fold(top)
	m := outcomeRe.FindStringSubmatchIndex(f)
	if m == nil {
		return RepInstruction{}, false
	}
	ins := RepInstruction{Action: RepHeld}
	word := outcomeRe.SubexpIndex("held")
	if m[2*word] < 0 {
		word = outcomeRe.SubexpIndex("noshow")
		ins.Action = RepNoShow
	}
	ins.Text = top[orig[m[2*word]]:orig[m[2*word+1]]]
	rest := strings.TrimLeft(f[m[2*word+1]:], " \t\r\n.,;:!-\u2013\u2014")
	if l := nextStepRe.FindString(rest); l != "" {
		rest = rest[len(l):]
	}
	note := strings.Join(strings.Fields(top[orig[len(f)-len(rest)]:]), " ")
	if len(note) > maxOutcomeNote {
		note = strings.ToValidUTF8(note[:maxOutcomeNote], "")
	}
	ins.Note = note
	return ins, true
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
