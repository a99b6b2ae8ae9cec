package entity

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"salesdesk/internal/mailparse"
)

// Priority orders work: a rule can set it, and urgency cues in a mail
// raise or lower it.
type Priority string

// Priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
)

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	return p == PriorityLow || p == PriorityNormal || p == PriorityHigh
}

// Options configure [Extract].
type Options struct {
	// OrderPatterns find order numbers; the first capture group is the
	// number when there is one, the whole match otherwise. Nil means
	// [DefaultOrderPatterns].
	OrderPatterns []*regexp.Regexp
	// Now is the reference for "tomorrow" and "next Tuesday": normally the
	// date of the mail. Zero means the current time.
	Now time.Time
	// Location is the time zone times without one are read in; nil means
	// Now's location.
	Location *time.Location
	// DayFirst reads 03/04 as 3 April rather than March 4.
	DayFirst bool
}

// DefaultOrderPatterns returns the order-number patterns used when none
// are configured: a keyword (order, PO, SO, job, RMA...) followed by a
// number with an optional letter prefix; letter-dash-digit codes such as
// SO-48213; and #-numbers.
func DefaultOrderPatterns() []*regexp.Regexp {
	return []*regexp.Regexp{
		regexp.MustCompile(`(?i)\b(?:order|ord|purchase order|PO|SO|job|RMA)(?:\s*(?:no\.?|nr\.?|number|num|ref\.?|#))?[\s#:.-]*([A-Z]{0,3}-?\d{4,10}(?:-[A-Z0-9]{1,4})?)\b`),
		regexp.MustCompile(`\b[A-Z]{2,4}-\d{4,8}\b`),
		regexp.MustCompile(`(?:^|[\s(])#\s?([A-Z]?-?\d{4,10})\b`),
	}
}

// Set is the facts a mail states that the follow-on work needs.
type Set struct {
	// OrderNumbers are what the configured order-number patterns found.
	OrderNumbers []string `json:"order_numbers,omitempty"`
	// Codes are other code-like tokens (product codes, the customer's
	// own purchase-order reference): an order lookup may try them, but
	// none is told "no such order".
	Codes []string `json:"codes,omitempty"`
	// Items are the quantity lines: what a new order asks for.
	Items []Item `json:"items,omitempty"`
	// Rush is an explicit request for speed: rush, expedite, ASAP,
	// overnight, express.
	Rush    bool     `json:"rush"`
	Urgency Priority `json:"urgency"`
	// UrgencyCues are the words that set Urgency, as found.
	UrgencyCues []string `json:"urgency_cues,omitempty"`
	// RequestedTimes are the dates and times the mail asks for, in order.
	RequestedTimes []TimeSpan `json:"requested_times,omitempty"`
	Signature      Signature  `json:"signature"`
}

// TimeSpan is a date or time a customer names.
type TimeSpan struct {
	Start time.Time `json:"start"`
	// End is zero when the mail names only a start time.
	End time.Time `json:"end,omitzero"`
	// AllDay is set for a date without a time; End is then the next
	// midnight.
	AllDay bool `json:"all_day,omitempty"`
	// Text is what the mail said.
	Text string `json:"text"`
}

// Signature is who wrote the mail, from its signature block.
type Signature struct {
	Name    string `json:"name,omitempty"`
	Title   string `json:"title,omitempty"`
	Company string `json:"company,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
}

// maxMessageBytes bounds the text entities are looked for in: what a
// customer asks is in the first screens of a mail.
const maxMessageBytes = 12000

// Extract finds order numbers, urgency, requested times and the sender's
// contact details in a mail as mailparse splits it: its subject, the new
// text (without quoted history or signature) and the signature block.
func Extract(subject, newText, signature string, o Options) Set {
	if o.OrderPatterns == nil {
		o.OrderPatterns = DefaultOrderPatterns()
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	if o.Location == nil {
		o.Location = o.Now.Location()
	}
	msg := newText
	if len(msg) > maxMessageBytes {
		msg = msg[:maxMessageBytes]
	}
	text := subject + "\n" + msg

	var e Set
	e.OrderNumbers = orderNumbers(text, o.OrderPatterns)
	e.Codes = codes(text, e.OrderNumbers)
	e.Items = items(text)
	e.Urgency, e.Rush, e.UrgencyCues = urgency(text)
	e.RequestedTimes = requestedTimes(msg, o)
	e.Signature = readSignature(msg, signature)
	return e
}

// ExtractText is [Extract] for a plain-text body that is not split yet:
// [mailparse.SplitReply] splits it first, as it splits every mail, so
// quoted history is ignored.
func ExtractText(subject, body string, o Options) Set {
	newText, _, sig := mailparse.SplitReply(body)
	return Extract(subject, newText, sig, o)
}

func orderNumbers(text string, patterns []*regexp.Regexp) []string {
	var out []string
	for _, re := range patterns {
		for _, m := range re.FindAllStringSubmatchIndex(text, 20) {
			s, e := m[0], m[1]
			if len(m) >= 4 && m[2] >= 0 {
				s, e = m[2], m[3]
			}
			n := strings.ToUpper(strings.TrimSpace(text[s:e]))
			if n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	// A bare number that is also part of a longer one found elsewhere
	// (2291 inside ORD-2291) is the same order.
	out = slices.DeleteFunc(out, func(n string) bool {
		for _, o := range out {
			if o != n && strings.HasSuffix(o, "-"+n) {
				return true
			}
		}
		return false
	})
	return out
}

var (
	// Calm-down phrases are found first and masked, so that "no rush"
	// does not count as "rush".
	lowCueRe  = regexp.MustCompile(`(?i)\b(?:no rush|no hurry|not urgent|no urgency|not in a hurry|whenever (?:you|it)|at your (?:earliest )?convenience|when you (?:get|have) (?:a chance|time|a moment)|low priority|not time[- ]critical)\b`)
	rushCueRe = regexp.MustCompile(`(?i)\b(?:rush(?:ed)?|expedit(?:e|ed|ing)|asap|a\.s\.a\.p\.?|as soon as possible|urgent(?:ly)?|immediately|right away|overnight|express (?:shipping|delivery|courier|freight)|air freight|next[- ]day (?:air|delivery)|emergency|dringend)\b`)
	highCueRe = regexp.MustCompile(`(?i)\b(?:critical|line (?:is )?down|production (?:is )?(?:down|stopped|standing still)|line stop(?:page|ped)?|top priority|high priority|time[- ]sensitive|running (?:low|out)|run out|deadline|by (?:today|tomorrow|end of (?:the )?day|eod|close of business|cob))\b`)
)

func urgency(text string) (Priority, bool, []string) {
	var cues []string
	masked := []byte(text)
	for _, m := range lowCueRe.FindAllStringIndex(text, -1) {
		cues = append(cues, strings.ToLower(text[m[0]:m[1]]))
		for i := m[0]; i < m[1]; i++ {
			masked[i] = ' '
		}
	}
	low := len(cues) > 0
	rush := false
	high := false
	add := func(re *regexp.Regexp, isRush bool) {
		for _, m := range re.FindAllIndex(masked, -1) {
			c := strings.ToLower(text[m[0]:m[1]])
			if !slices.Contains(cues, c) {
				cues = append(cues, c)
			}
			high = true
			rush = rush || isRush
		}
	}
	add(rushCueRe, true)
	add(highCueRe, false)
	switch {
	case high:
		return PriorityHigh, rush, cues
	case low:
		return PriorityLow, false, cues
	}
	return PriorityNormal, false, cues
}
