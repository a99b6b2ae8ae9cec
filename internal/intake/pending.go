package intake

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

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
	rows := make([]store.PendingTask, 0, len(ts))
	for _, t := range ts {
		rows = append(rows, store.PendingTask{Type: t.Type(), Payload: t.Payload()})
	}
	if err := p.st.AddPendingTasks(ctx, rows); err != nil {
		return fmt.Errorf("intake: record follow-on tasks: %w", err)
	}
	for _, t := range ts {
		if err := p.enqueue(ctx, t); err != nil {
			return err
		}
	}
	return nil
}
