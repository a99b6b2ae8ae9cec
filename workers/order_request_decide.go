package workers

import (
	"context"
	"errors"
	"fmt"
	"time"

	"salesdesk/internal/mailer"
	"salesdesk/internal/store"
)

// KindOrderRequestDecided is the outbound kind of the mail that tells a
// customer their order request was done or rejected.
const KindOrderRequestDecided = "order_request_decided"

// OrderRequestDecidedKey is the idempotency key of that mail: one per
// request.
func OrderRequestDecidedKey(requestID int64) string {
	return fmt.Sprintf("order_request_decided:%d", requestID)
}

// OrderRequestDecisionStore is what the decider reads and writes;
// *store.Store implements it.
type OrderRequestDecisionStore interface {
	OrderStore
	DecideOrderRequest(ctx context.Context, id int64, status, note, by string) (*store.OrderRequest, bool, error)
}

// AlreadyDecidedError is returned when a request was closed before: it
// says what was decided, by whom and when. It matches store.ErrConflict.
type AlreadyDecidedError struct{ Request store.OrderRequest }

func (e *AlreadyDecidedError) Error() string {
	r := e.Request
	s := fmt.Sprintf("Order request %d was already marked %s", r.ID, r.Status)
	if r.DecidedBy != "" {
		s += " by " + r.DecidedBy
	}
	if !r.ResolvedAt.IsZero() {
		s += " on " + r.ResolvedAt.UTC().Format("Mon 2 Jan 2006 15:04") + " UTC"
	}
	return s + "; nothing was changed."
}

// Is makes errors.Is(err, store.ErrConflict) hold.
func (e *AlreadyDecidedError) Is(target error) bool { return target == store.ErrConflict }

// OrderRequestDecider closes order requests: the one function behind the
// one-click links of the request mail, the API and the desk page.
type OrderRequestDecider struct {
	orderDesk
	st OrderRequestDecisionStore
}

// NewOrderRequestDecider returns the decider.
func NewOrderRequestDecider(d OrderDeps, o OrderOptions) (*OrderRequestDecider, error) {
	st, ok := d.Store.(OrderRequestDecisionStore)
	if !ok {
		return nil, errors.New("workers: order request decider needs a store that decides order requests")
	}
	h, err := newOrderDesk(d, o)
	return &OrderRequestDecider{orderDesk: h, st: st}, err
}

// Decide marks request id done or rejected (status) with note, as by,
// first decision only, and tells the customer in the request's thread.
// A request closed before changes nothing and returns the earlier
// decision with decided=false. Telling the customer is idempotent, so a
// failed mail is queued again by the same call repeated.
func (d *OrderRequestDecider) Decide(ctx context.Context, id int64, status, note, by string) (*store.OrderRequest, bool, error) {
	if status != store.OrderRequestDone && status != store.OrderRequestRejected {
		return nil, false, fmt.Errorf("order request %d: %w: status %q", id, store.ErrNotFound, status)
	}
	req, decided, err := d.st.DecideOrderRequest(ctx, id, status, note, by)
	if err != nil {
		return nil, false, err
	}
	if !decided {
		return req, false, nil
	}
	d.Logger.InfoContext(ctx, "order request decided", "order_request_id", id, "status", status, "by", by)
	return req, true, d.tell(ctx, req)
}

// Resolve is Decide for callers that only need an error (the desk page):
// an earlier decision is an *AlreadyDecidedError.
func (d *OrderRequestDecider) Resolve(ctx context.Context, id int64, status, note, by string) error {
	req, decided, err := d.Decide(ctx, id, status, note, by)
	if err == nil && !decided {
		return &AlreadyDecidedError{Request: *req}
	}
	return err
}

// tell mails the customer who made the request that it was decided,
// in the thread of their mail. A request entered by hand (no inquiry)
// has no customer mail to answer.
func (d *OrderRequestDecider) tell(ctx context.Context, req *store.OrderRequest) error {
	if req.InquiryID == 0 {
		return nil
	}
	oi, err := loadCustomerMail(ctx, d.st, req.InquiryID)
	if err != nil {
		return err
	}
	o, err := d.st.Order(ctx, req.OrderID)
	if err != nil {
		return err
	}
	to := oi.sender()
	if to == "" {
		return nil
	}
	contact, err := d.st.ContactByEmail(ctx, to)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	out := &store.OutboundEmail{IdempotencyKey: OrderRequestDecidedKey(req.ID), Kind: KindOrderRequestDecided,
		InquiryID: req.InquiryID, To: []string{to}}
	oi.thread(out)
	data := mailer.OrderRequestDecidedData{CustomerName: contactName(contact, ""), Reference: oi.inquiry.Reference,
		Subject: oi.parsed.Subject, OrderNumber: o.Number, Request: requestSummary(oi.parsed.Subject, req.Words),
		Done: req.Status == store.OrderRequestDone, Note: req.Note, Signer: d.signer(ctx, contact)}
	return d.queueIn(ctx, "order_request_decided", oi.inquiry.Language, data, out)
}

// requestLinkTTL is how long the one-click links of a request mail work.
const requestLinkTTL = 30 * 24 * time.Hour

// requestLinks are the one-click links that mark request id done and
// rejected; "" without a signer or a base URL.
func (h orderDesk) requestLinks(id int64) (done, rejected string) {
	if h.opts.Links == nil || h.BaseURL == "" {
		return "", ""
	}
	exp := h.Clock.Now().Add(requestLinkTTL)
	return h.opts.Links.OrderRequestURL(h.BaseURL, id, store.OrderRequestDone, exp),
		h.opts.Links.OrderRequestURL(h.BaseURL, id, store.OrderRequestRejected, exp)
}
