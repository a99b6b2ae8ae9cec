package queue

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// dequeueWatch counts, from Redis's MONITOR, the dequeue scripts asynq
// runs on each queue of one DB: EVALSHA with the keys pending, paused,
// active and lease of that queue (rdb.Dequeue), one per queue asked.
type dequeueWatch struct {
	conn net.Conn
	db   int
	mu   sync.Mutex
	n    map[string]int
	seen map[string]chan struct{} // marker -> closed once MONITOR showed it
	done chan struct{}
}

func watchDequeues(t *testing.T, db int) *dequeueWatch {
	t.Helper()
	conn, err := net.Dial("tcp", testenv.RedisAddr())
	if err != nil {
		t.Fatal(err)
	}
	w := &dequeueWatch{conn: conn, db: db, n: map[string]int{}, seen: map[string]chan struct{}{}, done: make(chan struct{})}
	r := bufio.NewReader(conn)
	if _, err := conn.Write([]byte("MONITOR\r\n")); err != nil {
		t.Fatal(err)
	}
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "+OK") {
		t.Fatalf("MONITOR: %q %v", line, err)
	}
	go func() {
		defer close(w.done)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			w.read(line)
		}
	}()
	t.Cleanup(func() {
		conn.Close()
		<-w.done
	})
	return w
}

func (w *dequeueWatch) read(line string) {
	if !strings.Contains(line, fmt.Sprintf("[%d ", w.db)) {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for marker, ch := range w.seen {
		if strings.Contains(line, marker) {
			close(ch)
			delete(w.seen, marker)
		}
	}
	if !strings.Contains(strings.ToLower(line), `"evalsha"`) {
		return
	}
	for _, q := range []string{tasks.QueueCritical, tasks.QueueDefault, tasks.QueueLow} {
		if strings.Contains(line, fmt.Sprintf(`"asynq:{%s}:pending" "asynq:{%s}:paused"`, q, q)) {
			w.n[q]++
		}
	}
}

// counts returns the dequeue scripts per queue seen so far, after making
// sure MONITOR has shown every command sent before the call: it sends a
// marker command on c and waits for it.
func (w *dequeueWatch) counts(t *testing.T, c *redis.Client) map[string]int {
	t.Helper()
	marker := "dequeue-watch-" + testenv.RandomName(8)
	ch := make(chan struct{})
	w.mu.Lock()
	w.seen[marker] = ch
	w.mu.Unlock()
	_ = c.Get(context.Background(), marker).Err() // redis.Nil: the key does not exist
	select {
	case <-ch:
	case <-time.After(testenv.Patience(t)):
		t.Fatal("MONITOR never showed the marker command")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]int{}
	for q, n := range w.n {
		out[q] = n
	}
	return out
}

// TestWorkerAsksOnlyDefaultForDefaultWork: a burst of default-queue tasks
// through the worker as cmd/salesdesk builds it (the default queue
// weights) runs one dequeue script per task on default, and the empty
// critical and low queues are asked only at the idle pace: at most once
// per half TaskCheckInterval (asynq sleeps 0.5 to 1.5 intervals after an
// empty poll). One server for the three queues asked critical or low
// first for about nine tasks in ten (weights 6:3:1), hundreds of scripts
// for this burst whatever the machine's speed.
func TestWorkerAsksOnlyDefaultForDefaultWork(t *testing.T) {
	b := setup(t)
	rc := testenv.Redis(t, testenv.RedisDBRuntime)
	watch := watchDequeues(t, testenv.RedisDBRuntime)

	const n = 500
	for i := range n {
		task := asynq.NewTask("test:burst", nil, asynq.Queue(tasks.QueueDefault))
		if _, err := b.client.Enqueue(task); err != nil {
			t.Fatalf("enqueue %d: %v", i, err)
		}
	}
	var processed atomic.Int64
	all := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc("test:burst", func(context.Context, *asynq.Task) error {
		if processed.Add(1) == n {
			close(all)
		}
		return nil
	})

	const interval = 2 * time.Second
	w := NewWorker(b.opt, ServerOptions{Concurrency: 4, TaskCheckInterval: interval,
		ShutdownTimeout: 5 * time.Second, Logger: b.log.logger()})
	start := time.Now()
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	select {
	case <-all:
	case <-time.After(testenv.Patience(t)):
		w.Shutdown()
		t.Fatalf("processed %d of %d tasks", processed.Load(), n)
	}
	w.Shutdown()
	elapsed := time.Since(start)
	got := watch.counts(t, rc)

	if got[tasks.QueueDefault] < n {
		t.Fatalf("MONITOR saw %d dequeue scripts on default for %d tasks: the count does not see asynq's scripts", got[tasks.QueueDefault], n)
	}
	polls := 1 + int(elapsed/(interval/2))
	for _, q := range []string{tasks.QueueCritical, tasks.QueueLow} {
		if got[q] > polls {
			t.Errorf("%d dequeue scripts on the empty %s queue while %d default tasks ran in %v, want at most %d (idle polls)",
				got[q], q, n, elapsed.Round(time.Millisecond), polls)
		}
	}
	t.Logf("dequeue scripts in %v: %v", elapsed.Round(time.Millisecond), got)
}

// TestWorkerRushAndReportsPassDefaultBacklog: with every default worker
// busy and a backlog of default work behind them, and SideConcurrency-1
// low tasks running, a rush order (critical) and a report (low) are still
// processed. A graceful stop then stops every server: the tasks still
// running are put back on their queues without using a retry.
func TestWorkerRushAndReportsPassDefaultBacklog(t *testing.T) {
	b := setup(t)
	release := make(chan struct{})
	started := make(chan string, 100)
	var done effects
	block := func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		started <- id
		select {
		case <-release:
		case <-ctx.Done():
			return ctx.Err()
		}
		done.record(id)
		return nil
	}
	quick := func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		done.record(id)
		return nil
	}
	mux := asynq.NewServeMux()
	mux.HandleFunc("test:mail", block)
	mux.HandleFunc("test:digest", block)
	mux.HandleFunc("test:rush", quick)
	mux.HandleFunc("test:report", quick)

	enqueue := func(typ, id, q string) {
		t.Helper()
		task := asynq.NewTask(typ, nil, asynq.TaskID(id), asynq.Queue(q), asynq.MaxRetry(3), asynq.Retention(time.Hour))
		if _, err := b.client.Enqueue(task); err != nil {
			t.Fatalf("enqueue %s: %v", id, err)
		}
	}
	const concurrency, backlog = 2, 50
	for i := range backlog {
		enqueue("test:mail", fmt.Sprintf("mail-%d", i), tasks.QueueDefault)
	}
	for i := range SideConcurrency - 1 {
		enqueue("test:digest", fmt.Sprintf("digest-%d", i), tasks.QueueLow)
	}
	w := NewWorker(b.opt, ServerOptions{Concurrency: concurrency, ShutdownTimeout: 300 * time.Millisecond, Logger: b.log.logger()})
	if err := w.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Shutdown) // harmless after the Shutdown below
	running := map[string]bool{}
	for range concurrency + SideConcurrency - 1 {
		select {
		case id := <-started:
			running[id] = true
		case <-time.After(testenv.Patience(t)):
			t.Fatalf("only %v started", running)
		}
	}

	enqueue("test:rush", "rush", tasks.QueueCritical)
	enqueue("test:report", "report", tasks.QueueLow)
	deadline := time.Now().Add(testenv.Patience(t))
	for done.count("rush") == 0 || done.count("report") == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("behind %d default tasks: rush order done %d times, report %d times",
				backlog, done.count("rush"), done.count("report"))
		}
		time.Sleep(10 * time.Millisecond)
	}
	info, err := b.insp.GetQueueInfo(tasks.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	if info.Pending != backlog-concurrency {
		t.Errorf("default holds %d pending tasks, want the backlog of %d untouched", info.Pending, backlog-concurrency)
	}

	w.Shutdown()
	w.Shutdown()
	for id := range running {
		q := tasks.QueueDefault
		if strings.HasPrefix(id, "digest") {
			q = tasks.QueueLow
		}
		ti, err := b.insp.GetTaskInfo(q, id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if ti.State != asynq.TaskStatePending || ti.Retried != 0 {
			t.Errorf("%s after shutdown: state %v, retried %d; want pending, 0 (put back)", id, ti.State, ti.Retried)
		}
	}
	servers, err := b.insp.Servers()
	if err != nil {
		t.Fatal(err)
	}
	if len(servers) != 0 {
		t.Errorf("%d servers still registered after Shutdown", len(servers))
	}
}

// TestNewWorkerServers: the default weights give a server of the default
// queue with the configured concurrency and one of the other queues,
// weighted as configured, with SideConcurrency; queues without default
// get one server.
func TestNewWorkerServers(t *testing.T) {
	b := setup(t)
	tests := []struct {
		name   string
		queues map[string]int
		want   map[string]int // queue set -> concurrency
	}{
		{"default weights", nil, map[string]int{"default": 7, "critical,low": SideConcurrency}},
		{"configured weights", map[string]int{"critical": 2, "default": 5, "low": 4},
			map[string]int{"default": 7, "critical,low": SideConcurrency}},
		{"no default queue", map[string]int{"critical": 1, "low": 1}, map[string]int{"critical,low": 7}},
		{"default alone", map[string]int{"default": 1}, map[string]int{"default": 7}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWorker(b.opt, ServerOptions{Concurrency: 7, Queues: tt.queues, Logger: b.log.logger()})
			if err := w.Start(asynq.NewServeMux()); err != nil {
				t.Fatal(err)
			}
			defer w.Shutdown()
			var servers []*asynq.ServerInfo
			deadline := time.Now().Add(testenv.Patience(t))
			for len(servers) != len(tt.want) && time.Now().Before(deadline) {
				var err error
				if servers, err = b.insp.Servers(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(10 * time.Millisecond)
			}
			got := map[string]int{}
			for _, s := range servers {
				var names []string
				for _, q := range []string{"critical", "default", "low"} {
					if _, ok := s.Queues[q]; ok {
						names = append(names, q)
					}
				}
				got[strings.Join(names, ",")] = s.Concurrency
				if want := tt.queues; want != nil && len(names) > 1 {
					for _, q := range names {
						if s.Queues[q] != want[q] {
							t.Errorf("server %v: %s weight %d, want %d", names, q, s.Queues[q], want[q])
						}
					}
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("servers = %v, want %v", got, tt.want)
			}
		})
	}
}
