package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// ImportTx is the transaction of one file import: every row it writes is
// committed together or not at all, and stamped with the import's time
// rather than the store's clock.
type ImportTx struct {
	s    *Store
	conn *sql.Conn // the transaction's connection, for COPY on PostgreSQL
	tx   *sql.Tx
	now  time.Time
	at   any // now encoded for a timestamp column, once per import
	// copied counts the orders copied in; at nextAnalyze the tables'
	// statistics are gathered again (PostgreSQL, import_copy.go).
	copied, nextAnalyze int
	// created counts the orders created, held the orders the table held
	// before; aside holds the definitions of the indexes set aside until
	// the commit (SQLite, import_index.go).
	created, held int64
	asideDone     bool
	aside         []string
	// keys is 1 when the import checks the foreign keys of the orders it
	// copies itself, -1 when PostgreSQL checks each row, 0 before the
	// first copy (import_copy.go).
	keys int8
}

// Import runs fn in one transaction whose writes are stamped with at, and
// commits it when fn returns nil. An error from fn rolls everything back
// and is returned as it is, so that fn may end an import it judged bad.
func (s *Store) Import(ctx context.Context, at time.Time, fn func(tx *ImportTx) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: import: %w", err)
	}
	defer conn.Close()
	// Each query is prepared once per connection and reused for every row
	// of the file: by the store's statement cache on SQLite
	// (sqlite_stmt.go), by pgx's own on PostgreSQL.
	run := func(tx *sql.Tx) error {
		itx := &ImportTx{s: s, conn: conn, tx: tx, now: at.UTC(), at: s.ts(at.UTC())}
		if err := fn(itx); err != nil {
			return err
		}
		return itx.restoreIndexes(ctx)
	}
	if s.dialect != SQLite {
		return inTxOn(ctx, conn, run)
	}
	// A bigger page cache for the connection that writes the file, until
	// it committed: fewer pages spilled to the WAL and written again.
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", importCacheKiB)); err != nil {
		return fmt.Errorf("store: import: %w", err)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), defaultCache)
	return inTxOn(ctx, conn, run)
}

// importCacheKiB is the SQLite page cache of an import's connection.
const importCacheKiB = 16 << 10

// defaultCache sets SQLite's default page cache, 2,000 KiB.
const defaultCache = "PRAGMA cache_size = -2000"

// ts encodes the import's time for a timestamp column.
func (tx *ImportTx) ts() any { return tx.at }

// RepIDByEmail returns the id of the rep with that address (any case), or
// ErrNotFound.
func (tx *ImportTx) RepIDByEmail(ctx context.Context, email string) (int64, error) {
	id, err := queryOneOn(ctx, tx.s, tx.tx, scanID, "SELECT id FROM reps WHERE email = ?", normEmail(email))
	if err != nil {
		return 0, fmt.Errorf("store: rep %s: %w", email, err)
	}
	return *id, nil
}

// CustomerIDsByRef returns the account a file names by ref: the one with
// that external id or else those with that name (any case), at most two,
// lowest id first. None is an empty slice.
func (tx *ImportTx) CustomerIDsByRef(ctx context.Context, ref string) ([]int64, error) {
	ids, err := queryAllOn(ctx, tx.s, tx.tx, scanID, "SELECT id FROM customers WHERE external_id = ?", ref)
	if err == nil && len(ids) == 0 {
		ids, err = queryAllOn(ctx, tx.s, tx.tx, scanID, "SELECT id FROM customers WHERE LOWER(name) = LOWER(?) ORDER BY id LIMIT 2", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("store: customer %q: %w", ref, err)
	}
	return ids, nil
}

// CustomerByExternalID returns the account with that external id, or
// ErrNotFound.
func (tx *ImportTx) CustomerByExternalID(ctx context.Context, externalID string) (*Customer, error) {
	c, err := queryOneOn(ctx, tx.s, tx.tx, scanCustomer, "SELECT "+customerColumns+" FROM customers WHERE external_id = ?", externalID)
	if err != nil {
		return nil, fmt.Errorf("store: customer external id %s: %w", externalID, err)
	}
	return c, nil
}

// customerArgs are the columns of c; an account opted out now is opted
// out at the import's time.
func (tx *ImportTx) customerArgs(c *Customer) ([]any, error) {
	if c.OptedOut && c.OptedOutAt.IsZero() {
		c.OptedOutAt = tx.now
	}
	return tx.s.customerArgs(c)
}

// CreateCustomer stores a new account; a duplicate ExternalID is
// ErrConflict. On success c.ID is set.
func (tx *ImportTx) CreateCustomer(ctx context.Context, c *Customer) (int64, error) {
	args, err := tx.customerArgs(c)
	if err != nil {
		return 0, fmt.Errorf("store: create customer: %w", err)
	}
	id, err := queryOneOn(ctx, tx.s, tx.tx, scanID, `
		INSERT INTO customers (external_id, name, domain, country, region, phone, notes, owner_rep_id, opted_out,
			opted_out_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, append(args, tx.ts(), tx.ts())...)
	if err != nil {
		return 0, fmt.Errorf("store: create customer %q: %w", c.Name, conflict(err))
	}
	c.ID = *id
	return c.ID, nil
}

// UpdateCustomer saves every field of c (by c.ID), or returns ErrNotFound.
// An account that stays opted out keeps OptedOutAt; one opted out now
// without it gets the import's time.
func (tx *ImportTx) UpdateCustomer(ctx context.Context, c *Customer) error {
	args, err := tx.customerArgs(c)
	if err != nil {
		return fmt.Errorf("store: update customer %d: %w", c.ID, err)
	}
	res, err := tx.tx.ExecContext(ctx, tx.s.rebind(`
		UPDATE customers SET external_id = ?, name = ?, domain = ?, country = ?, region = ?, phone = ?, notes = ?,
			owner_rep_id = ?, opted_out = ?, opted_out_at = ?, updated_at = ?
		WHERE id = ?`), append(args, tx.ts(), c.ID)...)
	return tx.s.checkUpdated(res, err, "update customer", c.ID)
}

// ContactByEmail returns the contact with that email (any case), or
// ErrNotFound.
func (tx *ImportTx) ContactByEmail(ctx context.Context, email string) (*Contact, error) {
	c, err := queryOneOn(ctx, tx.s, tx.tx, scanContact, "SELECT "+contactColumns+" FROM contacts WHERE email = ?", normEmail(email))
	if err != nil {
		return nil, fmt.Errorf("store: contact %s: %w", email, err)
	}
	return c, nil
}

// CreateContact stores a new contact; an email that already belongs to a
// contact is ErrConflict. On success c.ID is set.
func (tx *ImportTx) CreateContact(ctx context.Context, c *Contact) (int64, error) {
	id, err := queryOneOn(ctx, tx.s, tx.tx, scanID, `
		INSERT INTO contacts (customer_id, email, name, phone, title, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, c.CustomerID, normEmail(c.Email), c.Name, c.Phone, c.Title, tx.ts(), tx.ts())
	if err != nil {
		return 0, fmt.Errorf("store: create contact %s: %w", c.Email, conflict(err))
	}
	c.ID = *id
	return c.ID, nil
}

// UpdateContact saves every field of c (by c.ID), or returns ErrNotFound.
func (tx *ImportTx) UpdateContact(ctx context.Context, c *Contact) error {
	res, err := tx.tx.ExecContext(ctx, tx.s.rebind(`
		UPDATE contacts SET customer_id = ?, email = ?, name = ?, phone = ?, title = ?, updated_at = ?
		WHERE id = ?`), c.CustomerID, normEmail(c.Email), c.Name, c.Phone, c.Title, tx.ts(), c.ID)
	return tx.s.checkUpdated(res, err, "update contact", c.ID)
}

// OrderByNumber returns the order with that number with its items, or
// ErrNotFound.
func (tx *ImportTx) OrderByNumber(ctx context.Context, number string) (*Order, error) {
	number = strings.TrimSpace(number)
	o, err := queryOneOn(ctx, tx.s, tx.tx, scanOrder, "SELECT "+orderColumns+" FROM orders WHERE number = ?", number)
	if err == nil {
		o.Items, err = queryAllOn(ctx, tx.s, tx.tx, scanOrderItem, `
			SELECT sku, description, quantity, unit_price_cents FROM order_items WHERE order_id = ? ORDER BY position, id`, o.ID)
	}
	if err != nil {
		return nil, fmt.Errorf("store: order %s: %w", number, err)
	}
	return o, nil
}

// CreateOrder stores an order (pending when o.Status is empty) with its
// items and the first entry of its status history, from source "import";
// a duplicate Number is ErrConflict. On success o.ID is set.
func (tx *ImportTx) CreateOrder(ctx context.Context, o *Order) (int64, error) {
	if o.Status == "" {
		o.Status = OrderPending
	}
	id, err := queryOneOn(ctx, tx.s, tx.tx, scanID, `
		INSERT INTO orders (customer_id, number, status, currency, amount_cents, promised_date, tracking_number,
			tracking_url, notes, status_changed_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		o.CustomerID, strings.TrimSpace(o.Number), o.Status, o.Currency, o.AmountCents, tx.s.nullDate(o.PromisedDate),
		o.TrackingNumber, o.TrackingURL, o.Notes, tx.ts(), tx.ts(), tx.ts())
	if err != nil {
		return 0, fmt.Errorf("store: create order %s: %w", o.Number, conflict(err))
	}
	o.ID = *id
	if err := tx.s.insertItems(ctx, tx.tx, o.ID, o.Items); err != nil {
		return 0, fmt.Errorf("store: create order %s: %w", o.Number, err)
	}
	if err := tx.statusChange(ctx, o.ID, o.Status); err != nil {
		return 0, err
	}
	return o.ID, nil
}

// UpdateOrder saves the currency, amount, promised date, tracking and
// notes of o (by o.ID); its status and items stay.
func (tx *ImportTx) UpdateOrder(ctx context.Context, o *Order) error {
	res, err := tx.tx.ExecContext(ctx, tx.s.rebind(`
		UPDATE orders SET currency = ?, amount_cents = ?, promised_date = ?, tracking_number = ?, tracking_url = ?,
			notes = ?, updated_at = ?
		WHERE id = ?`),
		o.Currency, o.AmountCents, tx.s.nullDate(o.PromisedDate), o.TrackingNumber, o.TrackingURL, o.Notes, tx.ts(), o.ID)
	return tx.s.checkUpdated(res, err, "update order", o.ID)
}

// SetOrderStatus changes an order's status and records the change in its
// history, from source "import".
func (tx *ImportTx) SetOrderStatus(ctx context.Context, id int64, status string) error {
	res, err := tx.tx.ExecContext(ctx, tx.s.rebind("UPDATE orders SET status = ?, status_changed_at = ?, updated_at = ? WHERE id = ?"),
		status, tx.ts(), tx.ts(), id)
	if err := tx.s.checkUpdated(res, err, "set order status", id); err != nil {
		return err
	}
	return tx.statusChange(ctx, id, status)
}

func (tx *ImportTx) statusChange(ctx context.Context, orderID int64, status string) error {
	err := tx.s.insertStatusChange(ctx, tx.tx, orderID, OrderStatusChange{Status: status, Source: "import", ChangedAt: tx.now})
	if err != nil {
		return fmt.Errorf("store: order %d: %w", orderID, err)
	}
	return nil
}

// ReplaceOrderItems replaces an order's items and marks it updated.
func (tx *ImportTx) ReplaceOrderItems(ctx context.Context, orderID int64, items []OrderItem) error {
	if _, err := tx.tx.ExecContext(ctx, tx.s.rebind("DELETE FROM order_items WHERE order_id = ?"), orderID); err != nil {
		return fmt.Errorf("store: order %d items: %w", orderID, err)
	}
	if err := tx.s.insertItems(ctx, tx.tx, orderID, items); err != nil {
		return fmt.Errorf("store: order %d: %w", orderID, err)
	}
	res, err := tx.tx.ExecContext(ctx, tx.s.rebind("UPDATE orders SET updated_at = ? WHERE id = ?"), tx.ts(), orderID)
	return tx.s.checkUpdated(res, err, "update order", orderID)
}

// LeadIDByExternalID returns the id of the lead with that external id, or
// ErrNotFound.
func (tx *ImportTx) LeadIDByExternalID(ctx context.Context, externalID string) (int64, error) {
	id, err := queryOneOn(ctx, tx.s, tx.tx, scanID, "SELECT id FROM leads WHERE external_id = ?", externalID)
	if err != nil {
		return 0, fmt.Errorf("store: lead external id %s: %w", externalID, err)
	}
	return *id, nil
}

// CreateLead stores an unassigned lead and its "created" event (noting
// its source); a duplicate ExternalID is ErrConflict. On success l.ID is
// set.
func (tx *ImportTx) CreateLead(ctx context.Context, l *Lead) (int64, error) {
	id, err := queryOneOn(ctx, tx.s, tx.tx, scanID, `
		INSERT INTO leads (external_id, customer_id, contact_email, contact_name, company, domain, country, source, summary,
			status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		nullString(l.ExternalID), nullID(l.CustomerID), normEmail(l.ContactEmail), l.ContactName, l.Company, l.Domain,
		l.Country, l.Source, l.Summary, LeadUnassigned, tx.ts(), tx.ts())
	if err != nil {
		return 0, fmt.Errorf("store: create lead %s: %w", l.ExternalID, conflict(err))
	}
	l.ID = *id
	err = tx.s.addLeadEvent(ctx, tx.tx, &LeadEvent{LeadID: l.ID, Kind: LeadEventCreated, Note: l.Source, CreatedAt: tx.now})
	if err != nil {
		return 0, fmt.Errorf("store: create lead %s: %w", l.ExternalID, err)
	}
	return l.ID, nil
}
