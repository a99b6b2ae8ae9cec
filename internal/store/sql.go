package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// rebind rewrites ? placeholders to $1, $2, ... for PostgreSQL and leaves
// them for SQLite. Queries must not put a literal ? inside quotes.
func (d Dialect) rebind(query string) string {
	if d != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// encodeTime encodes t for a timestamp column the way the migrations store it:
// fixed-width UTC text on SQLite (text order is time order), TIMESTAMPTZ
// on PostgreSQL.
func (d Dialect) encodeTime(t time.Time) any {
	t = t.UTC()
	if d == SQLite {
		return t.Format(sqliteTimeFormat)
	}
	return t
}

// encodeDate encodes the calendar date of t (as given, not converted to UTC)
// for a DATE column.
func (d Dialect) encodeDate(t time.Time) any {
	if d == SQLite {
		return t.Format(dateFormat)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (s *Store) rebind(query string) string { return s.dialect.rebind(query) }

// sqliteTimeFormat is fixed-width so that text order is time order.
const sqliteTimeFormat = "2006-01-02T15:04:05.000000000Z"

const dateFormat = "2006-01-02"

// ts encodes a time for a NOT NULL timestamp column.
func (s *Store) ts(t time.Time) any { return s.dialect.encodeTime(t) }

// nullTS encodes a time for a nullable timestamp column: zero is NULL.
func (s *Store) nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.ts(t)
}

// nullDate encodes the calendar date of t (as given, not converted to UTC)
// for a nullable DATE column: zero is NULL.
func (s *Store) nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return s.dialect.encodeDate(t)
}

// timeCol scans any timestamp or date column into a UTC time.Time; NULL is
// the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	case string:
		return c.parse(v)
	case []byte:
		return c.parse(string(v))
	case int64:
		*c.t = time.UnixMilli(v).UTC()
	default:
		return fmt.Errorf("store: cannot scan %T into a time", v)
	}
	return nil
}

func (c timeCol) parse(v string) error {
	if v == "" {
		*c.t = time.Time{}
		return nil
	}
	for _, layout := range []string{time.RFC3339Nano, dateFormat, "2006-01-02 15:04:05.999999999-07:00"} {
		if t, err := time.Parse(layout, v); err == nil {
			*c.t = t.UTC()
			return nil
		}
	}
	return fmt.Errorf("store: cannot parse time %q", v)
}

// tcol returns a scanner for a timestamp column.
func tcol(t *time.Time) timeCol { return timeCol{t} }

// nullID encodes an optional foreign key: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// idCol scans a nullable id column; NULL is 0.
type idCol struct{ id *int64 }

func (c idCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.id = 0
	case int64:
		*c.id = v
	case int32:
		*c.id = int64(v)
	default:
		return fmt.Errorf("store: cannot scan %T into an id", v)
	}
	return nil
}

func icol(id *int64) idCol { return idCol{id} }

// nullString encodes an optional unique text column: "" is NULL, so that
// any number of rows may leave it empty.
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// strCol scans a nullable text column; NULL is "".
type strCol struct{ s *string }

func (c strCol) Scan(v any) error {
	switch v := v.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("store: cannot scan %T into a string", v)
	}
	return nil
}

func scol(s *string) strCol { return strCol{s} }

// row is what *sql.Row and *sql.Rows have in common.
type row interface{ Scan(dest ...any) error }

// scanID scans a row of one id column.
func scanID(r row) (*int64, error) {
	var id int64
	if err := r.Scan(&id); err != nil {
		return nil, err
	}
	return &id, nil
}

// normEmail is how email addresses are stored and looked up: trimmed and
// lower-cased, so that lookups are case-insensitive.
func normEmail(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }

// page clamps a list limit and offset: limit 0 means the default of 50,
// and no list returns more than 1000 rows at once.
func page(limit, offset int) (int, int) {
	switch {
	case limit <= 0:
		limit = 50
	case limit > 1000:
		limit = 1000
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// where accumulates AND-ed conditions and their arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// timeRange adds col >= from and col < to to w for the bounds that are
// set; a zero bound is open.
func (s *Store) timeRange(w *where, col string, from, to time.Time) {
	if !from.IsZero() {
		w.add(col+" >= ?", s.ts(from))
	}
	if !to.IsZero() {
		w.add(col+" < ?", s.ts(to))
	}
}

// paged returns the WHERE clause, ORDER BY order and one page of rows
// (limit and offset clamped by page), with the arguments they take.
func (w *where) paged(order string, limit, offset int) (string, []any) {
	limit, offset = page(limit, offset)
	return w.String() + " ORDER BY " + order + " LIMIT ? OFFSET ?", append(w.args, limit, offset)
}

// queryAll runs a query and scans every row it returns; no rows is a nil
// slice.
func queryAll[T any](ctx context.Context, s *Store, scan func(row) (*T, error), query string, args ...any) ([]T, error) {
	return queryAllOn(ctx, s, s.db, scan, query, args...)
}

// queryAllOn is queryAll on q, such as a transaction.
func queryAllOn[T any](ctx context.Context, s *Store, q querier, scan func(row) (*T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, s.rebind(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// readAll runs query and stores its rows in dst; fields returns the scan
// destinations of one row.
func readAll[T any](ctx context.Context, s *Store, what string, dst *[]T, fields func(*T) []any, query string, args ...any) error {
	out, err := queryAll(ctx, s, func(r row) (*T, error) {
		var v T
		if err := r.Scan(fields(&v)...); err != nil {
			return nil, err
		}
		return &v, nil
	}, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	*dst = out
	return nil
}

// queryOne runs a query for a single row and scans it; no row is
// ErrNotFound.
func queryOne[T any](ctx context.Context, s *Store, scan func(row) (*T, error), query string, args ...any) (*T, error) {
	return queryOneOn(ctx, s, s.db, scan, query, args...)
}

// queryOneOn is queryOne on q, such as a transaction.
func queryOneOn[T any](ctx context.Context, s *Store, q querier, scan func(row) (*T, error), query string, args ...any) (*T, error) {
	v, err := scan(q.QueryRowContext(ctx, s.rebind(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return v, err
}

// queryKeyed is queryOne for query, whose one parameter is key; its
// error names what was asked for, as in "store: lead 7: not found".
func queryKeyed[T any](ctx context.Context, s *Store, scan func(row) (*T, error), what string, key int64, query string) (*T, error) {
	v, err := queryOne(ctx, s, scan, query, key)
	if err != nil {
		return nil, fmt.Errorf("store: %s %d: %w", what, key, err)
	}
	return v, nil
}

// inList is the condition "IN (?, ?, ...)" for n values on SQLite and
// "= ANY(?)" on PostgreSQL, whose args listArgs makes.
func (s *Store) inList(n int) string {
	if s.dialect == Postgres {
		return "= ANY(?)"
	}
	return "IN " + placeholders(1, n)
}

// listArgs are the arguments of inList: one array on PostgreSQL, each
// value on SQLite.
func listArgs[T any](d Dialect, values []T) []any {
	if d == Postgres {
		return []any{values}
	}
	args := make([]any, len(values))
	for i, v := range values {
		args[i] = v
	}
	return args
}
