package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Order request kinds and statuses.
const (
	OrderRequestChange = "change"
	OrderRequestRush   = "rush"

	OrderRequestPending  = "pending"
	OrderRequestDone     = "done"
	OrderRequestRejected = "rejected"
)

// OrderRequest is a customer's change or rush request on an order, in the
// customer's own words.
type OrderRequest struct {
	ID         int64
	OrderID    int64
	InquiryID  int64  // the inquiry it came from; 0 when entered by hand
	Kind       string // OrderRequestChange or OrderRequestRush
	Words      string // what the customer wrote
	Status     string
	CreatedAt  time.Time
	ResolvedAt time.Time // when it was decided; zero while pending
	Note       string    // the decider's note to the customer; "" when none
	DecidedBy  string    // who decided it: a rep's name, "api: <key>", "link"
}

// CreateOrderRequest records a request, unique per order and inquiry: the
// same inquiry on the same order again returns the existing id with
// created=false. On success r.ID is set.
func (s *Store) CreateOrderRequest(ctx context.Context, r *OrderRequest) (id int64, created bool, err error) {
	status := r.Status
	if status == "" {
		status = OrderRequestPending
	}
	err = s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO order_requests (order_id, inquiry_id, kind, words, status, created_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (order_id, inquiry_id) DO NOTHING
		RETURNING id`), r.OrderID, nullID(r.InquiryID), r.Kind, r.Words, status, s.ts(s.nowUTC())).Scan(&id)
	switch {
	case err == nil:
		created = true
	case errors.Is(err, sql.ErrNoRows):
		err = s.db.QueryRowContext(ctx, s.rebind("SELECT id FROM order_requests WHERE order_id = ? AND inquiry_id = ?"),
			r.OrderID, r.InquiryID).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("store: create order request: %w", err)
		}
	default:
		return 0, false, fmt.Errorf("store: create order request: %w", err)
	}
	r.ID = id
	return id, created, nil
}

// OrderRequestFilter selects order requests; zero fields match everything.
type OrderRequestFilter struct {
	OrderID    int64
	CustomerID int64
	Status     string
	// NewestFirst lists the newest first (an account's timeline)
	// instead of the oldest.
	NewestFirst bool
	Limit       int
	Offset      int
}

// ListOrderRequests returns requests matching f, oldest first (the order
// in which they should be worked) unless f.NewestFirst.
func (s *Store) ListOrderRequests(ctx context.Context, f OrderRequestFilter) ([]OrderRequest, error) {
	var w where
	if f.OrderID != 0 {
		w.add("r.order_id = ?", f.OrderID)
	}
	if f.CustomerID != 0 {
		w.add("o.customer_id = ?", f.CustomerID)
	}
	if f.Status != "" {
		w.add("r.status = ?", f.Status)
	}
	order := "r.created_at, r.id"
	if f.NewestFirst {
		order = "r.created_at DESC, r.id DESC"
	}
	clause, args := w.paged(order, f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanOrderRequest, `
		SELECT `+orderRequestColumns+`
		FROM order_requests r JOIN orders o ON o.id = r.order_id`+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list order requests: %w", err)
	}
	return out, nil
}

const orderRequestColumns = "r.id, r.order_id, r.inquiry_id, r.kind, r.words, r.status, r.created_at, r.resolved_at, r.note, r.decided_by"

// OrderRequest returns one request, or ErrNotFound.
func (s *Store) OrderRequest(ctx context.Context, id int64) (*OrderRequest, error) {
	q, err := queryOne(ctx, s, scanOrderRequest, "SELECT "+orderRequestColumns+" FROM order_requests r WHERE r.id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("store: order request %d: %w", id, err)
	}
	return q, nil
}

// DecideOrderRequest closes a pending request as done or rejected with the
// decider's note, first decision only: decided is false (and nothing
// changes) when the request was already closed, and the returned request
// then shows the earlier decision. A missing request is ErrNotFound.
func (s *Store) DecideOrderRequest(ctx context.Context, id int64, status, note, by string) (q *OrderRequest, decided bool, err error) {
	if status != OrderRequestDone && status != OrderRequestRejected {
		return nil, false, fmt.Errorf("store: decide order request %d: status %q is not done or rejected", id, status)
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE order_requests SET status = ?, note = ?, decided_by = ?, resolved_at = ?
		WHERE id = ? AND status = ?`), status, note, by, s.ts(s.nowUTC()), id, OrderRequestPending)
	if err != nil {
		return nil, false, fmt.Errorf("store: decide order request %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("store: decide order request %d: %w", id, err)
	}
	q, err = s.OrderRequest(ctx, id)
	if err != nil {
		return nil, false, err
	}
	return q, n == 1, nil
}

func scanOrderRequest(r row) (*OrderRequest, error) {
	var q OrderRequest
	if err := r.Scan(&q.ID, &q.OrderID, icol(&q.InquiryID), &q.Kind, &q.Words, &q.Status, tcol(&q.CreatedAt),
		tcol(&q.ResolvedAt), &q.Note, &q.DecidedBy); err != nil {
		return nil, err
	}
	return &q, nil
}

// SetOrderRequestStatus resolves (or reopens) a request, or returns
// ErrNotFound.
func (s *Store) SetOrderRequestStatus(ctx context.Context, id int64, status string) error {
	var resolved any
	if status != OrderRequestPending {
		resolved = s.ts(s.nowUTC())
	}
	res, err := s.db.ExecContext(ctx, s.rebind("UPDATE order_requests SET status = ?, resolved_at = ? WHERE id = ?"),
		status, resolved, id)
	return s.checkUpdated(res, err, "set order request status", id)
}
