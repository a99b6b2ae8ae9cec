package inbox_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/inbox"
	"salesdesk/internal/store"
)

func TestHandsOffEveryMessage(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapServer) {
		e := setup(t, sqliteStore(t))
		const n = 10
		srv.appendAll(t, "INBOX", messages(n))

		m := mailbox(srv)
		p, err := inbox.New(m, e.deps())
		if err != nil {
			t.Fatal(err)
		}
		stop := start(t, p)
		synced(t, p, n)
		stop()

		e.assertHandedOff(t, m.Name, n)
		_, total, unseen := srv.folderState(t, "INBOX")
		if total != n || unseen != 0 {
			t.Fatalf("server folder: %d messages, %d unseen; want %d, all seen", total, unseen, n)
		}
		for _, r := range e.rows(t, m.Name) {
			if r.messageID == "" || r.messageID[0] == '<' {
				t.Fatalf("row uid %d: message id %q, want it without angle brackets", r.uid, r.messageID)
			}
		}
		if got := (metric(t, e, "salesdesk_inbox_messages_enqueued_total", m.Name)); got != n {
			t.Fatalf("enqueued counter = %v, want %d", got, n)
		}
	})
}

func TestHandsOffEveryMessagePostgres(t *testing.T) {
	srv := dovecotServer(t)
	e := setup(t, postgresStore(t))
	const n = 10
	srv.appendAll(t, "INBOX", messages(n))
	m := mailbox(srv)
	m.Auth = inbox.AuthPlain
	p, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, p)
	synced(t, p, n)
	stop()
	e.assertHandedOff(t, m.Name, n)
}

// TestCorpus hands off the shared real-world messages (bounces, odd
// charsets, broken MIME) that Dovecot accepts.
func TestCorpus(t *testing.T) {
	srv := dovecotServer(t)
	e := setup(t, sqliteStore(t))
	c := srv.client(t)
	appended := 0
	for _, raw := range corpus(t) {
		if err := appendRaw(t, c, "INBOX", raw); err == nil {
			appended++
		}
	}
	if appended < 100 {
		t.Fatalf("Dovecot accepted only %d corpus messages", appended)
	}
	t.Logf("Dovecot accepted %d corpus messages", appended)
	m := mailbox(srv)
	m.BatchSize = 50
	p, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, p)
	waitFor(t, 60*time.Second, "every corpus message handed off", func() bool {
		return len(e.rows(t, m.Name)) >= appended && p.Status().State == inbox.StateIdle
	})
	stop()
	e.assertHandedOff(t, m.Name, appended)
}

func TestIdleNoticesNewMessage(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapServer) {
		e := setup(t, sqliteStore(t))
		m := mailbox(srv)
		m.PollInterval = time.Hour // only IDLE can notice the new message
		p, err := inbox.New(m, e.deps())
		if err != nil {
			t.Fatal(err)
		}
		start(t, p)
		waitFor(t, 30*time.Second, "idle", func() bool { return p.Status().State == inbox.StateIdle })

		srv.appendAll(t, "INBOX", messages(1))
		waitFor(t, 30*time.Second, "the new message's task", func() bool { return len(e.inboundTasks(t, m.Name)) == 1 })
		synced(t, p, 1)
		e.assertHandedOff(t, m.Name, 1)
	})
}

func TestPollsWithoutIdle(t *testing.T) {
	srv := dovecotServer(t)
	e := setup(t, sqliteStore(t))
	m := mailbox(srv)
	m.IDLE = false
	m.PollInterval = 100 * time.Millisecond
	p, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	start(t, p)
	waitFor(t, 30*time.Second, "polling", func() bool { return p.Status().State == inbox.StatePolling })
	srv.appendAll(t, "INBOX", messages(3))
	synced(t, p, 3)
	e.assertHandedOff(t, m.Name, 3)
}

var errCrash = errors.New("simulated crash")

// TestKillAtEachStep crashes the poller once mid-batch right after each
// step of one message's hand-off, restarts a fresh poller and checks that
// every message ends up stored once, enqueued once and flagged.
func TestKillAtEachStep(t *testing.T) {
	steps := []string{inbox.StepStored, inbox.StepEnqueued, inbox.StepCheckpointed, inbox.StepFlagged}
	afters := []inbox.AfterAction{inbox.AfterSeen, inbox.AfterMove}
	servers := []struct {
		name string
		new  func(testing.TB) imapServer
	}{{"dovecot", dovecotServer}, {"memory", memoryServer}}
	for _, srv := range servers {
		for _, after := range afters {
			for _, step := range steps {
				t.Run(srv.name+"/"+string(after)+"/"+step, func(t *testing.T) {
					testKillAt(t, srv.new(t), after, step)
				})
			}
		}
	}
}

func testKillAt(t *testing.T, srv imapServer, after inbox.AfterAction, step string) {
	const n, crashUID = 10, 6 // batches of 4: uid 6 is mid-batch
	e := setup(t, sqliteStore(t))
	srv.appendAll(t, "INBOX", messages(n))
	m := mailbox(srv)
	m.After = after
	if after == inbox.AfterMove {
		m.ProcessedFolder = "Processed"
	}

	// The timeout only keeps a broken poller from hanging the test.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d := e.deps()
	crashed := make(chan struct{})
	d.Hook = func(s string, uid uint32) error {
		if s == step && uid == crashUID {
			select {
			case <-crashed:
			default:
				close(crashed)
				cancel() // the process dies here: nothing after this step runs
				return errCrash
			}
		}
		return nil
	}
	first, err := inbox.New(m, d)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Run(ctx); err != nil {
		t.Fatalf("first poller: %v", err)
	}
	select {
	case <-crashed:
	default:
		t.Fatal("the crash was never reached")
	}
	// Each fetched chunk (here the batch holding uids 5-8) is stored in one
	// transaction before any of its steps is reported.
	const wantRows = 8
	if got := len(e.rows(t, m.Name)); got != wantRows {
		t.Fatalf("%d rows at the crash, want %d", got, wantRows)
	}

	second, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, second)
	synced(t, second, n)
	stop()

	e.assertHandedOff(t, m.Name, n)
	if after == inbox.AfterMove {
		_, left, _ := srv.folderState(t, "INBOX")
		_, moved, _ := srv.folderState(t, "Processed")
		if left != 0 || moved != n {
			t.Fatalf("INBOX has %d, Processed %d; want 0 and %d", left, moved, n)
		}
	} else if _, total, unseen := srv.folderState(t, "INBOX"); total != n || unseen != 0 {
		t.Fatalf("INBOX: %d messages, %d unseen; want %d, all seen", total, unseen, n)
	}
}

// TestUIDValidityChange deletes and re-creates the folder with the same
// messages plus a new one: the server renumbers them under a new
// UIDVALIDITY, and only the new message may become a task.
func TestUIDValidityChange(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapServer) {
		e := setup(t, sqliteStore(t))
		c := srv.client(t)
		if err := c.Create("Sales", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		msgs := messages(4)
		srv.appendAll(t, "Sales", msgs[:3])
		m := mailbox(srv)
		m.Folder = "Sales"
		p, err := inbox.New(m, e.deps())
		if err != nil {
			t.Fatal(err)
		}
		stop := start(t, p)
		synced(t, p, 3)
		stop()
		oldValidity := p.Status().UIDValidity

		// Dovecot derives a new UIDVALIDITY from the clock: re-create until
		// it differs.
		var newValidity uint32
		for attempt := 0; attempt < 5; attempt++ {
			if err := c.Delete("Sales").Wait(); err != nil {
				t.Fatal(err)
			}
			if err := c.Create("Sales", nil).Wait(); err != nil {
				t.Fatal(err)
			}
			if newValidity, _, _ = srv.folderState(t, "Sales"); newValidity != oldValidity {
				break
			}
			time.Sleep(time.Second)
		}
		if newValidity == oldValidity {
			t.Fatalf("UIDVALIDITY stayed %d after re-creating the folder", oldValidity)
		}
		srv.appendAll(t, "Sales", msgs) // the same three, then a new one

		p2, err := inbox.New(m, e.deps())
		if err != nil {
			t.Fatal(err)
		}
		stop2 := start(t, p2)
		synced(t, p2, 4)
		stop2()
		if st := p2.Status(); st.UIDValidity != newValidity {
			t.Fatalf("checkpoint uidvalidity %d, want %d", st.UIDValidity, newValidity)
		}
		e.assertHandedOff(t, m.Name, 4)
		if got := (metric(t, e, "salesdesk_inbox_messages_duplicate_total", m.Name)); got != 3 {
			t.Fatalf("duplicates counter = %v, want 3", got)
		}
	})
}

// failingStore is the real store, except that storing one UID always
// fails, and with it any chunk that holds it, as one transaction does.
type failingStore struct {
	*store.Store
	uid uint32
}

func (s failingStore) SaveInboundMessages(ctx context.Context, ms []*store.InboundMessage) ([]store.SavedInbound, error) {
	for _, m := range ms {
		if m.UID == s.uid {
			return nil, fmt.Errorf("simulated: row too large for uid %d", m.UID)
		}
	}
	return s.Store.SaveInboundMessages(ctx, ms)
}

func (s failingStore) SaveInboundMessage(ctx context.Context, m *store.InboundMessage) (int64, bool, bool, error) {
	if m.UID == s.uid {
		return 0, false, false, fmt.Errorf("simulated: row too large for uid %d", m.UID)
	}
	return s.Store.SaveInboundMessage(ctx, m)
}

func TestQuarantineAfterMaxAttempts(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapServer) {
		e := setup(t, sqliteStore(t))
		const n, badUID = 6, 3
		srv.appendAll(t, "INBOX", messages(n))
		m := mailbox(srv)
		d := e.deps()
		d.Store = failingStore{Store: e.store, uid: badUID}
		p, err := inbox.New(m, d)
		if err != nil {
			t.Fatal(err)
		}
		stop := start(t, p)
		synced(t, p, n)
		stop()

		rows := e.rows(t, m.Name)
		e.assertHandedOff(t, m.Name, n-1)
		for _, r := range rows {
			if r.uid == badUID {
				t.Fatalf("uid %d was stored", badUID)
			}
		}
		f, err := e.store.InboundFailure(context.Background(), m.Name, p.Status().UIDValidity, badUID)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Quarantined || f.Attempts != m.MaxAttempts || len(f.Raw) == 0 || f.Reason == "" {
			t.Fatalf("failure record %+v: want quarantined after %d attempts with raw and reason", f, m.MaxAttempts)
		}
		if got := (metric(t, e, "salesdesk_inbox_messages_quarantined_total", m.Name)); got != 1 {
			t.Fatalf("quarantined counter = %v, want 1", got)
		}
	})
}

func TestOversizeMessageKeptTruncated(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapServer) {
		e := setup(t, sqliteStore(t))
		msgs := messages(2)
		srv.appendAll(t, "INBOX", msgs)
		m := mailbox(srv)
		m.MaxMessageBytes = 600 // below both messages' size
		p, err := inbox.New(m, e.deps())
		if err != nil {
			t.Fatal(err)
		}
		stop := start(t, p)
		synced(t, p, 2)
		stop()
		e.assertHandedOff(t, m.Name, 2)
		for _, r := range e.rows(t, m.Name) {
			if r.rawLen != 600 || r.size <= 600 {
				t.Fatalf("uid %d: kept %d bytes of %d; want the first 600 and the real size", r.uid, r.rawLen, r.size)
			}
			if r.messageID == "" {
				t.Fatalf("uid %d: message id lost in truncation", r.uid)
			}
		}
	})
}

// TestLeaseTakeover: a standby poller waits while the active one holds the
// lease and takes over after the active one loses Redis (as if it died).
func TestLeaseTakeover(t *testing.T) {
	srv := dovecotServer(t)
	e := setup(t, sqliteStore(t))
	m := mailbox(srv)
	m.LeaseTTL = 2 * time.Second

	doomed := newRedis(t)
	d1 := e.deps()
	d1.Redis = doomed
	active, err := inbox.New(m, d1)
	if err != nil {
		t.Fatal(err)
	}
	start(t, active)
	waitFor(t, 30*time.Second, "active poller idle", func() bool { return active.Status().State == inbox.StateIdle })

	standby, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	start(t, standby)
	waitFor(t, 30*time.Second, "standby waiting", func() bool { return standby.Status().State == inbox.StateWaitingLease })

	srv.appendAll(t, "INBOX", messages(2)[:1])
	synced(t, active, 1)
	if !standby.Status().LastSync.IsZero() || standby.Status().State != inbox.StateWaitingLease {
		t.Fatalf("standby synced while the active poller held the lease: %+v", standby.Status())
	}
	if err := standby.Check(context.Background()); err != nil {
		t.Fatalf("standby not ready: %v", err)
	}

	died := time.Now()
	doomed.Close()
	waitFor(t, 30*time.Second, "standby takes over", func() bool { return !standby.Status().LastSync.IsZero() })
	t.Logf("standby took over %v after the active poller lost Redis (lease ttl %v)", time.Since(died), m.LeaseTTL)
	if s := active.Status().State; s == inbox.StateIdle || s == inbox.StateSyncing {
		t.Fatalf("old poller still %s after losing its lease", s)
	}

	srv.appendAll(t, "INBOX", messages(1))
	synced(t, standby, 2)
	e.assertHandedOff(t, m.Name, 2)
}

func TestCheck(t *testing.T) {
	srv := memoryServer(t)
	e := setup(t, sqliteStore(t))
	ctx := context.Background()

	m := mailbox(srv)
	m.Password = "wrong"
	bad, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	if err := bad.Check(ctx); err == nil {
		t.Fatal("Check is nil before the first sync")
	}
	start(t, bad)
	waitFor(t, 30*time.Second, "backoff", func() bool { return bad.Status().State == inbox.StateBackoff })
	if err := bad.Check(ctx); err == nil {
		t.Fatal("Check is nil in backoff")
	}
	if bad.Status().LastError == "" {
		t.Fatal("no last error in backoff")
	}

	m = mailbox(srv)
	good, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	start(t, good)
	synced(t, good, 0)
	if err := good.Check(ctx); err != nil {
		t.Fatalf("Check after sync: %v", err)
	}
	if got := (metricState(t, e, m.Name, inbox.StateIdle)); got != 1 {
		t.Fatalf("state gauge idle = %v, want 1", got)
	}
}

func TestRunAllRestartsAfterPanic(t *testing.T) {
	srv := memoryServer(t)
	e := setup(t, sqliteStore(t))
	srv.appendAll(t, "INBOX", messages(3))
	m := mailbox(srv)
	d := e.deps()
	panicked := false
	d.Hook = func(step string, uid uint32) error {
		if step == inbox.StepEnqueued && uid == 2 && !panicked {
			panicked = true
			panic("handler bug")
		}
		return nil
	}
	p, err := inbox.New(m, d)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- inbox.RunAll(ctx, []*inbox.Poller{p}) }()
	synced(t, p, 3)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("RunAll: %v", err)
	}
	if !panicked {
		t.Fatal("hook never panicked")
	}
	if got := (metric(t, e, "salesdesk_inbox_poller_restarts_total", m.Name)); got != 1 {
		t.Fatalf("restarts counter = %v, want 1", got)
	}
	e.assertHandedOff(t, m.Name, 3)
}

func TestNewRejectsBadMailbox(t *testing.T) {
	e := inbox.Deps{Store: failingStore{}, Enqueuer: nil}
	tests := []struct {
		name    string
		mbox    inbox.Mailbox
		wantErr string
	}{
		{"no name", inbox.Mailbox{Addr: "x:1", Username: "u"}, "name: required"},
		{"bad tls", inbox.Mailbox{Name: "a", Addr: "x:1", Username: "u", TLS: "ssl"}, "tls: must be"},
		{"move without folder", inbox.Mailbox{Name: "a", Addr: "x:1", Username: "u", After: inbox.AfterMove}, "processed_folder: required"},
		{"no enqueuer", inbox.Mailbox{Name: "a", Addr: "x:1", Username: "u"}, "enqueuer are required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inbox.New(tt.mbox, e)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("New: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}
