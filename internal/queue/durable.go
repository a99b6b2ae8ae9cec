package queue

import (
	"context"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Outbox keeps the rows of work that must follow a stored fact;
// *store.Store implements it.
type Outbox interface {
	AddPendingTasks(ctx context.Context, ts []store.PendingTask) error
}

// EnqueueDurably is the one way to start work that must not be lost with
// Redis: it writes an outbox row for each task (one transaction), then
// enqueues them. due is when the tasks are to run (zero: now); recovery
// enqueues a row again once it is overdue and no worker has finished it.
// A task already enqueued (its TaskID taken) counts as enqueued.
func EnqueueDurably(ctx context.Context, ob Outbox, enq Enqueuer, due time.Time, ts ...*asynq.Task) error {
	rows, err := PendingRows(due, ts...)
	if err != nil {
		return err
	}
	if err := ob.AddPendingTasks(ctx, rows); err != nil {
		return fmt.Errorf("record tasks: %w", err)
	}
	return EnqueueRecorded(ctx, enq, ts...)
}

// PendingRows are the outbox rows of ts, due at due (zero: now), for a
// caller that writes them in a transaction of its own (see EnqueueDurably).
// A task that is not kept in the outbox (tasks.Outboxed) is refused: no
// worker would ever mark its row done, and recovery would enqueue it again
// on every pass.
func PendingRows(due time.Time, ts ...*asynq.Task) ([]store.PendingTask, error) {
	rows := make([]store.PendingTask, 0, len(ts))
	for _, t := range ts {
		if !tasks.Outboxed(t.Type()) {
			return nil, fmt.Errorf("record tasks: %s is not kept in the task outbox", t.Type())
		}
		rows = append(rows, store.PendingTask{Type: t.Type(), Payload: t.Payload(), DueAt: due})
	}
	return rows, nil
}

// EnqueueRecorded enqueues ts once their outbox rows (PendingRows) are
// committed. A task already enqueued (its TaskID taken) counts as enqueued.
func EnqueueRecorded(ctx context.Context, enq Enqueuer, ts ...*asynq.Task) error {
	for _, t := range ts {
		if _, _, err := Enqueue(ctx, enq, t); err != nil {
			return err
		}
	}
	return nil
}
