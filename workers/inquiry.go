package workers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/entity"
	"salesdesk/internal/intake"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/order"
	"salesdesk/internal/queue"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// InquiryStore is what the inquiry handlers read and write;
// *store.Store implements it.
type InquiryStore interface {
	mailReader
	accountReader
	Customer(ctx context.Context, id int64) (*store.Customer, error)
	ContactByEmail(ctx context.Context, email string) (*store.Contact, error)
	ListOutbound(ctx context.Context, f store.OutboundFilter) ([]store.OutboundEmail, error)
	CreateAlert(ctx context.Context, a *store.Alert) (int64, bool, error)
	SetCustomerOptOut(ctx context.Context, id int64, optedOut bool) error
	ContactsForCustomer(ctx context.Context, customerID int64) ([]store.Contact, error)
	Suppress(ctx context.Context, email, reason string, inquiryID int64) (created bool, err error)
	// For the order history in hand-offs (order.AccountContext).
	OrderByNumber(ctx context.Context, number string) (*store.Order, error)
	OrderHistory(ctx context.Context, orderID int64) ([]store.OrderStatusChange, error)
	ListOrderRequests(ctx context.Context, f store.OrderRequestFilter) ([]store.OrderRequest, error)
	// For the update to the owner of a lead another one merged into.
	Lead(ctx context.Context, id int64) (*store.Lead, error)
	MergedInto(ctx context.Context, leadID int64) (int64, error)
	// For hand-offs in a customer's language.
	ListReps(ctx context.Context, activeOnly bool) ([]store.Rep, error)
	// For the manager's daily summary: the manager's own timezone.
	RepByEmail(ctx context.Context, email string) (*store.Rep, error)
}

// Defaults of InquiryOptions.
const (
	DefaultTriageLinkTTL = 7 * 24 * time.Hour
)

// InquiryOptions configure the inquiry handlers.
type InquiryOptions struct {
	// TeamAddress gets hand-offs for senders without an owner rep.
	// Required.
	TeamAddress string
	// TriageAddress gets the mails the classifier was unsure about.
	// Required.
	TriageAddress string
	// Links signs the one-click triage links. Required.
	Links *link.Signer
	// TriageLinkTTL is how long triage links work (default 7 days).
	TriageLinkTTL time.Duration
	// AckWindow is the optional acknowledgement rate limit per sender,
	// the same value intake uses (zero or negative: off, the default).
	AckWindow time.Duration
}

func (o InquiryOptions) validate() error {
	switch {
	case o.TeamAddress == "":
		return errors.New("workers: inquiry handlers need a team address")
	case o.TriageAddress == "":
		return errors.New("workers: inquiry handlers need a triage address")
	case o.Links == nil:
		return errors.New("workers: inquiry handlers need a link signer")
	}
	return nil
}

// InquiryDeps are the inquiry handlers' collaborators.
type InquiryDeps struct {
	Desk
	Store InquiryStore // required
}

// inquiryMail is what every inquiry handler shares.
type inquiryMail struct {
	Desk
	st   InquiryStore
	opts InquiryOptions
}

func newInquiryMail(d InquiryDeps, o InquiryOptions) (inquiryMail, error) {
	if err := o.validate(); err != nil {
		return inquiryMail{}, err
	}
	desk, err := d.Desk.ready("inquiry")
	if err != nil {
		return inquiryMail{}, err
	}
	if d.Store == nil {
		return inquiryMail{}, errNoStore("inquiry")
	}
	if o.TriageLinkTTL <= 0 {
		o.TriageLinkTTL = DefaultTriageLinkTTL
	}
	return inquiryMail{Desk: desk, st: d.Store, opts: o}, nil
}

// newInquiryHandler builds one of the inquiry handlers, which differ
// only in what their tasks do.
func newInquiryHandler[H ~struct{ inquiryMail }](d InquiryDeps, o InquiryOptions) (*H, error) {
	m, err := newInquiryMail(d, o)
	if err != nil {
		return nil, err
	}
	return &H{m}, nil
}

// AckHandler answers inquiry:ack: it acknowledges a customer's mail with
// the inquiry's reference token and what happens next, threaded onto the
// customer's mail.
//
// Intake decides whether a mail is acknowledged and, wired by New, writes
// the row itself in the transaction that marks the mail processed, with
// AckMail: the task runs only when that failed, and for tasks of older
// builds. It checks the per-sender window once more, right before
// writing the row, which narrows the race between two mails of one
// sender taken in at once.
type AckHandler struct{ inquiryMail }

// NewAckHandler returns the inquiry:ack handler.
func NewAckHandler(d InquiryDeps, o InquiryOptions) (*AckHandler, error) {
	return newInquiryHandler[AckHandler](d, o)
}

// ProcessTask handles one inquiry:ack task: the acknowledgement of an
// inquiry whose intake did not write it (intake.Deps.Ack unset, or
// AckMail failed there).
func (h *AckHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseInquiryAckPayload(t.Payload())
	cm, err := loadTaskMail(ctx, h.st, p.InquiryID, err)
	if err != nil {
		return err
	}
	q := cm.inquiry
	if q.ContactEmail != "" && h.opts.AckWindow > 0 {
		recent, err := intake.RecentAck(ctx, h.st, q.ContactEmail, q.ID, h.Clock.Now().Add(-h.opts.AckWindow))
		if err != nil {
			return err
		}
		if recent {
			h.Logger.InfoContext(ctx, "ack skipped, sender acknowledged within the window", "inquiry_id", q.ID)
			return nil
		}
	}
	o, err := h.AckMail(ctx, intake.AckRequest{Inquiry: q, Subject: cm.parsed.Subject, MessageID: cm.messageID,
		References: cm.parsed.References, UnverifiedSender: p.UnverifiedSender})
	if err != nil {
		return err
	}
	return h.Outbox.QueueMail(ctx, o)
}

// AckMail renders the acknowledgement of r.Inquiry as an outbound row,
// not stored: the one place its content is decided, for intake (which
// stores it with the mail's outcome) and for ProcessTask. An inquiry
// without a sender address is a permanent error.
func (h *AckHandler) AckMail(ctx context.Context, r intake.AckRequest) (*store.OutboundEmail, error) {
	q := r.Inquiry
	to := q.ContactEmail
	if to == "" {
		return nil, queue.Permanent(fmt.Errorf("ack inquiry %d: no sender address", q.ID))
	}
	category := q.Category
	if q.Status == store.InquiryTriage {
		category = "" // not decided yet: the generic next step
	}
	o := &store.OutboundEmail{IdempotencyKey: intake.AckKey(q.ID), Kind: intake.KindAck, InquiryID: q.ID, To: []string{to}}
	cm := &customerMail{inquiry: q, parsed: store.ParsedInbound{Subject: r.Subject, References: r.References}, messageID: r.MessageID}
	cm.reply(o)
	name, err := recordedName(ctx, h.st, to)
	if err != nil {
		return nil, err
	}
	data := mailer.AckData{CustomerName: name, Reference: q.Reference, Category: category, Subject: r.Subject}
	if r.UnverifiedSender {
		// The From may be forged and the mail may go to someone who never
		// wrote: repeat none of its text, promise no change.
		data.Subject = ""
		if intake.ChangesAccount(routing.Category(category)) {
			data.Category = ""
		}
	}
	if owner, err := h.answeringOwner(ctx, q, category); err != nil {
		return nil, err
	} else if owner != nil {
		// The owner gets the hand-off: they answer, and they sign.
		data.Who, data.WhoOwnsAccount = owner.Name, true
		data.Signer = repSigner(owner)
	}
	if err := h.render("ack", q.Language, data, o); err != nil {
		return nil, err
	}
	return o, nil
}

// answeringOwner is the account owner who will answer the inquiry
// themselves: a hand-off goes to them (categories without their own
// follow-on, and an available owner). Nil when the team answers.
func (h *AckHandler) answeringOwner(ctx context.Context, q *store.Inquiry, category string) (*store.Rep, error) {
	switch routing.Category(category) {
	case routing.QuoteRequest, routing.MeetingRequest, routing.OrderStatus, routing.OrderChange, routing.Unsubscribe, "":
		return nil, nil
	}
	if q.CustomerID == 0 {
		return nil, nil
	}
	c, err := h.st.Customer(ctx, q.CustomerID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return h.availableOwner(ctx, h.st, c), nil
}

// HandoffHandler answers inquiry:handoff: it mails the inquiry to the
// customer's owner rep, or to the team address when the sender matches no
// account, the account has no owner or the owner is away, with the mail
// quoted, the account summary and a link to the inquiry. Replies go to the
// customer (Reply-To).
//
// Complaints are counted for unusual-activity detection: each complaint
// that starts a conversation raises one alert of kind "complaint"
// (intake.AlertKindComplaint, severity info, dedupe key
// "complaint:inquiry:<id>", customer_id set when known).
type HandoffHandler struct{ inquiryMail }

// NewHandoffHandler returns the inquiry:handoff handler.
func NewHandoffHandler(d InquiryDeps, o InquiryOptions) (*HandoffHandler, error) {
	return newInquiryHandler[HandoffHandler](d, o)
}

// ProcessTask handles one inquiry:handoff task.
func (h *HandoffHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseInquiryHandoffPayload(t.Payload())
	cm, err := loadTaskMail(ctx, h.st, p.InquiryID, err)
	if err != nil {
		return err
	}
	q := cm.inquiry
	data := mailer.HandoffData{
		Reference:     q.Reference,
		Category:      q.Category,
		CustomerName:  cm.parsed.FromName,
		CustomerEmail: q.ContactEmail,
		Subject:       cm.parsed.Subject,
		Body:          cm.body(),
		ReceivedAt:    cm.receivedAt(),
		InquiryURL:    h.url("/desk/inquiries/%d", q.ID),
		// The mail asked for an account change its sender could not
		// prove: the rep confirms with the account first.
		UnverifiedChange: p.UnverifiedChange,
	}
	to := h.opts.TeamAddress
	var customer *store.Customer
	if q.CustomerID != 0 {
		customer, err = h.st.Customer(ctx, q.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	var owner *store.Rep
	if customer != nil {
		data.KnownCustomer = true
		data.Account.Company = customer.Name
		if owner = h.availableOwner(ctx, h.st, customer); owner != nil {
			to, data.RepName, data.Account.OwnerRep = owner.Email, owner.Name, owner.Name
			data.Timezone = owner.Timezone
		}
	}
	// A customer who writes in another language goes to a rep who speaks it.
	rep, err := h.speakingRep(ctx, h.st, q.Language, owner)
	if err != nil {
		return err
	}
	if rep != owner {
		to, data.RepName, data.Timezone = rep.Email, rep.Name, rep.Timezone
	}
	if data.Account, err = accountSummary(ctx, h.st, q, customer, data.Account); err != nil {
		return err
	}
	if customer != nil && troubleshooting(routing.Category(q.Category)) {
		// An order or account problem: the owner sees the history of the
		// orders the mail names (or the open ones) and what the customer
		// asked us before, so they need not look it up.
		numbers := entity.ExtractText(cm.parsed.Subject, cm.body(), entity.Options{}).OrderNumbers
		oc, err := order.AccountContext(ctx, h.st, customer.ID, numbers)
		if err != nil {
			return err
		}
		withHistory := OrderAccountSummary(oc)
		data.Account.OpenOrders = withHistory.OpenOrders
	}
	if routing.Category(q.Category) == routing.Complaint && q.ParentID == 0 {
		if err := h.countComplaint(ctx, q); err != nil {
			return err
		}
	}
	if data.Acknowledged, data.Answered, err = h.customerTold(ctx, q); err != nil {
		return err
	}
	if data.Answered {
		// A reply in a thread we answered: the customer knows the thread's
		// reference (kept in the subject), never this reply's own.
		parent, err := h.st.Inquiry(ctx, q.ParentID)
		if err != nil {
			return missingIsPermanent(err)
		}
		data.Reference = parent.Reference
	}
	o := &store.OutboundEmail{IdempotencyKey: intake.HandoffKey(q.ID), Kind: intake.KindHandoff, InquiryID: q.ID,
		To: []string{to}, ReplyTo: q.ContactEmail}
	if err := h.queue(ctx, "handoff", data, o); err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "inquiry handed off", "inquiry_id", q.ID, "to", to, "category", q.Category)
	return nil
}

// customerTold reads from the outbound record what the customer has been
// sent, so the hand-off says only what is true when it is written: an
// acknowledgement of this inquiry that went out, or (for a reply in a
// thread) an earlier mail of ours in the thread.
func (h *HandoffHandler) customerTold(ctx context.Context, q *store.Inquiry) (acked, answered bool, err error) {
	ack, err := h.st.ListOutbound(ctx, store.OutboundFilter{InquiryID: q.ID, Kind: intake.KindAck, Limit: 1})
	if err != nil {
		return false, false, err
	}
	if len(ack) > 0 && ack[0].Status == store.OutboundSent {
		return true, false, nil
	}
	if q.ParentID == 0 {
		return false, false, nil
	}
	earlier, err := h.st.ListOutbound(ctx, store.OutboundFilter{InquiryID: q.ParentID, To: q.ContactEmail, Limit: 1})
	if err != nil {
		return false, false, err
	}
	return false, len(earlier) > 0 && earlier[0].Status == store.OutboundSent, nil
}

// troubleshooting reports whether a category is an order or account
// problem whose hand-off carries the order history.
func troubleshooting(c routing.Category) bool {
	return c == routing.Support || c == routing.Billing || c == routing.Account || c == routing.Complaint
}

// countComplaint raises the complaint's alert; a repeat of the task finds
// the same alert.
func (h *HandoffHandler) countComplaint(ctx context.Context, q *store.Inquiry) error {
	a := &store.Alert{
		DedupeKey:  fmt.Sprintf("complaint:inquiry:%d", q.ID),
		Kind:       intake.AlertKindComplaint,
		Severity:   "info",
		Subject:    "Complaint " + q.Reference + ": " + q.Subject,
		Detail:     "from " + q.ContactEmail,
		CustomerID: q.CustomerID,
	}
	_, _, err := h.st.CreateAlert(ctx, a)
	return err
}

// TriageHandler answers inquiry:triage: it mails the inquiry to the
// triage address with one signed, expiring link per category
// (BaseURL/triage/{inquiry_id}/{category}?sig=...&exp=...). The web role
// verifies the link (link.Signer.VerifyValues with link.TriageAction, the
// inquiry id and the category) and calls intake's ApplyTriageDecision.
type TriageHandler struct{ inquiryMail }

// NewTriageHandler returns the inquiry:triage handler.
func NewTriageHandler(d InquiryDeps, o InquiryOptions) (*TriageHandler, error) {
	return newInquiryHandler[TriageHandler](d, o)
}

// ProcessTask handles one inquiry:triage task.
func (h *TriageHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseInquiryTriagePayload(t.Payload())
	cm, err := loadTaskMail(ctx, h.st, p.InquiryID, err)
	if err != nil {
		return err
	}
	q := cm.inquiry
	// The expiry is fixed by the inquiry, not by when the task runs, so a
	// retried task renders the same links.
	expires := q.CreatedAt.Add(h.opts.TriageLinkTTL).Truncate(time.Second)
	from := q.ContactEmail
	if cm.parsed.FromName != "" {
		from = cm.parsed.FromName + " <" + q.ContactEmail + ">"
	}
	data := mailer.TriageData{
		Reference:   q.Reference,
		From:        from,
		Subject:     cm.parsed.Subject,
		Body:        cm.body(),
		ReceivedAt:  cm.receivedAt(),
		Suggested:   q.Category,
		Confidence:  q.Confidence,
		InquiryURL:  h.url("/desk/inquiries/%d", q.ID),
		LinksExpire: expires,
	}
	for _, c := range routing.Categories() {
		data.Links = append(data.Links, mailer.CategoryLink{Category: string(c), URL: h.opts.Links.TriageURL(h.BaseURL, q.ID, string(c), expires)})
	}
	o := &store.OutboundEmail{IdempotencyKey: intake.TriageKey(q.ID), Kind: intake.KindTriage, InquiryID: q.ID,
		To: []string{h.opts.TriageAddress}}
	if err := h.queue(ctx, "triage", data, o); err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "inquiry sent to triage", "inquiry_id", q.ID, "reason", p.Reason, "suggested", q.Category,
		"confidence", q.Confidence)
	return nil
}

// UnsubscribeHandler answers customer:unsubscribe: it puts the sender's
// address on the suppression list (reason "unsubscribe"), so it gets no
// more follow-ups, status-change mails or digests, and sends one
// confirmation.
//
// The account itself is opted out only when the sender is its only
// contact: one buyer unsubscribing must not silence the account's other
// contacts. An address that is no account's contact is suppressed all the
// same.
type UnsubscribeHandler struct{ inquiryMail }

// SuppressionReasonUnsubscribe is the reason recorded for an address that
// asked by mail to be unsubscribed.
const SuppressionReasonUnsubscribe = "unsubscribe"

// NewUnsubscribeHandler returns the customer:unsubscribe handler.
func NewUnsubscribeHandler(d InquiryDeps, o InquiryOptions) (*UnsubscribeHandler, error) {
	return newInquiryHandler[UnsubscribeHandler](d, o)
}

// ProcessTask handles one customer:unsubscribe task.
func (h *UnsubscribeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseCustomerUnsubscribePayload(t.Payload())
	if err != nil {
		return err
	}
	email := strings.ToLower(p.Email)
	created, err := h.st.Suppress(ctx, email, SuppressionReasonUnsubscribe, p.InquiryID)
	if err != nil {
		return err
	}
	if created {
		h.Logger.InfoContext(ctx, "address suppressed", "inquiry_id", p.InquiryID, "reason", SuppressionReasonUnsubscribe)
	}
	if err := h.optOutSoleContact(ctx, email, p.InquiryID); err != nil {
		return err
	}

	o := &store.OutboundEmail{IdempotencyKey: intake.UnsubscribeKey(p.InquiryID, email), Kind: intake.KindUnsubscribeConfirm,
		InquiryID: p.InquiryID, To: []string{email}}
	name, err := recordedName(ctx, h.st, email)
	if err != nil {
		return err
	}
	data := mailer.UnsubscribeConfirmData{Email: email, CustomerName: name}
	var language string
	if p.InquiryID > 0 {
		cm, err := loadCustomerMail(ctx, h.st, p.InquiryID)
		if err != nil {
			return err
		}
		cm.reply(o)
		data.Reference, data.Subject = cm.inquiry.Reference, cm.parsed.Subject
		language = cm.inquiry.Language
	}
	return h.queueIn(ctx, "unsubscribe_confirm", language, data, o)
}

// optOutSoleContact opts the account of email out when email is that
// account's only contact; an account with other contacts keeps getting
// proactive mail at their addresses.
func (h *UnsubscribeHandler) optOutSoleContact(ctx context.Context, email string, inquiryID int64) error {
	contact, err := h.st.ContactByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	contacts, err := h.st.ContactsForCustomer(ctx, contact.CustomerID)
	if err != nil {
		return err
	}
	if len(contacts) != 1 || contacts[0].ID != contact.ID {
		return nil
	}
	if err := h.st.SetCustomerOptOut(ctx, contact.CustomerID, true); err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "customer opted out", "customer_id", contact.CustomerID, "inquiry_id", inquiryID)
	return nil
}
