package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"salesdesk/internal/testenv"
)

// dialectDSN returns a fresh, empty database of the dialect for this test.
func dialectDSN(t testing.TB, d Dialect) string {
	t.Helper()
	switch d {
	case SQLite:
		return "sqlite:" + filepath.Join(t.TempDir(), "salesdesk.db")
	case Postgres:
		return testenv.PostgresDSN(t)
	}
	t.Fatalf("unknown dialect %q", d)
	return ""
}

// openTest opens a migrated store on a fresh database of the dialect.
func openTest(t testing.TB, d Dialect, opts ...Option) *Store {
	t.Helper()
	s, err := Open(context.Background(), dialectDSN(t, d), opts...)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// forEachDialect runs the same test body against SQLite and PostgreSQL,
// each with a fresh database.
func forEachDialect(t *testing.T, fn func(t *testing.T, s *Store)) {
	t.Helper()
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			fn(t, openTest(t, d))
		})
	}
}

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestOpenRejectsUnknownScheme(t *testing.T) {
	for _, dsn := range []string{"mysql://x", "", "sqlite", "file:x.db", "postgres:/x"} {
		_, err := Open(context.Background(), dsn)
		if err == nil || !strings.Contains(err.Error(), "unsupported database") {
			t.Errorf("Open(%q) = %v, want unsupported database error", dsn, err)
		}
	}
}

func TestOpenSQLiteRejectsParams(t *testing.T) {
	_, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "x.db")+"?_pragma=foreign_keys(off)")
	if err == nil {
		t.Fatal("Open with DSN parameters succeeded, want error")
	}
}

func TestOpenSQLiteMemory(t *testing.T) {
	ctx := testCtx(t)
	s, err := Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, _, err := s.SaveInboundMessage(ctx, &InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 1, Raw: []byte("x")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InboundMessage(ctx, 1); err != nil {
		t.Fatalf("memory database lost its row: %v", err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	ctx := testCtx(t)
	s := openTest(t, SQLite)
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "foreign_keys": "1", "busy_timeout": "5000", "synchronous": "1",
		"wal_autocheckpoint": "10000",
	} {
		var got string
		if err := s.db.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestMigrationsIdempotent(t *testing.T) {
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			dsn := dialectDSN(t, d)
			s1, err := Open(ctx, dsn, WithoutMigrations())
			if err != nil {
				t.Fatal(err)
			}
			applied, err := s1.Migrate(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ms, _ := migrations(d)
			if len(applied) != len(ms) || len(applied) == 0 {
				t.Fatalf("first Migrate applied %v, want all %d", applied, len(ms))
			}
			s1.Close()

			s2, err := Open(ctx, dsn)
			if err != nil {
				t.Fatalf("second Open: %v", err)
			}
			defer s2.Close()
			again, err := s2.Migrate(ctx)
			if err != nil || len(again) != 0 {
				t.Fatalf("Migrate on a current schema = %v, %v; want nothing applied", again, err)
			}
			status, err := s2.MigrationStatus(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range status {
				if !st.Applied || st.AppliedAt.IsZero() {
					t.Errorf("migration %s not recorded as applied: %+v", st.Name, st)
				}
			}
		})
	}
}

// TestOpenConcurrentStartsSQLite opens one new SQLite file from eight
// stores at once, again and again: each store's first connections turn on
// WAL, and one of them can be refused at once (SQLITE_BUSY without
// busy_timeout's wait) while another holds the file's lock. Every Open
// must succeed (it tries again, retryBusy).
func TestOpenConcurrentStartsSQLite(t *testing.T) {
	ctx := testCtx(t)
	for round := range 10 {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), fmt.Sprintf("starts%d.db", round))
		const n = 8
		errs := make(chan error, n)
		for range n {
			go func() {
				s, err := Open(ctx, dsn)
				if err == nil {
					err = s.Close()
				}
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Errorf("round %d: %v", round, err)
			}
		}
	}
}

func TestMigrateConcurrentStarts(t *testing.T) {
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			ctx := testCtx(t)
			dsn := dialectDSN(t, d)
			const n = 4
			errs := make(chan error, n)
			applied := make(chan int, n)
			for range n {
				go func() {
					s, err := Open(ctx, dsn, WithoutMigrations())
					if err != nil {
						errs <- err
						return
					}
					defer s.Close()
					a, err := s.Migrate(ctx)
					applied <- len(a)
					errs <- err
				}()
			}
			total := 0
			for range n {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
			close(applied)
			for a := range applied {
				total += a
			}
			ms, _ := migrations(d)
			if total != len(ms) {
				t.Errorf("concurrent starts applied %d migrations in total, want %d (each exactly once)", total, len(ms))
			}
		})
	}
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := migrations(SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations(Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(lite), len(pg))
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d: sqlite %s, postgres %s", i, lite[i].name, pg[i].name)
		}
	}
}

func TestPing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		if err := s.Ping(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRebind(t *testing.T) {
	pg := &Store{dialect: Postgres}
	lite := &Store{dialect: SQLite}
	q := "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"
	if got, want := pg.rebind(q), "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"; got != want {
		t.Errorf("postgres rebind = %q, want %q", got, want)
	}
	if got := lite.rebind(q); got != q {
		t.Errorf("sqlite rebind changed the query: %q", got)
	}
}

func TestIsRetryable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{name: "nil", err: nil, want: false},
		{name: "not found", err: ErrNotFound, want: false},
		{name: "canceled", err: context.Canceled, want: false},
		{name: "deadline", err: context.DeadlineExceeded, want: true},
		{name: "plain", err: errors.New("syntax error"), want: false},
		{name: "conflict", err: fmt.Errorf("x: %w", ErrConflict), want: false},
		{name: "pg serialization", err: &pgconn.PgError{Code: "40001"}, want: true},
		{name: "pg deadlock", err: fmt.Errorf("wrapped: %w", &pgconn.PgError{Code: "40P01"}), want: true},
		{name: "pg admin shutdown", err: &pgconn.PgError{Code: "57P01"}, want: true},
		{name: "pg too many connections", err: &pgconn.PgError{Code: "53300"}, want: true},
		{name: "pg unique violation", err: &pgconn.PgError{Code: "23505"}, want: false},
		{name: "pg syntax", err: &pgconn.PgError{Code: "42601"}, want: false},
		{name: "network", err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}, want: true},
		{name: "bad conn", err: driver.ErrBadConn, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsRetryable(tt.err); got != tt.want {
				t.Errorf("IsRetryable(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// TestIsRetryableRealErrors checks the classification of errors the
// databases really return: a busy SQLite file and unique violations.
func TestIsRetryableRealErrors(t *testing.T) {
	ctx := testCtx(t)
	path := filepath.Join(t.TempDir(), "busy.db")
	lock, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	tx, err := lock.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	other, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	_, busyErr := other.ExecContext(ctx, "INSERT INTO t VALUES (1)")
	if busyErr == nil || !IsRetryable(busyErr) {
		t.Errorf("IsRetryable(%v) = false, want true for a locked database", busyErr)
	}

	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		if _, err := s.CreateRep(ctx, &Rep{Email: "a@x"}); err != nil {
			t.Fatal(err)
		}
		_, err := s.CreateRep(ctx, &Rep{Email: "a@x"})
		if !errors.Is(err, ErrConflict) || IsRetryable(err) {
			t.Errorf("unique violation %v: conflict=%v retryable=%v", err, errors.Is(err, ErrConflict), IsRetryable(err))
		}
	})
}

// TestMigrateWaitsForAnotherProcessesLock holds SQLite's write lock longer
// than busy_timeout (5 s), as a process applying migrations on a slow
// machine does, while another process starts: its Migrate waits and
// applies every migration once the lock is free, instead of failing with
// "database is locked".
func TestMigrateWaitsForAnotherProcessesLock(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path := filepath.Join(t.TempDir(), "salesdesk.db")
	lock, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate&_pragma=journal_mode(wal)")
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	tx, err := lock.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "CREATE TABLE holder (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	s, err := Open(ctx, "sqlite:"+path, WithoutMigrations())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan error, 1)
	go func() {
		_, err := s.Migrate(ctx)
		done <- err
	}()
	// Past busy_timeout: without the wait Migrate has failed by now.
	select {
	case err := <-done:
		t.Fatalf("Migrate returned while another connection held the write lock: %v", err)
	case <-time.After(7 * time.Second):
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Migrate after the lock was released: %v", err)
	}
	ms, _ := migrations(SQLite)
	var n int
	if err := lock.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) {
		t.Errorf("%d migrations recorded, want %d", n, len(ms))
	}
}

// TestPoolKeepsItsConnections holds as many connections as the pool
// allows, gives them back and checks that all of them stay open for the
// next burst: a pool that closes the ones above its idle limit makes the
// PostgreSQL server start a new process (and prepare every statement
// again) for each of them on the next burst.
func TestPoolKeepsItsConnections(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		n := s.db.read.Stats().MaxOpenConnections
		if n <= 1 {
			t.Fatalf("MaxOpenConnections = %d, want a pool", n)
		}
		for burst := range 2 {
			conns := make([]*sql.Conn, n)
			for i := range conns {
				c, err := s.db.read.Conn(ctx)
				if err != nil {
					t.Fatalf("burst %d: conn %d: %v", burst, i, err)
				}
				if err := c.PingContext(ctx); err != nil {
					t.Fatalf("burst %d: ping %d: %v", burst, i, err)
				}
				conns[i] = c
			}
			for _, c := range conns {
				c.Close()
			}
		}
		st := s.db.read.Stats()
		if st.MaxIdleClosed != 0 || st.OpenConnections != n || st.Idle != n {
			t.Errorf("after two bursts of %d connections: closed for the idle limit %d, open %d, idle %d; want 0, %d, %d",
				n, st.MaxIdleClosed, st.OpenConnections, st.Idle, n, n)
		}
	})
}
