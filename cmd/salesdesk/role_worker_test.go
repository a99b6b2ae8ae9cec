package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/config"
	"salesdesk/internal/queue"
	"salesdesk/internal/recovery"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// TestFollowExamplesRetrainsOnChange: a routing example stored by another
// process makes the worker retrain once, and only once.
func TestFollowExamplesRetrainsOnChange(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBCmd)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := newApp(ctx, testConfig(t, testenv.RedisAddr()), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()

	var reloads atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.followExamples(ctx, func(context.Context) (bool, error) { reloads.Add(1); return true, nil }, 20*time.Millisecond)
	}()

	time.Sleep(100 * time.Millisecond) // several checks with nothing new
	if n := reloads.Load(); n != 0 {
		t.Fatalf("retrained %d times with no new example", n)
	}
	if _, err := a.store.AddRoutingExample(ctx, &store.RoutingExample{Text: "please cancel my order", Category: "order_change", Source: "label"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, startupLimit, func() bool { return reloads.Load() == 1 })
	time.Sleep(100 * time.Millisecond)
	if n := reloads.Load(); n != 1 {
		t.Errorf("retrained %d times for one new example, want 1", n)
	}
	cancel()
	<-done
}

// TestRecoveryReenqueuesLostWork: Redis loses every task; the rows still
// waiting in the database get their tasks back, exactly once.
func TestRecoveryReenqueuesLostWork(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBCmd)
	ctx := context.Background()
	a, err := newApp(ctx, testConfig(t, testenv.RedisAddr()), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()

	in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 7, UID: 42, MessageID: "lost@x.example", ContentHash: "h", Raw: []byte("Subject: hi\r\n\r\nhello\r\n"), Size: 22}
	_, _, _, err = a.store.SaveInboundMessage(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	outID, _, err := a.store.CreateOutbound(ctx, &store.OutboundEmail{IdempotencyKey: "lost:1", MessageID: "m1@desk.example",
		From: "sales@example.com", To: []string{"ann@acme.example"}, Subject: "hello", BodyText: "hi", Kind: "ack"})
	if err != nil {
		t.Fatal(err)
	}
	// A sent mail is not work: it must not come back.
	sentID, _, err := a.store.CreateOutbound(ctx, &store.OutboundEmail{IdempotencyKey: "sent:1", MessageID: "m2@desk.example",
		From: "sales@example.com", To: []string{"bob@acme.example"}, Subject: "hello", BodyText: "hi", Kind: "ack"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.store.MarkOutboundSent(ctx, sentID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := rdb.FlushDB(ctx).Err(); err != nil { // Redis lost everything
		t.Fatal(err)
	}

	later := func() time.Time { return time.Now().Add(time.Hour) }
	rec := recovery.New(a.store, a.client, recovery.Options{Now: later})
	res, err := rec.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inbound != 1 || res.Outbound != 1 {
		t.Fatalf("first pass = %+v, want 1 inbound and 1 outbound task enqueued again", res)
	}
	insp := asynq.NewInspector(asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBCmd})
	defer insp.Close()
	for _, id := range []string{tasks.InboundEmailTaskID("sales", 7, 42), fmt.Sprintf("mail:send:%d", outID)} {
		if _, err := insp.GetTaskInfo(tasks.QueueDefault, id); err != nil {
			t.Errorf("task %s not back in Redis: %v", id, err)
		}
	}
	res, err = rec.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inbound != 0 || res.Outbound != 0 || res.StillQueued != 2 {
		t.Errorf("second pass = %+v, want nothing enqueued again and 2 still queued", res)
	}
	// Fresh rows are left to their own tasks.
	res, err = recovery.New(a.store, a.client, recovery.Options{}).Once(ctx)
	if err != nil || res != (recovery.Result{}) {
		t.Errorf("pass without the grace elapsed = %+v, %v; want nothing", res, err)
	}
}

// TestLoneWorkerServesMetrics: a worker without the web role serves its
// own task counters on worker.metrics_listen.
func TestLoneWorkerServesMetrics(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBCmd)
	cfg := testConfig(t, testenv.RedisAddr())
	cfg.Worker.MetricsListen = freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, roleWorker) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		a.close()
	})

	task, err := tasks.NewPingTask(tasks.PingPayload{ID: "lone-worker", SentAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.client.Enqueue(task); err != nil {
		t.Fatal(err)
	}
	want := `salesdesk_tasks_processed_total{task_type="system:ping"} 1`
	var body string
	waitFor(t, startupLimit, func() bool {
		resp, err := http.Get("http://" + cfg.Worker.MetricsListen + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return strings.Contains(body, want)
	})
}

// TestWorkerRoleServesEachQueue: the worker role runs one asynq server
// for the default queue with worker.concurrency and one for critical and
// low with their configured weights, both take tasks, and a stop
// unregisters both.
func TestWorkerRoleServesEachQueue(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBCmd)
	cfg := testConfig(t, testenv.RedisAddr())
	cfg.Worker.Concurrency = 5
	cfg.Worker.Queues = config.QueueWeights{Critical: 4, Default: 3, Low: 2}
	ctx, cancel := context.WithCancel(context.Background())
	a, err := newApp(ctx, cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	done := make(chan error, 1)
	go func() { done <- a.run(ctx, roleWorker) }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	}
	defer stop()

	insp := asynq.NewInspector(a.redisOpt)
	defer insp.Close()
	for _, q := range []string{tasks.QueueCritical, tasks.QueueDefault, tasks.QueueLow} {
		task, err := tasks.NewPingTask(tasks.PingPayload{ID: "queue-" + q, SentAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.client.Enqueue(task, asynq.Queue(q)); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{tasks.QueueCritical, tasks.QueueDefault, tasks.QueueLow} {
		id := "system:ping:queue-" + q
		waitFor(t, startupLimit, func() bool {
			info, err := insp.GetTaskInfo(q, id)
			return err == nil && info.State == asynq.TaskStateCompleted
		})
	}

	servers, err := insp.Servers()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range servers {
		got[fmt.Sprint(s.Queues)] = fmt.Sprint(s.Concurrency)
	}
	want := map[string]string{
		fmt.Sprint(map[string]int{"default": 1}):            "5",
		fmt.Sprint(map[string]int{"critical": 4, "low": 2}): fmt.Sprint(queue.SideConcurrency),
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("servers (queues: concurrency) = %v, want %v", got, want)
	}

	stop()
	if servers, err := insp.Servers(); err != nil || len(servers) != 0 {
		t.Errorf("after the worker stopped: %d servers registered (err %v), want none", len(servers), err)
	}
}
