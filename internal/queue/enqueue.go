package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// Enqueuer enqueues tasks; *asynq.Client implements it. Packages that
// enqueue take one instead of a concrete client, so tests can pass a
// recorder.
type Enqueuer interface {
	EnqueueContext(ctx context.Context, task *asynq.Task, opts ...asynq.Option) (*asynq.TaskInfo, error)
}

// Enqueue enqueues t with enq. A task whose TaskID (or Unique lock) is
// already taken was enqueued before: Enqueue reports dup=true and a nil
// error and no info, because for a deterministic TaskID that means the work
// is already done or underway.
func Enqueue(ctx context.Context, enq Enqueuer, t *asynq.Task, opts ...asynq.Option) (info *asynq.TaskInfo, dup bool, err error) {
	info, err = enq.EnqueueContext(ctx, t, opts...)
	switch {
	case err == nil:
		return info, false, nil
	case IsDuplicate(err):
		return nil, true, nil
	default:
		return nil, false, fmt.Errorf("enqueue %s: %w", t.Type(), err)
	}
}

// IsDuplicate reports whether err says the task already exists
// (asynq.ErrTaskIDConflict or asynq.ErrDuplicateTask): the one rule for
// "already enqueued means done".
func IsDuplicate(err error) bool {
	return errors.Is(err, asynq.ErrTaskIDConflict) || errors.Is(err, asynq.ErrDuplicateTask)
}
