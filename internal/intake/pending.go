package intake

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/queue"
	"salesdesk/internal/store"
)

// PendingStore keeps the task outbox; *store.Store implements it.
type PendingStore interface {
	AddPendingTasks(ctx context.Context, ts []store.PendingTask) error
}

// enqueueDurably is intake's one way to start follow-on work: it writes
// an outbox row for each task (one transaction), then enqueues them. The
// rows are written before the inbound message is marked processed, so a
// crash before that re-runs intake, which builds the same tasks and rows;
// after it, recovery finds every row a worker has not finished and
// enqueues its task again, whatever Redis has forgotten.
func (p *Processor) enqueueDurably(ctx context.Context, ts ...*asynq.Task) error {
	if err := queue.EnqueueDurably(ctx, p.st, p.enq, time.Time{}, ts...); err != nil {
		return fmt.Errorf("intake: follow-on tasks: %w", err)
	}
	return nil
}
