// Package recovery re-drives work whose task Redis lost. The database is
// the record of what happened: an inbound message still "stored" or an
// outbound mail still "queued" long after it was written has lost its task
// (Redis restarted without persistence, a flush, a failover that dropped
// writes). Re-enqueueing is safe because both tasks carry deterministic
// TaskIDs: while the original task exists, the copy is refused.
package recovery

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Defaults of Options.
const (
	DefaultEvery = time.Minute
	// DefaultGrace is how old a row must be before its task counts as
	// lost: longer than a worker takes to pick up a fresh task.
	DefaultGrace = 5 * time.Minute
	// DefaultBatch bounds the rows looked at per kind and pass.
	DefaultBatch = 500
)

// Store is what recovery reads; *store.Store implements it.
type Store interface {
	PendingInboundBefore(ctx context.Context, t time.Time, limit int) ([]store.PendingInbound, error)
	QueuedOutboundBefore(ctx context.Context, t time.Time, limit int) ([]int64, error)
}

// Options configure a Recoverer. Zero values take the defaults.
type Options struct {
	Every  time.Duration
	Grace  time.Duration
	Batch  int
	Logger *slog.Logger
	Now    func() time.Time
}

// Recoverer finds rows whose task is gone and enqueues it again.
type Recoverer struct {
	st  Store
	enq queue.Enqueuer
	o   Options
}

// New returns a Recoverer.
func New(st Store, enq queue.Enqueuer, o Options) *Recoverer {
	if o.Every <= 0 {
		o.Every = DefaultEvery
	}
	if o.Grace <= 0 {
		o.Grace = DefaultGrace
	}
	if o.Batch <= 0 {
		o.Batch = DefaultBatch
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Recoverer{st: st, enq: enq, o: o}
}

// Result counts one pass: tasks enqueued again, and rows whose task was
// still there.
type Result struct {
	Inbound, Outbound int
	StillQueued       int
}

// Once makes one pass over both kinds of rows.
func (r *Recoverer) Once(ctx context.Context) (Result, error) {
	var res Result
	before := r.o.Now().Add(-r.o.Grace)
	inbound, err := r.st.PendingInboundBefore(ctx, before, r.o.Batch)
	if err != nil {
		return res, err
	}
	for _, m := range inbound {
		t, err := tasks.NewInboundEmailTask(tasks.InboundEmailPayload{MessageID: m.ID, Mailbox: m.Mailbox, UIDValidity: m.UIDValidity, UID: m.UID})
		if err != nil {
			return res, err
		}
		again, err := r.enqueue(ctx, t)
		if err != nil {
			return res, fmt.Errorf("re-enqueue inbound message %d: %w", m.ID, err)
		}
		if again {
			res.Inbound++
			r.o.Logger.WarnContext(ctx, "inbound message had lost its task; enqueued again", "inbound_id", m.ID)
		} else {
			res.StillQueued++
		}
	}
	outbound, err := r.st.QueuedOutboundBefore(ctx, before, r.o.Batch)
	if err != nil {
		return res, err
	}
	for _, id := range outbound {
		t, err := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: id})
		if err != nil {
			return res, err
		}
		again, err := r.enqueue(ctx, t)
		if err != nil {
			return res, fmt.Errorf("re-enqueue outbound mail %d: %w", id, err)
		}
		if again {
			res.Outbound++
			r.o.Logger.WarnContext(ctx, "outbound mail had lost its task; enqueued again", "outbound_id", id)
		} else {
			res.StillQueued++
		}
	}
	return res, nil
}

// enqueue reports whether the task was enqueued again (false: its TaskID
// is still taken, so the original task is there).
func (r *Recoverer) enqueue(ctx context.Context, t *asynq.Task) (bool, error) {
	_, dup, err := queue.Enqueue(ctx, r.enq, t)
	return err == nil && !dup, err
}

// Run makes a pass every Options.Every until ctx ends. A failed pass is
// logged and tried again at the next tick.
func (r *Recoverer) Run(ctx context.Context) {
	t := time.NewTicker(r.o.Every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := r.Once(ctx); err != nil && ctx.Err() == nil {
			r.o.Logger.WarnContext(ctx, "recovery pass failed", "error", err)
		}
	}
}
