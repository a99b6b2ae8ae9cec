package store

import (
	"context"
	"fmt"
	"strings"
)

// importBatch is how many rows one multi-row statement of an import
// writes or reads: few statements, and far below either database's
// limit on parameters.
const importBatch = 100

// placeholders returns "(?, ?, ?), (?, ?, ?)" for rows rows of cols
// columns.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// OrdersByNumbers returns the stored orders, with their items, among
// numbers, by number. Numbers without an order are absent from the map.
func (tx *ImportTx) OrdersByNumbers(ctx context.Context, numbers []string) (found map[string]*Order, err error) {
	if tx.s.dialect == Postgres {
		// The orders table grows by the million inside the import's
		// transaction, without statistics: a generic plan made while it
		// was empty (a sequential scan for each lookup) would stay for
		// the whole import. Plan the lookups for the table as it is now.
		if _, err := tx.tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = force_custom_plan"); err != nil {
			return nil, fmt.Errorf("store: orders by number: %w", err)
		}
		defer func() {
			if _, rerr := tx.tx.ExecContext(ctx, "SET LOCAL plan_cache_mode = auto"); rerr != nil && err == nil {
				found, err = nil, fmt.Errorf("store: orders by number: %w", rerr)
			}
		}()
	}
	found = make(map[string]*Order, len(numbers))
	// SQLite takes a hundred numbers a statement; PostgreSQL all of them
	// as one array, a single round trip.
	chunkSize := importBatch
	if tx.s.dialect == Postgres {
		chunkSize = max(len(numbers), 1)
	}
	for start := 0; start < len(numbers); start += chunkSize {
		chunk := numbers[start:min(start+chunkSize, len(numbers))]
		trimmed := make([]string, len(chunk))
		for i, n := range chunk {
			trimmed[i] = strings.TrimSpace(n)
		}
		orders, err := queryAllOn(ctx, tx.s, tx.tx, scanOrder,
			"SELECT "+orderColumns+" FROM orders WHERE number "+tx.s.inList(len(trimmed)), listArgs(tx.s.dialect, trimmed)...)
		if err != nil {
			return nil, fmt.Errorf("store: orders by number: %w", err)
		}
		if len(orders) == 0 {
			continue
		}
		byID := make(map[int64]*Order, len(orders))
		ids := make([]int64, len(orders))
		for i := range orders {
			o := &orders[i]
			found[o.Number], byID[o.ID], ids[i] = o, o, o.ID
		}
		rows, err := tx.tx.QueryContext(ctx, tx.s.rebind(`
			SELECT order_id, sku, description, quantity, unit_price_cents FROM order_items
			WHERE order_id `+tx.s.inList(len(ids))+` ORDER BY order_id, position, id`), listArgs(tx.s.dialect, ids)...)
		if err != nil {
			return nil, fmt.Errorf("store: order items: %w", err)
		}
		for rows.Next() {
			var (
				id int64
				it OrderItem
			)
			if err := rows.Scan(&id, &it.SKU, &it.Description, &it.Quantity, &it.UnitPriceCents); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: order items: %w", err)
			}
			byID[id].Items = append(byID[id].Items, it)
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("store: order items: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: order items: %w", err)
		}
	}
	return found, nil
}

// CreateOrders stores new orders as CreateOrder does, a hundred to a
// statement; their numbers must be distinct. On success each o.ID is set.
func (tx *ImportTx) CreateOrders(ctx context.Context, orders []*Order) error {
	if tx.s.dialect == Postgres && len(orders) > 0 {
		for _, o := range orders {
			if o.Status == "" {
				o.Status = OrderPending
			}
			o.Number = strings.TrimSpace(o.Number)
		}
		return tx.copyOrders(ctx, orders)
	}
	for start := 0; start < len(orders); start += importBatch {
		if err := tx.createOrders(ctx, orders[start:min(start+importBatch, len(orders))]); err != nil {
			return err
		}
	}
	return tx.setIndexesAside(ctx, len(orders))
}

func (tx *ImportTx) createOrders(ctx context.Context, orders []*Order) error {
	args := make([]any, 0, len(orders)*12)
	byNumber := make(map[string]*Order, len(orders))
	for _, o := range orders {
		if o.Status == "" {
			o.Status = OrderPending
		}
		o.Number = strings.TrimSpace(o.Number)
		byNumber[o.Number] = o
		args = append(args, o.CustomerID, o.Number, o.Status, o.Currency, o.AmountCents, tx.s.nullDate(o.PromisedDate),
			o.TrackingNumber, o.TrackingURL, o.Notes, tx.ts(), tx.ts(), tx.ts())
	}
	rows, err := tx.tx.QueryContext(ctx, tx.s.rebind(`
		INSERT INTO orders (customer_id, number, status, currency, amount_cents, promised_date, tracking_number,
			tracking_url, notes, status_changed_at, created_at, updated_at)
		VALUES `+placeholders(len(orders), 12)+`
		RETURNING id, number`), args...)
	if err != nil {
		return fmt.Errorf("store: create orders: %w", conflict(err))
	}
	for rows.Next() {
		var (
			id     int64
			number string
		)
		if err := rows.Scan(&id, &number); err != nil {
			rows.Close()
			return fmt.Errorf("store: create orders: %w", err)
		}
		if o := byNumber[number]; o != nil {
			o.ID = id
		}
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("store: create orders: %w", conflict(err))
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: create orders: %w", conflict(err))
	}

	var items, history []any
	nItems := 0
	flushItems := func() error {
		if nItems == 0 {
			return nil
		}
		_, err := tx.tx.ExecContext(ctx, tx.s.rebind(`
			INSERT INTO order_items (order_id, position, sku, description, quantity, unit_price_cents)
			VALUES `+placeholders(nItems, 6)), items...)
		items, nItems = items[:0], 0
		return err
	}
	for _, o := range orders {
		if o.ID == 0 {
			return fmt.Errorf("store: create orders: no id returned for order %s", o.Number)
		}
		history = append(history, o.ID, o.Status, "", "import", tx.ts())
		for i, it := range o.Items {
			qty := it.Quantity
			if qty == 0 {
				qty = 1
			}
			items = append(items, o.ID, i, it.SKU, it.Description, qty, it.UnitPriceCents)
			if nItems++; nItems == importBatch {
				if err := flushItems(); err != nil {
					return fmt.Errorf("store: create orders: items: %w", err)
				}
			}
		}
	}
	if err := flushItems(); err != nil {
		return fmt.Errorf("store: create orders: items: %w", err)
	}
	_, err = tx.tx.ExecContext(ctx, tx.s.rebind(`
		INSERT INTO order_status_history (order_id, status, note, source, changed_at) VALUES `+placeholders(len(orders), 5)), history...)
	if err != nil {
		return fmt.Errorf("store: create orders: status history: %w", err)
	}
	return nil
}
