package store

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
)

// TestSQLiteKeptStatements checks the connection's statement cache: the
// same results as a connection without it (a plain database/sql handle
// on the same file), one preparation per query text, a statement whose
// rows are open not reused under them, a schema change seen, an error
// not left behind, and every kept statement closed with its connection.
func TestSQLiteKeptStatements(t *testing.T) {
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "kept.db")
	s, err := Open(ctx, "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := sql.Open("sqlite", "file:"+path+"?"+sqlitePragmas.Encode())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { plain.Close() })

	conn, err := s.db.Conn(ctx) // one connection, so the counts are its own
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE kept (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	before := s.kept.prepared.Load()
	const insert = "INSERT INTO kept (id, name, n) VALUES (?, ?, ?)"
	for i := 1; i <= 50; i++ {
		if _, err := conn.ExecContext(ctx, insert, i, fmt.Sprintf("row %d", i), i%7); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}
	if _, err := conn.ExecContext(ctx, insert, 1, "again", 0); err == nil {
		t.Fatal("duplicate id inserted, want a constraint error")
	}
	if _, err := conn.ExecContext(ctx, insert, 51, "row 51", 51%7); err != nil {
		t.Fatalf("insert after a failed one on the same statement: %v", err)
	}

	const query = "SELECT id, name, n FROM kept WHERE n = ? ORDER BY id"
	read := func(q interface {
		Query(string, ...any) (*sql.Rows, error)
	}, n int) []string {
		t.Helper()
		rows, err := q.Query(query, n)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var got []string
		for rows.Next() {
			var (
				id, m int
				name  string
			)
			if err := rows.Scan(&id, &name, &m); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprint(id, name, m))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return got
	}
	pinned := connQuerier{conn: conn, t: t}
	for n := 0; n < 7; n++ {
		for range 3 {
			if got, want := read(pinned, n), read(plain, n); !reflect.DeepEqual(got, want) {
				t.Fatalf("n=%d: kept statement read %q, plain connection %q", n, got, want)
			}
		}
	}
	// Nothing matches: an empty result, then the statement again.
	if got := read(pinned, 99); len(got) != 0 {
		t.Fatalf("n=99: read %q, want nothing", got)
	}

	// The same query while its statement's rows are open: it must run on
	// a statement of its own, not reset the open one.
	outer, err := conn.QueryContext(ctx, query, 3)
	if err != nil {
		t.Fatal(err)
	}
	var nested [][]string
	for outer.Next() {
		var (
			id, m int
			name  string
		)
		if err := outer.Scan(&id, &name, &m); err != nil {
			t.Fatal(err)
		}
		nested = append(nested, read(pinned, 4))
	}
	if err := outer.Close(); err != nil {
		t.Fatal(err)
	}
	if want := read(plain, 3); len(nested) != len(want) {
		t.Fatalf("outer rows under nested reads: %d rows, want %d", len(nested), len(want))
	}
	for _, got := range nested {
		if want := read(plain, 4); !reflect.DeepEqual(got, want) {
			t.Fatalf("nested read %q, want %q", got, want)
		}
	}

	if got, want := s.kept.prepared.Load()-before, int64(2); got != want {
		t.Errorf("statements prepared for two query texts: %d, want %d", got, want)
	}
	if got := s.kept.reused.Load(); got < 50+21 {
		t.Errorf("kept statements reused %d times, want at least 71", got)
	}

	// A schema change: SQLite prepares the kept statement again itself.
	if _, err := conn.ExecContext(ctx, "ALTER TABLE kept ADD COLUMN extra TEXT NOT NULL DEFAULT 'x'"); err != nil {
		t.Fatal(err)
	}
	const star = "SELECT * FROM kept WHERE id = ?"
	for _, want := range []int{4, 4} {
		rows, err := conn.QueryContext(ctx, star, 1)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		rows.Close()
		if len(cols) != want {
			t.Fatalf("columns after ALTER TABLE: %q, want %d", cols, want)
		}
	}

	if err := conn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if p, c := s.kept.prepared.Load(), s.kept.closed.Load(); p == 0 || c != p {
		t.Errorf("after Close: %d statements prepared, %d closed; want all closed", p, c)
	}
}

// connQuerier runs Query on a pinned connection.
type connQuerier struct {
	conn *sql.Conn
	t    *testing.T
}

func (q connQuerier) Query(query string, args ...any) (*sql.Rows, error) {
	return q.conn.QueryContext(testCtx(q.t), query, args...)
}
