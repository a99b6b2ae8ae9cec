package inbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"salesdesk/internal/inbox"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// imapServer is a real IMAP server with one fresh, empty account.
type imapServer struct {
	kind     string // "dovecot" or "memory"
	addr     string
	username string
	password string
}

func dovecotServer(t testing.TB) imapServer {
	t.Helper()
	d := testenv.Dovecot(t)
	return imapServer{kind: "dovecot", addr: d.Addr, username: "inbox-" + testenv.RandomName(6), password: d.Password}
}

// memoryServer runs go-imap's in-memory server on 127.0.0.1:0 with
// IMAP4rev2 (for MOVE and IDLE) and plaintext authentication.
func memoryServer(t testing.TB) imapServer {
	t.Helper()
	return memoryServerWith(t, nil)
}

// memoryServerWith is memoryServer, its sessions wrapped by wrap unless nil.
func memoryServerWith(t testing.TB, wrap func(imapserver.SessionIMAP4rev2) imapserver.Session) imapServer {
	t.Helper()
	mem := imapmemserver.New()
	user := imapmemserver.NewUser("sales", "secret")
	if err := user.Create("INBOX", nil); err != nil {
		t.Fatal(err)
	}
	mem.AddUser(user)
	srv := imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			var sess imapserver.SessionIMAP4rev2 = idleFlushingSession{mem.NewSession().(imapserver.SessionIMAP4rev2)}
			if wrap != nil {
				return wrap(sess), nil, nil
			}
			return sess, nil, nil
		},
		Caps:         imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}},
		InsecureAuth: true,
		Logger:       quietLogger{},
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.Serve(ln)
	}()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return imapServer{kind: "memory", addr: ln.Addr().String(), username: "sales", password: "secret"}
}

// idleFlushingSession starts IDLE by sending the updates queued since the
// last command, as Dovecot does. go-imap's in-memory server sends only
// updates that arrive after IDLE began, so a message appended between the
// poller's last command and its IDLE would wait for the next safety sync.
type idleFlushingSession struct {
	imapserver.SessionIMAP4rev2
}

func (s idleFlushingSession) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if err := s.Poll(w, true); err != nil {
		return err
	}
	return s.SessionIMAP4rev2.Idle(w, stop)
}

type quietLogger struct{}

func (quietLogger) Printf(string, ...any) {}

// eachServer runs fn against Dovecot and against the in-memory server.
func eachServer(t *testing.T, fn func(t *testing.T, srv imapServer)) {
	t.Run("dovecot", func(t *testing.T) { fn(t, dovecotServer(t)) })
	t.Run("memory", func(t *testing.T) { fn(t, memoryServer(t)) })
}

// client is a second IMAP connection, for the test to append and inspect.
func (s imapServer) client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(s.addr, nil)
	if err != nil {
		t.Fatalf("dial %s: %v", s.kind, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Login(s.username, s.password).Wait(); err != nil {
		t.Fatalf("login %s: %v", s.kind, err)
	}
	return c
}

func appendRaw(t testing.TB, c *imapclient.Client, folder string, raw []byte) error {
	t.Helper()
	cmd := c.Append(folder, int64(len(raw)), nil)
	if _, err := cmd.Write(raw); err != nil {
		return err
	}
	if err := cmd.Close(); err != nil {
		return err
	}
	_, err := cmd.Wait()
	return err
}

func (s imapServer) appendAll(t testing.TB, folder string, msgs [][]byte) {
	t.Helper()
	c := s.client(t)
	for i, raw := range msgs {
		if err := appendRaw(t, c, folder, raw); err != nil {
			t.Fatalf("append message %d: %v", i, err)
		}
	}
	c.Logout().Wait()
}

// uidValidity returns the folder's UIDVALIDITY and the number of messages
// with and without \Seen.
func (s imapServer) folderState(t testing.TB, folder string) (uidValidity uint32, total, unseen int) {
	t.Helper()
	c := s.client(t)
	defer func() { c.Logout().Wait() }()
	sel, err := c.Select(folder, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("select %s: %v", folder, err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatalf("search unseen: %v", err)
	}
	return sel.UIDValidity, int(sel.NumMessages), len(data.AllUIDs())
}

// message returns a small customer mail with a unique Message-ID.
func message(run string, i int) []byte {
	body := strings.Repeat(fmt.Sprintf("Line %d of the order question from customer %d.\r\n", i, i), 20)
	return []byte(fmt.Sprintf("From: Customer %d <c%d@example.com>\r\n"+
		"To: sales@example.com\r\n"+
		"Subject: Order question %d\r\n"+
		"Date: Mon, 02 Jan 2006 15:04:05 -0700\r\n"+
		"Message-ID: <%s.%d@example.com>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n"+
		"\r\n%s", i, i, i, run, i, body))
}

func messages(n int) [][]byte {
	run := testenv.RandomName(4)
	out := make([][]byte, n)
	for i := range out {
		out[i] = message(run, i+1)
	}
	return out
}

// env is what a poller test needs besides the IMAP server.
type env struct {
	store     *store.Store
	redis     *redis.Client
	client    *asynq.Client
	inspector *asynq.Inspector
	metrics   *prometheus.Registry
	logger    *slog.Logger // warnings and errors go to the test's output
}

func sqliteStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "salesdesk.db"))
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func postgresStore(t testing.TB) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), testenv.PostgresDSN(t))
	if err != nil {
		t.Fatalf("open postgres store: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func setup(t testing.TB, st *store.Store) env {
	t.Helper()
	rdb := testenv.Redis(t, testenv.RedisDBInbox)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBInbox}
	client := asynq.NewClient(opt)
	inspector := asynq.NewInspector(opt)
	t.Cleanup(func() {
		client.Close()
		inspector.Close()
	})
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	return env{store: st, redis: rdb, client: client, inspector: inspector, metrics: prometheus.NewRegistry(), logger: logger}
}

func (e env) deps() inbox.Deps {
	return inbox.Deps{Store: e.store, Enqueuer: e.client, Redis: e.redis, Metrics: e.metrics, Logger: e.logger}
}

// mailbox returns fast-reacting options for srv with a unique name.
func mailbox(srv imapServer) inbox.Mailbox {
	return inbox.Mailbox{
		Name:           "mb-" + testenv.RandomName(4),
		Addr:           srv.addr,
		TLS:            inbox.TLSNone,
		Username:       srv.username,
		Password:       srv.password,
		IDLE:           true,
		PollInterval:   time.Hour,
		CommandTimeout: 10 * time.Second,
		BatchSize:      4,
		// Flag at the end of every sync, so that a test sees every message
		// flagged once it is synced (TestFlagsWaitWhileMailArrives waits).
		FlagDelay:   time.Nanosecond,
		LeaseTTL:    5 * time.Second,
		BackoffMin:  10 * time.Millisecond,
		BackoffMax:  100 * time.Millisecond,
		MaxAttempts: 3,
	}
}

// start runs p until the test ends (or stop is called) and returns stop,
// which waits for Run to return.
func start(t testing.TB, p *inbox.Poller) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := p.Run(ctx); err != nil {
			t.Errorf("Run: %v", err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
	t.Cleanup(stop)
	return stop
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// synced waits until p's checkpoint reached lastUID and p waits for news.
func synced(t testing.TB, p *inbox.Poller, lastUID uint32) {
	t.Helper()
	waitFor(t, 60*time.Second, fmt.Sprintf("checkpoint at uid %d", lastUID), func() bool {
		s := p.Status()
		return s.LastUID >= lastUID && (s.State == inbox.StateIdle || s.State == inbox.StatePolling)
	})
}

// inboundTasks returns the pending inbound:email tasks of mailbox.
func (e env) inboundTasks(t testing.TB, mailbox string) []tasks.InboundEmailPayload {
	t.Helper()
	var out []tasks.InboundEmailPayload
	for page := 1; ; page++ {
		infos, err := e.inspector.ListPendingTasks(tasks.QueueDefault, asynq.PageSize(1000), asynq.Page(page))
		if errors.Is(err, asynq.ErrQueueNotFound) {
			return nil
		}
		if err != nil {
			t.Fatalf("list pending tasks: %v", err)
		}
		for _, info := range infos {
			if info.Type != tasks.TypeInboundEmail {
				continue
			}
			var p tasks.InboundEmailPayload
			if err := json.Unmarshal(info.Payload, &p); err != nil {
				t.Fatalf("task %s payload: %v", info.ID, err)
			}
			if info.ID != tasks.InboundEmailTaskID(p.Mailbox, p.UIDValidity, p.UID) {
				t.Fatalf("task id %s is not the deterministic id of its payload %+v", info.ID, p)
			}
			if p.Mailbox == mailbox {
				out = append(out, p)
			}
		}
		if len(infos) < 1000 {
			return out
		}
	}
}

func (e env) pendingCount(t testing.TB) int {
	t.Helper()
	qi, err := e.inspector.GetQueueInfo(tasks.QueueDefault)
	if errors.Is(err, asynq.ErrQueueNotFound) {
		return 0
	}
	if err != nil {
		t.Fatalf("queue info: %v", err)
	}
	return qi.Pending
}

// storedRows returns mailbox's inbound rows as (uid_validity, uid, message_id, id).
type row struct {
	id          int64
	uidValidity uint32
	uid         uint32
	messageID   string
	size        int64
	rawLen      int
}

func (e env) rows(t testing.TB, mailbox string) []row {
	t.Helper()
	ms, err := e.store.InboundMessages(context.Background(), mailbox)
	if err != nil {
		t.Fatalf("query inbound rows: %v", err)
	}
	var out []row
	for _, m := range ms {
		out = append(out, row{id: m.ID, uidValidity: m.UIDValidity, uid: m.UID, messageID: m.MessageID, size: m.Size, rawLen: len(m.Raw)})
	}
	return out
}

// assertHandedOff checks that mailbox has exactly want rows and exactly one
// pending task per row, pointing at it.
func (e env) assertHandedOff(t testing.TB, mailbox string, want int) {
	t.Helper()
	rows := e.rows(t, mailbox)
	got := e.inboundTasks(t, mailbox)
	if len(rows) != want || len(got) != want {
		t.Fatalf("%d stored rows and %d tasks, want exactly %d of each", len(rows), len(got), want)
	}
	byID := map[int64]row{}
	for _, r := range rows {
		byID[r.id] = r
	}
	seen := map[int64]bool{}
	for _, p := range got {
		r, ok := byID[p.MessageID]
		if !ok || r.uid != p.UID || r.uidValidity != p.UIDValidity {
			t.Fatalf("task %+v points at no matching row", p)
		}
		if seen[p.MessageID] {
			t.Fatalf("two tasks for row %d", p.MessageID)
		}
		seen[p.MessageID] = true
	}
}

// corpus returns the shared real-world .eml messages.
func corpus(t testing.TB) [][]byte {
	t.Helper()
	var paths []string
	root := filepath.Join("..", "..", "..", "shared", "testdata", "mail")
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".eml") {
			paths = append(paths, path)
		}
		return err
	})
	if err != nil || len(paths) == 0 {
		t.Skipf("shared mail corpus not found at %s: %v", root, err)
	}
	slices.Sort(paths)
	var out [][]byte
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

func newRedis(t testing.TB) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(), DB: testenv.RedisDBInbox, MaxRetries: -1})
	t.Cleanup(func() { c.Close() })
	return c
}

// metric returns the value of a per-mailbox counter or gauge (0 when absent).
func metric(t testing.TB, e env, name, mailbox string) float64 {
	t.Helper()
	return metricValue(t, e, name, map[string]string{"mailbox": mailbox}, 0)
}

// metricState returns salesdesk_inbox_state for mailbox and state (-1 when absent).
func metricState(t testing.TB, e env, mailbox string, state inbox.State) float64 {
	t.Helper()
	return metricValue(t, e, "salesdesk_inbox_state", map[string]string{"mailbox": mailbox, "state": string(state)}, -1)
}

func metricValue(t testing.TB, e env, name string, want map[string]string, absent float64) float64 {
	t.Helper()
	if v, ok := testenv.Metric(t, e.metrics, name, want); ok {
		return v
	}
	return absent
}
