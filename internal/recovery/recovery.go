// Package recovery re-drives work whose task Redis lost. The database is
// the record of what happened: an inbound message still "stored", an
// outbound mail still "queued" or a task outbox row (store.PendingTask)
// not done long after it was due has lost its task (Redis restarted
// without persistence, a flush, a failover that dropped writes). Each
// pass that finds such work logs every item and raises one alert.
// Re-enqueueing is safe because every task carries a deterministic
// TaskID: while the original task exists (or is retained after it ran),
// the copy is refused.
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
	PendingTasksDueBefore(ctx context.Context, t time.Time, limit int) ([]store.PendingTask, error)
	NotePendingRequeued(ctx context.Context, id int64) error
	CreateAlert(ctx context.Context, a *store.Alert) (int64, bool, error)
}

// AlertKindLostWork is the kind of the alert a pass raises when it finds
// work whose task was lost.
const AlertKindLostWork = "lost_work"

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

// Result counts one pass: tasks enqueued again (for inbound messages,
// outbound mails and task outbox rows), rows whose task was still there,
// and outbox rows this build cannot rebuild (left as they are).
type Result struct {
	Inbound, Outbound, Tasks int
	StillQueued              int
	Unrebuildable            int
}

// Lost is how many tasks the pass found lost and enqueued again.
func (r Result) Lost() int { return r.Inbound + r.Outbound + r.Tasks }

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
	if err := r.tasks(ctx, before, &res); err != nil {
		return res, err
	}
	if res.Lost() > 0 {
		if err := r.alert(ctx, res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// tasks re-enqueues the task outbox rows due before before and not done.
func (r *Recoverer) tasks(ctx context.Context, before time.Time, res *Result) error {
	rows, err := r.st.PendingTasksDueBefore(ctx, before, r.o.Batch)
	if err != nil {
		return err
	}
	for _, p := range rows {
		t, err := tasks.Rebuild(p.Type, p.Payload)
		if err != nil {
			// Written by a newer build, or damaged: left for a build
			// that knows it, and reported on every pass.
			res.Unrebuildable++
			r.o.Logger.ErrorContext(ctx, "pending task cannot be rebuilt", "pending_id", p.ID,
				"task_type", p.Type, "error", err.Error())
			continue
		}
		again, err := r.enqueue(ctx, t)
		if err != nil {
			return fmt.Errorf("re-enqueue pending task %d (%s): %w", p.ID, p.Type, err)
		}
		if !again {
			res.StillQueued++
			continue
		}
		res.Tasks++
		r.o.Logger.WarnContext(ctx, "follow-on task had been lost; enqueued again", "pending_id", p.ID,
			"task_type", p.Type, "payload", string(p.Payload), "due_at", p.DueAt, "requeued_before", p.Requeued)
		if err := r.st.NotePendingRequeued(ctx, p.ID); err != nil {
			return err
		}
	}
	return nil
}

// alert raises the alert of a pass that found lost work: one alert per
// hour, its occurrences counting the passes.
func (r *Recoverer) alert(ctx context.Context, res Result) error {
	now := r.o.Now().UTC()
	a := &store.Alert{
		DedupeKey: AlertKindLostWork + ":" + now.Format("2006-01-02T15"),
		Kind:      AlertKindLostWork,
		Severity:  "critical",
		Subject:   "Queued work was lost from Redis and has been enqueued again",
		Detail: fmt.Sprintf("At %s recovery found %d inbound mails, %d outbound mails and %d follow-on tasks whose "+
			"task was missing from Redis, and enqueued them again. Redis lost data: check its persistence, "+
			"maxmemory-policy (noeviction) and any failover.", now.Format(time.RFC3339), res.Inbound, res.Outbound, res.Tasks),
	}
	if _, _, err := r.st.CreateAlert(ctx, a); err != nil {
		return err
	}
	r.o.Logger.ErrorContext(ctx, "recovery found lost work", "inbound", res.Inbound, "outbound", res.Outbound,
		"tasks", res.Tasks, "alert_id", a.ID)
	return nil
}

// enqueue reports whether the task was enqueued again (false: its TaskID
// is still taken, so the original task is there).
func (r *Recoverer) enqueue(ctx context.Context, t *asynq.Task) (bool, error) {
	_, dup, err := queue.Enqueue(ctx, r.enq, t)
	return err == nil && !dup, err
}

// Run makes a pass at once and then every Options.Every until ctx ends. A
// failed pass is logged and tried again at the next tick.
func (r *Recoverer) Run(ctx context.Context) {
	t := time.NewTicker(r.o.Every)
	defer t.Stop()
	for {
		if _, err := r.Once(ctx); err != nil && ctx.Err() == nil {
			r.o.Logger.WarnContext(ctx, "recovery pass failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
