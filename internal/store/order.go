package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Order statuses. Delivered and cancelled orders are closed; the rest are
// open.
const (
	OrderPending    = "pending"
	OrderConfirmed  = "confirmed"
	OrderProcessing = "processing"
	OrderShipped    = "shipped"
	OrderDelivered  = "delivered"
	OrderCancelled  = "cancelled"
)

// closedOrderStatuses is the SQL list of statuses that close an order.
const closedOrderStatuses = "('delivered', 'cancelled')"

// Order is a customer's order.
type Order struct {
	ID              int64
	CustomerID      int64
	Number          string // unique order number, e.g. "SO-10042"
	Status          string
	Currency        string // ISO 4217, e.g. "EUR"
	AmountCents     int64
	PromisedDate    time.Time // a calendar date (UTC midnight); zero when none
	TrackingNumber  string
	TrackingURL     string
	Carrier         string // who ships it, e.g. "DHL"; "" when unknown
	Notes           string
	StatusChangedAt time.Time
	CreatedAt       time.Time
	UpdatedAt       time.Time
	Items           []OrderItem
}

// OrderItem is one line of an order.
type OrderItem struct {
	SKU            string
	Description    string
	Quantity       int
	UnitPriceCents int64
}

// OrderStatusChange is one entry of an order's status history.
type OrderStatusChange struct {
	Status    string
	Note      string
	Source    string // e.g. "api", "import", "create"
	ChangedAt time.Time
}

// CreateOrder stores an order with its items and the first entry of its
// status history; a duplicate Number is ErrConflict. On success o.ID is set.
func (s *Store) CreateOrder(ctx context.Context, o *Order) (int64, error) {
	if strings.TrimSpace(o.Number) == "" {
		return 0, errors.New("store: create order: number required")
	}
	status := o.Status
	if status == "" {
		status = OrderPending
	}
	now := s.nowUTC()
	var id int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.rebind(`
			INSERT INTO orders (customer_id, number, status, currency, amount_cents, promised_date, tracking_number,
				tracking_url, carrier, notes, status_changed_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING id`),
			o.CustomerID, strings.TrimSpace(o.Number), status, o.Currency, o.AmountCents, s.nullDate(o.PromisedDate),
			o.TrackingNumber, o.TrackingURL, o.Carrier, o.Notes, s.ts(now), s.ts(now), s.ts(now)).Scan(&id)
		if err != nil {
			return conflict(err)
		}
		if err := s.insertItems(ctx, tx, id, o.Items); err != nil {
			return err
		}
		return s.insertStatusChange(ctx, tx, id, OrderStatusChange{Status: status, Source: "create", ChangedAt: now})
	})
	if err != nil {
		return 0, fmt.Errorf("store: create order %s: %w", o.Number, err)
	}
	o.ID, o.Status = id, status
	return id, nil
}

func (s *Store) insertItems(ctx context.Context, tx querier, orderID int64, items []OrderItem) error {
	for i, it := range items {
		qty := it.Quantity
		if qty == 0 {
			qty = 1
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`
			INSERT INTO order_items (order_id, position, sku, description, quantity, unit_price_cents)
			VALUES (?, ?, ?, ?, ?, ?)`), orderID, i, it.SKU, it.Description, qty, it.UnitPriceCents); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

func (s *Store) insertStatusChange(ctx context.Context, tx querier, orderID int64, c OrderStatusChange) error {
	_, err := tx.ExecContext(ctx, s.rebind(`
		INSERT INTO order_status_history (order_id, status, note, source, changed_at) VALUES (?, ?, ?, ?, ?)`),
		orderID, c.Status, c.Note, c.Source, s.ts(c.ChangedAt))
	if err != nil {
		return fmt.Errorf("status history: %w", err)
	}
	return nil
}

// UpdateOrder saves the fields of o (by o.ID) other than its status, and
// replaces its items when o.Items is not nil. It returns ErrNotFound for a
// missing order. Use SetOrderStatus to change the status.
func (s *Store) UpdateOrder(ctx context.Context, o *Order) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`
			UPDATE orders SET customer_id = ?, number = ?, currency = ?, amount_cents = ?, promised_date = ?,
				tracking_number = ?, tracking_url = ?, carrier = ?, notes = ?, updated_at = ?
			WHERE id = ?`),
			o.CustomerID, strings.TrimSpace(o.Number), o.Currency, o.AmountCents, s.nullDate(o.PromisedDate),
			o.TrackingNumber, o.TrackingURL, o.Carrier, o.Notes, s.ts(s.nowUTC()), o.ID)
		if err := s.checkUpdated(res, err, "update order", o.ID); err != nil {
			return err
		}
		if o.Items == nil {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.rebind("DELETE FROM order_items WHERE order_id = ?"), o.ID); err != nil {
			return fmt.Errorf("store: update order %d: items: %w", o.ID, err)
		}
		if err := s.insertItems(ctx, tx, o.ID, o.Items); err != nil {
			return fmt.Errorf("store: update order %d: %w", o.ID, err)
		}
		return nil
	})
	return err
}

// SetOrderStatus changes an order's status and records the change in its
// history. Setting the status it already has changes nothing and reports
// changed=false. A missing order is ErrNotFound.
func (s *Store) SetOrderStatus(ctx context.Context, id int64, status, note, source string) (changed bool, err error) {
	now := s.nowUTC()
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		ok, err := s.guardedUpdate(ctx, tx, "orders", id, `
			UPDATE orders SET status = ?, status_changed_at = ?, updated_at = ? WHERE id = ? AND status <> ?`,
			status, s.ts(now), s.ts(now), id, status)
		if !ok {
			return err
		}
		changed = true
		return s.insertStatusChange(ctx, tx, id, OrderStatusChange{Status: status, Note: note, Source: source, ChangedAt: now})
	})
	if err != nil {
		return false, fmt.Errorf("store: set order %d status: %w", id, err)
	}
	return changed, nil
}

const orderColumns = `id, customer_id, number, status, currency, amount_cents, promised_date, tracking_number,
	tracking_url, notes, status_changed_at, created_at, updated_at, carrier`

func scanOrder(r row) (*Order, error) {
	var o Order
	err := r.Scan(&o.ID, &o.CustomerID, &o.Number, &o.Status, &o.Currency, &o.AmountCents, tcol(&o.PromisedDate),
		&o.TrackingNumber, &o.TrackingURL, &o.Notes, tcol(&o.StatusChangedAt), tcol(&o.CreatedAt), tcol(&o.UpdatedAt),
		&o.Carrier)
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// orderWhere reads the order cond selects with its items, in one
// statement: a row per item (one without items for an order that has
// none), the order's columns repeated. An order-status answer reads its
// order this way.
func (s *Store) orderWhere(ctx context.Context, what, cond string, arg any) (*Order, error) {
	var o *Order
	items := []OrderItem{} // an order without items still has an item list
	err := func() error {
		rows, err := s.db.QueryContext(ctx, s.rebind(`
			WITH o AS (SELECT `+orderColumns+` FROM orders WHERE `+cond+` LIMIT 1)
			SELECT o.*, i.id, i.sku, i.description, i.quantity, i.unit_price_cents
			FROM o LEFT JOIN order_items i ON i.order_id = o.id ORDER BY i.position, i.id`), arg)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var itemID, quantity, price sql.NullInt64
			var sku, description sql.NullString
			got, err := scanOrder(rowAlso{rows, []any{&itemID, &sku, &description, &quantity, &price}})
			if err != nil {
				return err
			}
			o = got
			if itemID.Valid {
				items = append(items, OrderItem{SKU: sku.String, Description: description.String,
					Quantity: int(quantity.Int64), UnitPriceCents: price.Int64})
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if o == nil {
			return ErrNotFound
		}
		return nil
	}()
	if err != nil {
		return nil, fmt.Errorf("store: order %s: %w", what, err)
	}
	o.Items = items
	return o, nil
}

// orderItems returns the items of each of the orders in one read, in
// their order; an order without items has an empty list. Reading them
// order by order cost a statement per open order in every order-status
// answer (docs/performance.md, "PostgreSQL end to end").
func (s *Store) orderItems(ctx context.Context, orderIDs []int64) (map[int64][]OrderItem, error) {
	type item struct {
		order int64
		OrderItem
	}
	items, err := queryAll(ctx, s, func(r row) (*item, error) {
		var it item
		return &it, r.Scan(&it.order, &it.SKU, &it.Description, &it.Quantity, &it.UnitPriceCents)
	}, `SELECT order_id, sku, description, quantity, unit_price_cents FROM order_items
		WHERE order_id `+s.inList(len(orderIDs))+` ORDER BY order_id, position, id`, listArgs(s.dialect, orderIDs)...)
	if err != nil {
		return nil, fmt.Errorf("items: %w", err)
	}
	out := make(map[int64][]OrderItem, len(orderIDs))
	for _, id := range orderIDs {
		out[id] = []OrderItem{} // an order without items still has an item list
	}
	for _, it := range items {
		out[it.order] = append(out[it.order], it.OrderItem)
	}
	return out, nil
}

func scanOrderItem(r row) (*OrderItem, error) {
	var it OrderItem
	if err := r.Scan(&it.SKU, &it.Description, &it.Quantity, &it.UnitPriceCents); err != nil {
		return nil, err
	}
	return &it, nil
}

// Order returns the order with its items, or ErrNotFound.
func (s *Store) Order(ctx context.Context, id int64) (*Order, error) {
	return s.orderWhere(ctx, fmt.Sprint(id), "id = ?", id)
}

// OrderByNumber returns the order with that number (exact match, spaces
// trimmed) with its items, or ErrNotFound.
func (s *Store) OrderByNumber(ctx context.Context, number string) (*Order, error) {
	return s.orderWhere(ctx, "number "+number, "number = ?", strings.TrimSpace(number))
}

// OrderHistory returns an order's status changes, oldest first.
func (s *Store) OrderHistory(ctx context.Context, orderID int64) ([]OrderStatusChange, error) {
	out, err := queryAll(ctx, s, scanOrderStatusChange, `
		SELECT status, note, source, changed_at FROM order_status_history WHERE order_id = ? ORDER BY changed_at, id`, orderID)
	if err != nil {
		return nil, fmt.Errorf("store: order %d history: %w", orderID, err)
	}
	return out, nil
}

// OrderHistories returns the status changes of each of the orders, oldest
// first, in one read: an account page shows a hundred orders' histories.
func (s *Store) OrderHistories(ctx context.Context, orderIDs []int64) (map[int64][]OrderStatusChange, error) {
	out := make(map[int64][]OrderStatusChange, len(orderIDs))
	if len(orderIDs) == 0 {
		return out, nil
	}
	type change struct {
		order int64
		OrderStatusChange
	}
	var changes []change
	if err := readAll(ctx, s, "order histories", &changes, func(c *change) []any {
		return []any{&c.order, &c.Status, &c.Note, &c.Source, tcol(&c.ChangedAt)}
	}, `SELECT order_id, status, note, source, changed_at FROM order_status_history
		WHERE order_id `+s.inList(len(orderIDs))+` ORDER BY order_id, changed_at, id`, listArgs(s.dialect, orderIDs)...); err != nil {
		return nil, err
	}
	for _, c := range changes {
		out[c.order] = append(out[c.order], c.OrderStatusChange)
	}
	return out, nil
}

func scanOrderStatusChange(r row) (*OrderStatusChange, error) {
	var c OrderStatusChange
	if err := r.Scan(&c.Status, &c.Note, &c.Source, tcol(&c.ChangedAt)); err != nil {
		return nil, err
	}
	return &c, nil
}

// OrderFilter selects orders; zero fields match everything.
type OrderFilter struct {
	CustomerID int64
	Status     string
	OpenOnly   bool // leave out delivered and cancelled orders
	Limit      int  // default 50, at most 1000
	Offset     int
}

// ListOrders returns orders matching f, newest first, without their items.
func (s *Store) ListOrders(ctx context.Context, f OrderFilter) ([]Order, error) {
	ctx = asReport(ctx)
	var w where
	if f.CustomerID != 0 {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.OpenOnly {
		w.add("status NOT IN " + closedOrderStatuses)
	}
	clause, args := w.paged("created_at DESC, id DESC", f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanOrder, "SELECT "+orderColumns+" FROM orders"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list orders: %w", err)
	}
	return out, nil
}

// OpenOrdersForCustomer returns an account's orders that are neither
// delivered nor cancelled, newest first, with their items.
func (s *Store) OpenOrdersForCustomer(ctx context.Context, customerID int64) ([]Order, error) {
	orders, err := s.ListOrders(ctx, OrderFilter{CustomerID: customerID, OpenOnly: true, Limit: 1000})
	if err != nil {
		return nil, err
	}
	if len(orders) == 0 {
		return orders, nil
	}
	ids := make([]int64, len(orders))
	for i, o := range orders {
		ids[i] = o.ID
	}
	items, err := s.orderItems(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("store: open orders of customer %d: %w", customerID, err)
	}
	for i := range orders {
		orders[i].Items = items[orders[i].ID]
	}
	return orders, nil
}

// IsOpenOrderStatus reports whether an order in that status is still open.
func IsOpenOrderStatus(status string) bool {
	return status != OrderDelivered && status != OrderCancelled
}
