package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"salesdesk/internal/queue"
	"salesdesk/tasks"
)

// metrics are the per-task Prometheus collectors.
type metrics struct {
	processed *prometheus.CounterVec
	failed    *prometheus.CounterVec
	duration  *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salesdesk_tasks_processed_total",
			Help: "Task runs finished by this worker (success or failure), by task type.",
		}, []string{"task_type"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "salesdesk_tasks_failed_total",
			Help: "Task runs that failed, by task type and reason (retry, permanent, panic).",
		}, []string{"task_type", "reason"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "salesdesk_task_duration_seconds",
			Help:    "Time spent in the handler, by task type.",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"task_type"}),
	}
	if reg != nil {
		m.processed = register(reg, m.processed)
		m.failed = register(reg, m.failed)
		m.duration = register(reg, m.duration)
	}
	return m
}

// register registers c, or returns the equal collector reg already has.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic(fmt.Sprintf("workers: register metric: %v", err))
	}
	return c
}

// typeLabel bounds the metrics' label values to the task types of the
// contract, whatever a producer puts in Redis.
func typeLabel(typ string) string {
	if slices.Contains(tasks.Types(), typ) {
		return typ
	}
	return "unknown"
}

// observe wraps every handler: one log line and metrics per task run. It
// also turns "already exists" errors from an idempotent enqueue into
// success (the follow-on work is already queued), and logs a panic with
// its stack before passing it on to asynq, which recovers it and fails the
// task.
func observe(log *slog.Logger, m *metrics) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) (err error) {
			start := time.Now()
			typ := typeLabel(t.Type())
			id, _ := asynq.GetTaskID(ctx)
			q, _ := asynq.GetQueueName(ctx)
			retried, _ := asynq.GetRetryCount(ctx)
			attrs := []any{"task_type", t.Type(), "task_id", id, "queue", q, "retried", retried}

			defer func() {
				elapsed := time.Since(start)
				m.processed.WithLabelValues(typ).Inc()
				m.duration.WithLabelValues(typ).Observe(elapsed.Seconds())
				attrs = append(attrs, "duration_ms", float64(elapsed.Microseconds())/1000)

				if r := recover(); r != nil {
					m.failed.WithLabelValues(typ, "panic").Inc()
					log.ErrorContext(ctx, "task panicked", append(attrs,
						"panic", fmt.Sprint(r), "stack", string(debug.Stack()))...)
					panic(r)
				}
				switch {
				case err == nil:
					log.InfoContext(ctx, "task done", attrs...)
				case queue.IsDuplicate(err):
					log.InfoContext(ctx, "task done, follow-on work already enqueued", append(attrs, "note", err.Error())...)
					err = nil
				case queue.IsPermanent(err):
					m.failed.WithLabelValues(typ, "permanent").Inc()
					log.ErrorContext(ctx, "task failed permanently", append(attrs, "error", err.Error())...)
				default:
					m.failed.WithLabelValues(typ, "retry").Inc()
					log.WarnContext(ctx, "task failed", append(attrs, "error", err.Error())...)
				}
			}()
			return next.ProcessTask(ctx, t)
		})
	}
}

// PendingStore finishes rows of the task outbox; *store.Store implements
// it.
type PendingStore interface {
	FinishPendingTask(ctx context.Context, typ string, payload []byte, outcome string) (bool, error)
}

// finishPending marks a task's outbox row done once a run settles it:
// success, "follow-on already enqueued", a permanent failure or the last
// retry failing (the task is archived, shown in the dashboard, and
// recovery must not bring it back). The mark is written before asynq hears
// of the result, so a task asynq counts as finished is never enqueued
// again by recovery. A failure to write it fails the run: the task runs
// again (handlers are idempotent) instead of being re-driven later.
func finishPending(st PendingStore) asynq.MiddlewareFunc {
	return func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
			err := next.ProcessTask(ctx, t)
			if !tasks.Outboxed(t.Type()) {
				return err
			}
			outcome, settled := pendingOutcome(err, lastTry(ctx))
			if !settled {
				return err
			}
			if _, ferr := st.FinishPendingTask(ctx, t.Type(), t.Payload(), outcome); ferr != nil {
				return errors.Join(err, ferr)
			}
			return err
		})
	}
}

// pendingOutcome decides whether a run that ended with err (last: no
// retry follows) settles its task, and how the outbox records it.
func pendingOutcome(err error, last bool) (outcome string, settled bool) {
	switch {
	case err == nil || queue.IsDuplicate(err):
		return "done", true
	case queue.IsPermanent(err):
		return trimOutcome("failed permanently: " + err.Error()), true
	case last:
		return trimOutcome("failed on its last retry: " + err.Error()), true
	}
	return "", false
}

// lastTry reports whether the run in ctx was the task's last: asynq
// archives it when it fails.
func lastTry(ctx context.Context) bool {
	n, ok1 := asynq.GetRetryCount(ctx)
	maxRetry, ok2 := asynq.GetMaxRetry(ctx)
	return ok1 && ok2 && n >= maxRetry
}

// trimOutcome bounds an outcome stored in the outbox.
func trimOutcome(s string) string {
	const maxLen = 500
	if len(s) <= maxLen {
		return s
	}
	return strings.ToValidUTF8(s[:maxLen], "")
}
