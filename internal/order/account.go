package order

import (
	"context"
	"errors"
	"fmt"

	"salesdesk/internal/store"
)

// Limits of an account summary: enough for a rep to see the pattern,
// short enough to read in a mail.
const (
	SummaryOrders    = 5
	SummaryInquiries = 10
)

// AccountStore is what AccountContext reads; *store.Store implements it.
type AccountStore interface {
	Customer(ctx context.Context, id int64) (*store.Customer, error)
	Rep(ctx context.Context, id int64) (*store.Rep, error)
	OrderByNumber(ctx context.Context, number string) (*store.Order, error)
	OpenOrdersForCustomer(ctx context.Context, customerID int64) ([]store.Order, error)
	OrderHistory(ctx context.Context, orderID int64) ([]store.OrderStatusChange, error)
	ListOrderRequests(ctx context.Context, f store.OrderRequestFilter) ([]store.OrderRequest, error)
	ListInquiries(ctx context.Context, f store.InquiryFilter) ([]store.Inquiry, error)
}

// Summary is what a rep taking over an order or account problem needs to
// know: the account, the orders in question with their history, and what
// the customer asked us recently.
type Summary struct {
	Customer store.Customer
	Owner    *store.Rep // nil when the account has no owner
	// Orders are the orders the mail named (those on this account only),
	// then the account's other open orders, newest first, at most
	// SummaryOrders.
	Orders []OrderContext
	// Inquiries are the account's most recent inquiries, newest first, at
	// most SummaryInquiries.
	Inquiries []store.Inquiry
}

// OrderContext is one order with its status history and requests.
type OrderContext struct {
	Order    store.Order
	Named    bool // the mail named this order
	History  []store.OrderStatusChange
	Requests []store.OrderRequest
}

// AccountContext returns the history of the orders named in a mail and
// the account's recent inquiries, for the hand-off to the owner rep. Order
// numbers that belong to another account are left out: the summary shows
// one account only. A customerID of 0 (an unknown sender) gives an empty
// summary; a missing account is store.ErrNotFound.
func AccountContext(ctx context.Context, st AccountStore, customerID int64, orderNumbers []string) (Summary, error) {
	var s Summary
	if customerID == 0 {
		return s, nil
	}
	c, err := st.Customer(ctx, customerID)
	if err != nil {
		return Summary{}, fmt.Errorf("order: account context: %w", err)
	}
	s.Customer = *c
	if c.OwnerRepID != 0 {
		r, err := st.Rep(ctx, c.OwnerRepID)
		switch {
		case err == nil:
			s.Owner = r
		case !errors.Is(err, store.ErrNotFound):
			return Summary{}, fmt.Errorf("order: account context: %w", err)
		}
	}

	seen := map[int64]bool{}
	var orders []OrderContext
	for _, n := range orderNumbers {
		o, err := findOrder(ctx, st, n)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return Summary{}, fmt.Errorf("order: account context: %w", err)
		}
		if o.CustomerID != customerID || seen[o.ID] {
			continue
		}
		seen[o.ID] = true
		orders = append(orders, OrderContext{Order: *o, Named: true})
	}
	open, err := st.OpenOrdersForCustomer(ctx, customerID)
	if err != nil {
		return Summary{}, fmt.Errorf("order: account context: %w", err)
	}
	for _, o := range open {
		if !seen[o.ID] {
			seen[o.ID] = true
			orders = append(orders, OrderContext{Order: o})
		}
	}
	if len(orders) > SummaryOrders {
		orders = orders[:SummaryOrders]
	}
	for i := range orders {
		id := orders[i].Order.ID
		if orders[i].History, err = st.OrderHistory(ctx, id); err != nil {
			return Summary{}, fmt.Errorf("order: account context: %w", err)
		}
		if orders[i].Requests, err = st.ListOrderRequests(ctx, store.OrderRequestFilter{OrderID: id, Status: store.OrderRequestPending, Limit: 20}); err != nil {
			return Summary{}, fmt.Errorf("order: account context: %w", err)
		}
	}
	s.Orders = orders

	if s.Inquiries, err = st.ListInquiries(ctx, store.InquiryFilter{CustomerID: customerID, Limit: SummaryInquiries}); err != nil {
		return Summary{}, fmt.Errorf("order: account context: %w", err)
	}
	return s, nil
}
