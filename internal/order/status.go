package order

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"salesdesk/internal/store"
)

// MaxStatusOrders caps how many open orders one status question answers
// when the mail names none.
const MaxStatusOrders = 3

// Outcome is the kind of answer an order-status question gets.
type Outcome int

// The outcomes of Resolve.
const (
	// OutcomeStatus: the sender is a contact of the orders' account and
	// gets their status.
	OutcomeStatus Outcome = iota + 1
	// OutcomeNeutral: the order exists but the sender is not on its
	// account; they get a neutral answer and the attempt is an alert.
	OutcomeNeutral
	// OutcomeUnknown: no order matched (or the mail named none and the
	// sender has no open orders); they are asked for the order number.
	OutcomeUnknown
)

func (o Outcome) String() string {
	switch o {
	case OutcomeStatus:
		return "status"
	case OutcomeNeutral:
		return "neutral"
	case OutcomeUnknown:
		return "unknown"
	}
	return fmt.Sprintf("outcome(%d)", int(o))
}

// LookupStore is what Resolve reads; *store.Store implements it.
type LookupStore interface {
	OrderByNumber(ctx context.Context, number string) (*store.Order, error)
	ContactByEmail(ctx context.Context, email string) (*store.Contact, error)
	OpenOrdersForCustomer(ctx context.Context, customerID int64) ([]store.Order, error)
}

// Answer is what an order-status question gets.
type Answer struct {
	Outcome Outcome
	// Orders are the orders whose status the sender may see
	// (OutcomeStatus), newest first, with their items.
	Orders []store.Order
	// Number is the order number the mail named, as written; "" when none.
	Number string
	// Foreign is the order a stranger asked about (OutcomeNeutral).
	Foreign *store.Order
	// Contact is the sender as a contact of some account; nil when the
	// address is on none.
	Contact *store.Contact
}

// Resolve decides the answer to an order-status question from sender
// that named number ("" when the mail named none). Only a contact of an
// order's account sees that order; a known order asked about by anyone
// else is OutcomeNeutral. An unknown number is OutcomeUnknown for every
// sender: the helpful reply says only that no order has that number.
func Resolve(ctx context.Context, st LookupStore, sender, number string) (Answer, error) {
	a := Answer{Number: strings.TrimSpace(number)}
	if sender = strings.TrimSpace(sender); sender != "" {
		c, err := st.ContactByEmail(ctx, sender)
		switch {
		case err == nil:
			a.Contact = c
		case !errors.Is(err, store.ErrNotFound):
			return Answer{}, fmt.Errorf("order: contact %s: %w", sender, err)
		}
	}
	if a.Number != "" {
		o, err := findOrder(ctx, st, a.Number)
		switch {
		case errors.Is(err, store.ErrNotFound):
			a.Outcome = OutcomeUnknown
			return a, nil
		case err != nil:
			return Answer{}, err
		}
		if a.Contact != nil && a.Contact.CustomerID == o.CustomerID {
			a.Outcome, a.Orders = OutcomeStatus, []store.Order{*o}
			return a, nil
		}
		a.Outcome, a.Foreign = OutcomeNeutral, o
		return a, nil
	}
	if a.Contact == nil {
		a.Outcome = OutcomeUnknown
		return a, nil
	}
	open, err := st.OpenOrdersForCustomer(ctx, a.Contact.CustomerID)
	if err != nil {
		return Answer{}, fmt.Errorf("order: open orders of customer %d: %w", a.Contact.CustomerID, err)
	}
	if len(open) == 0 {
		a.Outcome = OutcomeUnknown
		return a, nil
	}
	if len(open) > MaxStatusOrders {
		open = open[:MaxStatusOrders]
	}
	a.Outcome, a.Orders = OutcomeStatus, open
	return a, nil
}

type orderByNumber interface {
	OrderByNumber(ctx context.Context, number string) (*store.Order, error)
}

// findOrder looks an order up by the number as written, then by its
// normalised forms: customers write "so 10042", "so-10042" or "#10042" for
// "SO-10042".
func findOrder(ctx context.Context, st orderByNumber, number string) (*store.Order, error) {
	var lastErr error
	for _, n := range NumberVariants(number) {
		o, err := st.OrderByNumber(ctx, n)
		if err == nil {
			return o, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, fmt.Errorf("order: look up %q: %w", n, err)
		}
		lastErr = err
	}
	if lastErr == nil {
		lastErr = fmt.Errorf("order: number %q: %w", number, store.ErrNotFound)
	}
	return nil, lastErr
}

var (
	numberJunk    = regexp.MustCompile(`^[#\s]+|[\s.,;:]+$`)
	letterDigitRe = regexp.MustCompile(`^([A-Za-z]{1,4})[\s-]?(\d+.*)$`)
)

// NumberVariants returns the spellings an order number is looked up by,
// most literal first, without duplicates: as written, trimmed of "#" and
// punctuation, upper-cased, and with a letter prefix joined by a dash
// ("so 10042" -> "SO-10042") or without it ("SO-10042" -> "SO10042").
func NumberVariants(number string) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s == "" {
			return
		}
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	add(number)
	n := numberJunk.ReplaceAllString(strings.TrimSpace(number), "")
	add(n)
	up := strings.ToUpper(n)
	add(up)
	if m := letterDigitRe.FindStringSubmatch(up); m != nil {
		add(m[1] + "-" + m[2])
		add(m[1] + m[2])
	}
	return out
}

// StatusWords says an order status the way a customer reads it.
func StatusWords(status string) string {
	switch status {
	case store.OrderPending:
		return "received, waiting for confirmation"
	case store.OrderConfirmed:
		return "confirmed"
	case store.OrderProcessing:
		return "in production"
	case store.OrderShipped:
		return "shipped"
	case store.OrderDelivered:
		return "delivered"
	case store.OrderCancelled:
		return "cancelled"
	}
	return strings.ReplaceAll(status, "_", " ")
}
