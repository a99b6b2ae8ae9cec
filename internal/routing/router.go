package routing

import (
	"errors"
	"regexp"
	"strings"
	"time"

	"salesdesk/internal/entity"
	"salesdesk/internal/lang"
)

// RouterOptions configure a [Router].
type RouterOptions struct {
	// Rules are tried in order before the model.
	Rules []Rule
	// Classifier answers when no rule matches. Required.
	Classifier Predictor
	// MinConfidence is the model confidence below which an inquiry goes to
	// triage. 0 means the threshold the model chose from its calibration
	// ([Model.Threshold]), or 0.5 for a predictor without one.
	MinConfidence float64
	// SecondaryConfidence is the probability at or above which a category
	// other than the first becomes a secondary request of the mail
	// (default 0.2). Only categories with work of their own (order
	// status, order change, quote, meeting) are secondary.
	SecondaryConfidence float64
	// Languages detects the language of each mail; nil leaves
	// Decision.Language empty.
	Languages *lang.Detector
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
	second  float64
	langs   *lang.Detector
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
	// Confidence is the model's probability for Category, or 1 for a rule;
	// for a mail with several clear requests that the whole-mail model was
	// unsure about, the probability of the sentence that asks for Category.
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
	// Secondary are further requests in the same mail (an order status
	// and a quote), most probable first; each gets its own follow-on.
	Secondary []Category `json:"secondary,omitempty"`
	// Language is the ISO 639-1 code of the mail's language, empty when
	// the router detects none.
	Language string `json:"language,omitempty"`
	// LanguageSure is false when the mail was too short or too mixed to
	// tell its language clearly (see [lang.Detector.Guess]); a caller that
	// knows the customer's language from earlier mails may prefer it.
	LanguageSure bool `json:"language_sure,omitempty"`
}

// thresholder is a predictor that knows its calibrated threshold.
type thresholder interface {
	Threshold() float64
}

// Threshold returns the confidence below which the router sends a mail to
// triage.
func (r *Router) Threshold() float64 {
	return r.minConf
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
		if t, ok := o.Classifier.(thresholder); ok {
			o.MinConfidence = t.Threshold()
		}
	}
	if o.SecondaryConfidence <= 0 {
		o.SecondaryConfidence = 0.2
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	return &Router{rules: rs, clf: o.Classifier, minConf: o.MinConfidence, second: o.SecondaryConfidence,
		langs: o.Languages, ents: o.Entities, clock: o.Clock}, nil
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
		r.severalRequests(&d, text)
	}
	if r.langs != nil {
		d.Language, d.LanguageSure = r.langs.Guess(in.Subject + "\n" + text)
	}
	if d.Priority == "" {
		d.Priority = d.Entities.Urgency
		if d.Priority == entity.PriorityLow && d.Category == Complaint {
			d.Priority = entity.PriorityNormal
		}
	}
	return d
}

// actionable are the categories with work of their own, so a second
// request of one of them in a mail needs its own follow-on; the others are
// all handed to a person, who reads the whole mail anyway.
var actionable = map[Category]bool{OrderStatus: true, OrderChange: true, QuoteRequest: true, MeetingRequest: true}

// sentenceEnd splits a mail into the sentences severalRequests reads.
var sentenceEnd = regexp.MustCompile(`[.!?;]+\s+|\n+`)

// minRequestWords is the length of a sentence that can be a request of
// its own; shorter ones are greetings and sign-offs.
const minRequestWords = 4

// severalRequests finds the requests of a mail that asks more than one
// thing. The model reads the whole mail, so one request of two wins and
// the other only lowers its confidence; read one sentence at a time, each
// request is clear. Every actionable category that a sentence has with at
// least the router's threshold, or the whole mail with at least
// SecondaryConfidence, besides d.Category becomes a secondary request. A
// mail the whole-mail model was unsure about is routed after all when two
// sentences make two clear, different requests.
func (r *Router) severalRequests(d *Decision, text string) {
	var cats []Category
	conf := map[Category]float64{}
	add := func(c Category, p float64) {
		if !actionable[c] {
			return
		}
		if _, ok := conf[c]; !ok {
			cats = append(cats, c)
		}
		conf[c] = max(conf[c], p)
	}
	sentences := sentenceEnd.Split(text, -1)
	if len(sentences) > 1 {
		for _, s := range sentences {
			if len(strings.Fields(s)) < minRequestWords {
				continue
			}
			if p := r.clf.Classify("", s); p.Confidence >= r.minConf {
				add(p.Category, p.Confidence)
			}
		}
	}
	if d.Triage {
		if len(cats) < 2 {
			return
		}
		if _, ok := conf[d.Category]; !ok {
			d.Category = cats[0]
		}
		d.Confidence, d.Triage = conf[d.Category], false
	}
	for _, s := range d.Scores {
		if s.Probability >= r.second {
			add(s.Category, s.Probability)
		}
	}
	for _, c := range cats {
		if c != d.Category {
			d.Secondary = append(d.Secondary, c)
		}
	}
}
