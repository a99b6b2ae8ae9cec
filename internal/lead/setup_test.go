package lead

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// dialects are the databases every store-backed test runs on.
var dialects = []store.Dialect{store.SQLite, store.Postgres}

func openStore(t testing.TB, d store.Dialect, opts ...store.Option) *store.Store {
	t.Helper()
	st, _ := openStoreDSN(t, d, opts...)
	return st
}

// openStoreDSN opens a fresh store and returns it with its DSN.
func openStoreDSN(t testing.TB, d store.Dialect, opts ...store.Option) (*store.Store, string) {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "lead.db")
	if d == store.Postgres {
		dsn = testenv.PostgresDSN(t)
	}
	st, err := store.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { st.Close() })
	return st, dsn
}

// taskSink records enqueued tasks and, like asynq with TaskIDs, refuses a
// second task with the same type and payload.
type taskSink struct {
	mu    sync.Mutex
	tasks []*asynq.Task
	seen  map[string]bool
}

func (s *taskSink) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	k := t.Type() + string(t.Payload())
	if s.seen[k] {
		return nil, asynq.ErrTaskIDConflict
	}
	s.seen[k] = true
	s.tasks = append(s.tasks, t)
	return &asynq.TaskInfo{}, nil
}

// assigns returns the lead:assign payloads enqueued so far.
func (s *taskSink) assigns(t *testing.T) []tasks.LeadAssignPayload {
	return payloads[tasks.LeadAssignPayload](t, s, tasks.TypeLeadAssign)
}

func (s *taskSink) slaChecks(t *testing.T) []tasks.LeadSLACheckPayload {
	return payloads[tasks.LeadSLACheckPayload](t, s, tasks.TypeLeadSLACheck)
}

// payloads decodes the payloads of the tasks of type typ enqueued so far.
func payloads[P any](t *testing.T, s *taskSink, typ string) []P {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []P
	for _, tk := range s.tasks {
		if tk.Type() == typ {
			var p P
			if err := json.Unmarshal(tk.Payload(), &p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
	}
	return out
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type bundle struct {
	st    *store.Store
	svc   *Service
	sink  *taskSink
	clock *fakeClock
	ctx   context.Context
}

// monday10 is a Monday 10:00 UTC, inside default working hours.
var monday10 = time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)

func setup(t *testing.T, d store.Dialect, o Options) *bundle {
	t.Helper()
	clock := &fakeClock{t: monday10}
	st := openStore(t, d, store.WithClock(clock.Now))
	sink := &taskSink{}
	o.RepCacheTTL = -1
	svc, err := New(Deps{Store: st, Enqueuer: sink, Now: clock.Now, Seed: 1}, o)
	if err != nil {
		t.Fatal(err)
	}
	return &bundle{st: st, svc: svc, sink: sink, clock: clock, ctx: context.Background()}
}

func (b *bundle) rep(t *testing.T, email string, mod ...func(*store.Rep)) *store.Rep {
	t.Helper()
	r := &store.Rep{Email: email, Name: email, Active: true, Weight: 1}
	for _, m := range mod {
		m(r)
	}
	if _, err := b.st.CreateRep(b.ctx, r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (b *bundle) lead(t *testing.T, email string, mod ...func(*store.Lead)) *store.Lead {
	t.Helper()
	l := &store.Lead{ContactEmail: email, Source: "api", Summary: "quote"}
	for _, m := range mod {
		m(l)
	}
	if _, _, err := b.st.CreateLead(b.ctx, l); err != nil {
		t.Fatal(err)
	}
	return l
}

func (b *bundle) reload(t *testing.T, id int64) *store.Lead {
	t.Helper()
	l, err := b.st.Lead(b.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (b *bundle) kinds(t *testing.T, id int64) []string {
	t.Helper()
	evs, err := b.st.LeadEvents(b.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func forEachDialect(t *testing.T, fn func(t *testing.T, d store.Dialect)) {
	for _, d := range dialects {
		t.Run(string(d), func(t *testing.T) { fn(t, d) })
	}
}
