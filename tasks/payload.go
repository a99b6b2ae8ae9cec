package tasks

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// ErrInvalidPayload is wrapped by every constructor and parser error caused
// by a payload that misses a required field or holds a malformed one.
var ErrInvalidPayload = errors.New("invalid payload")

// Retention of finished tasks. While a finished task is retained, enqueueing
// the same TaskID again returns asynq.ErrTaskIDConflict, which is what turns
// a repeated enqueue into a no-op. The database stays the record of what
// happened; retention only has to outlast the window in which a producer can
// repeat itself (a crashed poller or handler, a second scheduler).
const (
	retainEntity = 24 * time.Hour     // per-entity work: mails, leads, inquiries
	retainScan   = 2 * time.Hour      // frequent periodic scans
	retainDaily  = 48 * time.Hour     // one task per day
	retainWeekly = 8 * 24 * time.Hour // one task per ISO week
)

// payload is what every payload struct implements: a check of the fields a
// handler cannot do without.
type payload interface {
	validate() error
}

func invalid(typ, format string, args ...any) error {
	return fmt.Errorf("%s payload: %w: %s", typ, ErrInvalidPayload, fmt.Sprintf(format, args...))
}

// requireID is the check of a payload whose one required field is the
// positive ID named field.
func requireID(typ, field string, id int64) error {
	if id <= 0 {
		return invalid(typ, "%s is required", field)
	}
	return nil
}

// requireTime is the check of a payload whose one required field is the
// instant named field.
func requireTime(typ, field string, t time.Time) error {
	if t.IsZero() {
		return invalid(typ, "%s is required", field)
	}
	return nil
}

// newTask validates and encodes p and builds the task with its type's
// defaults (defaultsFor), TaskID id and then opts, which override them.
func newTask(typ string, p payload, id string, opts ...asynq.Option) (*asynq.Task, error) {
	d, ok := defaultsFor(typ)
	if !ok {
		return nil, fmt.Errorf("task type %q has no default options", typ)
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode %s payload: %w", typ, err)
	}
	return asynq.NewTask(typ, b, append(d.options(id), opts...)...), nil
}

// parse decodes and validates a payload. Both failures are permanent: a
// payload that is bad now is bad on every retry, so the error wraps
// asynq.SkipRetry and the task is archived at once.
func parse[P payload](typ string, b []byte) (P, error) {
	var p P
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w: %w", typ, err, asynq.SkipRetry)
	}
	if err := p.validate(); err != nil {
		return p, fmt.Errorf("decode %s payload: %w: %w", typ, err, asynq.SkipRetry)
	}
	return p, nil
}

// taskID joins a task type and the parts that make one task of it unique
// with colons: "lead:assign:5:2".
func taskID(typ string, parts ...any) string {
	id := typ
	for _, part := range parts {
		id += ":" + fmt.Sprint(part)
	}
	return id
}

// timeBucket formats an instant for a TaskID: UTC, second precision, so
// that every producer formats the same instant the same way.
func timeBucket(t time.Time) string {
	return t.UTC().Format("20060102T150405Z")
}

// processAt schedules a task for t or just after, never before: asynq keeps
// a scheduled task's time in whole Unix seconds (rounded down), so a task
// due at 12:00:07.9 could otherwise run at 12:00:07.2 and find what it
// checks (an SLA deadline, a reminder's moment) not yet due.
func processAt(t time.Time) asynq.Option {
	if c := t.Truncate(time.Second); !c.Equal(t) {
		t = c.Add(time.Second)
	}
	return asynq.ProcessAt(t)
}
