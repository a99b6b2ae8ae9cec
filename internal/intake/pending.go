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

// enqueueDurably starts follow-on work outside Process (a triage
// decision): it writes an outbox row for each task (one transaction), then
// enqueues them; recovery finds every row a worker has not finished and
// enqueues its task again, whatever Redis has forgotten. Process writes
// its rows in the transaction that marks the message processed
// (store.FinishInbound).
func (p *Processor) enqueueDurably(ctx context.Context, ts ...*asynq.Task) error {
	if err := queue.EnqueueDurably(ctx, p.st, p.enq, time.Time{}, ts...); err != nil {
		return fmt.Errorf("intake: follow-on tasks: %w", err)
	}
	return nil
}
