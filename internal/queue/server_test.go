package queue

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/testenv"
)

type bundle struct {
	opt    asynq.RedisClientOpt
	client *asynq.Client
	insp   *asynq.Inspector
	log    *logWatch
}

func setup(t *testing.T) bundle {
	t.Helper()
	testenv.Redis(t, testenv.RedisDBRuntime) // skip or fail without Redis; flush our DB
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBRuntime}
	client := asynq.NewClient(opt)
	insp := asynq.NewInspector(opt)
	t.Cleanup(func() {
		client.Close()
		insp.Close()
	})
	return bundle{opt: opt, client: client, insp: insp, log: newLogWatch(t)}
}

// logWatch is a slog handler that keeps the log for a failed test and lets
// a test wait for a given message: the shutdown tests synchronise on
// asynq's own "Waiting for all workers to finish..." line, which it writes
// once its processor loop has stopped taking tasks.
type logWatch struct {
	*watchState
	inner slog.Handler
}

type watchState struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	seen  map[string]bool
	waits map[string]chan struct{}
}

func newLogWatch(t *testing.T) *logWatch {
	st := &watchState{seen: map[string]bool{}, waits: map[string]chan struct{}{}}
	w := &logWatch{watchState: st, inner: slog.NewTextHandler(lockedWriter{st}, &slog.HandlerOptions{Level: slog.LevelInfo})}
	t.Cleanup(func() {
		if t.Failed() {
			st.mu.Lock()
			t.Logf("log:\n%s", st.buf.String())
			st.mu.Unlock()
		}
	})
	return w
}

type lockedWriter struct{ st *watchState }

// Write is called by the inner handler from inside Handle, which holds mu.
func (w lockedWriter) Write(p []byte) (int, error) { return w.st.buf.Write(p) }

func (w *logWatch) Enabled(ctx context.Context, l slog.Level) bool { return w.inner.Enabled(ctx, l) }

func (w *logWatch) Handle(ctx context.Context, r slog.Record) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seen[r.Message] = true
	if ch, ok := w.waits[r.Message]; ok {
		close(ch)
		delete(w.waits, r.Message)
	}
	return w.inner.Handle(ctx, r)
}

func (w *logWatch) WithAttrs(as []slog.Attr) slog.Handler {
	return &logWatch{watchState: w.watchState, inner: w.inner.WithAttrs(as)}
}

func (w *logWatch) WithGroup(name string) slog.Handler {
	return &logWatch{watchState: w.watchState, inner: w.inner.WithGroup(name)}
}

// awaitMessage returns a channel closed once msg has been logged.
func (w *logWatch) awaitMessage(msg string) <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	ch := make(chan struct{})
	if w.seen[msg] {
		close(ch)
		return ch
	}
	if old, ok := w.waits[msg]; ok {
		return old
	}
	w.waits[msg] = ch
	return ch
}

func (w *logWatch) logger() *slog.Logger { return slog.New(w) }

// effects counts, per task id, how many times a handler's work took effect.
type effects struct {
	mu sync.Mutex
	n  map[string]int
}

func (e *effects) record(id string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.n == nil {
		e.n = map[string]int{}
	}
	e.n[id]++
}

func (e *effects) count(id string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n[id]
}

func wait(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func enqueueTest(t *testing.T, b bundle, typ, id string) {
	t.Helper()
	task := asynq.NewTask(typ, nil, asynq.TaskID(id), asynq.Queue("default"), asynq.MaxRetry(3), asynq.Retention(time.Hour))
	if _, dup, err := Enqueue(context.Background(), b.client, task); err != nil || dup {
		t.Fatalf("enqueue %s: dup=%v err=%v", id, dup, err)
	}
}

func taskState(t *testing.T, b bundle, id string) *asynq.TaskInfo {
	t.Helper()
	info, err := b.insp.GetTaskInfo("default", id)
	if err != nil {
		t.Fatalf("task %s: %v", id, err)
	}
	return info
}

// TestShutdownFinishesInFlightTask: a slow task that is running when
// Shutdown begins completes (its effect happens once and asynq records it
// completed), and a task enqueued after shutdown began is not taken.
func TestShutdownFinishesInFlightTask(t *testing.T) {
	b := setup(t)
	var done effects
	started := make(chan struct{})

	mux := asynq.NewServeMux()
	mux.HandleFunc("test:slow", func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		close(started)
		select {
		case <-time.After(1500 * time.Millisecond): // the work takes its time
		case <-ctx.Done():
			return ctx.Err()
		}
		done.record(id)
		return nil
	})
	mux.HandleFunc("test:quick", func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		done.record(id)
		return nil
	})

	srv := NewServer(b.opt, ServerOptions{Concurrency: 4, ShutdownTimeout: 5 * time.Second, Logger: b.log.logger()})
	enqueueTest(t, b, "test:slow", "slow")
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	wait(t, started, "the slow task to start")

	stopped := b.log.awaitMessage("Waiting for all workers to finish...")
	shutdownDone := make(chan struct{})
	go func() {
		srv.Shutdown()
		close(shutdownDone)
	}()
	wait(t, stopped, "the processor to stop taking tasks")
	// The server has stopped taking work but is still waiting for the
	// slow task: a task enqueued now must stay in the queue.
	enqueueTest(t, b, "test:quick", "after-shutdown")
	wait(t, shutdownDone, "Shutdown to return")

	if got := done.count("slow"); got != 1 {
		t.Errorf("slow task took effect %d times, want 1", got)
	}
	if got := taskState(t, b, "slow").State; got != asynq.TaskStateCompleted {
		t.Errorf("slow task state = %v, want completed", got)
	}
	if got := done.count("after-shutdown"); got != 0 {
		t.Errorf("task enqueued after shutdown began ran %d times", got)
	}
	if got := taskState(t, b, "after-shutdown").State; got != asynq.TaskStatePending {
		t.Errorf("task enqueued after shutdown began is %v, want pending", got)
	}
}

// TestShutdownRequeuesUnfinishedTasks: tasks still running when the
// shutdown timeout ends are put back on the queue without using a retry,
// and a second server runs each of them to completion exactly once.
func TestShutdownRequeuesUnfinishedTasks(t *testing.T) {
	b := setup(t)
	ids := []string{"long-1", "long-2", "long-3"}
	var done effects

	var running sync.WaitGroup // handlers of the first server still running
	startedCh := make(chan string, len(ids))
	first := asynq.NewServeMux()
	first.HandleFunc("test:long", func(ctx context.Context, task *asynq.Task) error {
		running.Add(1)
		defer running.Done()
		id, _ := asynq.GetTaskID(ctx)
		startedCh <- id
		<-ctx.Done() // outlives the shutdown timeout; gives up when cancelled
		return ctx.Err()
	})
	for _, id := range ids {
		enqueueTest(t, b, "test:long", id)
	}
	srv1 := NewServer(b.opt, ServerOptions{Concurrency: len(ids), ShutdownTimeout: 300 * time.Millisecond, Logger: b.log.logger()})
	if err := srv1.Start(first); err != nil {
		t.Fatal(err)
	}
	for range ids {
		select {
		case <-startedCh:
		case <-time.After(30 * time.Second):
			t.Fatal("timed out waiting for the long tasks to start")
		}
	}
	srv1.Shutdown()
	running.Wait() // asynq cancels the handlers' contexts after requeueing

	for _, id := range ids {
		info := taskState(t, b, id)
		if info.State != asynq.TaskStatePending {
			t.Errorf("%s after first shutdown: state %v, want pending (requeued)", id, info.State)
		}
		if info.Retried != 0 {
			t.Errorf("%s: retried = %d, a graceful requeue must not use a retry", id, info.Retried)
		}
		if got := done.count(id); got != 0 {
			t.Errorf("%s took effect %d times on the first server", id, got)
		}
	}

	finished := make(chan string, len(ids))
	second := asynq.NewServeMux()
	second.HandleFunc("test:long", func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		done.record(id)
		finished <- id
		return nil
	})
	srv2 := NewServer(b.opt, ServerOptions{Concurrency: 2, ShutdownTimeout: 5 * time.Second, Logger: b.log.logger()})
	if err := srv2.Start(second); err != nil {
		t.Fatal(err)
	}
	for range ids {
		select {
		case <-finished:
		case <-time.After(30 * time.Second):
			srv2.Shutdown()
			t.Fatal("timed out waiting for the second server to run the requeued tasks")
		}
	}
	srv2.Shutdown()

	for _, id := range ids {
		if got := done.count(id); got != 1 {
			t.Errorf("%s took effect %d times, want 1", id, got)
		}
		if got := taskState(t, b, id).State; got != asynq.TaskStateCompleted {
			t.Errorf("%s: state %v, want completed", id, got)
		}
	}
}

func TestEnqueueDuplicate(t *testing.T) {
	b := setup(t)
	ctx := context.Background()
	task := asynq.NewTask("test:once", []byte(`{}`), asynq.TaskID("once-1"))

	info, dup, err := Enqueue(ctx, b.client, task)
	if err != nil || dup || info == nil || info.ID != "once-1" {
		t.Fatalf("first enqueue: info=%v dup=%v err=%v", info, dup, err)
	}
	info, dup, err = Enqueue(ctx, b.client, task)
	if err != nil || !dup || info != nil {
		t.Fatalf("second enqueue: info=%v dup=%v err=%v, want dup", info, dup, err)
	}

	unique := asynq.NewTask("test:unique", []byte(`{"a":1}`), asynq.Unique(time.Minute))
	if _, dup, err := Enqueue(ctx, b.client, unique); err != nil || dup {
		t.Fatalf("first unique: dup=%v err=%v", dup, err)
	}
	if _, dup, err := Enqueue(ctx, b.client, unique); err != nil || !dup {
		t.Fatalf("second unique: dup=%v err=%v, want dup", dup, err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, dup, err = Enqueue(cancelled, b.client, asynq.NewTask("test:other", nil))
	if err == nil || dup {
		t.Fatalf("enqueue with cancelled context: dup=%v err=%v, want an error", dup, err)
	}
}
