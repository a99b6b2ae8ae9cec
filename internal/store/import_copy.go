package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// copyOrders stores new orders as createOrders does, on PostgreSQL with
// COPY: the orders' ids are taken from their sequence first, so that the
// items and the history can name them, then the three tables are copied
// in, inside the import's transaction. Multi-row INSERTs with RETURNING
// held the import to 7,800 rows/s (docs/performance.md).
func (tx *ImportTx) copyOrders(ctx context.Context, orders []*Order) error {
	ids, err := queryAllOn(ctx, tx.s, tx.tx, scanID,
		"SELECT nextval(pg_get_serial_sequence('orders', 'id')) FROM generate_series(1, ?)", len(orders))
	if err != nil {
		return fmt.Errorf("store: create orders: ids: %w", err)
	}
	if len(ids) != len(orders) {
		return fmt.Errorf("store: create orders: %d ids for %d orders", len(ids), len(orders))
	}
	now := tx.now
	orderRows := make([][]any, len(orders))
	historyRows := make([][]any, len(orders))
	var itemRows [][]any
	for i, o := range orders {
		o.ID = ids[i]
		orderRows[i] = []any{o.ID, o.CustomerID, o.Number, o.Status, o.Currency, o.AmountCents, tx.s.nullDate(o.PromisedDate),
			o.TrackingNumber, o.TrackingURL, o.Notes, now, now, now}
		historyRows[i] = []any{o.ID, o.Status, "", "import", now}
		for pos, it := range o.Items {
			qty := it.Quantity
			if qty == 0 {
				qty = 1
			}
			itemRows = append(itemRows, []any{o.ID, int32(pos), it.SKU, it.Description, int32(qty), it.UnitPriceCents})
		}
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"orders", []string{"id", "customer_id", "number", "status", "currency", "amount_cents", "promised_date",
			"tracking_number", "tracking_url", "notes", "status_changed_at", "created_at", "updated_at"}, orderRows},
		{"order_items", []string{"order_id", "position", "sku", "description", "quantity", "unit_price_cents"}, itemRows},
		{"order_status_history", []string{"order_id", "status", "note", "source", "changed_at"}, historyRows},
	}
	err = tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("not a pgx connection")
		}
		for _, cp := range copies {
			if len(cp.rows) == 0 {
				continue
			}
			if _, err := c.Conn().CopyFrom(ctx, pgx.Identifier{cp.table}, cp.cols, pgx.CopyFromRows(cp.rows)); err != nil {
				return fmt.Errorf("%s: %w", cp.table, err)
			}
		}
		return nil
	})
	if err != nil {
		for _, o := range orders {
			o.ID = 0
		}
		return fmt.Errorf("store: create orders: %w", conflict(err))
	}
	return tx.analyzeGrowth(ctx, len(orders))
}

// analyzeGrowth gathers statistics on the order tables each time the
// import has quadrupled them. PostgreSQL plans the foreign-key checks of
// every copied row (and the lookups of order numbers) once, on the
// statistics of the moment, and keeps that plan: made while the tables
// were empty it is a sequential scan, so each check read the whole table
// and a million orders took over nine minutes. ANALYZE, which sees the
// transaction's own rows, makes them plan again.
func (tx *ImportTx) analyzeGrowth(ctx context.Context, n int) error {
	tx.copied += n
	if tx.copied < tx.nextAnalyze {
		return nil
	}
	if _, err := tx.tx.ExecContext(ctx, "ANALYZE orders, order_items, order_status_history"); err != nil {
		return fmt.Errorf("store: create orders: analyze: %w", err)
	}
	tx.nextAnalyze = max(tx.nextAnalyze, analyzeFirst) * 4
	return nil
}

// analyzeFirst is how many orders an import copies before it first
// gathers statistics.
const analyzeFirst = 1000
