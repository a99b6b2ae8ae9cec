package routing

import (
	"errors"
	"strings"
	"time"

	"salesdesk/internal/entity"
)

// RouterOptions configure a [Router].
type RouterOptions struct {
	// Rules are tried in order before the model.
	Rules []Rule
	// Classifier answers when no rule matches. Required.
	Classifier Predictor
	// MinConfidence is the model confidence below which an inquiry goes to
	// triage (default 0.5).
	MinConfidence float64
	// Entities configure entity extraction; its Now is ignored in favour of
	// the mail's date, or Clock.
	Entities entity.Options
	// Clock gives the time for mails without a date (default time.Now).
	Clock func() time.Time
}

// Router decides where a mail goes: rules first, then the model, plus the
// entities of the mail. It is safe for concurrent use.
type Router struct {
	rules   *RuleSet
	clf     Predictor
	minConf float64
	ents    entity.Options
	clock   func() time.Time
}

// Input is a mail as the router sees it: the fields mailparse produced.
// Build it with [MessageInput] or [TextInput] rather than by hand, so that
// every caller routes the same mail alike.
type Input struct {
	// From is the sender, "Name <addr>" or a bare address.
	From    string
	Subject string
	// NewText is what the customer wrote this time, without quoted
	// history and signature (mailparse's Message.NewText). When it and
	// Signature are both empty, mailparse splits Text for them.
	NewText string
	// Signature is the signature block mailparse split off NewText;
	// entities read the sender's name, company and phone from it.
	Signature string
	// Text is the whole plain-text body; a forwarded mail is read from it
	// when NewText is only a short note on top.
	Text string
	// Date is when the mail was written; relative dates in it ("tomorrow")
	// are read from here. Zero means now.
	Date time.Time
}

// Decision is where a mail goes and why.
type Decision struct {
	Category Category `json:"category"`
	// Confidence is the model's probability for Category, or 1 for a rule.
	Confidence float64 `json:"confidence"`
	// Rule is the name of the rule that decided, empty for the model.
	Rule     string          `json:"rule,omitempty"`
	Priority entity.Priority `json:"priority"`
	Assignee string          `json:"assignee,omitempty"`
	// Triage is set when the model was not confident enough: a human
	// should decide.
	Triage   bool       `json:"triage"`
	Scores   []Score    `json:"scores,omitempty"`
	Entities entity.Set `json:"entities"`
}

// ErrNoClassifier means RouterOptions.Classifier was not set.
var ErrNoClassifier = errors.New("routing: router needs a classifier")

// NewRouter compiles the rules and returns a router.
func NewRouter(o RouterOptions) (*Router, error) {
	if o.Classifier == nil {
		return nil, ErrNoClassifier
	}
	rs, err := CompileRules(o.Rules)
	if err != nil {
		return nil, err
	}
	if o.MinConfidence <= 0 {
		o.MinConfidence = 0.5
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &Router{rules: rs, clf: o.Classifier, minConf: o.MinConfidence, ents: o.Entities, clock: o.Clock}, nil
}

// forwardMarkers start the forwarded mail in the body that common mail
// clients write.
var forwardMarkers = []string{
	"---------- Forwarded message ---------", // Gmail
	"-------- Forwarded Message --------",    // Thunderbird
	"Begin forwarded message:",               // Apple Mail
}

// forwardedBody returns the forwarded mail's text when the sender's own
// words are only a short note on top of a forward, so the classifier reads
// the customer's request and not just "FYI, see below".
func forwardedBody(newText, text string) (string, bool) {
	if len(strings.Fields(newText)) > 15 {
		return "", false
	}
	best := -1
	for _, m := range forwardMarkers {
		if i := strings.Index(text, m); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	// Skip the marker line, blank lines and the forwarded header block
	// (From:, Date:, Subject:, To: ...); keep the rest but quoted lines.
	lines := strings.Split(text[best:], "\n")
	start := 1
	for start < len(lines) && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	for start < len(lines) && isHeaderLine(lines[start]) {
		start++
	}
	kept := lines[:0:0]
	for _, l := range lines[start:] {
		if !strings.HasPrefix(strings.TrimSpace(l), ">") {
			kept = append(kept, l)
		}
	}
	body := strings.TrimSpace(strings.Join(kept, "\n"))
	if body == "" {
		return "", false
	}
	return body, true
}

// isHeaderLine reports whether line looks like "Name: value" of a
// forwarded header block.
func isHeaderLine(line string) bool {
	name, _, ok := strings.Cut(strings.TrimSpace(line), ":")
	return ok && name != "" && len(name) <= 20 && !strings.ContainsAny(name, " \t") || strings.HasPrefix(strings.TrimSpace(line), "Date:")
}

// words is what the model and the rules read of a mail: the new text,
// and the forwarded mail when the new text is only a short note on top of
// a forward ("see below, can you help?" says nothing; the forwarded mail
// does). Training and evaluation read examples the same way.
func (in Input) words() string {
	if fwd, ok := forwardedBody(in.NewText, in.Text); ok {
		return strings.TrimSpace(in.NewText) + "\n\n" + fwd
	}
	return in.NewText
}

// Route decides the category, priority and assignee of a mail.
func (r *Router) Route(in Input) Decision {
	if in.NewText == "" && in.Signature == "" {
		// Plain text given as Text only: mailparse splits it, as it
		// would have split the mail.
		t := TextInput(in.Subject, in.Text)
		in.NewText, in.Signature = t.NewText, t.Signature
	}
	text := in.words()
	eo := r.ents
	eo.Now = in.Date
	if eo.Now.IsZero() {
		eo.Now = r.clock()
	}
	d := Decision{Entities: entity.Extract(in.Subject, text, in.Signature, eo)}

	if rule, ok := r.rules.Match(in.From, in.Subject, text); ok {
		d.Category, d.Confidence, d.Rule = rule.Category, 1, rule.Name
		d.Assignee, d.Priority = rule.Assignee, rule.Priority
	} else {
		p := r.clf.Classify(in.Subject, text)
		d.Category, d.Confidence, d.Scores = p.Category, p.Confidence, p.Scores
		d.Triage = p.Confidence < r.minConf
	}
	if d.Priority == "" {
		d.Priority = d.Entities.Urgency
		if d.Priority == entity.PriorityLow && d.Category == Complaint {
			d.Priority = entity.PriorityNormal
		}
	}
	return d
}
