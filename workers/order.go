package workers

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
	"salesdesk/internal/intake"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/order"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Outbound mail kinds the order handlers write.
const (
	KindOrderStatus         = "order_status"
	KindOrderStatusNeutral  = "order_status_neutral"
	KindOrderUnknown        = "order_unknown"
	KindOrderRequestConfirm = "order_request_confirm"
	KindOrderRequestNotify  = "order_request_notify"
	KindOrderFollowup       = "order_followup"
)

// Alert kinds the order handlers raise when someone asks about, or asks
// to change, an order that is not on their account.
const (
	AlertKindForeignOrderLookup  = "foreign_order_lookup"
	AlertKindForeignOrderRequest = "foreign_order_request"
)

// Idempotency keys of the order mails about one inquiry. A status answer
// about several open orders sends one mail per order: the first under
// OrderStatusKey(id), the others under OrderStatusKey(id)+":"+order id.
func OrderStatusKey(inquiryID int64) string { return fmt.Sprintf("order_status:%d", inquiryID) }

// OrderRequestConfirmKey is the idempotency key of the confirmation of an
// order request to the customer.
func OrderRequestConfirmKey(inquiryID int64) string {
	return fmt.Sprintf("order_request_confirm:%d", inquiryID)
}

// OrderRequestNotifyKey is the idempotency key of the notification of an
// order request to one recipient ("owner" or "operations").
func OrderRequestNotifyKey(inquiryID int64, who string) string {
	return fmt.Sprintf("order_request_notify:%d:%s", inquiryID, who)
}

// ForeignOrderAlertKey is the dedupe key of the alert raised when sender
// asks about an order not on their account: one alert per order, sender
// and day, counting repeats.
func ForeignOrderAlertKey(kind string, orderID int64, sender string, day time.Time) string {
	return fmt.Sprintf("%s:%d:%s:%s", kind, orderID, strings.ToLower(sender), day.UTC().Format("2006-01-02"))
}

// maxRequestWords caps the customer's words stored on an order request.
const maxRequestWords = 4000

// OrderStore is what the order handlers read and write; *store.Store
// implements it.
type OrderStore interface {
	order.LookupStore
	order.FollowupStore
	mailReader
	repReader
	CreateAlert(ctx context.Context, a *store.Alert) (int64, bool, error)
	CreateOrderRequest(ctx context.Context, r *store.OrderRequest) (int64, bool, error)
	OrderHistory(ctx context.Context, orderID int64) ([]store.OrderStatusChange, error)
	SetInquiryStatus(ctx context.Context, id int64, status string) error
	ListInquiries(ctx context.Context, f store.InquiryFilter) ([]store.Inquiry, error)
}

// OrderOptions configure the order handlers.
type OrderOptions struct {
	// OperationsAddress is told about every change and rush request.
	// Required.
	OperationsAddress string
	// TeamAddress gets the request notification instead of the owner rep
	// when the account has no owner or the owner is away; "" leaves it to
	// operations alone.
	TeamAddress string
	// FormatHint shows customers what an order number looks like, e.g.
	// "SO-123456", when we could not find theirs.
	FormatHint string
	// Hours are when the order team works, as customers read them, e.g.
	// "Mon-Fri 08:00-17:00 CET"; "" leaves them out of confirmations.
	Hours string
	// Followup are the thresholds of orders:followup_scan.
	Followup order.FollowupOptions
	// Links signs the one-click done/rejected links of request mails;
	// nil (or no BaseURL) leaves them out.
	Links *link.Signer
}

// OrderDeps are the order handlers' collaborators.
type OrderDeps struct {
	Desk
	Store OrderStore // required
}

// orderDesk is what every order handler shares.
type orderDesk struct {
	Desk
	st   OrderStore
	opts OrderOptions
}

func newOrderDesk(d OrderDeps, o OrderOptions) (orderDesk, error) {
	desk, err := d.Desk.ready("order")
	switch {
	case err != nil:
		return orderDesk{}, err
	case d.Store == nil:
		return orderDesk{}, errNoStore("order")
	case o.OperationsAddress == "":
		return orderDesk{}, errors.New("workers: order handlers need an operations address")
	}
	return orderDesk{Desk: desk, st: d.Store, opts: o}, nil
}

// alertForeign records that sender asked about (or to change) an order of
// another account.
func (h orderDesk) alertForeign(ctx context.Context, kind string, oi *customerMail, o *store.Order) error {
	a := h.foreignAlert(kind, oi, o)
	if _, _, err := h.st.CreateAlert(ctx, a); err != nil {
		return err
	}
	h.logForeign(ctx, oi, o, a)
	return nil
}

// foreignAlert is the alert alertForeign raises, not stored.
func (h orderDesk) foreignAlert(kind string, oi *customerMail, o *store.Order) *store.Alert {
	sender := oi.sender()
	what := "asked about"
	if kind == AlertKindForeignOrderRequest {
		what = "asked to change"
	}
	return &store.Alert{
		DedupeKey:  ForeignOrderAlertKey(kind, o.ID, sender, h.Clock.Now()),
		Kind:       kind,
		Severity:   "warning",
		Subject:    fmt.Sprintf("%s %s order %s of another account", sender, what, o.Number),
		Detail:     fmt.Sprintf("Inquiry %s from %s named order %s, which belongs to customer %d. The sender got a neutral answer.", oi.inquiry.Reference, sender, o.Number, o.CustomerID),
		CustomerID: o.CustomerID,
	}
}

// logForeign logs alert a about order o (its id is 0 before it is stored).
func (h orderDesk) logForeign(ctx context.Context, oi *customerMail, o *store.Order, a *store.Alert) {
	h.Logger.WarnContext(ctx, "order asked about by an address not on its account", "inquiry_id", oi.inquiry.ID,
		"order_id", o.ID, "alert_id", a.ID, "alert_kind", a.Kind)
}

// lastLanguage is the language of the latest mail from address, for a
// mail we send unasked; "" (English) when none was detected.
func (h orderDesk) lastLanguage(ctx context.Context, address string) (string, error) {
	qs, err := h.st.ListInquiries(ctx, store.InquiryFilter{ContactEmail: address, Limit: 1})
	if err != nil || len(qs) == 0 {
		return "", err
	}
	return qs[0].Language, nil
}

// resolve loads the inquiry an order task names and finds the order it
// asks about. parseErr is the error of parsing the task's payload,
// returned as it is.
func (h orderDesk) resolve(ctx context.Context, inquiryID int64, number string, parseErr error) (*customerMail, order.Answer, error) {
	oi, err := loadTaskMail(ctx, h.st, inquiryID, parseErr)
	if err != nil {
		return nil, order.Answer{}, err
	}
	a, err := order.Resolve(ctx, h.st, oi.sender(), number)
	return oi, a, err
}

// unknown tells the sender that none of numbers is an order of this
// address, or asks for the number when there are none. Unknown numbers and
// other accounts' orders get the same words (kind differs only in our
// records): nothing tells a stranger whether an order exists.
func (h orderDesk) unknown(ctx context.Context, oi *customerMail, key, kind string, numbers []string, signer mailer.Signer) error {
	o, err := h.unknownMail(ctx, oi, key, kind, numbers, signer)
	if o == nil || err != nil {
		return err
	}
	return h.Outbox.QueueMail(ctx, o)
}

// unknownMail is the mail unknown queues, rendered but not stored; nil
// when the mail came from no address we can answer.
func (h orderDesk) unknownMail(ctx context.Context, oi *customerMail, key, kind string, numbers []string, signer mailer.Signer) (*store.OutboundEmail, error) {
	to := oi.sender()
	if to == "" {
		return nil, nil
	}
	o := &store.OutboundEmail{IdempotencyKey: key, Kind: kind, To: []string{to}}
	oi.thread(o)
	name, err := recordedName(ctx, h.st, to)
	if err != nil {
		return nil, err
	}
	data := mailer.OrderUnknownData{CustomerName: name, Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, OrderNumbers: numbers, FormatHint: h.opts.FormatHint, Signer: signer}
	if err := h.render("order_unknown", oi.inquiry.Language, data, o); err != nil {
		return nil, err
	}
	return o, nil
}

// signer is who signs a mail to contact: their account's owner rep when
// they can take it, else the team (the zero Signer).
func (h orderDesk) signer(ctx context.Context, contact *store.Contact) mailer.Signer {
	if contact == nil {
		return mailer.Signer{}
	}
	c, err := h.st.Customer(ctx, contact.CustomerID)
	if err != nil {
		return mailer.Signer{}
	}
	return repSigner(h.availableOwner(ctx, h.st, c))
}

// orderState is an order as a status mail shows it at now: the expected
// date only while the order is open and the date is not past (a late
// order's mail says so itself), and the latest status note.
func orderState(o store.Order, note string, now time.Time) mailer.OrderState {
	d := mailer.OrderState{OrderNumber: o.Number, Status: order.StatusWords(o.Status), TrackingURL: o.TrackingURL, Carrier: o.Carrier, Note: note}
	if store.IsOpenOrderStatus(o.Status) && !o.PromisedDate.IsZero() && !dayBefore(o.PromisedDate, now) {
		d.ExpectedAt = o.PromisedDate
	}
	for _, it := range o.Items {
		d.Items = append(d.Items, mailer.OrderItem{SKU: it.SKU, Description: it.Description, Quantity: it.Quantity})
	}
	return d
}

// dayBefore reports whether the calendar date d (UTC midnight) is before
// the day of now.
func dayBefore(d, now time.Time) bool {
	y, m, day := now.UTC().Date()
	return d.Before(time.Date(y, m, day, 0, 0, 0, 0, time.UTC))
}

// latestNote is the note of the order's latest status change, "" when
// none; a history that cannot be read leaves the note out.
func (h orderDesk) latestNote(ctx context.Context, orderID int64) string {
	hist, err := h.st.OrderHistory(ctx, orderID)
	if err != nil || len(hist) == 0 {
		return ""
	}
	return hist[len(hist)-1].Note
}

// newOrderHandler builds one of the order handlers that answer an
// inquiry, which differ only in what their tasks do.
func newOrderHandler[H ~struct{ orderDesk }](d OrderDeps, o OrderOptions) (*H, error) {
	m, err := newOrderDesk(d, o)
	if err != nil {
		return nil, err
	}
	return &H{m}, nil
}

// OrderStatusHandler answers order:status_reply with one mail: the
// status, items, expected date and tracking link of every order of the
// sender's account the mail named (or, naming none, of the account's most
// recent open orders, at most order.MaxStatusOrders), threaded onto their
// mail. Order numbers the mail named that are not on the sender's account
// are listed as not found, in the same words whether or not they exist;
// naming another account's order raises an alert of kind
// AlertKindForeignOrderLookup. With nothing to show, the sender is asked
// for the right number (order_unknown).
type OrderStatusHandler struct{ orderDesk }

// NewOrderStatusHandler returns the order:status_reply handler.
func NewOrderStatusHandler(d OrderDeps, o OrderOptions) (*OrderStatusHandler, error) {
	return newOrderHandler[OrderStatusHandler](d, o)
}

// ProcessTask handles one order:status_reply task: the answer of an
// inquiry whose intake did not write it (intake.Deps.Answers unset, or
// AnswerMail failed there), and the tasks of older builds. An inquiry
// already answered (by intake, or an earlier run) is left as it is.
func (h *OrderStatusHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseOrderStatusReplyPayload(t.Payload())
	oi, err := loadTaskMail(ctx, h.st, p.InquiryID, err)
	if err != nil {
		return err
	}
	if oi.inquiry.Status == store.InquiryAnswered {
		h.Logger.InfoContext(ctx, "order status already answered", "inquiry_id", oi.inquiry.ID)
		return nil
	}
	a, err := h.answer(ctx, oi, p)
	if err != nil {
		return err
	}
	for i, alert := range a.alerts {
		if _, _, err := h.st.CreateAlert(ctx, alert); err != nil {
			return err
		}
		h.logForeign(ctx, oi, &a.foreign[i], alert)
	}
	if a.mail != nil {
		if err := h.Outbox.QueueMail(ctx, a.mail); err != nil {
			return err
		}
	}
	a.log.InfoContext(ctx, "order status answered")
	if err := h.st.SetInquiryStatus(ctx, oi.inquiry.ID, store.InquiryAnswered); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// AnswerMail renders the answer of r.Task, an order:status_reply task,
// from what intake has in hand, not stored: the mail, the alerts about
// other accounts' orders, and the inquiry answered. ProcessTask builds
// the same rows; intake stores these with the mail's outcome.
func (h *OrderStatusHandler) AnswerMail(ctx context.Context, r intake.AnswerRequest) (*intake.Answer, error) {
	p, err := tasks.ParseOrderStatusReplyPayload(r.Task.Payload())
	if err != nil {
		return nil, err
	}
	oi := &customerMail{inquiry: r.Inquiry, parsed: r.Parsed, messageID: r.Parsed.MessageID}
	a, err := h.answer(ctx, oi, p)
	if err != nil {
		return nil, err
	}
	for i, alert := range a.alerts {
		h.logForeign(ctx, oi, &a.foreign[i], alert)
	}
	ans := &intake.Answer{Alerts: a.alerts, Answered: true}
	if a.mail != nil {
		ans.Outbound = []*store.OutboundEmail{a.mail}
	}
	a.log.InfoContext(ctx, "order status answered")
	return ans, nil
}

// statusAnswer is the answer to one order:status_reply, not stored.
type statusAnswer struct {
	mail    *store.OutboundEmail // nil: no address to answer
	alerts  []*store.Alert       // one per order of foreign
	foreign []store.Order
	log     *slog.Logger
}

// answer builds the answer to the order-status question of oi: the one
// place its content is decided.
func (h *OrderStatusHandler) answer(ctx context.Context, oi *customerMail, p tasks.OrderStatusReplyPayload) (statusAnswer, error) {
	numbers := p.OrderNumbers
	if len(numbers) == 0 && p.OrderNumber != "" {
		numbers = []string{p.OrderNumber}
	}
	n, err := order.ResolveNamed(ctx, h.st, oi.sender(), numbers, p.Codes)
	if err != nil {
		return statusAnswer{}, err
	}
	a := statusAnswer{foreign: n.Foreign}
	for i := range n.Foreign {
		a.alerts = append(a.alerts, h.foreignAlert(AlertKindForeignOrderLookup, oi, &n.Foreign[i]))
	}
	a.log = h.Logger.With("inquiry_id", oi.inquiry.ID, "outcome", n.Outcome().String(), "orders", len(n.Visible),
		"not_found", len(n.NotFound), "foreign", len(n.Foreign))
	signer := h.signer(ctx, n.Contact)
	key := OrderStatusKey(oi.inquiry.ID)
	if len(n.Visible) == 0 {
		kind := KindOrderUnknown
		if len(n.Foreign) > 0 {
			kind = KindOrderStatusNeutral
		}
		a.mail, err = h.unknownMail(ctx, oi, key, kind, n.NotFound, signer)
		return a, err
	}
	// To the contact's own address, never one taken from the mail.
	a.mail = &store.OutboundEmail{IdempotencyKey: key, Kind: KindOrderStatus, To: []string{n.Contact.Email}}
	oi.thread(a.mail)
	data := mailer.OrderStatusData{CustomerName: contactName(n.Contact, ""), Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, NotFound: n.NotFound, FormatHint: h.opts.FormatHint, Signer: signer}
	now := h.Clock.Now()
	for _, o := range n.Visible {
		data.Orders = append(data.Orders, orderState(o, h.latestNote(ctx, o.ID), now))
	}
	if err := h.render("order_status", oi.inquiry.Language, data, a.mail); err != nil {
		return statusAnswer{}, err
	}
	return a, nil
}

// OrderRequestHandler answers order:request. A change or rush request
// from a contact about one order of their account (named, or their only
// open order) is recorded on the order with the customer's words (one
// request per order and inquiry); the account's owner rep (or the team
// address) and operations are notified, and the customer gets a
// confirmation. A new order by mail (quantity lines and no order named)
// goes to operations (and the owner) with the items read from the mail,
// and the customer is told what happens next. Anything else asks the
// customer for the order number, in the same words whether or not a named
// order exists on another account (which raises an alert of kind
// AlertKindForeignOrderRequest).
type OrderRequestHandler struct{ orderDesk }

// NewOrderRequestHandler returns the order:request handler.
func NewOrderRequestHandler(d OrderDeps, o OrderOptions) (*OrderRequestHandler, error) {
	return newOrderHandler[OrderRequestHandler](d, o)
}

// ProcessTask handles one order:request task.
func (h *OrderRequestHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseOrderRequestPayload(t.Payload())
	oi, err := loadTaskMail(ctx, h.st, p.InquiryID, err)
	if err != nil {
		return err
	}
	var numbers []string
	if p.OrderNumber != "" {
		numbers = []string{p.OrderNumber}
	}
	n, err := order.ResolveNamed(ctx, h.st, oi.sender(), numbers, p.Codes)
	if err != nil {
		return err
	}
	for i := range n.Foreign {
		if err := h.alertForeign(ctx, AlertKindForeignOrderRequest, oi, &n.Foreign[i]); err != nil {
			return err
		}
	}
	words := oi.words()
	if words == "" {
		words = oi.parsed.Subject
	}
	ents := entity.ExtractText(oi.parsed.Subject, words, entity.Options{Now: oi.receivedAt(), Location: time.UTC})
	log := h.Logger.With("inquiry_id", oi.inquiry.ID, "orders", len(n.Visible), "named", n.Named, "items", len(ents.Items), "rush", p.Rush)
	signer := h.signer(ctx, n.Contact)
	switch {
	case !n.Named && len(ents.Items) > 0:
		return h.newOrder(ctx, oi, n.Contact, p.Rush, words, ents, signer)
	case len(n.Visible) != 1:
		// No order, or several open ones and the mail does not say which:
		// recording it on a guess could change the wrong order.
		log.InfoContext(ctx, "order request without a matching order")
		kind := KindOrderUnknown
		if len(n.Foreign) > 0 {
			kind = KindOrderStatusNeutral
		}
		return h.unknown(ctx, oi, OrderRequestConfirmKey(oi.inquiry.ID), kind, n.NotFound, signer)
	}
	o := n.Visible[0]
	kind := store.OrderRequestChange
	if p.Rush {
		kind = store.OrderRequestRush
	}
	req := &store.OrderRequest{OrderID: o.ID, InquiryID: oi.inquiry.ID, Kind: kind, Words: truncateRunes(words, maxRequestWords)}
	if _, _, err := h.st.CreateOrderRequest(ctx, req); err != nil {
		return err
	}
	summary := requestSummary(oi.parsed.Subject, words)
	requested := firstRequested(ents)
	customer, err := h.st.Customer(ctx, o.CustomerID)
	if err != nil {
		return err
	}
	notify := mailer.OrderRequestNotifyData{
		Reference: oi.inquiry.Reference, CustomerName: contactName(n.Contact, ""), CustomerEmail: n.Contact.Email,
		Company: customer.Name, OrderNumber: o.Number, OrderStatus: order.StatusWords(o.Status), Request: summary,
		Rush: p.Rush, RequestedDate: requested, Body: words,
	}
	notify.DoneURL, notify.RejectURL = h.requestLinks(req.ID)
	if err := h.notifyRequest(ctx, oi, customer, notify); err != nil {
		return err
	}
	confirm := &store.OutboundEmail{IdempotencyKey: OrderRequestConfirmKey(oi.inquiry.ID), Kind: KindOrderRequestConfirm,
		To: []string{n.Contact.Email}}
	oi.thread(confirm)
	data := mailer.OrderRequestConfirmData{CustomerName: notify.CustomerName, Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, OrderNumber: o.Number, Request: summary, Rush: p.Rush, RequestedDate: requested,
		Hours: h.opts.Hours, Signer: signer}
	if err := h.queueIn(ctx, "order_request_confirm", oi.inquiry.Language, data, confirm); err != nil {
		return err
	}
	log.InfoContext(ctx, "order request recorded", "order_id", o.ID, "request_id", req.ID, "kind", kind)
	return nil
}

// newOrder passes an order sent by mail to operations (and the account's
// owner) with its items, and tells the customer what happens next.
func (h *OrderRequestHandler) newOrder(ctx context.Context, oi *customerMail, contact *store.Contact, rush bool, words string, ents entity.Set, signer mailer.Signer) error {
	to := oi.sender()
	var customer *store.Customer
	if contact != nil {
		c, err := h.st.Customer(ctx, contact.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		customer = c
		to = contact.Email
	}
	items := mailItems(ents.Items)
	summary := requestSummary(oi.parsed.Subject, words)
	notify := mailer.OrderRequestNotifyData{
		Reference: oi.inquiry.Reference, CustomerName: contactName(contact, ""), CustomerEmail: to,
		Request: summary, Rush: rush, RequestedDate: firstRequested(ents), Body: words, Items: items,
	}
	if customer != nil {
		notify.Company = customer.Name
	}
	if err := h.notifyRequest(ctx, oi, customer, notify); err != nil {
		return err
	}
	if to == "" {
		return nil
	}
	confirm := &store.OutboundEmail{IdempotencyKey: OrderRequestConfirmKey(oi.inquiry.ID), Kind: KindOrderRequestConfirm, To: []string{to}}
	oi.thread(confirm)
	data := mailer.OrderRequestConfirmData{CustomerName: notify.CustomerName, Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, Request: summary, Rush: rush, RequestedDate: notify.RequestedDate, Items: items,
		Hours: h.opts.Hours, Signer: signer}
	if err := h.queueIn(ctx, "order_request_confirm", oi.inquiry.Language, data, confirm); err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "new order by mail passed to operations", "inquiry_id", oi.inquiry.ID, "items", len(items))
	return nil
}

// notifyRequest mails an order request to each of its recipients (the
// owner or team, and operations), Reply-To the customer.
func (h orderDesk) notifyRequest(ctx context.Context, oi *customerMail, customer *store.Customer, notify mailer.OrderRequestNotifyData) error {
	notify.InquiryURL = h.url("/desk/inquiries/%d", oi.inquiry.ID)
	for _, r := range h.requestRecipients(ctx, customer) {
		out := &store.OutboundEmail{IdempotencyKey: OrderRequestNotifyKey(oi.inquiry.ID, r.who), Kind: KindOrderRequestNotify,
			InquiryID: oi.inquiry.ID, To: []string{r.addr}, ReplyTo: notify.CustomerEmail}
		d := notify
		d.RecipientName = r.name
		if err := h.queue(ctx, "order_request_notify", d, out); err != nil {
			return err
		}
	}
	return nil
}

// firstRequested is the first date the mail asks for; zero when none.
func firstRequested(e entity.Set) time.Time {
	if len(e.RequestedTimes) > 0 {
		return e.RequestedTimes[0].Start
	}
	return time.Time{}
}

// mailItems are the items of a mail as order mails list them.
func mailItems(items []entity.Item) []mailer.OrderItem {
	out := make([]mailer.OrderItem, 0, len(items))
	for _, it := range items {
		out = append(out, mailer.OrderItem{SKU: it.Code, Description: it.Description, Quantity: it.Quantity})
	}
	return out
}

type recipient struct{ who, addr, name string }

// requestRecipients are the owner rep (or the team address when there is
// no owner who can take it now) and operations, each address once.
func (h orderDesk) requestRecipients(ctx context.Context, c *store.Customer) []recipient {
	var out []recipient
	if c == nil {
		return []recipient{{who: "operations", addr: h.opts.OperationsAddress}}
	}
	if rep := h.availableOwner(ctx, h.st, c); rep != nil {
		out = append(out, recipient{who: "owner", addr: rep.Email, name: rep.Name})
	} else if h.opts.TeamAddress != "" {
		out = append(out, recipient{who: "owner", addr: h.opts.TeamAddress})
	}
	if len(out) == 0 || !strings.EqualFold(out[0].addr, h.opts.OperationsAddress) {
		out = append(out, recipient{who: "operations", addr: h.opts.OperationsAddress})
	}
	return out
}

// requestSummary is one line saying what the customer asked: the first
// line of their words, else the subject.
func requestSummary(subject, words string) string {
	for line := range strings.SplitSeq(words, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || isGreeting(line) {
			continue
		}
		return truncateRunes(line, 200)
	}
	return truncateRunes(strings.TrimSpace(subject), 200)
}

// isGreeting reports a salutation line such as "Hi Tom," that says
// nothing about the request.
func isGreeting(line string) bool {
	l := strings.ToLower(line)
	if !strings.HasSuffix(l, ",") || len(l) > 40 {
		return false
	}
	for _, g := range []string{"hi", "hello", "dear", "hey", "good morning", "good afternoon", "guten tag", "hallo"} {
		if strings.HasPrefix(l, g) {
			return true
		}
	}
	return false
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// orderFollowups sends proactive order mails; the scan and the status
// notifier share it.
type orderFollowups struct{ orderDesk }

// send queues the mail for one follow-up under its key: the order's
// state now, with the latest status note, and an expected date only when
// it is still ahead.
func (h orderFollowups) send(ctx context.Context, f order.Followup) error {
	now := h.Clock.Now()
	state := orderState(f.Order, h.latestNote(ctx, f.Order.ID), now)
	data := mailer.OrderStatusData{CustomerName: contactName(&f.Contact, ""), Reference: f.Order.Number,
		Signer: h.signer(ctx, &f.Contact)}
	// The template says why we write, in the subject and the first
	// sentence, in the language the contact last wrote to us in.
	switch f.Reason {
	case order.ReasonLate:
		// The promised date is past: say so, and do not show it as the
		// expected date.
		state.ExpectedAt = time.Time{}
		data.Change, data.PromisedAt = mailer.ChangeLate, f.Order.PromisedDate
	case order.ReasonPending:
		state.Status = "received and still being checked"
		data.Change = mailer.ChangePending
	default:
		data.Change = mailer.ChangeStatus
	}
	data.Orders = []mailer.OrderState{state}
	language, err := h.lastLanguage(ctx, f.Contact.Email)
	if err != nil {
		return err
	}
	o := &store.OutboundEmail{IdempotencyKey: f.Key, Kind: KindOrderFollowup, To: []string{f.Contact.Email}}
	if err := h.queueIn(ctx, "order_status", language, data, o); err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "order follow-up queued", "order_id", f.Order.ID, "reason", string(f.Reason), "key", f.Key)
	return nil
}

// OrdersFollowupScanHandler answers orders:followup_scan: customers whose
// open orders are late against the promised date (plus grace) or pending
// longer than allowed get one mail per order, status and promised date
// (order.FollowupKey, backed by the outbound idempotency key). Opted-out
// accounts get nothing, and suppressed addresses are passed over for the
// account's next contact. The time comes from the injected clock.
type OrdersFollowupScanHandler struct{ orderFollowups }

// NewOrdersFollowupScanHandler returns the orders:followup_scan handler.
func NewOrdersFollowupScanHandler(d OrderDeps, o OrderOptions) (*OrdersFollowupScanHandler, error) {
	h, err := newOrderDesk(d, o)
	return &OrdersFollowupScanHandler{orderFollowups{h}}, err
}

// ProcessTask handles one orders:followup_scan task.
func (h *OrdersFollowupScanHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if _, err := tasks.ParseOrdersFollowupScanPayload(t.Payload()); err != nil {
		return err
	}
	res, err := order.Scan(ctx, h.st, h.Clock.Now(), h.opts.Followup, h.send)
	if err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "order follow-up scan", "checked", res.Checked, "due", res.Due, "sent", res.Sent,
		"opted_out", res.OptedOut, "no_contact", res.NoContact, "suppressed", res.Suppressed, "already_sent", res.AlreadySent)
	return nil
}

// OrderStatusNotifier tells a customer that their order's status changed
// (through the API or an import), once per order, status and promised
// date, unless the account opted out or every contact is suppressed. Its OnOrderStatusChanged method is
// the API's hook of the same name.
type OrderStatusNotifier struct{ orderFollowups }

// NewOrderStatusNotifier returns the status-change notifier.
func NewOrderStatusNotifier(d OrderDeps, o OrderOptions) (*OrderStatusNotifier, error) {
	h, err := newOrderDesk(d, o)
	return &OrderStatusNotifier{orderFollowups{h}}, err
}

// OnOrderStatusChanged queues the status mail for the order's new status.
// Opted-out accounts, accounts without a contact or with every contact
// suppressed, and states already mailed are not errors.
func (n *OrderStatusNotifier) OnOrderStatusChanged(ctx context.Context, orderID int64, from, to string) error {
	f, err := order.StatusFollowup(ctx, n.st, orderID)
	switch {
	case errors.Is(err, order.ErrOptedOut), errors.Is(err, order.ErrNoContact), errors.Is(err, order.ErrSuppressed),
		errors.Is(err, order.ErrAlreadySent):
		n.Logger.InfoContext(ctx, "order status change not mailed", "order_id", orderID, "from", from, "to", to, "why", err.Error())
		return nil
	case err != nil:
		return fmt.Errorf("order status mail for order %d: %w", orderID, err)
	}
	return n.send(ctx, f)
}

// OrderAccountSummary turns an account context into the account block of
// the hand-off mail. The template has no field for an order's history, so
// each order's status line carries it ("shipped (confirmed 3 Mar, shipped
// 5 Mar)"), and its pending requests follow.
func OrderAccountSummary(s order.Summary) mailer.AccountSummary {
	a := mailer.AccountSummary{Company: s.Customer.Name}
	if s.Owner != nil {
		a.OwnerRep = s.Owner.Name
	}
	for _, oc := range s.Orders {
		o := oc.Order
		status := order.StatusWords(o.Status)
		var steps []string
		for _, h := range oc.History {
			step := fmt.Sprintf("%s %s", h.Status, h.ChangedAt.Format("2 Jan"))
			if h.Note != "" {
				step += ": " + h.Note
			}
			steps = append(steps, step)
		}
		if len(steps) > 0 {
			status += " (" + strings.Join(steps, ", ") + ")"
		}
		for _, r := range oc.Requests {
			if r.Status == store.OrderRequestPending {
				status += fmt.Sprintf("; pending %s request: %q", r.Kind, truncateRunes(requestSummary("", r.Words), 80))
			}
		}
		expected := o.PromisedDate
		if !store.IsOpenOrderStatus(o.Status) {
			expected = time.Time{}
		}
		a.OpenOrders = append(a.OpenOrders, mailer.OrderSummary{Number: o.Number, Status: status,
			Total: money(o.Currency, o.AmountCents), ExpectedAt: expected})
	}
	for _, q := range s.Inquiries {
		a.PastInquiries = append(a.PastInquiries, mailer.InquirySummary{Reference: q.Reference, Category: q.Category,
			Subject: q.Subject, Status: q.Status, ReceivedAt: q.CreatedAt})
	}
	return a
}
