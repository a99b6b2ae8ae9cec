package workers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"salesdesk/internal/queue"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// syncBuffer is a log sink shared by handler goroutines and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines returns the JSON log lines whose msg is msg.
func (b *syncBuffer) lines(t *testing.T, msg string) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, raw := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if raw == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(raw), &m); err != nil {
			t.Fatalf("log line %q: %v", raw, err)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

type fixture struct {
	mux   *Workers
	reg   *prometheus.Registry
	log   *syncBuffer
	clock time.Time
}

func setup(t *testing.T) fixture {
	t.Helper()
	f := fixture{reg: prometheus.NewRegistry(), log: &syncBuffer{}, clock: time.Date(2026, 11, 26, 9, 0, 2, 0, time.UTC)}
	var err error
	f.mux, err = New(Deps{
		Desk: Desk{
			Logger: slog.New(slog.NewJSONHandler(f.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Clock:  ClockFunc(func() time.Time { return f.clock }),
		},
		Metrics: f.reg,
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func pingTask(t *testing.T, id string, sent time.Time) *asynq.Task {
	t.Helper()
	task, err := tasks.NewPingTask(tasks.PingPayload{ID: id, SentAt: sent})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestMiddlewareOutcomes(t *testing.T) {
	f := setup(t)
	f.mux.HandleFunc("inquiry:ack", func(ctx context.Context, _ *asynq.Task) error {
		return fmt.Errorf("enqueue mail:send: %w", asynq.ErrTaskIDConflict)
	})
	f.mux.HandleFunc("mail:send", func(ctx context.Context, _ *asynq.Task) error {
		return errors.New("smtp: connection refused")
	})
	ctx := context.Background()

	tests := []struct {
		name          string
		task          *asynq.Task
		wantErr       error // nil: success
		wantSkipRetry bool
		label         string
		wantReason    string
		wantMsg       string
	}{
		{name: "ping", task: pingTask(t, "p1", f.clock.Add(-2*time.Second)), label: tasks.TypePing, wantMsg: "task done"},
		{name: "bad payload", task: asynq.NewTask(tasks.TypePing, []byte(`{"id":`)), wantSkipRetry: true, label: tasks.TypePing, wantReason: "permanent", wantMsg: "task failed permanently"},
		{name: "duplicate follow-on is success", task: asynq.NewTask("inquiry:ack", nil), label: "inquiry:ack", wantMsg: "task done, follow-on work already enqueued"},
		{name: "transient failure", task: asynq.NewTask("mail:send", nil), wantErr: errors.New("x"), label: "mail:send", wantReason: "retry", wantMsg: "task failed"},
		{name: "no handler", task: asynq.NewTask("made:up", nil), wantErr: asynq.ErrHandlerNotFound, label: "unknown", wantReason: "retry", wantMsg: "task failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := f.processed(t, tt.label)
			err := f.mux.ProcessTask(ctx, tt.task)
			switch {
			case tt.wantSkipRetry:
				if !errors.Is(err, asynq.SkipRetry) {
					t.Fatalf("err = %v, want SkipRetry", err)
				}
			case tt.wantErr != nil:
				if err == nil {
					t.Fatal("want error, got nil")
				}
				if errors.Is(tt.wantErr, asynq.ErrHandlerNotFound) && !errors.Is(err, asynq.ErrHandlerNotFound) {
					t.Fatalf("err = %v, want ErrHandlerNotFound", err)
				}
			default:
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
			}
			if got := f.processed(t, tt.label) - before; got != 1 {
				t.Errorf("processed{%s} grew by %v, want 1", tt.label, got)
			}
			if tt.wantReason != "" {
				if got := f.failed(t, tt.label, tt.wantReason); got < 1 {
					t.Errorf("failed{%s,%s} = %v", tt.label, tt.wantReason, got)
				}
			}
			lines := f.log.lines(t, tt.wantMsg)
			if len(lines) == 0 {
				t.Fatalf("no %q log line", tt.wantMsg)
			}
			last := lines[len(lines)-1]
			if last["task_type"] != tt.task.Type() {
				t.Errorf("log task_type = %v, want %s", last["task_type"], tt.task.Type())
			}
			for _, k := range []string{"task_id", "queue", "retried", "duration_ms"} {
				if _, ok := last[k]; !ok {
					t.Errorf("log line lacks %s: %v", k, last)
				}
			}
		})
	}
}

// counter returns the value of the counter name with the given labels in
// reg, 0 when it has not been counted yet.
func counter(t *testing.T, reg *prometheus.Registry, name string, labels map[string]string) float64 {
	t.Helper()
	v, _ := testenv.Metric(t, reg, name, labels)
	return v
}

func (f fixture) processed(t *testing.T, typ string) float64 {
	t.Helper()
	return counter(t, f.reg, "salesdesk_tasks_processed_total", map[string]string{"task_type": typ})
}

func (f fixture) failed(t *testing.T, typ, reason string) float64 {
	t.Helper()
	return counter(t, f.reg, "salesdesk_tasks_failed_total", map[string]string{"task_type": typ, "reason": reason})
}

func TestPanicIsLoggedAndPassedOn(t *testing.T) {
	f := setup(t)
	f.mux.HandleFunc("lead:assign", func(context.Context, *asynq.Task) error {
		var m map[string]int
		m["boom"]++ // a nil map write: a real runtime panic
		return nil
	})
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Error("panic was swallowed; asynq must see it to fail the task")
			}
		}()
		_ = f.mux.ProcessTask(context.Background(), asynq.NewTask("lead:assign", nil))
	}()
	if got := f.failed(t, "lead:assign", "panic"); got != 1 {
		t.Errorf("failed{panic} = %v, want 1", got)
	}
	lines := f.log.lines(t, "task panicked")
	if len(lines) != 1 {
		t.Fatalf("%d panic log lines, want 1", len(lines))
	}
	if s, _ := lines[0]["stack"].(string); !strings.Contains(s, "workers_test.go") {
		t.Errorf("stack does not reach the handler:\n%s", s)
	}
}

func TestNewTwiceOnOneRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	for _, d := range []Deps{
		{Metrics: reg},
		{Metrics: reg}, // must not panic
		{},             // no registry, no logger, no clock
	} {
		if _, err := New(d, Options{}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPingThroughRedis runs the mux in a real worker server: a ping
// enqueued in Redis completes and its pong is stored as the task result.
func TestPingThroughRedis(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBWorkers)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWorkers}
	client := asynq.NewClient(opt)
	insp := asynq.NewInspector(opt)
	t.Cleanup(func() {
		client.Close()
		insp.Close()
	})
	f := setup(t)
	srv := queue.NewServer(opt, queue.ServerOptions{Concurrency: 2, ShutdownTimeout: 5 * time.Second})
	if err := srv.Start(f.mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	sent := f.clock.Add(-1500 * time.Millisecond)
	if _, dup, err := queue.Enqueue(context.Background(), client, pingTask(t, "health-1", sent)); err != nil || dup {
		t.Fatalf("enqueue: dup=%v err=%v", dup, err)
	}
	var info *asynq.TaskInfo
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		info, err = insp.GetTaskInfo(tasks.QueueDefault, "system:ping:health-1")
		if err != nil {
			t.Fatal(err)
		}
		if info.State == asynq.TaskStateCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ping not completed, state %v", info.State)
		}
		time.Sleep(20 * time.Millisecond) // polling Redis, not waiting for a guess
	}
	var pong Pong
	if err := json.Unmarshal(info.Result, &pong); err != nil {
		t.Fatalf("result %q: %v", info.Result, err)
	}
	if pong.ID != "health-1" || !pong.PongAt.Equal(f.clock) || pong.LatencyS != 1.5 {
		t.Errorf("pong = %+v", pong)
	}
	done := f.log.lines(t, "task done")
	if len(done) != 1 || done[0]["task_id"] != "system:ping:health-1" || done[0]["queue"] != "default" {
		t.Errorf("task log lines = %v", done)
	}
	if got := f.processed(t, tasks.TypePing); got != 1 {
		t.Errorf("processed{system:ping} = %v, want 1", got)
	}
}
