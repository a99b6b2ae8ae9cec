package order

import (
	"context"
	"fmt"

	"salesdesk/internal/store"
)

// RequestStore is what PendingRequests reads; *store.Store implements it.
type RequestStore interface {
	ListOrderRequests(ctx context.Context, f store.OrderRequestFilter) ([]store.OrderRequest, error)
	Order(ctx context.Context, id int64) (*store.Order, error)
	Customer(ctx context.Context, id int64) (*store.Customer, error)
}

// PendingRequest is an open change or rush request with its order and
// account, as the daily summary shows it.
type PendingRequest struct {
	Request  store.OrderRequest
	Order    store.Order
	Customer store.Customer
}

// Rush reports whether the customer asked for speed.
func (p PendingRequest) Rush() bool { return p.Request.Kind == store.OrderRequestRush }

// maxPendingRequests bounds one listing; a desk with more open requests
// than this has a bigger problem than a long summary.
const maxPendingRequests = 1000

// PendingRequests returns the pending order requests on accounts owned by
// ownerRepID (0: every account), rush requests first, then oldest first:
// the order in which they should be worked.
func PendingRequests(ctx context.Context, st RequestStore, ownerRepID int64) ([]PendingRequest, error) {
	reqs, err := st.ListOrderRequests(ctx, store.OrderRequestFilter{Status: store.OrderRequestPending, Limit: maxPendingRequests})
	if err != nil {
		return nil, fmt.Errorf("order: pending requests: %w", err)
	}
	orders := map[int64]*store.Order{}
	customers := map[int64]*store.Customer{}
	var rush, rest []PendingRequest
	for _, r := range reqs {
		o, ok := orders[r.OrderID]
		if !ok {
			if o, err = st.Order(ctx, r.OrderID); err != nil {
				return nil, fmt.Errorf("order: pending request %d: %w", r.ID, err)
			}
			orders[r.OrderID] = o
		}
		c, ok := customers[o.CustomerID]
		if !ok {
			if c, err = st.Customer(ctx, o.CustomerID); err != nil {
				return nil, fmt.Errorf("order: pending request %d: %w", r.ID, err)
			}
			customers[o.CustomerID] = c
		}
		if ownerRepID != 0 && c.OwnerRepID != ownerRepID {
			continue
		}
		p := PendingRequest{Request: r, Order: *o, Customer: *c}
		if p.Rush() {
			rush = append(rush, p)
		} else {
			rest = append(rest, p)
		}
	}
	return append(rush, rest...), nil
}
