package inbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"salesdesk/internal/inbox"
	"salesdesk/internal/store"
)

// tally counts calls by name.
type tally struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *tally) add(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = map[string]int{}
	}
	c.n[name]++
}

func (c *tally) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return fmt.Sprint(c.n)
}

func (c *tally) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// countingSession counts the commands that read or change messages.
type countingSession struct {
	imapserver.SessionIMAP4rev2
	c *tally
}

func (s countingSession) Search(kind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	s.c.add("SEARCH")
	return s.SessionIMAP4rev2.Search(kind, criteria, options)
}

func (s countingSession) Fetch(w *imapserver.FetchWriter, numSet imap.NumSet, options *imap.FetchOptions) error {
	if len(options.BodySection) > 0 {
		s.c.add("FETCH body")
	} else {
		s.c.add("FETCH")
	}
	return s.SessionIMAP4rev2.Fetch(w, numSet, options)
}

func (s countingSession) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, options *imap.StoreOptions) error {
	s.c.add("STORE")
	return s.SessionIMAP4rev2.Store(w, numSet, flags, options)
}

// countingStore is the real store, counting the poller's writes.
type countingStore struct {
	*store.Store
	c *tally
}

func (s countingStore) SaveInboundMessage(ctx context.Context, m *store.InboundMessage) (int64, bool, bool, error) {
	s.c.add("SaveInboundMessage")
	return s.Store.SaveInboundMessage(ctx, m)
}

func (s countingStore) SaveInboundMessages(ctx context.Context, ms []*store.InboundMessage) ([]store.SavedInbound, error) {
	s.c.add("SaveInboundMessages")
	return s.Store.SaveInboundMessages(ctx, ms)
}

func (s countingStore) SaveMailboxState(ctx context.Context, st store.MailboxState) error {
	s.c.add("SaveMailboxState")
	return s.Store.SaveMailboxState(ctx, st)
}

// TestChunkRoundTrips: a backlog costs one size FETCH for the whole sync,
// then per chunk one body FETCH, one transaction for its rows, one
// checkpoint and one STORE; no SEARCH, and nothing per message.
func TestChunkRoundTrips(t *testing.T) {
	const n = 10 // chunks of 4: 4, 4, 2
	const chunks = 3
	imapCalls, storeCalls := &tally{}, &tally{}
	srv := memoryServerWith(t, func(s imapserver.SessionIMAP4rev2) imapserver.Session {
		return countingSession{SessionIMAP4rev2: s, c: imapCalls}
	})
	e := setup(t, sqliteStore(t))
	srv.appendAll(t, "INBOX", messages(n))
	imapCalls.mu.Lock()
	imapCalls.n = nil // the test's own appends and checks
	imapCalls.mu.Unlock()

	m := mailbox(srv)
	d := e.deps()
	d.Store = countingStore{Store: e.store, c: storeCalls}
	p, err := inbox.New(m, d)
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, p)
	synced(t, p, n)
	waitFor(t, 30*time.Second, "idle", func() bool { return p.Status().State == inbox.StateIdle })
	stop()
	e.assertHandedOff(t, m.Name, n)

	wantIMAP := map[string]int{"SEARCH": 0, "FETCH": 1, "FETCH body": chunks, "STORE": chunks}
	for name, want := range wantIMAP {
		if got := imapCalls.get(name); got != want {
			t.Errorf("%d %s commands, want %d (all: %v)", got, name, want, imapCalls)
		}
	}
	// The first checkpoint records the new mailbox's UIDVALIDITY.
	wantStore := map[string]int{"SaveInboundMessage": 0, "SaveInboundMessages": chunks, "SaveMailboxState": 1 + chunks}
	for name, want := range wantStore {
		if got := storeCalls.get(name); got != want {
			t.Errorf("%d %s calls, want %d (all: %v)", got, name, want, storeCalls)
		}
	}
	if _, total, unseen := srv.folderState(t, "INBOX"); total != n || unseen != 0 {
		t.Fatalf("INBOX: %d messages, %d unseen; want %d, all seen", total, unseen, n)
	}
}

// TestFlagsWaitWhileMailArrives: while mail keeps coming, handed-off
// messages wait for \Seen until BatchSize of them would be waiting, then
// get it with one STORE; the ones still waiting when the poller stops are
// flagged by the next one.
func TestFlagsWaitWhileMailArrives(t *testing.T) {
	imapCalls := &tally{}
	srv := memoryServerWith(t, func(s imapserver.SessionIMAP4rev2) imapserver.Session {
		return countingSession{SessionIMAP4rev2: s, c: imapCalls}
	})
	e := setup(t, sqliteStore(t))
	m := mailbox(srv)
	m.FlagDelay = time.Hour // only a full queue flags
	p, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	stop := start(t, p)
	waitFor(t, 30*time.Second, "idle", func() bool { return p.Status().State == inbox.StateIdle })
	c := srv.client(t)
	const n = 6 // BatchSize 4: the fifth makes room by flagging 1-4
	for i, raw := range messages(n) {
		if err := appendRaw(t, c, "INBOX", raw); err != nil {
			t.Fatal(err)
		}
		synced(t, p, uint32(i+1))
	}
	stop()
	e.assertHandedOff(t, m.Name, n)
	if got := imapCalls.get("STORE"); got != 1 {
		t.Errorf("%d STORE commands for %d messages in %d rounds, want 1 (all: %v)", got, n, n, imapCalls)
	}
	if got := imapCalls.get("FETCH body"); got != n {
		t.Errorf("%d body FETCHes, want %d, one per round (all: %v)", got, n, imapCalls)
	}
	if _, total, unseen := srv.folderState(t, "INBOX"); total != n || unseen != 2 {
		t.Fatalf("INBOX: %d messages, %d unseen; want %d, the last 2 unseen", total, unseen, n)
	}

	// A new poller (after a stop or a crash) flags what was waiting.
	next, err := inbox.New(m, e.deps())
	if err != nil {
		t.Fatal(err)
	}
	start(t, next)
	waitFor(t, 30*time.Second, "all seen", func() bool {
		_, _, unseen := srv.folderState(t, "INBOX")
		return unseen == 0
	})
	e.assertHandedOff(t, m.Name, n)
}
