package tasks

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/hibiken/asynq"

	"salesdesk/internal/testenv"
)

// TestRebuild: every per-entity task rebuilt from its stored type and
// payload is the task its constructor made: the same payload bytes (the
// task outbox finds its row by them) and, in a real Redis, the same queue,
// options and TaskID, so enqueueing the original after the copy is refused.
func TestRebuild(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBTasks)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBTasks}
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	insp := asynq.NewInspector(opt)
	t.Cleanup(func() { insp.Close() })
	ctx := context.Background()

	rebuilt := 0
	for _, tc := range contract() {
		if !Rebuildable(tc.typ) {
			continue
		}
		rebuilt++
		t.Run(tc.name, func(t *testing.T) {
			orig, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			again, err := Rebuild(orig.Type(), orig.Payload())
			if err != nil {
				t.Fatal(err)
			}
			if again.Type() != orig.Type() || !bytes.Equal(again.Payload(), orig.Payload()) {
				t.Errorf("rebuilt %s %s, want %s %s", again.Type(), again.Payload(), orig.Type(), orig.Payload())
			}
			if _, err := client.EnqueueContext(ctx, again); err != nil {
				t.Fatalf("enqueue copy: %v", err)
			}
			got, err := insp.GetTaskInfo(tc.wantQueue, tc.wantID)
			if err != nil {
				t.Fatalf("GetTaskInfo(%s, %s): %v", tc.wantQueue, tc.wantID, err)
			}
			if got.MaxRetry != tc.wantMaxRetry || got.Timeout != tc.wantTimeout || got.Retention != tc.wantRetention {
				t.Errorf("rebuilt options retry %d timeout %v retention %v, want %d %v %v", got.MaxRetry, got.Timeout,
					got.Retention, tc.wantMaxRetry, tc.wantTimeout, tc.wantRetention)
			}
			if !tc.wantProcessAt.IsZero() && !got.NextProcessAt.Equal(tc.wantProcessAt) {
				t.Errorf("rebuilt next process at = %v, want %v", got.NextProcessAt, tc.wantProcessAt)
			}
			if _, err := client.EnqueueContext(ctx, orig); !errors.Is(err, asynq.ErrTaskIDConflict) {
				t.Errorf("original after its copy: err = %v, want ErrTaskIDConflict", err)
			}
		})
	}
	if rebuilt < 15 {
		t.Errorf("%d task types rebuildable, want every per-entity type (15)", rebuilt)
	}
}

func TestRebuildRefuses(t *testing.T) {
	tests := []struct {
		name, typ string
		payload   string
	}{
		{name: "periodic type", typ: TypeReportDaily, payload: `{"day":"2026-11-26"}`},
		{name: "unknown type", typ: "nope:nope", payload: `{}`},
		{name: "bad json", typ: TypeInquiryAck, payload: `{`},
		{name: "missing id", typ: TypeInquiryAck, payload: `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Rebuild(tt.typ, []byte(tt.payload)); !errors.Is(err, asynq.SkipRetry) {
				t.Errorf("Rebuild(%s, %s) err = %v, want a permanent error", tt.typ, tt.payload, err)
			}
		})
	}
}

func TestOutboxed(t *testing.T) {
	tests := []struct {
		typ  string
		want bool
	}{
		{typ: TypeInquiryAck, want: true},
		{typ: TypeLeadAssign, want: true},
		{typ: TypeMeetingReminder, want: true},
		{typ: TypeInboundEmail}, // inbound_messages.status is its record
		{typ: TypeMailSend},     // outbound_emails.status is its record
		{typ: TypeReportDaily},  // periodic: the scheduler makes it again
		{typ: "nope:nope"},
	}
	for _, tt := range tests {
		if got := Outboxed(tt.typ); got != tt.want {
			t.Errorf("Outboxed(%s) = %v, want %v", tt.typ, got, tt.want)
		}
	}
}

// FuzzRebuild feeds arbitrary stored rows to Rebuild (an outbox row is
// read back from the database). It must not panic, must refuse with a
// permanent error or rebuild the type asked for, and a task it rebuilt
// rebuilds again to the same payload: the outbox finds its row by it.
func FuzzRebuild(f *testing.F) {
	for _, tc := range contract() {
		task, err := tc.build()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(task.Type(), task.Payload())
	}
	f.Add(TypeInquiryAck, []byte(`{"inquiry_id":1e3}`))
	f.Add(TypeLeadSLACheck, []byte(`{"lead_id":1,"due_at":"2026-01-02T10:00:00+01:00"}`))
	f.Fuzz(func(t *testing.T, typ string, payload []byte) {
		task, err := Rebuild(typ, payload)
		if err != nil {
			if !errors.Is(err, asynq.SkipRetry) {
				t.Fatalf("Rebuild(%q, %q) = %v, want a permanent error", typ, payload, err)
			}
			return
		}
		if task.Type() != typ {
			t.Fatalf("Rebuild(%q) made a %q", typ, task.Type())
		}
		again, err := Rebuild(task.Type(), task.Payload())
		if err != nil || !bytes.Equal(again.Payload(), task.Payload()) {
			t.Fatalf("rebuilt %q does not rebuild to itself: %q, %v", task.Payload(), again.Payload(), err)
		}
	})
}
