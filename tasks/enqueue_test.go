package tasks

import (
	"context"
	"errors"
	"testing"

	"github.com/hibiken/asynq"

	"salesdesk/internal/testenv"
)

// TestEnqueueAgainstRedis enqueues every task of the contract into a real
// Redis and reads back, through asynq's Inspector, the options Redis holds,
// then checks that enqueueing the same task again is refused as a TaskID
// conflict: the "already done" signal producers rely on.
func TestEnqueueAgainstRedis(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBTasks) // skip or fail without Redis; flush our DB
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBTasks}
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	insp := asynq.NewInspector(opt)
	t.Cleanup(func() { insp.Close() })
	ctx := context.Background()

	for _, tc := range contract() {
		t.Run(tc.name, func(t *testing.T) {
			task, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			info, err := client.EnqueueContext(ctx, task)
			if err != nil {
				t.Fatalf("enqueue: %v", err)
			}
			got, err := insp.GetTaskInfo(tc.wantQueue, tc.wantID)
			if err != nil {
				t.Fatalf("GetTaskInfo(%s, %s): %v (enqueued as %s in %s)", tc.wantQueue, tc.wantID, err, info.ID, info.Queue)
			}
			if got.Type != tc.typ {
				t.Errorf("type = %s, want %s", got.Type, tc.typ)
			}
			if got.MaxRetry != tc.wantMaxRetry {
				t.Errorf("max retry = %d, want %d", got.MaxRetry, tc.wantMaxRetry)
			}
			if got.Timeout != tc.wantTimeout {
				t.Errorf("timeout = %v, want %v", got.Timeout, tc.wantTimeout)
			}
			if got.Retention != tc.wantRetention {
				t.Errorf("retention = %v, want %v", got.Retention, tc.wantRetention)
			}
			wantState := asynq.TaskStatePending
			if !tc.wantProcessAt.IsZero() {
				wantState = asynq.TaskStateScheduled
				if !got.NextProcessAt.Equal(tc.wantProcessAt) {
					t.Errorf("next process at = %v, want %v", got.NextProcessAt, tc.wantProcessAt)
				}
			}
			if got.State != wantState {
				t.Errorf("state = %v, want %v", got.State, wantState)
			}
			if _, err := tc.parse(got.Payload); err != nil {
				t.Errorf("stored payload does not parse: %v", err)
			}

			again, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			if _, err := client.EnqueueContext(ctx, again); !errors.Is(err, asynq.ErrTaskIDConflict) {
				t.Errorf("second enqueue: err = %v, want ErrTaskIDConflict", err)
			}
		})
	}
}
