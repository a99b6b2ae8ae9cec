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
// get it with one STORE; a clean stop flags the ones still waiting with
// one more.
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
	if got := imapCalls.get("STORE"); got != 1 {
		t.Errorf("%d STORE commands for %d messages in %d rounds, want 1 (all: %v)", got, n, n, imapCalls)
	}
	if _, total, unseen := srv.folderState(t, "INBOX"); total != n || unseen != 2 {
		t.Fatalf("INBOX: %d messages, %d unseen; want %d, the last 2 unseen", total, unseen, n)
	}
	stop()
	e.assertHandedOff(t, m.Name, n)
	if got := imapCalls.get("STORE"); got != 2 {
		t.Errorf("%d STORE commands after the stop, want 2 (all: %v)", got, imapCalls)
	}
	if got := imapCalls.get("FETCH body"); got != n {
		t.Errorf("%d body FETCHes, want %d, one per round (all: %v)", got, n, imapCalls)
	}
	if _, total, unseen := srv.folderState(t, "INBOX"); total != n || unseen != 0 {
		t.Fatalf("INBOX after the stop: %d messages, %d unseen; want %d, all seen", total, unseen, n)
	}
}

// TestStopFlagsWaitingMessages: messages handed off while FlagDelay holds
// their after action back are marked \Seen (or moved) when the poller
// stops cleanly, before its connection closes, not at the next start.
func TestStopFlagsWaitingMessages(t *testing.T) {
	eachServer(t, func(t *testing.T, srv imapServer) {
		for _, after := range []inbox.AfterAction{inbox.AfterSeen, inbox.AfterMove} {
			t.Run(string(after), func(t *testing.T) {
				const n = 3 // below BatchSize: nothing makes room
				e := setup(t, sqliteStore(t))
				m := mailbox(srv)
				m.Folder = "In-" + string(after)
				m.FlagDelay = time.Hour
				m.After = after
				if after == inbox.AfterMove {
					m.ProcessedFolder = "Processed-" + string(after)
				}
				c := srv.client(t)
				if err := c.Create(m.Folder, nil).Wait(); err != nil {
					t.Fatal(err)
				}
				p, err := inbox.New(m, e.deps())
				if err != nil {
					t.Fatal(err)
				}
				stop := start(t, p)
				waitFor(t, 30*time.Second, "idle", func() bool { return p.Status().State == inbox.StateIdle })
				// One at a time, each its own round: a round that finds
				// nothing new would flag what waits.
				for i, raw := range messages(n) {
					if err := appendRaw(t, c, m.Folder, raw); err != nil {
						t.Fatal(err)
					}
					synced(t, p, uint32(i+1))
				}
				if _, total, unseen := srv.folderState(t, m.Folder); total != n || unseen != n {
					t.Fatalf("%s before the stop: %d messages, %d unseen; want %d waiting", m.Folder, total, unseen, n)
				}
				stop()
				e.assertHandedOff(t, m.Name, n)
				_, total, unseen := srv.folderState(t, m.Folder)
				if after == inbox.AfterSeen && (total != n || unseen != 0) {
					t.Fatalf("%s after the stop: %d messages, %d unseen; want %d, all seen", m.Folder, total, unseen, n)
				}
				if after == inbox.AfterMove {
					if _, moved, _ := srv.folderState(t, m.ProcessedFolder); total != 0 || moved != n {
						t.Fatalf("after the stop: %d messages in %s, %d in %s; want 0 and %d", total, m.Folder, moved, m.ProcessedFolder, n)
					}
				}
			})
		}
	})
}
