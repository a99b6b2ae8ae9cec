package queue

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/hibiken/asynq"
)

// answer is an Enqueuer that answers every enqueue with err.
type answer struct{ err error }

func (a answer) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	if a.err != nil {
		return nil, a.err
	}
	return &asynq.TaskInfo{Type: t.Type()}, nil
}

func TestIsDuplicate(t *testing.T) {
	redisDown := errors.New("dial tcp 127.0.0.1:6379: connection refused")
	tests := []struct {
		name     string
		err      error
		wantDup  bool
		wantErr  bool
		wantInfo bool
	}{
		{name: "enqueued", err: nil, wantInfo: true},
		{name: "task id conflict", err: asynq.ErrTaskIDConflict, wantDup: true},
		{name: "unique lock taken", err: asynq.ErrDuplicateTask, wantDup: true},
		{name: "wrapped task id conflict", err: fmt.Errorf("enqueue: %w", asynq.ErrTaskIDConflict), wantDup: true},
		{name: "wrapped duplicate task", err: fmt.Errorf("enqueue: %w", asynq.ErrDuplicateTask), wantDup: true},
		{name: "redis down", err: redisDown, wantErr: true},
		{name: "cancelled", err: context.Canceled, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsDuplicate(tt.err); got != tt.wantDup {
				t.Errorf("IsDuplicate(%v) = %v, want %v", tt.err, got, tt.wantDup)
			}
			info, dup, err := Enqueue(context.Background(), answer{tt.err}, asynq.NewTask("test:dup", nil))
			if dup != tt.wantDup {
				t.Errorf("Enqueue dup = %v, want %v", dup, tt.wantDup)
			}
			if (err != nil) != tt.wantErr {
				t.Errorf("Enqueue err = %v, want error %v", err, tt.wantErr)
			}
			if tt.wantErr && !errors.Is(err, tt.err) {
				t.Errorf("Enqueue lost the cause: %v", err)
			}
			if (info != nil) != tt.wantInfo {
				t.Errorf("Enqueue info = %v, want info %v", info, tt.wantInfo)
			}
		})
	}
}
