package schedule

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"go.uber.org/goleak"

	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type bundle struct {
	opt    asynq.RedisClientOpt
	client *asynq.Client
	insp   *asynq.Inspector
}

func setup(t *testing.T) bundle {
	t.Helper()
	// testenv names no DB for this package; it takes the first spare
	// index (internal/queue has RedisDBRuntime). Its tests share that DB,
	// so none of them is parallel.
	testenv.Redis(t, testenv.RedisDBSchedule)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBSchedule}
	b := bundle{opt: opt, client: asynq.NewClient(opt), insp: asynq.NewInspector(opt)}
	t.Cleanup(func() {
		b.client.Close()
		b.insp.Close()
	})
	return b
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// tickLog collects what a running scheduler did, tick by tick.
type tickLog struct {
	mu    sync.Mutex
	last  time.Time
	fires []fire
	cond  chan struct{} // closed and replaced on every tick
}

func watch(s *Scheduler) *tickLog {
	l := &tickLog{cond: make(chan struct{})}
	s.afterTick = func(now time.Time, fired []fire) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.last = now
		l.fires = append(l.fires, fired...)
		close(l.cond)
		l.cond = make(chan struct{})
	}
	return l
}

// waitTick blocks until the scheduler has finished a tick at or after t.
func (l *tickLog) waitTick(t *testing.T, at time.Time) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		l.mu.Lock()
		done, ch := !l.last.Before(at), l.cond
		l.mu.Unlock()
		if done {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("scheduler did not tick at %v", at)
		}
	}
}

// runTwo runs two schedulers with options o until the test ends or stop
// is called, and returns what each of them does.
func runTwo(t *testing.T, b bundle, o Options) (logs []*tickLog, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 2 {
		s, err := New(b.client, o)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, watch(s))
		wg.Go(func() {
			if err := s.Run(ctx); err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	stop = func() {
		cancel()
		wg.Wait()
	}
	t.Cleanup(stop)
	return logs, stop
}

func (l *tickLog) all() []fire {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.fires)
}

// TestTwoSchedulersOneTaskPerBucket runs two schedulers on one Redis and
// one clock: every bucket is fired by both, enqueued by exactly one, and
// Redis ends with one task per bucket.
func TestTwoSchedulersOneTaskPerBucket(t *testing.T) {
	b := setup(t)
	clock := &fakeClock{t: time.Date(2026, 11, 26, 5, 58, 0, 0, time.UTC)}
	entries := []Entry{
		{TaskType: tasks.TypeLeadsSLAScan, Spec: "*/5 * * * *"},
		{TaskType: tasks.TypeReportDaily, Spec: "0 7 * * *", Timezone: "Europe/Berlin"},
		{TaskType: tasks.TypeAnomalyScan, Spec: "@every 5m"},
	}
	logs, stop := runTwo(t, b, Options{Entries: entries, Redis: b.opt, Now: clock.Now, Poll: 5 * time.Millisecond})
	for _, l := range logs {
		l.waitTick(t, clock.Now()) // both started before the clock moves
	}

	steps := []time.Time{
		time.Date(2026, 11, 26, 6, 0, 30, 0, time.UTC), // 06:00 scans; 07:00 in Berlin
		time.Date(2026, 11, 26, 6, 4, 59, 0, time.UTC), // nothing
		time.Date(2026, 11, 26, 6, 5, 0, 0, time.UTC),  // 06:05 scans, on the second
		time.Date(2026, 11, 26, 6, 10, 1, 0, time.UTC), // 06:10 scans
	}
	for _, at := range steps {
		clock.Set(at)
		for _, l := range logs {
			l.waitTick(t, at)
		}
	}
	stop()

	wantIDs := map[string][]string{
		tasks.QueueDefault: {
			"anomaly:scan:20261126T060000Z", "anomaly:scan:20261126T060500Z", "anomaly:scan:20261126T061000Z",
			"leads:sla_scan:20261126T060000Z", "leads:sla_scan:20261126T060500Z", "leads:sla_scan:20261126T061000Z",
		},
		tasks.QueueLow: {"report:daily:2026-11-26"},
	}
	for q, want := range wantIDs {
		infos, err := b.insp.ListPendingTasks(q, asynq.PageSize(100))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, info := range infos {
			got = append(got, info.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("queue %s holds %v, want %v", q, got, want)
		}
	}

	// Both schedulers fired every bucket; exactly one of them enqueued it.
	type bucket struct {
		typ string
		at  time.Time
	}
	attempts := map[bucket]int{}
	enqueued := map[bucket]int{}
	for _, l := range logs {
		for _, f := range l.all() {
			if f.err != nil {
				t.Errorf("fire %s at %v: %v", f.taskType, f.at, f.err)
			}
			k := bucket{f.taskType, f.at.UTC()}
			attempts[k]++
			if !f.dup {
				enqueued[k]++
			}
		}
	}
	if len(attempts) != 7 {
		t.Errorf("fired %d buckets, want 7: %v", len(attempts), attempts)
	}
	for k, n := range attempts {
		if n != 2 || enqueued[k] != 1 {
			t.Errorf("%s at %v: fired %d times, enqueued %d; want 2 and 1", k.typ, k.at, n, enqueued[k])
		}
	}
}

// TestFiresInTimezone checks that a cron spec is read in its timezone,
// across a daylight-saving change, and that the task carries the local day.
func TestFiresInTimezone(t *testing.T) {
	b := setup(t)
	ny := mustLoad(t, "America/New_York")
	s, err := New(b.client, Options{Entries: []Entry{
		{TaskType: tasks.TypeReportDaily, Spec: "0 7 * * *", Timezone: "America/New_York"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := s.entries[0]
	ctx := context.Background()

	tests := []struct {
		name    string
		from    time.Time // the entry has handled everything up to here
		now     time.Time
		wantAt  time.Time // zero: nothing fires
		wantDay string
	}{
		{
			name: "07:00 UTC is 02:00 in New York",
			from: time.Date(2026, 11, 26, 6, 59, 0, 0, time.UTC),
			now:  time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC),
		},
		{
			name: "one second before 07:00 EST",
			from: time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC),
			now:  time.Date(2026, 11, 26, 11, 59, 59, 0, time.UTC),
		},
		{
			name:    "07:00 EST is 12:00 UTC",
			from:    time.Date(2026, 11, 26, 11, 59, 59, 0, time.UTC),
			now:     time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC),
			wantAt:  time.Date(2026, 11, 26, 7, 0, 0, 0, ny),
			wantDay: "2026-11-26",
		},
		{
			name:    "after the spring change 07:00 EDT is 11:00 UTC",
			from:    time.Date(2026, 3, 8, 10, 59, 0, 0, time.UTC),
			now:     time.Date(2026, 3, 8, 11, 0, 5, 0, time.UTC),
			wantAt:  time.Date(2026, 3, 8, 7, 0, 0, 0, ny),
			wantDay: "2026-03-08",
		},
		{
			name: "12:00 UTC on a EDT day is past the fire",
			from: time.Date(2026, 3, 9, 11, 0, 1, 0, time.UTC),
			now:  time.Date(2026, 3, 9, 12, 0, 1, 0, time.UTC),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.done = tt.from
			fired := s.tick(ctx, tt.now)
			if tt.wantAt.IsZero() {
				if len(fired) != 0 {
					t.Fatalf("fired %+v, want nothing", fired)
				}
				return
			}
			if len(fired) != 1 {
				t.Fatalf("fired %+v, want one", fired)
			}
			f := fired[0]
			if f.err != nil || f.dup {
				t.Fatalf("fire: dup=%v err=%v", f.dup, f.err)
			}
			if !f.at.Equal(tt.wantAt) || f.at.Location().String() != "America/New_York" {
				t.Errorf("fired at %v, want %v", f.at, tt.wantAt)
			}
			info, err := b.insp.GetTaskInfo(tasks.QueueLow, "report:daily:"+tt.wantDay)
			if err != nil {
				t.Fatalf("task for %s: %v", tt.wantDay, err)
			}
			p, err := tasks.ParseReportDailyPayload(info.Payload)
			if err != nil {
				t.Fatal(err)
			}
			if p.Day != tt.wantDay || p.Timezone != "America/New_York" || !p.ScheduledAt.Equal(tt.wantAt) {
				t.Errorf("payload %+v", p)
			}
		})
	}
}

func TestMissedFiresEnqueueOnlyTheLatest(t *testing.T) {
	b := setup(t)
	s, err := New(b.client, Options{Entries: []Entry{{TaskType: tasks.TypeOrdersFollowupScan, Spec: "@hourly"}}})
	if err != nil {
		t.Fatal(err)
	}
	s.entries[0].done = time.Date(2026, 11, 26, 0, 30, 0, 0, time.UTC)
	fired := s.tick(context.Background(), time.Date(2026, 11, 26, 5, 10, 0, 0, time.UTC))
	if len(fired) != 1 || !fired[0].at.Equal(time.Date(2026, 11, 26, 5, 0, 0, 0, time.UTC)) {
		t.Fatalf("fired %+v, want only 05:00", fired)
	}
}

// TestFailedEnqueueIsRetried: while Redis cannot be reached the fire stays
// due, and the next tick with a working client enqueues it.
func TestFailedEnqueueIsRetried(t *testing.T) {
	b := setup(t)
	down := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond})
	t.Cleanup(func() { down.Close() })
	s, err := New(down, Options{Entries: []Entry{{TaskType: tasks.TypeAnomalyScan, Spec: "*/15 * * * *"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s.entries[0].done = time.Date(2026, 11, 26, 9, 59, 0, 0, time.UTC)
	if fired := s.tick(ctx, time.Date(2026, 11, 26, 10, 0, 1, 0, time.UTC)); len(fired) != 1 || fired[0].err == nil {
		t.Fatalf("fired %+v, want one failed fire", fired)
	}
	s.client = b.client // Redis is back
	fired := s.tick(ctx, time.Date(2026, 11, 26, 10, 0, 2, 0, time.UTC))
	if len(fired) != 1 || fired[0].err != nil || fired[0].dup {
		t.Fatalf("retry fired %+v", fired)
	}
	if _, err := b.insp.GetTaskInfo(tasks.QueueDefault, "anomaly:scan:20261126T100000Z"); err != nil {
		t.Fatalf("retried task not in Redis: %v", err)
	}
	if fired := s.tick(ctx, time.Date(2026, 11, 26, 10, 0, 3, 0, time.UTC)); len(fired) != 0 {
		t.Fatalf("fired again after success: %+v", fired)
	}
}

func TestEveryIsAligned(t *testing.T) {
	e, err := newEntry(Entry{TaskType: tasks.TypeLeadsSLAScan, Spec: "@every 10m", Timezone: "Asia/Kolkata"})
	if err != nil {
		t.Fatal(err)
	}
	// Two schedulers started at different moments agree on the fire times.
	a := e.next(time.Date(2026, 11, 26, 6, 1, 17, 0, time.UTC))
	b := e.next(time.Date(2026, 11, 26, 6, 9, 59, 0, time.UTC))
	want := time.Date(2026, 11, 26, 6, 10, 0, 0, time.UTC)
	if !a.Equal(want) || !b.Equal(want) {
		t.Errorf("next = %v and %v, want %v", a, b, want)
	}
	if a.Location().String() != "Asia/Kolkata" {
		t.Errorf("location %v", a.Location())
	}
}

func TestRunReturnsWhenContextDone(t *testing.T) {
	b := setup(t)
	s, err := New(b.client, Options{Redis: b.opt, Entries: []Entry{{TaskType: tasks.TypeReportWeekly, Spec: "0 8 * * 1"}}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- s.Run(ctx) }()
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Errorf("Run = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestNewRejectsBadEntries(t *testing.T) {
	tests := []struct {
		name    string
		entries []Entry
		wantErr string
	}{
		{"unknown type", []Entry{{TaskType: "mail:send", Spec: "@daily"}}, "task type"},
		{"bad spec", []Entry{{TaskType: tasks.TypeReportDaily, Spec: "61 * * * *"}}, "spec"},
		{"seconds field", []Entry{{TaskType: tasks.TypeReportDaily, Spec: "0 0 7 * * *"}}, "spec"},
		{"empty spec", []Entry{{TaskType: tasks.TypeReportDaily}}, "spec"},
		{"tz in spec", []Entry{{TaskType: tasks.TypeReportDaily, Spec: "CRON_TZ=UTC 0 7 * * *"}}, "timezone field"},
		{"bad timezone", []Entry{{TaskType: tasks.TypeReportDaily, Spec: "@daily", Timezone: "Mars/Olympus"}}, "timezone"},
		{"twice", []Entry{
			{TaskType: tasks.TypeReportDaily, Spec: "@daily"},
			{TaskType: tasks.TypeReportDaily, Spec: "0 7 * * *", Timezone: "Europe/Berlin"},
		}, "scheduled twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(nil, Options{Entries: tt.entries})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}

// The payload a scheduler builds names the timezone it fired in.
func TestPayloadNamesTimezone(t *testing.T) {
	e, err := newEntry(Entry{TaskType: tasks.TypeReportDaily, Spec: "30 8 * * *", Timezone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	at := e.next(time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC))
	task, err := tasks.NewPeriodicTask(e.TaskType, at)
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(task.Payload(), &p); err != nil {
		t.Fatal(err)
	}
	if p["timezone"] != "Europe/Berlin" || p["day"] != "2026-11-26" || p["scheduled_at"] != "2026-11-26T08:30:00+01:00" {
		t.Errorf("payload %v", p)
	}
}

// TestRunsOnAsynqScheduler runs two schedulers on the real clock: asynq's
// Scheduler lists their entries (what the dashboard's Schedulers page
// shows), its cron alone wakes them (their own poll is an hour), and each
// fire of the shared schedule is enqueued once, under the run's TaskID.
func TestRunsOnAsynqScheduler(t *testing.T) {
	b := setup(t)
	entries := []Entry{
		{TaskType: tasks.TypeAnomalyScan, Spec: "@every 1s"},
		{TaskType: tasks.TypeReportDaily, Spec: "0 7 * * *", Timezone: "Europe/Berlin"},
	}
	logs, stop := runTwo(t, b, Options{Entries: entries, Redis: b.opt, Poll: time.Hour})

	// asynq writes the entries with its first heartbeat, ten seconds in.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		got, err := b.insp.SchedulerEntries()
		if err != nil {
			t.Fatal(err)
		}
		specs := map[string]int{}
		for _, e := range got {
			if e.Next.IsZero() {
				t.Errorf("entry %s has no next run", e.Task.Type())
			}
			specs[e.Task.Type()+" "+e.Spec]++
		}
		want := map[string]int{
			"anomaly:scan CRON_TZ=UTC @every 1s":           2,
			"report:daily CRON_TZ=Europe/Berlin 0 7 * * *": 2,
		}
		if maps.Equal(specs, want) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scheduler entries %v, want %v", specs, want)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Both schedulers fire the same buckets; wait for three of them.
	bothFired := func() map[string]int {
		attempts := map[string]int{}
		for _, l := range logs {
			seen := map[string]bool{}
			for _, f := range l.all() {
				k := f.at.UTC().Format(time.RFC3339)
				if !seen[k] {
					seen[k] = true
					attempts[k]++
				}
			}
		}
		maps.DeleteFunc(attempts, func(_ string, n int) bool { return n < 2 })
		return attempts
	}
	for len(bothFired()) < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("schedulers fired %v, want three shared buckets", bothFired())
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()

	enqueued := map[string]int{}
	for _, l := range logs {
		for _, f := range l.all() {
			if f.err != nil {
				t.Errorf("fire at %v: %v", f.at, f.err)
			}
			if f.taskType == tasks.TypeAnomalyScan && !f.dup {
				enqueued["anomaly:scan:"+f.at.UTC().Format("20060102T150405Z")]++
			}
		}
	}
	infos, err := b.insp.ListPendingTasks(tasks.QueueDefault, asynq.PageSize(1000))
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(enqueued) {
		t.Errorf("queue holds %d tasks, the schedulers enqueued %d", len(infos), len(enqueued))
	}
	for _, info := range infos {
		if enqueued[info.ID] != 1 {
			t.Errorf("task %s enqueued %d times, want once", info.ID, enqueued[info.ID])
		}
	}
	if got, err := b.insp.SchedulerEntries(); err != nil || len(got) != 0 {
		t.Errorf("after stop: entries %v, err %v; want none", got, err)
	}
}
