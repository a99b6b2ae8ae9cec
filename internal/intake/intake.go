package intake

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hibiken/asynq"

	"salesdesk/internal/entity"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/outbox"
	"salesdesk/internal/queue"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Store is the persistence intake needs; *store.Store implements it.
type Store interface {
	InboundMessage(ctx context.Context, id int64) (*store.InboundMessage, error)
	SetInboundStatus(ctx context.Context, id int64, status, reason string) error
	FinishInbound(ctx context.Context, id int64, o store.InboundOutcome) error
	InboundParsed(ctx context.Context, id int64) (store.ParsedInbound, bool, error)
	InboundByMessageID(ctx context.Context, messageID string) ([]int64, error)
	SaveInboundAttachment(ctx context.Context, a *store.InboundAttachment) (int64, bool, error)
	InboundAttachments(ctx context.Context, inboundID int64) ([]store.InboundAttachment, error)

	OutboundByMessageID(ctx context.Context, messageID string) (*store.OutboundEmail, error)
	MarkOutboundBounced(ctx context.Context, id int64, reason string) error
	ListOutbound(ctx context.Context, f store.OutboundFilter) ([]store.OutboundEmail, error)

	CreateInquiry(ctx context.Context, q *store.Inquiry) (int64, bool, error)
	Inquiry(ctx context.Context, id int64) (*store.Inquiry, error)
	InquiryByMessageID(ctx context.Context, messageID string) (*store.Inquiry, error)
	InquiryByReference(ctx context.Context, reference string) (*store.Inquiry, error)
	ListInquiries(ctx context.Context, f store.InquiryFilter) ([]store.Inquiry, error)
	SetInquiryCategory(ctx context.Context, id int64, category string, confidence float64) error
	SetInquiryStatus(ctx context.Context, id int64, status string) error

	ContactByEmail(ctx context.Context, email string) (*store.Contact, error)
	ListCustomers(ctx context.Context, f store.CustomerFilter) ([]store.Customer, error)

	AddRoutingExample(ctx context.Context, e *store.RoutingExample) (int64, error)
	RoutingExamples(ctx context.Context) ([]store.RoutingExample, error)

	InboundSenderAuth(ctx context.Context, id int64) (store.SenderAuth, error)
	KeepInboundSenderAuth(ctx context.Context, id int64, a store.SenderAuth) (store.SenderAuth, error)

	LeadStore
	PendingStore
}

// Router decides where a mail goes; *routing.Router implements it.
type Router interface {
	Route(in routing.Input) routing.Decision
}

// Defaults of Options.
const (
	DefaultMaxThreadLookups = 64
)

// Options tune a Processor. The zero value is ready to use.
type Options struct {
	// AckWindow, when positive, is how long after one acknowledgement the
	// same sender gets no other. Zero (the default) or negative: every new
	// inquiry is acknowledged or answered; loop safety comes from the rules
	// for automated mail and the per-recipient send limit, not from here.
	AckWindow time.Duration
	// MaxMessageBytes is the largest mail parsed in full; a larger one is
	// read in part and goes to triage (default mailparse's 25 MiB).
	MaxMessageBytes int64
	// MaxAttachmentBytes is the largest attachment whose content is
	// stored (default DefaultMaxAttachmentBytes, 10 MiB). A larger one is
	// listed with its size and sha256 but no content; negative stores no
	// content at all.
	MaxAttachmentBytes int64
	// FreeMailDomains are domains that say nothing about the sender's
	// company, so a customer is never linked by them. Nil means
	// DefaultFreeMailDomains.
	FreeMailDomains []string
	// Followups maps categories to their follow-on task. Categories
	// without an entry are handed off (inquiry:handoff). Nil means every
	// category is handed off. See DefaultFollowups.
	Followups Followups
	// MaxThreadLookups bounds the Message-IDs looked up to thread one mail
	// (default 64), so reference loops and huge References stay cheap.
	MaxThreadLookups int
	// OwnAddresses are our own sending addresses (smtp.from, reply_to,
	// the mailboxes'). Mail from one of them, or with an X-Loop header
	// naming one, is recorded and never answered.
	OwnAddresses []string
	// RetrainWindow is how long people's labels collect before one
	// routing:retrain runs (tasks.RetrainRunAt); zero means
	// tasks.DefaultRetrainWindow.
	RetrainWindow time.Duration
}

// Deps are a Processor's collaborators.
type Deps struct {
	Store    Store          // required
	Router   Router         // required
	Enqueuer queue.Enqueuer // required
	// Reload, when set, retrains the classifier on the stored routing
	// examples (see ReloadFromStore). Retrain calls it, in the worker
	// that runs routing:retrain; a triage decision only enqueues that task.
	Reload func(ctx context.Context) error
	// Senders, when set, checks each sender (senderauth); a mail whose
	// sender is not authenticated changes nothing on an account: its
	// unsubscribe, order change or meeting request is handed to a person.
	// Nil trusts every From (tests, and setups that check elsewhere).
	Senders SenderChecker
	Logger  *slog.Logger     // nil discards
	Now     func() time.Time // nil means time.Now
	// RepReply, when set, is asked first about every human mail: true
	// means it was a rep's own reply to a customer with the inbox in
	// Cc/Bcc (lead.ContactRecognizer), recorded as contact, and intake
	// neither acknowledges it nor makes it an inquiry.
	RepReply func(ctx context.Context, m *mailparse.Message, received time.Time) (bool, error)
	// Ack, when set, renders each acknowledgement, whose outbound row is
	// then written in the transaction that marks the mail processed and
	// whose mail:send is enqueued after it: no inquiry:ack task, no
	// second commit. Nil enqueues inquiry:ack, whose handler writes it.
	Ack Acknowledger
	// Answers, by follow-on task type, build the answer of a follow-on
	// task (order:status_reply) from what intake has in hand; it is
	// written in the same transaction as the acknowledgement and the
	// task is not enqueued. A type without an Answerer, or whose answer
	// could not be built, is enqueued as its task.
	Answers map[string]Answerer
}

// Processor runs intake. It is safe for concurrent use.
type Processor struct {
	st      Store
	router  Router
	enq     queue.Enqueuer
	reload  func(ctx context.Context) error
	senders SenderChecker
	log     *slog.Logger
	now     func() time.Time
	rep     func(ctx context.Context, m *mailparse.Message, received time.Time) (bool, error)
	ack     Acknowledger
	answers map[string]Answerer
	opts    Options
	freeDom map[string]bool
	own     map[string]bool
}

// New returns a Processor.
func New(d Deps, o Options) (*Processor, error) {
	if d.Store == nil || d.Router == nil || d.Enqueuer == nil {
		return nil, errors.New("intake: store, router and enqueuer are required")
	}
	if o.MaxAttachmentBytes == 0 {
		o.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if o.MaxThreadLookups <= 0 {
		o.MaxThreadLookups = DefaultMaxThreadLookups
	}
	if o.FreeMailDomains == nil {
		o.FreeMailDomains = DefaultFreeMailDomains()
	}
	p := &Processor{st: d.Store, router: d.Router, enq: d.Enqueuer, reload: d.Reload, senders: d.Senders, log: d.Logger, now: d.Now, rep: d.RepReply, ack: d.Ack,
		answers: d.Answers, opts: o}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.own = ownAddresses(o.OwnAddresses)
	p.freeDom = make(map[string]bool, len(o.FreeMailDomains))
	for _, dom := range o.FreeMailDomains {
		p.freeDom[strings.ToLower(strings.TrimSpace(dom))] = true
	}
	return p, nil
}

// Process takes the stored inbound message inboundID in: see the package
// documentation for the steps. A message that does not exist is a
// permanent error (asynq.SkipRetry); store and queue failures are returned
// as they are, to be retried.
func (p *Processor) Process(ctx context.Context, inboundID int64) error {
	in, err := p.Inbound(ctx, inboundID)
	if err != nil {
		return err
	}
	return p.ProcessInbound(ctx, in)
}

// Inbound loads stored inbound message id for ProcessInbound, so that a
// caller with hooks before intake (workers.InboundHandler) reads the row
// once per mail. A message that does not exist is a permanent error.
func (p *Processor) Inbound(ctx context.Context, id int64) (*store.InboundMessage, error) {
	in, err := p.st.InboundMessage(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, queue.Permanent(err)
	}
	return in, err
}

// ProcessInbound is Process of a message already loaded (Inbound).
func (p *Processor) ProcessInbound(ctx context.Context, in *store.InboundMessage) error {
	if in.Status == store.InboundProcessed || in.Status == store.InboundQuarantined {
		p.log.DebugContext(ctx, "inbound message already taken in", "inbound_id", in.ID, "status", in.Status)
		return nil
	}
	saver := p.newAttachmentSaver(ctx, in.ID)
	m, err := mailparse.Parse(in.Raw, mailparse.Options{MaxBytes: p.opts.MaxMessageBytes, Now: p.now,
		AttachmentSink: saver.save})
	if err != nil {
		p.log.WarnContext(ctx, "inbound message unreadable, quarantined", "inbound_id", in.ID, "error", err.Error())
		return p.st.SetInboundStatus(ctx, in.ID, store.InboundQuarantined, "parse: "+err.Error())
	}
	if saver.err != nil {
		// mailparse records a sink's failure as a warning and goes on;
		// an attachment that could not be stored is retried instead.
		return saver.err
	}
	// The parsed form, the outbox rows of the follow-on tasks, the
	// acknowledgement's outbound row (Deps.Ack), the answers built here
	// (Deps.Answers: their rows, alerts and the inquiry answered) and the
	// status "processed" are written in one transaction at the end (a
	// commit per mail, not four); the tasks and the mails' mail:send are
	// enqueued after it. A crash before the commit re-runs intake, which
	// finds the inquiry it made and builds the same tasks and mails; after
	// it, recovery enqueues the rows' tasks and sends the queued rows.
	parsed := parsedInbound(m, p.now())
	parsed.MessageID = in.MessageID
	out := store.InboundOutcome{Parsed: &parsed, Status: store.InboundProcessed}
	var followons []*asynq.Task
	log := p.log.With("inbound_id", in.ID, "kind", string(m.Kind))
	switch m.Kind {
	case mailparse.KindBounce:
		if err := p.recordBounce(ctx, m, log); err != nil {
			return err
		}
	case mailparse.KindHuman:
		if why := p.loopReason(m); why != "" {
			log.InfoContext(ctx, "mail from ourselves recorded, not answered", "reason", why)
			break
		}
		if p.rep != nil {
			handled, err := p.rep(ctx, m, in.ReceivedAt)
			if err != nil {
				return err
			}
			if handled {
				log.InfoContext(ctx, "rep reply recorded, not answered")
				break
			}
		}
		oversize := m.Oversize || in.Size > int64(len(in.Raw))
		if followons, err = p.takeHuman(ctx, in, m, oversize, &out, log); err != nil {
			return err
		}
	default:
		log.InfoContext(ctx, "automated mail recorded, not answered")
	}
	out.Pending, err = queue.PendingRows(time.Time{}, followons...)
	if err != nil {
		return fmt.Errorf("intake: follow-on tasks: %w", err)
	}
	if err := p.st.FinishInbound(ctx, in.ID, out); err != nil {
		if errors.Is(err, store.ErrSenderAuthChanged) && out.SenderAuth != nil {
			// A hook kept another verdict after the row was read: run
			// again with it (its verdict read now, so no third run).
			log.InfoContext(ctx, "sender verdict stored meanwhile, intake runs again")
			if in, err = p.Inbound(ctx, in.ID); err != nil {
				return err
			}
			return p.ProcessInbound(ctx, in)
		}
		return err
	}
	for _, o := range out.Outbound {
		// A row whose mail:send is lost (a crash, Redis) stays queued,
		// and recovery enqueues it.
		t, err := outbox.SendTask(o)
		if err != nil {
			return err
		}
		followons = append(followons, t)
	}
	if err := queue.EnqueueRecorded(ctx, p.enq, followons...); err != nil {
		return fmt.Errorf("intake: follow-on tasks: %w", err)
	}
	return nil
}

// parsedInbound is what the store keeps of a parsed mail.
func parsedInbound(m *mailparse.Message, now time.Time) store.ParsedInbound {
	to := make([]string, 0, len(m.To))
	for _, a := range m.To {
		to = append(to, a.Address)
	}
	var inReplyTo string
	if len(m.InReplyTo) > 0 {
		inReplyTo = m.InReplyTo[0]
	}
	return store.ParsedInbound{
		From:       m.From.Address,
		FromName:   m.From.Name,
		To:         to,
		Subject:    m.Subject,
		Date:       m.Date,
		Kind:       string(m.Kind),
		Text:       m.Text,
		NewText:    m.NewText,
		InReplyTo:  inReplyTo,
		References: m.References,
		Warnings:   m.Warnings,
		ParsedAt:   now,
	}
}

// recordBounce marks the outbound mail a bounce returns as bounced. A
// delay notice, or a bounce of a mail that is not ours, changes nothing.
func (p *Processor) recordBounce(ctx context.Context, m *mailparse.Message, log *slog.Logger) error {
	b := m.Bounce
	if b != nil && !b.Permanent() {
		log.InfoContext(ctx, "delivery delay notice recorded", "action", b.Action, "status", b.Status)
		return nil
	}
	var candidates []string
	if b != nil && b.OriginalMessageID != "" {
		candidates = append(candidates, b.OriginalMessageID)
	}
	candidates = append(candidates, mailparse.ThreadKeys(m)...)
	for i, id := range candidates {
		if i >= p.opts.MaxThreadLookups {
			break
		}
		o, err := p.st.OutboundByMessageID(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := p.st.MarkOutboundBounced(ctx, o.ID, bounceReason(b)); err != nil {
			return err
		}
		log.InfoContext(ctx, "outbound mail bounced", "outbound_id", o.ID, "outbound_kind", o.Kind, "reason", bounceReason(b))
		return nil
	}
	log.InfoContext(ctx, "bounce of no outbound mail of ours recorded")
	return nil
}

func bounceReason(b *mailparse.BounceInfo) string {
	if b == nil {
		return "bounced"
	}
	parts := []string{}
	for _, s := range []string{b.Status, b.Diagnostic} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if len(b.Recipients) > 0 {
		parts = append(parts, "recipient "+strings.Join(b.Recipients, ", "))
	}
	if len(parts) == 0 {
		return "bounced"
	}
	r := strings.Join(parts, "; ")
	if len(r) > 500 {
		r = r[:500]
	}
	return r
}

// takeHuman threads, links and routes a mail written by a person and
// returns its follow-on tasks, for Process to record and enqueue; the
// acknowledgement and the answers built at once go to out, which Process
// stores.
func (p *Processor) takeHuman(ctx context.Context, in *store.InboundMessage, m *mailparse.Message, oversize bool, out *store.InboundOutcome, log *slog.Logger) ([]*asynq.Task, error) {
	// A From we could not send to is no sender: nobody gets acknowledged
	// or answered at it, and no hand-off or lead mail gets it as Reply-To.
	sender := mailparse.Sendable(m.From.Address)
	if sender == "" && strings.TrimSpace(m.From.Address) != "" {
		log.InfoContext(ctx, "sender address unusable, treated as no sender", "from", m.From.Address)
	}
	auth := p.checkSender(ctx, in, sender, out)
	d := p.router.Route(routing.MessageInput(m))

	// No read first: the inquiry is unique per inbound message, so on a
	// re-run the insert inserts nothing and returns the inquiry stored the
	// first time, with the decisions made then.
	q, err := p.openInquiry(ctx, in, m, sender, d, oversize)
	if err != nil {
		return nil, err
	}
	log = log.With("inquiry_id", q.ID, "reference", q.Reference, "category", q.Category)

	t, what, err := p.followup(ctx, q, d.Entities, sender, oversize, auth)
	if err != nil {
		return nil, err
	}
	followons := []*asynq.Task{t}
	// When any follow-on writes to the customer at once (an order's
	// status), that answer is the acknowledgement: a second mail with the
	// same subject would only say less.
	ackFor := t.Type()
	// A mail that asks several things gets a follow-on for each (issue 16).
	for _, c := range q.SecondaryCategories {
		if routing.Category(q.Category) == routing.Unsubscribe {
			// Someone who asks for fewer mails gets only the confirmation.
			break
		}
		st, what, err := p.opts.Followups.secondary(ctx, q, c, FollowupInput{Inquiry: q, Entities: d.Entities, Sender: sender})
		if err != nil {
			return nil, err
		}
		followons = append(followons, st)
		if AnswersAtOnce(st.Type()) {
			ackFor = st.Type()
		}
		log.InfoContext(ctx, "secondary request routed", "secondary_category", c, "followup", what)
	}

	ack, why, err := p.ackDue(ctx, q, sender, ackFor)
	if err != nil {
		return nil, err
	}
	if ack {
		trusted, err := p.senderTrusted(ctx, q, auth)
		if err != nil {
			return nil, err
		}
		r := AckRequest{Inquiry: q, Subject: m.Subject, MessageID: in.MessageID, References: m.References, UnverifiedSender: !trusted}
		if o := p.ackMail(ctx, r, log); o != nil {
			out.Outbound = append(out.Outbound, o)
		} else {
			t, err = tasks.NewInquiryAckTask(tasks.InquiryAckPayload{InquiryID: q.ID, UnverifiedSender: !trusted})
			if err != nil {
				return nil, err
			}
			followons = append(followons, t)
		}
	}
	log.InfoContext(ctx, "inquiry routed", "followup", what, "confidence", q.Confidence, "parent_id", q.ParentID,
		"customer_id", q.CustomerID)
	if !ack {
		log.InfoContext(ctx, "no acknowledgement", "why", why)
	}
	if q.ContactEmail != "" {
		// Without a sender there is nobody to answer: the tasks record that.
		followons = p.answer(ctx, AnswerRequest{Inquiry: q, Parsed: *out.Parsed}, followons, out, log)
	}
	return followons, nil
}

// openInquiry creates the inquiry of a new human mail, or returns the one
// made from it before (a re-run), as it was stored.
func (p *Processor) openInquiry(ctx context.Context, in *store.InboundMessage, m *mailparse.Message, sender string, d routing.Decision, oversize bool) (*store.Inquiry, error) {
	parent, err := p.findThread(ctx, m, sender)
	if err != nil {
		return nil, err
	}
	customerID, err := p.linkCustomer(ctx, sender)
	if err != nil {
		return nil, err
	}
	q := &store.Inquiry{
		InboundMessageID: in.ID,
		CustomerID:       customerID,
		ContactEmail:     sender,
		Subject:          oneLine(m.Subject, 500),
		Category:         string(d.Category),
		Confidence:       d.Confidence,
		Priority:         string(d.Priority),
		Status:           store.InquiryRouted,
		Language:         d.Language,
	}
	if !d.LanguageSure {
		if q.Language, err = p.knownLanguage(ctx, customerID, sender, d.Language); err != nil {
			return nil, err
		}
	}
	switch {
	case parent != nil:
		// A reply continues a conversation someone owns: it is never
		// triaged, and when the model cannot tell what it is about it
		// keeps the thread's category.
		// The parent's thread saves the store a read (0: it reads it).
		q.ParentID, q.ThreadID = parent.ID, parent.ThreadID
		if (d.Triage || d.Category == routing.Other) && parent.Category != "" {
			q.Category = parent.Category
		}
	case oversize || d.Triage:
		q.Status = store.InquiryTriage
	default:
		for _, c := range d.Secondary {
			q.SecondaryCategories = append(q.SecondaryCategories, string(c))
		}
	}
	if _, _, err := p.st.CreateInquiry(ctx, q); err != nil {
		return nil, err
	}
	return q, nil
}

// followup builds the one follow-on task of an inquiry from what is stored
// about it, so that a re-run builds the same task. auth is the sender
// verdict when the caller has it in hand, nil to read the stored one.
func (p *Processor) followup(ctx context.Context, q *store.Inquiry, ents entity.Set, sender string, oversize bool, auth *store.SenderAuth) (*asynq.Task, string, error) {
	cat := routing.Category(q.Category)
	switch {
	case q.Status == store.InquiryTriage:
		reason := tasks.TriageLowConfidence
		if oversize {
			reason = tasks.TriageOversize
		}
		t, err := tasks.NewInquiryTriageTask(tasks.InquiryTriagePayload{InquiryID: q.ID, Reason: reason})
		return t, tasks.TypeInquiryTriage, err
	}
	if t, err := p.unverifiedChange(ctx, q, auth); t != nil || err != nil {
		return t, tasks.TypeInquiryHandoff, err
	}
	switch {
	case cat == routing.Unsubscribe && sender != "":
		t, err := Unsubscribe(ctx, FollowupInput{Inquiry: q, Entities: ents, Sender: sender})
		return t, tasks.TypeCustomerUnsubscribe, err
	case q.ParentID != 0:
		t, err := Handoff(ctx, FollowupInput{Inquiry: q, Entities: ents, Sender: sender})
		return t, tasks.TypeInquiryHandoff, err
	}
	return p.opts.Followups.build(ctx, FollowupInput{Inquiry: q, Entities: ents, Sender: sender})
}

// enqueue enqueues t; a TaskID already taken means it was enqueued before.
func (p *Processor) enqueue(ctx context.Context, t *asynq.Task) error {
	if _, err := p.enq.EnqueueContext(ctx, t); err != nil && !queue.IsDuplicate(err) {
		return fmt.Errorf("intake: enqueue %s: %w", t.Type(), err)
	}
	return nil
}

// oneLine reduces s to one line of at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n]
		for len(s) > 0 && !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

// knownLanguages is how many of a customer's latest inquiries
// knownLanguage reads.
const knownLanguages = 10

// knownLanguage is the language of a mail the detector was not sure of:
// the language most of the customer's latest inquiries were in (the
// account's when the sender is on one, else the sender's own), or
// detected when there are none. The account's language is a better guess
// than English for a one-line "ok thx" from a customer who always writes
// German.
func (p *Processor) knownLanguage(ctx context.Context, customerID int64, sender, detected string) (string, error) {
	f := store.InquiryFilter{CustomerID: customerID, Limit: knownLanguages}
	if customerID == 0 {
		if sender == "" {
			return detected, nil
		}
		f = store.InquiryFilter{ContactEmail: sender, Limit: knownLanguages}
	}
	qs, err := p.st.ListInquiries(ctx, f)
	if err != nil {
		return "", fmt.Errorf("earlier inquiries: %w", err)
	}
	count := map[string]int{}
	best := ""
	for _, q := range qs { // newest first: a tie goes to the latest
		if q.Language == "" {
			continue
		}
		count[q.Language]++
		if best == "" || count[q.Language] > count[best] {
			best = q.Language
		}
	}
	if best == "" {
		return detected, nil
	}
	return best, nil
}
