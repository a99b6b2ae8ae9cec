package inbox_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"

	"salesdesk/internal/inbox"
	"salesdesk/internal/store"
)

// realBusyError returns the error SQLite gives a writer while another
// connection holds the write lock (SQLITE_BUSY), produced by a real lock.
func realBusyError(t *testing.T) error {
	t.Helper()
	name := "file:" + filepath.Join(t.TempDir(), "lock.db") + "?_pragma=busy_timeout(0)"
	a, err := sql.Open("sqlite", name)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := sql.Open("sqlite", name)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, err := a.ExecContext(ctx, "CREATE TABLE t (x INTEGER)"); err != nil {
		t.Fatal(err)
	}
	tx, err := a.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, "INSERT INTO t VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	_, err = b.ExecContext(ctx, "INSERT INTO t VALUES (2)")
	if err == nil || !store.IsRetryable(err) {
		t.Fatalf("write under a held lock: %v, want a retryable SQLITE_BUSY", err)
	}
	return err
}

// busyStore is the real store, except that storing one UID, alone or in a
// chunk, fails with a real SQLITE_BUSY error for the first `busy` attempts.
type busyStore struct {
	*store.Store
	uid   uint32
	busy  int32
	calls *atomic.Int32
	err   error
}

func (s busyStore) SaveInboundMessage(ctx context.Context, m *store.InboundMessage) (int64, bool, bool, error) {
	if m.UID == s.uid && s.calls.Add(1) <= s.busy {
		return 0, false, false, fmt.Errorf("store: save inbound message: %w", s.err)
	}
	return s.Store.SaveInboundMessage(ctx, m)
}

func (s busyStore) SaveInboundMessages(ctx context.Context, ms []*store.InboundMessage) ([]store.SavedInbound, error) {
	for _, m := range ms {
		if m.UID == s.uid && s.calls.Add(1) <= s.busy {
			return nil, fmt.Errorf("store: save inbound messages: %w", s.err)
		}
	}
	return s.Store.SaveInboundMessages(ctx, ms)
}

// TestBusyDatabaseNeverQuarantines: a database locked for more attempts
// than MaxAttempts delays a message but never quarantines it.
func TestBusyDatabaseNeverQuarantines(t *testing.T) {
	srv := dovecotServer(t)
	e := setup(t, sqliteStore(t))
	const n, lockedUID = 4, 2
	srv.appendAll(t, "INBOX", messages(n))
	m := mailbox(srv)
	calls := new(atomic.Int32)
	d := e.deps()
	d.Store = busyStore{Store: e.store, uid: lockedUID, busy: int32(m.MaxAttempts) * 2, calls: calls, err: realBusyError(t)}
	p, err := inbox.New(m, d)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, p)
	synced(t, p, n)
	stop()

	if got := calls.Load(); got <= int32(m.MaxAttempts)*2 {
		t.Fatalf("uid %d was tried %d times, want more than the %d busy ones", lockedUID, got, m.MaxAttempts*2)
	}
	e.assertHandedOff(t, m.Name, n)
	if q, err := e.store.IsQuarantined(context.Background(), m.Name, p.Status().UIDValidity, lockedUID); err != nil || q {
		t.Fatalf("IsQuarantined = %v, %v; want false", q, err)
	}
	if got := metric(t, e, "salesdesk_inbox_messages_quarantined_total", m.Name); got != 0 {
		t.Fatalf("quarantined counter = %v, want 0", got)
	}
}
