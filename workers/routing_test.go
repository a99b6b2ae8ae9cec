package workers

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// TestRetrainRunsInTheWorker is the second half of issue 15's finding 4:
// a triage click (the same ApplyTriageDecision the desk's re-label and
// the API's label call) retrained the classifier inside the web request.
// Now three clicks return having built no model; they leave one
// routing:retrain task (one window) and its outbox row, and a worker
// builds the model once. A click in a later window retrains again.
func TestRetrainRunsInTheWorker(t *testing.T) {
	ctx := t.Context()
	rig := newQueueRig(t, "retrain")
	var builds atomic.Int32
	start := time.Now()
	var later atomic.Int64 // how far the clock moved since start
	clock := func() time.Time { return start.Add(time.Duration(later.Load())) }
	// Every mail goes to triage (no prediction is that sure); the
	// injected trainer counts the models built.
	w := deskWorkers(t, rig.st, rig.client, rig.smtp, newMailKit(t, 1.01), func(d *Deps, o *Options) {
		d.Intake.Reload = func(context.Context) error { builds.Add(1); return nil }
		d.Intake.Now = clock
		o.Intake.RetrainWindow = time.Second
	})

	var inquiries []int64
	for i := range 4 {
		raw := strings.ReplaceAll(fmt.Sprintf("From: buyer%d@acme.com\nTo: sales@ourco.example\nSubject: Question %d\n"+
			"Message-ID: <retrain%d@acme.com>\nDate: %s\n\nHello, please call me back about our account.\n",
			i, i, i, start.UTC().Format(time.RFC1123Z)), "\n", "\r\n")
		in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uint32(i + 1), MessageID: fmt.Sprintf("retrain%d@acme.com", i),
			ContentHash: fmt.Sprint(i), Raw: []byte(raw), Size: int64(len(raw))}
		if _, _, _, err := rig.st.SaveInboundMessage(ctx, in); err != nil {
			t.Fatal(err)
		}
		if err := w.Intake().Process(ctx, in.ID); err != nil {
			t.Fatal(err)
		}
		q, err := rig.st.InquiryByInboundMessage(ctx, in.ID)
		if err != nil || q.Status != store.InquiryTriage {
			t.Fatalf("inquiry of mail %d: %+v, %v; the test needs it in triage", i, q, err)
		}
		inquiries = append(inquiries, q.ID)
	}

	// A burst of three clicks in one window.
	for _, id := range inquiries[:3] {
		if err := w.Intake().ApplyTriageDecision(ctx, id, "support", "tess@ourco.example"); err != nil {
			t.Fatal(err)
		}
	}
	if n := builds.Load(); n != 0 {
		t.Fatalf("the clicks built %d models; the web request must not train", n)
	}
	if got := retrainTasks(t, rig); got != 1 {
		t.Errorf("%d routing:retrain tasks after a burst of three clicks, want 1", got)
	}

	srv := queue.NewServer(rig.redisOpt, queue.ServerOptions{Concurrency: 4})
	if err := srv.Start(w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	waitFor(t, time.Minute, func() (bool, string) {
		return builds.Load() == 1 && retrainRowsOpen(t, rig) == 0,
			fmt.Sprintf("%d models built, %d retrain outbox rows open", builds.Load(), retrainRowsOpen(t, rig))
	})
	waitIdle(t, rig.redisOpt)
	if n := builds.Load(); n != 1 {
		t.Errorf("the worker built %d models for one burst, want 1", n)
	}

	// A later click is another window: the worker retrains again.
	later.Store(int64(time.Second))
	if err := w.Intake().ApplyTriageDecision(ctx, inquiries[3], "billing", "tess@ourco.example"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, time.Minute, func() (bool, string) {
		return builds.Load() == 2, fmt.Sprintf("%d models built, want 2", builds.Load())
	})
	waitIdle(t, rig.redisOpt)
}

// retrainTasks counts the routing:retrain tasks waiting in Redis.
func retrainTasks(t *testing.T, rig *queueRig) int {
	t.Helper()
	n := 0
	pending, err := rig.inspector.ListPendingTasks(tasks.QueueLow)
	if err != nil {
		t.Fatal(err)
	}
	scheduled, err := rig.inspector.ListScheduledTasks(tasks.QueueLow)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range append(pending, scheduled...) {
		if ti.Type == tasks.TypeRoutingRetrain {
			n++
		}
	}
	return n
}

// retrainRowsOpen counts the routing:retrain outbox rows not done.
func retrainRowsOpen(t *testing.T, rig *queueRig) int {
	t.Helper()
	rows, err := rig.st.PendingTasks(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Type == tasks.TypeRoutingRetrain && r.DoneAt.IsZero() {
			n++
		}
	}
	return n
}
