package workers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hibiken/asynq"

	"salesdesk/internal/entity"
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
	SetInquiryStatus(ctx context.Context, id int64, status string) error
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
	// Followup are the thresholds of orders:followup_scan.
	Followup order.FollowupOptions
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
	sender := oi.sender()
	what := "asked about"
	if kind == AlertKindForeignOrderRequest {
		what = "asked to change"
	}
	a := &store.Alert{
		DedupeKey:  ForeignOrderAlertKey(kind, o.ID, sender, h.Clock.Now()),
		Kind:       kind,
		Severity:   "warning",
		Subject:    fmt.Sprintf("%s %s order %s of another account", sender, what, o.Number),
		Detail:     fmt.Sprintf("Inquiry %s from %s named order %s, which belongs to customer %d. The sender got a neutral answer.", oi.inquiry.Reference, sender, o.Number, o.CustomerID),
		CustomerID: o.CustomerID,
	}
	if _, _, err := h.st.CreateAlert(ctx, a); err != nil {
		return err
	}
	h.Logger.WarnContext(ctx, "order asked about by an address not on its account", "inquiry_id", oi.inquiry.ID,
		"order_id", o.ID, "alert_id", a.ID, "alert_kind", kind)
	return nil
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

// foreign answers a question about another account's order: an alert of
// kind, and a neutral answer under key without any order detail.
func (h orderDesk) foreign(ctx context.Context, kind, key string, oi *customerMail, a order.Answer) error {
	if err := h.alertForeign(ctx, kind, oi, a.Foreign); err != nil {
		return err
	}
	to := oi.sender()
	if to == "" {
		return nil
	}
	o := &store.OutboundEmail{IdempotencyKey: key, Kind: KindOrderStatusNeutral, To: []string{to}}
	oi.thread(o)
	data := mailer.OrderStatusNeutralData{CustomerName: oi.parsed.FromName, Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, OrderNumber: a.Number}
	return h.queue(ctx, "order_status_neutral", data, o)
}

// unknown asks the customer for the order number.
func (h orderDesk) unknown(ctx context.Context, oi *customerMail, key, number string) error {
	to := oi.sender()
	if to == "" {
		return nil
	}
	o := &store.OutboundEmail{IdempotencyKey: key, Kind: KindOrderUnknown, To: []string{to}}
	oi.thread(o)
	data := mailer.OrderUnknownData{CustomerName: oi.parsed.FromName, Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, OrderNumber: number, FormatHint: h.opts.FormatHint}
	return h.queue(ctx, "order_unknown", data, o)
}

// statusData is an order's status as the order_status template shows it.
func statusData(o store.Order) mailer.OrderStatusData {
	d := mailer.OrderStatusData{OrderNumber: o.Number, Status: order.StatusWords(o.Status), TrackingURL: o.TrackingURL}
	if store.IsOpenOrderStatus(o.Status) {
		d.ExpectedAt = o.PromisedDate
	}
	for _, it := range o.Items {
		d.Items = append(d.Items, mailer.OrderItem{SKU: it.SKU, Description: it.Description, Quantity: it.Quantity})
	}
	return d
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

// OrderStatusHandler answers order:status_reply. A contact of the order's
// account gets the status of the order the mail named, or of their
// account's most recent open orders (one mail each, at most
// order.MaxStatusOrders): status, items, expected date and tracking link,
// threaded onto their mail. Anyone else asking about an existing order
// gets the neutral answer and raises an alert of kind
// AlertKindForeignOrderLookup; an unknown number gets a request for the
// right one.
type OrderStatusHandler struct{ orderDesk }

// NewOrderStatusHandler returns the order:status_reply handler.
func NewOrderStatusHandler(d OrderDeps, o OrderOptions) (*OrderStatusHandler, error) {
	return newOrderHandler[OrderStatusHandler](d, o)
}

// ProcessTask handles one order:status_reply task.
func (h *OrderStatusHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseOrderStatusReplyPayload(t.Payload())
	oi, a, err := h.resolve(ctx, p.InquiryID, p.OrderNumber, err)
	if err != nil {
		return err
	}
	log := h.Logger.With("inquiry_id", oi.inquiry.ID, "outcome", a.Outcome.String())
	switch a.Outcome {
	case order.OutcomeNeutral:
		if err := h.foreign(ctx, AlertKindForeignOrderLookup, OrderStatusKey(oi.inquiry.ID), oi, a); err != nil {
			return err
		}
		log.InfoContext(ctx, "order status: neutral answer")
		return nil
	case order.OutcomeUnknown:
		if err := h.unknown(ctx, oi, OrderStatusKey(oi.inquiry.ID), a.Number); err != nil {
			return err
		}
	default:
		for i, o := range a.Orders {
			key := OrderStatusKey(oi.inquiry.ID)
			if i > 0 {
				key = fmt.Sprintf("%s:%d", key, o.ID)
			}
			// To the contact's own address, never one taken from the mail.
			out := &store.OutboundEmail{IdempotencyKey: key, Kind: KindOrderStatus, To: []string{a.Contact.Email}}
			oi.thread(out)
			data := statusData(o)
			data.CustomerName = contactName(a.Contact, oi.parsed.FromName)
			data.Reference, data.Subject = oi.inquiry.Reference, oi.parsed.Subject
			if err := h.queueIn(ctx, "order_status", oi.inquiry.Language, data, out); err != nil {
				return err
			}
			log.InfoContext(ctx, "order status answered", "order_id", o.ID, "status", o.Status)
		}
	}
	if err := h.st.SetInquiryStatus(ctx, oi.inquiry.ID, store.InquiryAnswered); err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}

// OrderRequestHandler answers order:request: a change or rush request
// from a contact of the order's account is recorded on the order with the
// customer's words (one request per order and inquiry), the account's
// owner rep (or the team address) and operations are notified, and the
// customer gets a confirmation. A request about another account's order
// gets the neutral answer and raises an alert of kind
// AlertKindForeignOrderRequest; a request that names no order we can
// match asks the customer for the number.
type OrderRequestHandler struct{ orderDesk }

// NewOrderRequestHandler returns the order:request handler.
func NewOrderRequestHandler(d OrderDeps, o OrderOptions) (*OrderRequestHandler, error) {
	return newOrderHandler[OrderRequestHandler](d, o)
}

// ProcessTask handles one order:request task.
func (h *OrderRequestHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseOrderRequestPayload(t.Payload())
	oi, a, err := h.resolve(ctx, p.InquiryID, p.OrderNumber, err)
	if err != nil {
		return err
	}
	log := h.Logger.With("inquiry_id", oi.inquiry.ID, "outcome", a.Outcome.String(), "rush", p.Rush)
	switch {
	case a.Outcome == order.OutcomeNeutral:
		return h.foreign(ctx, AlertKindForeignOrderRequest, OrderRequestConfirmKey(oi.inquiry.ID), oi, a)
	case a.Outcome == order.OutcomeUnknown || len(a.Orders) != 1:
		// No order, or several open ones and the mail does not say which:
		// recording it on a guess could change the wrong order.
		log.InfoContext(ctx, "order request without a matching order", "open_orders", len(a.Orders))
		return h.unknown(ctx, oi, OrderRequestConfirmKey(oi.inquiry.ID), a.Number)
	}
	o := a.Orders[0]
	kind := store.OrderRequestChange
	if p.Rush {
		kind = store.OrderRequestRush
	}
	words := oi.words()
	if words == "" {
		words = oi.parsed.Subject
	}
	req := &store.OrderRequest{OrderID: o.ID, InquiryID: oi.inquiry.ID, Kind: kind, Words: truncateRunes(words, maxRequestWords)}
	if _, _, err := h.st.CreateOrderRequest(ctx, req); err != nil {
		return err
	}
	summary := requestSummary(oi.parsed.Subject, words)
	ents := entity.ExtractText(oi.parsed.Subject, words, entity.Options{Now: oi.receivedAt(), Location: time.UTC})
	var requested time.Time
	if len(ents.RequestedTimes) > 0 {
		requested = ents.RequestedTimes[0].Start
	}
	customer, err := h.st.Customer(ctx, o.CustomerID)
	if err != nil {
		return err
	}
	notify := mailer.OrderRequestNotifyData{
		Reference: oi.inquiry.Reference, CustomerName: contactName(a.Contact, oi.parsed.FromName), CustomerEmail: a.Contact.Email,
		Company: customer.Name, OrderNumber: o.Number, OrderStatus: order.StatusWords(o.Status), Request: summary,
		Rush: p.Rush, RequestedDate: requested, Body: words,
	}
	notify.InquiryURL = h.url("/api/v1/inquiries/%d", oi.inquiry.ID)
	for _, r := range h.requestRecipients(ctx, customer) {
		out := &store.OutboundEmail{IdempotencyKey: OrderRequestNotifyKey(oi.inquiry.ID, r.who), Kind: KindOrderRequestNotify,
			InquiryID: oi.inquiry.ID, To: []string{r.addr}, ReplyTo: a.Contact.Email}
		d := notify
		d.RecipientName = r.name
		if err := h.queue(ctx, "order_request_notify", d, out); err != nil {
			return err
		}
	}
	confirm := &store.OutboundEmail{IdempotencyKey: OrderRequestConfirmKey(oi.inquiry.ID), Kind: KindOrderRequestConfirm,
		To: []string{a.Contact.Email}}
	oi.thread(confirm)
	data := mailer.OrderRequestConfirmData{CustomerName: notify.CustomerName, Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, OrderNumber: o.Number, Request: summary, Rush: p.Rush, RequestedDate: requested}
	if err := h.queue(ctx, "order_request_confirm", data, confirm); err != nil {
		return err
	}
	log.InfoContext(ctx, "order request recorded", "order_id", o.ID, "request_id", req.ID, "kind", kind)
	return nil
}

type recipient struct{ who, addr, name string }

// requestRecipients are the owner rep (or the team address when there is
// no owner who can take it now) and operations, each address once.
func (h orderDesk) requestRecipients(ctx context.Context, c *store.Customer) []recipient {
	var out []recipient
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

// send queues the mail for one follow-up under its key.
func (h orderFollowups) send(ctx context.Context, f order.Followup) error {
	data := statusData(f.Order)
	data.CustomerName = contactName(&f.Contact, "")
	data.Reference = f.Order.Number
	var subject string
	switch f.Reason {
	case order.ReasonLate:
		// The promised date is past: say so, and do not show it as the
		// expected date.
		data.ExpectedAt = time.Time{}
		data.Status = fmt.Sprintf("%s, later than the %s we promised; we are on it and will let you know the new date",
			order.StatusWords(f.Order.Status), f.Order.PromisedDate.Format("2 January 2006"))
		subject = fmt.Sprintf("Your order %s is running late", f.Order.Number)
	case order.ReasonPending:
		data.Status = "received and still being checked; we will confirm it shortly"
		subject = fmt.Sprintf("Your order %s: still being checked", f.Order.Number)
	default:
		subject = fmt.Sprintf("Your order %s: %s", f.Order.Number, order.StatusWords(f.Order.Status))
	}
	data.Subject = subject
	o := &store.OutboundEmail{IdempotencyKey: f.Key, Kind: KindOrderFollowup, To: []string{f.Contact.Email},
		Subject: mailer.SubjectWithReference(subject, f.Order.Number)}
	if err := h.queue(ctx, "order_status", data, o); err != nil {
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
