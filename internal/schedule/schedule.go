// Package schedule is the scheduler role: it fires salesdesk's periodic
// tasks (digests, scans, reports) on cron schedules in configured
// timezones.
//
// asynq's own Scheduler keeps the time: every entry is registered with it,
// so the asynq dashboard's Schedulers page lists each periodic task with
// its spec and next run, and its cron wakes this package when a schedule
// fires. asynq's Scheduler enqueues one fixed task per entry, though, and
// a periodic task here carries the fire it belongs to in its payload and
// TaskID; so the entry's own task is a marker that asynq refuses to
// enqueue, and the wake-up enqueues the run's task instead.
//
// Any number of schedulers may run at once. Each fire builds the task with
// a TaskID that carries the fire's time bucket (tasks.NewPeriodicTask), and
// the tasks are retained after they finish for longer than schedulers can
// drift apart, so a bucket that a second scheduler fires again is refused
// by Redis as a TaskID conflict: one task per bucket, however many
// schedulers (the duplicate-cron problem of asynq issue #371).
package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/hibiken/asynq"
	"github.com/robfig/cron/v3"

	"salesdesk/internal/logging"
	"salesdesk/internal/queue"
	"salesdesk/tasks"
)

// Entry is one periodic task: its type (one of tasks.PeriodicTypes), a
// cron spec and the timezone the spec is read in.
type Entry struct {
	// TaskType is the periodic task type, e.g. "report:daily".
	TaskType string
	// Spec is a standard five-field cron spec ("0 7 * * 1-5") or a
	// descriptor (@hourly, @daily, @weekly, @every 15m). @every intervals
	// are aligned to multiples of the interval, not to the scheduler's
	// start, so that all schedulers fire the same instants.
	Spec string
	// Timezone is an IANA zone name; empty means UTC.
	Timezone string
}

// Options configures a Scheduler.
type Options struct {
	Entries []Entry
	// Redis is where asynq's Scheduler registers the entries for the
	// dashboard; Run needs it.
	Redis asynq.RedisConnOpt
	// Logger receives one line per enqueued task and per failure; nil
	// discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now. Tests drive the scheduler
	// through it.
	Now func() time.Time
	// Poll is the longest the scheduler waits for asynq's cron before it
	// reads the clock anyway: a safety net for a lost wake-up, and the
	// pace of the clock in tests; 0 means one minute. A failed enqueue is
	// retried after at most a second.
	Poll time.Duration
}

// retryWait is the longest a failed enqueue waits for its retry.
const retryWait = time.Second

// Scheduler enqueues periodic tasks when their schedules fire.
type Scheduler struct {
	client  *asynq.Client
	redis   asynq.RedisConnOpt
	entries []*entry
	logger  *slog.Logger
	now     func() time.Time
	poll    time.Duration

	// afterTick, when set (by tests), is called at the end of every tick
	// with the clock reading and the fires of that tick.
	afterTick func(now time.Time, fired []fire)
}

type entry struct {
	Entry
	sched cron.Schedule
	loc   *time.Location
	// done is the instant up to which this entry's fires are handled.
	done time.Time
}

// fire is one attempt to enqueue an entry's task for one fire time.
type fire struct {
	taskType string
	at       time.Time
	taskID   string
	dup      bool
	err      error
}

var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// New validates the entries and returns a Scheduler that enqueues with
// client. Each task type may appear once: two entries of one type would
// share time buckets and silently collapse into each other.
func New(client *asynq.Client, o Options) (*Scheduler, error) {
	s := &Scheduler{client: client, redis: o.Redis, logger: o.Logger, now: o.Now, poll: o.Poll}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.poll <= 0 {
		s.poll = time.Minute
	}
	seen := map[string]bool{}
	for i, e := range o.Entries {
		ent, err := newEntry(e)
		if err != nil {
			return nil, fmt.Errorf("schedule entry %d (%s): %w", i, e.TaskType, err)
		}
		if seen[e.TaskType] {
			return nil, fmt.Errorf("schedule entry %d (%s): task type scheduled twice", i, e.TaskType)
		}
		seen[e.TaskType] = true
		s.entries = append(s.entries, ent)
	}
	return s, nil
}

func newEntry(e Entry) (*entry, error) {
	if !tasks.IsPeriodic(e.TaskType) {
		return nil, fmt.Errorf("task type: must be one of %v", tasks.PeriodicTypes())
	}
	loc := time.UTC
	if e.Timezone != "" {
		l, err := time.LoadLocation(e.Timezone)
		if err != nil {
			return nil, fmt.Errorf("timezone %q: %w", e.Timezone, err)
		}
		loc = l
	}
	spec := strings.TrimSpace(e.Spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") {
		return nil, fmt.Errorf("spec %q: give the timezone in the timezone field, not in the spec", e.Spec)
	}
	ent := &entry{Entry: e, loc: loc}
	// The parser reads the zone from a CRON_TZ prefix; without one it would
	// use the process's local zone.
	sched, err := parser.Parse(ent.cronSpec())
	if err != nil {
		return nil, fmt.Errorf("spec %q: %w", e.Spec, err)
	}
	ent.sched = sched
	return ent, nil
}

// next returns the entry's first fire time strictly after t, in the
// entry's timezone.
func (e *entry) next(t time.Time) time.Time {
	if every, ok := e.sched.(cron.ConstantDelaySchedule); ok {
		return t.Truncate(every.Delay).Add(every.Delay).In(e.loc)
	}
	// cron returns the instant in t's location; we want the entry's.
	return e.sched.Next(t).In(e.loc)
}

// latestDue returns the last fire time in (after, now], if any. After a
// long pause (a suspended machine, a stalled process) only the latest
// missed fire is worth enqueueing: a scan or report covers the time before
// it anyway.
func (e *entry) latestDue(after, now time.Time) (time.Time, int, bool) {
	var last time.Time
	n := 0
	for t := e.next(after); !t.IsZero() && !t.After(now); t = e.next(t) {
		last = t
		n++
	}
	return last, n, n > 0
}

// Run registers the entries with asynq's Scheduler and fires them until
// ctx is done, then unregisters them and returns nil. Fires that fell
// before Run started are not enqueued. A failed enqueue is retried until
// it succeeds or a newer fire of the same entry supersedes it.
func (s *Scheduler) Run(ctx context.Context) error {
	if s.redis == nil {
		return errors.New("schedule: Options.Redis is required to run")
	}
	wake := make(chan struct{}, 1)
	as := asynq.NewScheduler(s.redis, &asynq.SchedulerOpts{
		Logger:   logging.AsynqLogger(s.logger),
		LogLevel: logging.AsynqLevel(s.logger),
		// The marker's refused enqueue follows this call; the run's task
		// is enqueued by Run's loop, never on asynq's cron goroutine.
		PreEnqueueFunc: func(*asynq.Task, []asynq.Option) {
			select {
			case wake <- struct{}{}:
			default: // a wake-up is already pending
			}
		},
	})
	for _, e := range s.entries {
		if _, err := as.Register(e.cronSpec(), asynq.NewTask(e.TaskType, []byte(markerPayload)), markerOpts()...); err != nil {
			return fmt.Errorf("schedule: register %s: %w", e.TaskType, err)
		}
	}
	start := s.now()
	for _, e := range s.entries {
		e.done = start
	}
	if err := as.Start(); err != nil {
		return fmt.Errorf("schedule: start asynq scheduler: %w", err)
	}
	defer as.Shutdown()
	s.logger.InfoContext(ctx, "scheduler started", "entries", len(s.entries))
	wait := s.poll
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			s.logger.InfoContext(ctx, "scheduler stopped")
			return nil
		case <-wake:
			timer.Stop()
		case <-timer.C:
		}
		wait = s.poll
		for _, f := range s.tick(ctx, s.now()) {
			if f.err != nil {
				wait = min(s.poll, retryWait)
			}
		}
	}
}

// markerOpts make asynq refuse to enqueue an entry's own task (a blank
// TaskID fails its option check before Redis is touched): the run's task,
// with its payload and TaskID, is enqueued by Run instead.
func markerOpts() []asynq.Option {
	return []asynq.Option{asynq.TaskID("")}
}

// markerPayload is what the dashboard shows as an entry's payload.
const markerPayload = `{"note":"payload and task ID are built per run"}`

// cronSpec is the entry's spec for asynq's cron, which reads the zone from
// the CRON_TZ prefix.
func (e *entry) cronSpec() string {
	return "CRON_TZ=" + e.loc.String() + " " + strings.TrimSpace(e.Spec)
}

// tick enqueues, for each entry, the latest fire that is due at now.
func (s *Scheduler) tick(ctx context.Context, now time.Time) []fire {
	var fired []fire
	for _, e := range s.entries {
		if !now.After(e.done) {
			continue // the clock stood still or went back
		}
		at, n, ok := e.latestDue(e.done, now)
		if !ok {
			e.done = now
			continue
		}
		if n > 1 {
			s.logger.WarnContext(ctx, "scheduler missed fires, enqueueing the latest only",
				"task_type", e.TaskType, "missed", n-1, "scheduled_at", at)
		}
		f := s.enqueue(ctx, e, at)
		fired = append(fired, f)
		if f.err == nil {
			e.done = now
		}
	}
	if s.afterTick != nil {
		s.afterTick(now, fired)
	}
	return fired
}

func (s *Scheduler) enqueue(ctx context.Context, e *entry, at time.Time) fire {
	f := fire{taskType: e.TaskType, at: at}
	task, err := tasks.NewPeriodicTask(e.TaskType, at)
	if err != nil {
		f.err = err
		s.logger.ErrorContext(ctx, "build periodic task", "task_type", e.TaskType, "scheduled_at", at, "error", err)
		return f
	}
	info, dup, err := queue.Enqueue(ctx, s.client, task)
	f.dup, f.err = dup, err
	switch {
	case err != nil:
		s.logger.ErrorContext(ctx, "enqueue periodic task, will retry",
			"task_type", e.TaskType, "scheduled_at", at, "error", err)
	case dup:
		s.logger.DebugContext(ctx, "periodic task already enqueued by another scheduler",
			"task_type", e.TaskType, "scheduled_at", at)
	default:
		f.taskID = info.ID
		s.logger.InfoContext(ctx, "periodic task enqueued",
			"task_type", e.TaskType, "task_id", info.ID, "queue", info.Queue, "scheduled_at", at)
	}
	return f
}
