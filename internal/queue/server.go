package queue

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/logging"
	"salesdesk/tasks"
)

// ServerOptions configures a worker server. Zero values take defaults.
type ServerOptions struct {
	// Concurrency is the number of tasks processed at once; 0 means the
	// number of CPUs.
	Concurrency int
	// Queues maps queue names to weights; nil means tasks.Queues().
	Queues map[string]int
	// ShutdownTimeout is how long Shutdown lets in-flight tasks finish
	// before it puts them back on their queue; 0 means asynq's 8 s.
	ShutdownTimeout time.Duration
	// Logger receives asynq's own log and one line per failed task; nil
	// discards.
	Logger *slog.Logger
	// TaskCheckInterval is how long an idle worker waits before it looks
	// at the queues again; 0 means DefaultTaskCheckInterval. asynq's own
	// default of a second adds up to a second to every hop of a chain of
	// tasks (mail in -> inquiry -> lead -> mail out).
	TaskCheckInterval time.Duration
}

// DefaultTaskCheckInterval keeps an idle worker's pickup delay short. When
// every queue is empty asynq's one fetching goroutine sleeps 0.5 to 1.5
// times the interval before it looks again, and a task enqueued meanwhile
// waits out the rest of that sleep: with 100 ms that was 54 ms on average
// and up to 150 ms for each hop of a mail's chain (inbound:email, its
// follow-on, mail:send), with 20 ms it is 11 ms and at most 30 ms, for
// about fifty cheap Redis polls a second while the desk is idle
// (docs/performance.md).
const DefaultTaskCheckInterval = 20 * time.Millisecond

// Retry backoff bounds: the first retry comes after about a second, the
// delay doubles per retry, and no retry waits more than 15 minutes.
const (
	retryBase = 2 * time.Second
	retryCap  = 15 * time.Minute
)

// NewServer returns an asynq server with salesdesk's defaults: weighted
// (not strict) queue priority, our logger for asynq's messages and for
// failed tasks, capped exponential retry backoff with jitter, and a failure
// predicate that does not count "already exists" errors. Start it with a
// handler (workers.New) and stop it with Shutdown, which stops taking tasks,
// waits up to ShutdownTimeout for those in flight and puts the rest back on
// their queues.
func NewServer(opt asynq.RedisConnOpt, o ServerOptions) *asynq.Server {
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	queues := o.Queues
	if queues == nil {
		queues = tasks.Queues()
	}
	check := o.TaskCheckInterval
	if check <= 0 {
		check = DefaultTaskCheckInterval
	}
	return asynq.NewServer(opt, asynq.Config{
		TaskCheckInterval: check,
		Concurrency:       o.Concurrency,
		Queues:            queues,
		StrictPriority:    false,
		ShutdownTimeout:   o.ShutdownTimeout,
		Logger:            logging.AsynqLogger(logger),
		LogLevel:          logging.AsynqLevel(logger),
		RetryDelayFunc:    RetryDelay,
		IsFailure:         IsFailure,
		ErrorHandler:      errorLogger(logger),
	})
}

// RetryDelay is the backoff between retries of a failed task: exponential
// from about a second, capped at 15 minutes, with equal jitter (half the
// delay fixed, half random) so that tasks failed by one outage do not all
// return at the same instant.
func RetryDelay(n int, _ error, _ *asynq.Task) time.Duration {
	d := retryCap
	if n < 20 { // 2s<<20 is far beyond the cap; avoid overflow
		d = min(retryBase<<max(n, 0), retryCap)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// IsFailure reports whether a handler error counts as a failure: one that
// uses up a retry and shows in the queue's failure statistics. "Already
// exists" errors from an idempotent enqueue inside a handler are not
// failures. The worker mux (workers.New) turns them into success before
// asynq sees them, so a task is never retried forever on them.
func IsFailure(err error) bool {
	return err != nil && !IsDuplicate(err)
}

// errorLogger logs each failed task with its type, id, queue and retry
// state: warn while asynq will retry it, error when it is archived.
func errorLogger(l *slog.Logger) asynq.ErrorHandler {
	return asynq.ErrorHandlerFunc(func(ctx context.Context, t *asynq.Task, err error) {
		id, _ := asynq.GetTaskID(ctx)
		q, _ := asynq.GetQueueName(ctx)
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, _ := asynq.GetMaxRetry(ctx)
		final := IsPermanent(err) || retried >= maxRetry
		level, msg := slog.LevelWarn, "task failed, will retry"
		if final {
			level, msg = slog.LevelError, "task failed, archived"
		}
		l.Log(ctx, level, msg,
			"task_type", t.Type(), "task_id", id, "queue", q,
			"retried", retried, "max_retry", maxRetry,
			"panic", asynq.IsPanicError(err), "error", err.Error())
	})
}
