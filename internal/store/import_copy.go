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
	keys, err := tx.keysSetWise(ctx)
	if err != nil {
		return fmt.Errorf("store: create orders: %w", err)
	}
	if keys {
		if err := tx.lockAccounts(ctx, orders); err != nil {
			return err
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
		if keys {
			if _, err := c.Conn().Exec(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
				return err
			}
		}
		for _, cp := range copies {
			if len(cp.rows) == 0 {
				continue
			}
			if _, err := c.Conn().CopyFrom(ctx, pgx.Identifier{cp.table}, cp.cols, pgx.CopyFromRows(cp.rows)); err != nil {
				return fmt.Errorf("%s: %w", cp.table, err)
			}
		}
		if keys {
			if _, err := c.Conn().Exec(ctx, "SET LOCAL session_replication_role = origin"); err != nil {
				return err
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

// keysSetWise reports, the first time an import copies orders, whether
// it checks their foreign keys itself, once per batch, instead of letting
// PostgreSQL check each copied row (three checks per order, about a third
// of the server's work per order): the import's role may set
// session_replication_role (a superuser, or granted SET on it), which
// stops those per-row checks, and the three tables have no trigger or
// rule of their own that would stop with them. A staging table moved in
// with INSERT ... SELECT would not help: PostgreSQL 15 checks the foreign
// keys of such an INSERT row by row too (docs/performance.md).
//
// What the per-row checks did, the import does by construction or per
// batch: the items and the history name orders copied just before in the
// same transaction, and lockAccounts finds and locks the batch's accounts
// with one statement.
func (tx *ImportTx) keysSetWise(ctx context.Context) (bool, error) {
	if tx.keys != 0 {
		return tx.keys > 0, nil
	}
	tx.keys = -1
	own, err := queryOneOn(ctx, tx.s, tx.tx, scanID, `
		SELECT (SELECT count(*) FROM pg_trigger
			WHERE NOT tgisinternal AND tgrelid IN ('orders'::regclass, 'order_items'::regclass, 'order_status_history'::regclass))
			+ (SELECT count(*) FROM pg_rules WHERE tablename IN ('orders', 'order_items', 'order_status_history'))`)
	if err != nil {
		return false, fmt.Errorf("triggers: %w", err)
	}
	if *own > 0 {
		return false, nil
	}
	if _, err := tx.tx.ExecContext(ctx, "SAVEPOINT import_keys"); err != nil {
		return false, err
	}
	if _, err := tx.tx.ExecContext(ctx, "SET LOCAL session_replication_role = replica"); err != nil {
		// Not allowed: the per-row checks stay.
		if _, err := tx.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT import_keys"); err != nil {
			return false, err
		}
		return false, nil
	}
	for _, q := range []string{"SET LOCAL session_replication_role = origin", "RELEASE SAVEPOINT import_keys"} {
		if _, err := tx.tx.ExecContext(ctx, q); err != nil {
			return false, err
		}
	}
	tx.keys = 1
	return true, nil
}

// lockAccounts checks and locks, with one statement, the accounts that
// orders belong to, as the foreign key's per-row check would: each must
// exist, and none may be deleted until the import ends.
func (tx *ImportTx) lockAccounts(ctx context.Context, orders []*Order) error {
	want := make(map[int64]bool, len(orders))
	ids := make([]int64, 0, len(orders))
	for _, o := range orders {
		if !want[o.CustomerID] {
			want[o.CustomerID] = true
			ids = append(ids, o.CustomerID)
		}
	}
	found, err := queryAllOn(ctx, tx.s, tx.tx, scanID, "SELECT id FROM customers WHERE id = ANY(?) FOR KEY SHARE", ids)
	if err != nil {
		return fmt.Errorf("store: create orders: accounts: %w", err)
	}
	for _, id := range found {
		delete(want, id)
	}
	for _, o := range orders {
		if want[o.CustomerID] {
			return fmt.Errorf("store: create order %s: account %d: %w", o.Number, o.CustomerID, ErrNotFound)
		}
	}
	return nil
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
