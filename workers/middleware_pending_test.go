package workers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hibiken/asynq"

	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/tasks"
)

func TestPendingOutcome(t *testing.T) {
	down := errors.New("smtp down")
	tests := []struct {
		name        string
		err         error
		last        bool
		wantSettled bool
		wantOutcome string
	}{
		{name: "success", wantSettled: true, wantOutcome: "done"},
		{name: "follow-on already enqueued", err: fmt.Errorf("enqueue: %w", asynq.ErrTaskIDConflict), wantSettled: true,
			wantOutcome: "done"},
		{name: "permanent", err: queue.Permanent(errors.New("unknown order")), wantSettled: true,
			wantOutcome: "failed permanently: unknown order: skip retry for the task"},
		{name: "retry coming", err: down},
		{name: "last retry", err: down, last: true, wantSettled: true, wantOutcome: "failed on its last retry: smtp down"},
		{name: "long error", err: queue.Permanent(errors.New(strings.Repeat("é", 400))), wantSettled: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outcome, settled := pendingOutcome(tt.err, tt.last)
			if settled != tt.wantSettled || (tt.wantOutcome != "" && outcome != tt.wantOutcome) {
				t.Errorf("pendingOutcome = %q, %v; want %q, %v", outcome, settled, tt.wantOutcome, tt.wantSettled)
			}
			if len(outcome) > 500 || !utf8.ValidString(outcome) {
				t.Errorf("outcome of %d bytes", len(outcome))
			}
		})
	}
}

// TestFinishPending: the middleware finishes a task's outbox row when the
// run settles it, leaves it pending while a retry is coming, and passes
// the handler's error on either way.
func TestFinishPending(t *testing.T) {
	ctx := t.Context()
	st := sqliteStore(t)
	tests := []struct {
		name     string
		err      error
		wantDone bool
	}{
		{name: "success", wantDone: true},
		{name: "permanent", err: queue.Permanent(errors.New("unknown order")), wantDone: true},
		{name: "retry coming", err: errors.New("smtp down")},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task, err := tasks.NewInquiryAckTask(tasks.InquiryAckPayload{InquiryID: int64(i + 1)})
			if err != nil {
				t.Fatal(err)
			}
			if err := st.AddPendingTasks(ctx, []store.PendingTask{{Type: task.Type(), Payload: task.Payload()}}); err != nil {
				t.Fatal(err)
			}
			h := finishPending(st)(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { return tt.err }))
			if got := h.ProcessTask(ctx, task); !errors.Is(got, tt.err) {
				t.Errorf("ProcessTask = %v, want the handler's %v", got, tt.err)
			}
			due, err := st.PendingTasksDueBefore(ctx, time.Now().Add(time.Hour), 100)
			if err != nil {
				t.Fatal(err)
			}
			pending := false
			for _, p := range due {
				pending = pending || string(p.Payload) == string(task.Payload())
			}
			if pending == tt.wantDone {
				t.Errorf("row still pending = %v, want done %v", pending, tt.wantDone)
			}
		})
	}
}

// TestFinishPendingSkipsOwnRecord: a task that is not kept in the outbox
// (mail:send: its outbound row is the record) settles without a statement
// for an outbox row it cannot have.
func TestFinishPendingSkipsOwnRecord(t *testing.T) {
	ctx := t.Context()
	st := sqliteStore(t)
	send, err := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: 1})
	if err != nil {
		t.Fatal(err)
	}
	ran := false
	h := finishPending(st)(asynq.HandlerFunc(func(context.Context, *asynq.Task) error { ran = true; return nil }))
	before := st.SQLiteCounts()
	if err := h.ProcessTask(ctx, send); err != nil || !ran {
		t.Fatalf("ProcessTask = %v (handler ran: %v), want nil after the handler", err, ran)
	}
	if after := st.SQLiteCounts(); after != before {
		t.Errorf("SQLite counts %+v -> %+v: mail:send looked for an outbox row", before, after)
	}
}

// sqliteStore is a migrated SQLite store of the test's own, closed with
// it.
func sqliteStore(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(t.Context(), storetest.SQLiteDSN(t, "desk.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
