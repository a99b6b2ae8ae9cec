package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestIsRead(t *testing.T) {
	for _, tc := range []struct {
		name  string
		query string
		want  bool
	}{
		{name: "select", query: "SELECT id, updated_at FROM leads WHERE id = ?", want: true},
		{name: "select after space", query: "\n\t\tselect COUNT(*) FROM reps", want: true},
		{name: "with select", query: "WITH x AS (SELECT 1) SELECT * FROM x", want: true},
		{name: "with update", query: "WITH u AS (UPDATE leads SET rep_id = ? RETURNING id) INSERT INTO lead_events SELECT id FROM u", want: false},
		{name: "insert returning", query: "INSERT INTO reps (email) VALUES (?) RETURNING id", want: false},
		{name: "update", query: "UPDATE reps SET name = ?", want: false},
		{name: "pragma", query: "PRAGMA cache_size = -2000", want: false},
		{name: "empty", query: "  ", want: false},
	} {
		if got := isRead(tc.query); got != tc.want {
			t.Errorf("%s: isRead(%q) = %v, want %v", tc.name, tc.query, got, tc.want)
		}
	}
}

// TestSQLiteWritesShareOneConnection starts a write while a transaction
// holds the write lock: it must run on the same connection once the
// transaction is done (its statement, kept by that connection, is not
// prepared again), not on a second connection that waits for SQLite's
// lock. A second writing connection would throw its page cache away at
// every commit of the first (sqlite_writer.go).
func TestSQLiteWritesShareOneConnection(t *testing.T) {
	s := openTest(t, SQLite)
	ctx := testCtx(t)
	const insert = "INSERT INTO mail_suppressions (email, reason, created_at) VALUES (?, 'test', '2026-12-03T00:00:00.000000000Z')"
	before := s.kept.prepared.Load()
	done := make(chan error, 1)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, insert, "a@example.com"); err != nil {
			return err
		}
		go func() {
			_, err := s.db.ExecContext(ctx, insert, "b@example.com")
			done <- err
		}()
		// The second write starts while this transaction is open: not
		// needed for the outcome, only makes the test meaningful.
		time.Sleep(100 * time.Millisecond)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("write after the transaction: %v", err)
	}
	if got := s.kept.prepared.Load() - before; got != 1 {
		t.Errorf("the insert was prepared %d times, want once: the writes ran on more than one connection", got)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mail_suppressions").Scan(&n); err != nil || n != 2 {
		t.Errorf("suppressions = %d (%v), want 2", n, err)
	}
}

// TestNestedWriteFailsInsteadOfHanging runs a write on the Store, not on
// the transaction, while the same caller holds the writer in a
// transaction: it waits for itself. It must fail after the writer wait,
// with an error the caller retries, and leave the writer usable; the
// test's context deadline makes a hang a failure.
func TestNestedWriteFailsInsteadOfHanging(t *testing.T) {
	s := openTest(t, SQLite)
	s.db.wait = 200 * time.Millisecond
	ctx := testCtx(t)
	var nested, nestedRead error
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		_, nested = s.db.ExecContext(ctx, "DELETE FROM mail_suppressions")
		_, nestedRead = s.Suppression(ctx, "x@example.com")
		var id int64
		rerr := s.db.QueryRowContext(ctx, "INSERT INTO mail_suppressions (email, reason, created_at) VALUES ('x@example.com', 'test', '') RETURNING id").Scan(&id)
		if !errors.Is(rerr, context.DeadlineExceeded) || !IsRetryable(rerr) {
			t.Errorf("nested RETURNING write: %v, want a retryable deadline error", rerr)
		}
		return s.inTx(ctx, func(*sql.Tx) error { return nil })
	})
	if ctx.Err() != nil {
		t.Fatalf("the nested write waited for the test's deadline: %v", ctx.Err())
	}
	if nested == nil || !IsRetryable(nested) {
		t.Errorf("nested write: %v, want a retryable error", nested)
	}
	// The error names who held the writer: this test, in a transaction.
	if nested == nil || !strings.Contains(nested.Error(), "held for") || !strings.Contains(nested.Error(), "TestNestedWriteFailsInsteadOfHanging") {
		t.Errorf("nested write's error %q does not say who held the writer", nested)
	}
	if nestedRead == nil || !IsRetryable(nestedRead) {
		t.Errorf("nested read of the mail path: %v, want a retryable error", nestedRead)
	}
	if err == nil || !IsRetryable(err) {
		t.Errorf("nested transaction: %v, want a retryable error", err)
	}
	if _, err := s.db.ExecContext(ctx, "DELETE FROM mail_suppressions"); err != nil {
		t.Errorf("write after the failed nesting: %v", err)
	}
}

// TestPanicInTransactionGivesWriterBack panics inside a transaction: the
// transaction must be rolled back and the writer given back, so that the
// next write runs. Before, the deferred give-back waited for the open
// transaction, which held the writer until its context ended: with a
// context that never ends (a worker's), every later statement failed.
func TestPanicInTransactionGivesWriterBack(t *testing.T) {
	s := openTest(t, SQLite)
	ctx := testCtx(t)
	const insert = "INSERT INTO mail_suppressions (email, reason, created_at) VALUES (?, 'test', '2026-12-03T00:00:00.000000000Z')"
	recovered := make(chan any, 1)
	go func() {
		defer func() { recovered <- recover() }()
		s.inTx(context.Background(), func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, insert, "a@example.com"); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	select {
	case r := <-recovered:
		if r != "boom" {
			t.Fatalf("recovered %v, want the transaction's panic", r)
		}
	case <-ctx.Done():
		t.Fatal("inTx did not return after its function panicked: the writer is held")
	}
	if _, err := s.db.ExecContext(ctx, insert, "b@example.com"); err != nil {
		t.Fatalf("write after the panic: %v", err)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM mail_suppressions WHERE email = 'a@example.com'").Scan(&n); err != nil || n != 0 {
		t.Errorf("the panicked transaction's row: %d (%v), want it rolled back", n, err)
	}
}

// TestReportsReadBesideTheWriter holds the writer in a transaction and
// runs a report's reads (asReport) meanwhile, one of them with its rows
// still open while the next runs: they run on the reader connections, so
// neither a long report holds up the mail nor the mail a report.
func TestReportsReadBesideTheWriter(t *testing.T) {
	s := openTest(t, SQLite)
	s.db.wait = 200 * time.Millisecond
	ctx := testCtx(t)
	if _, err := s.CreateCustomer(ctx, &Customer{Name: "Acme", Domain: "acme.example"}); err != nil {
		t.Fatal(err)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE customers SET name = 'Acme Ltd'"); err != nil {
			return err
		}
		rows, err := s.db.QueryContext(asReport(ctx), "SELECT name FROM customers")
		if err != nil {
			return fmt.Errorf("report rows: %w", err)
		}
		defer rows.Close()
		got, err := s.ListCustomers(ctx, CustomerFilter{})
		if err != nil {
			return fmt.Errorf("list while the writer is held: %w", err)
		}
		if len(got) != 1 || got[0].Name != "Acme" {
			t.Errorf("list = %+v, want Acme as last committed", got)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestImportAndReportWhileMailFlows runs, on one SQLite store, a stream of
// the mail's statements (a customer and an order stored and read back, in
// transactions and on their own) while an import and a KPI report run:
// every one of them must finish, none waits for itself. The context's
// deadline turns a hang into a failure.
func TestImportAndReportWhileMailFlows(t *testing.T) {
	s := openTest(t, SQLite)
	ctx := testCtx(t)
	stop := make(chan struct{})
	mailDone := make(chan error, 1)
	mails := 0
	go func() {
		for i := 0; ; i++ {
			if i >= 20 { // at least 20 mails, then until the others are done
				select {
				case <-stop:
					mailDone <- nil
					return
				default:
				}
			}
			c := &Customer{Name: fmt.Sprintf("Mail %d", i), Domain: fmt.Sprintf("m%d.example", i)}
			id, err := s.CreateCustomer(ctx, c)
			if err == nil {
				_, err = s.CreateOrder(ctx, &Order{CustomerID: id, Number: fmt.Sprintf("M-%d", i), Currency: "EUR"})
			}
			if err == nil {
				_, err = s.OrderByNumber(ctx, fmt.Sprintf("M-%d", i))
			}
			if err != nil {
				mailDone <- fmt.Errorf("mail %d: %w", i, err)
				return
			}
			mails++
		}
	}()
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	err := s.Import(ctx, now, func(tx *ImportTx) error {
		id, err := tx.CreateCustomer(ctx, &Customer{ExternalID: "C-1", Name: "Imported"})
		if err != nil {
			return err
		}
		orders := make([]*Order, 500)
		for i := range orders {
			orders[i] = &Order{CustomerID: id, Number: fmt.Sprintf("SO-%d", i), Status: OrderPending, Currency: "EUR"}
		}
		return tx.CreateOrders(ctx, orders)
	})
	if err != nil {
		t.Errorf("import while mail flows: %v", err)
	}
	d, err := s.KPIData(ctx, now.Add(-24*time.Hour), now.Add(24*time.Hour), now)
	if err != nil {
		t.Errorf("KPI report while mail flows: %v", err)
	}
	close(stop)
	if err := <-mailDone; err != nil {
		t.Fatal(err)
	}
	if d == nil {
		t.Fatal("no report")
	}
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders").Scan(&n); err != nil || n != 500+mails {
		t.Errorf("orders = %d (%v), want %d imported and %d from the mail", n, err, 500, mails)
	}
}
