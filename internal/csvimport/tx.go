package csvimport

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"salesdesk/internal/store"
)

// Tx is the import's transaction, speaking the store's dialect: queries
// use ? placeholders and the helpers encode times the way the store's
// migrations expect.
type Tx struct {
	tx      *sql.Tx
	dialect store.Dialect
	now     time.Time // created_at / updated_at of this import
	changes []StatusChange
}

func (t *Tx) rebind(q string) string { return t.dialect.Rebind(q) }

func (t *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.tx.ExecContext(ctx, t.rebind(q), args...)
}

func (t *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.rebind(q), args...)
}

func (t *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, t.rebind(q), args...)
}

// insertID runs an INSERT ... RETURNING id.
func (t *Tx) insertID(ctx context.Context, q string, args ...any) (int64, error) {
	var id int64
	if err := t.queryRow(ctx, q+" RETURNING id", args...).Scan(&id); err != nil {
		return 0, err
	}
	return id, nil
}

// ts encodes the import's time for a timestamp column.
func (t *Tx) ts() any { return t.encodeTS(t.now) }

func (t *Tx) encodeTS(v time.Time) any { return t.dialect.Time(v) }

// date encodes a calendar date for a nullable DATE column: zero is NULL.
func (t *Tx) date(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return t.dialect.Date(d)
}

// nullString encodes an optional unique text column: "" is NULL.
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

var nullID = store.NullID

// dateCol scans a DATE column (text on SQLite, a time on PostgreSQL) as
// "2006-01-02"; NULL is "".
type dateCol struct{ s *string }

func (c dateCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.s = ""
	case time.Time:
		*c.s = v.UTC().Format("2006-01-02")
	case string:
		*c.s = firstN(v, 10)
	case []byte:
		*c.s = firstN(string(v), 10)
	default:
		return fmt.Errorf("csvimport: cannot scan %T into a date", v)
	}
	return nil
}

func firstN(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (t *Tx) customerRef(ctx context.Context, ref string) (int64, error) {
	var id int64
	err := t.queryRow(ctx, "SELECT id FROM customers WHERE external_id = ?", ref).Scan(&id)
	if err == nil {
		return id, nil
	}
	if err != sql.ErrNoRows {
		return 0, err
	}
	rows, err := t.query(ctx, "SELECT id FROM customers WHERE LOWER(name) = LOWER(?) ORDER BY id LIMIT 2", ref)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		if err := rows.Scan(&id); err != nil {
			return 0, err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	switch len(ids) {
	case 0:
		return 0, rowErr("customer %q: no account with that external id or name", ref)
	case 1:
		return ids[0], nil
	}
	return 0, rowErr("customer %q: several accounts have that name; use the external id", ref)
}
