package order

import (
	"context"
	"errors"
	"fmt"
	"time"

	"salesdesk/internal/store"
)

// Reason is why a customer hears from us about an order without asking.
type Reason string

// The follow-up reasons.
const (
	ReasonLate          Reason = "late"           // past the promised date plus grace, still open
	ReasonPending       Reason = "pending"        // pending longer than allowed
	ReasonStatusChanged Reason = "status_changed" // the API or an import changed the status
)

// FollowupOptions are the thresholds of the follow-up scan.
type FollowupOptions struct {
	// LateGrace is how long after the promised date has passed an open
	// order counts as late.
	LateGrace time.Duration
	// PendingAfter is how long an order may stay pending before the
	// customer hears from us. Zero turns the pending follow-up off.
	PendingAfter time.Duration
}

// FollowupDue reports whether an order's customer should hear from us at
// now, and why. Lateness wins over a long pending time: one mail says both.
// Closed orders are never followed up.
func FollowupDue(o store.Order, now time.Time, opts FollowupOptions) (Reason, bool) {
	if !store.IsOpenOrderStatus(o.Status) {
		return "", false
	}
	if !o.PromisedDate.IsZero() {
		// The promised date is a whole day: late once that day is over.
		d := o.PromisedDate.UTC()
		dayEnd := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
		if !now.Before(dayEnd.Add(opts.LateGrace)) {
			return ReasonLate, true
		}
	}
	if opts.PendingAfter > 0 && o.Status == store.OrderPending && !o.StatusChangedAt.IsZero() &&
		!now.Before(o.StatusChangedAt.Add(opts.PendingAfter)) {
		return ReasonPending, true
	}
	return "", false
}

// FollowupKey is the idempotency key of a proactive mail about an order:
// one per order, status and promised date. A status change, a new
// promised date or a new lateness each make a new key; the same state
// never mails twice, whether a scan or a status change found it first.
func FollowupKey(o store.Order) string {
	date := "none"
	if !o.PromisedDate.IsZero() {
		date = o.PromisedDate.UTC().Format("2006-01-02")
	}
	return fmt.Sprintf("order_followup:%d:%s:%s", o.ID, o.Status, date)
}

// Followup is one proactive mail to send about an order.
type Followup struct {
	Reason   Reason
	Key      string // FollowupKey(Order)
	Order    store.Order
	Customer store.Customer
	Contact  store.Contact // the recipient: the account's first contact whose address is not suppressed
}

// FollowupStore is what Scan and StatusFollowup read; *store.Store
// implements it.
type FollowupStore interface {
	ListOrders(ctx context.Context, f store.OrderFilter) ([]store.Order, error)
	Order(ctx context.Context, id int64) (*store.Order, error)
	Customer(ctx context.Context, id int64) (*store.Customer, error)
	ContactsForCustomer(ctx context.Context, customerID int64) ([]store.Contact, error)
	OutboundByIdempotencyKey(ctx context.Context, key string) (*store.OutboundEmail, error)
	IsSuppressed(ctx context.Context, email string) (bool, error)
}

// Skip reasons Scan and StatusFollowup report for orders they leave alone.
var (
	ErrOptedOut    = errors.New("order: customer opted out")
	ErrNoContact   = errors.New("order: account has no contact")
	ErrAlreadySent = errors.New("order: follow-up already sent")
	ErrSuppressed  = errors.New("order: every contact of the account is suppressed")
)

// ScanResult counts what one scan did.
type ScanResult struct {
	Checked     int // open orders looked at
	Due         int // orders whose customer should hear from us
	Sent        int // follow-ups handed to send
	OptedOut    int // due, but the account opted out
	NoContact   int // due, but the account has no contact to write to
	Suppressed  int // due, but every contact of the account is on the suppression list
	AlreadySent int // due, but this state was mailed before
}

// scanPage is how many open orders Scan reads at a time.
const scanPage = 500

// Scan looks at every open order at now and calls send for each one whose
// customer should hear from us and has not heard about this state yet.
// Opted-out accounts, accounts without a contact and accounts whose every
// contact is suppressed are skipped. send
// must be idempotent on Followup.Key (an outbound row with that key):
// two scans racing each other may both call it.
func Scan(ctx context.Context, st FollowupStore, now time.Time, opts FollowupOptions, send func(context.Context, Followup) error) (ScanResult, error) {
	var res ScanResult
	customers := map[int64]*store.Customer{}
	for offset := 0; ; offset += scanPage {
		orders, err := st.ListOrders(ctx, store.OrderFilter{OpenOnly: true, Limit: scanPage, Offset: offset})
		if err != nil {
			return res, fmt.Errorf("order: follow-up scan: %w", err)
		}
		for _, o := range orders {
			if err := ctx.Err(); err != nil {
				return res, err
			}
			res.Checked++
			reason, due := FollowupDue(o, now, opts)
			if !due {
				continue
			}
			res.Due++
			f, err := prepare(ctx, st, customers, o, reason)
			switch {
			case errors.Is(err, ErrOptedOut):
				res.OptedOut++
				continue
			case errors.Is(err, ErrNoContact):
				res.NoContact++
				continue
			case errors.Is(err, ErrSuppressed):
				res.Suppressed++
				continue
			case errors.Is(err, ErrAlreadySent):
				res.AlreadySent++
				continue
			case err != nil:
				return res, err
			}
			if err := send(ctx, f); err != nil {
				return res, fmt.Errorf("order: follow-up %s: %w", f.Key, err)
			}
			res.Sent++
		}
		if len(orders) < scanPage {
			return res, nil
		}
	}
}

// StatusFollowup prepares the mail that tells a customer their order's
// status changed. It returns ErrOptedOut, ErrNoContact, ErrSuppressed or
// ErrAlreadySent (wrapped) when no mail is due, and store.ErrNotFound for a missing
// order.
func StatusFollowup(ctx context.Context, st FollowupStore, orderID int64) (Followup, error) {
	o, err := st.Order(ctx, orderID)
	if err != nil {
		return Followup{}, err
	}
	return prepare(ctx, st, map[int64]*store.Customer{}, *o, ReasonStatusChanged)
}

// prepare checks the account and the record of sent mail, and fills in
// the recipient: the first contact whose address is not suppressed, so one
// contact's unsubscribe leaves the account's other contacts informed.
// customers caches accounts across one scan.
func prepare(ctx context.Context, st FollowupStore, customers map[int64]*store.Customer, o store.Order, reason Reason) (Followup, error) {
	f := Followup{Reason: reason, Key: FollowupKey(o), Order: o}
	c, ok := customers[o.CustomerID]
	if !ok {
		var err error
		if c, err = st.Customer(ctx, o.CustomerID); err != nil {
			return Followup{}, fmt.Errorf("order: follow-up %s: %w", f.Key, err)
		}
		customers[o.CustomerID] = c
	}
	f.Customer = *c
	if c.OptedOut {
		return f, fmt.Errorf("order %s: %w", o.Number, ErrOptedOut)
	}
	_, err := st.OutboundByIdempotencyKey(ctx, f.Key)
	switch {
	case err == nil:
		return f, fmt.Errorf("order %s: %w", o.Number, ErrAlreadySent)
	case !errors.Is(err, store.ErrNotFound):
		return Followup{}, fmt.Errorf("order: follow-up %s: %w", f.Key, err)
	}
	contacts, err := st.ContactsForCustomer(ctx, o.CustomerID)
	if err != nil {
		return Followup{}, fmt.Errorf("order: follow-up %s: %w", f.Key, err)
	}
	if len(contacts) == 0 {
		return f, fmt.Errorf("order %s: %w", o.Number, ErrNoContact)
	}
	contact, err := firstUnsuppressed(ctx, st, contacts)
	if err != nil {
		return Followup{}, fmt.Errorf("order: follow-up %s: %w", f.Key, err)
	}
	if contact == nil {
		return f, fmt.Errorf("order %s: %w", o.Number, ErrSuppressed)
	}
	f.Contact = *contact
	if f.Order.Items == nil {
		full, err := st.Order(ctx, o.ID)
		if err != nil {
			return Followup{}, fmt.Errorf("order: follow-up %s: %w", f.Key, err)
		}
		f.Order = *full
	}
	return f, nil
}

// firstUnsuppressed returns the first of contacts whose address is not on
// the suppression list, or nil when every one is.
func firstUnsuppressed(ctx context.Context, st FollowupStore, contacts []store.Contact) (*store.Contact, error) {
	for i := range contacts {
		suppressed, err := st.IsSuppressed(ctx, contacts[i].Email)
		if err != nil {
			return nil, err
		}
		if !suppressed {
			return &contacts[i], nil
		}
	}
	return nil, nil
}
