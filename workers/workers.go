// Package workers holds the asynq handlers, one file per domain, and New,
// which builds the mux a worker server runs: every handler wrapped in
// per-task logging, panic logging and Prometheus metrics.
package workers

import (
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"salesdesk/tasks"
)

// Clock tells handlers the time; tests pass a fake one.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function such as time.Now to Clock.
type ClockFunc func() time.Time

// Now returns f().
func (f ClockFunc) Now() time.Time { return f() }

// Deps is what the handlers need from the rest of the process. Each
// handler file declares the narrow interface it uses (a store, a mailer)
// and adds one field for it here; cmd/salesdesk fills them.
type Deps struct {
	// Logger receives one line per task and the handlers' own lines; nil
	// discards.
	Logger *slog.Logger
	// Clock is the handlers' time; nil means the wall clock.
	Clock Clock
	// Metrics is where the per-task metrics are registered; nil leaves
	// them unregistered. Registering twice on one registry reuses the
	// collectors already there.
	Metrics prometheus.Registerer
}

func (d Deps) withDefaults() Deps {
	d.Logger, d.Clock = orDefault(d.Logger, d.Clock)
	return d
}

// New returns the mux with every handler registered. Task types without a
// handler yet fail with asynq.ErrHandlerNotFound and are retried, so a
// worker of an older build does not lose a newer build's tasks.
func New(d Deps) *asynq.ServeMux {
	d = d.withDefaults()
	m := newMetrics(d.Metrics)
	mux := asynq.NewServeMux()
	mux.Use(observe(d.Logger, m))

	mux.Handle(tasks.TypePing, NewPingHandler(d.Logger, d.Clock))
	return mux
}

// orDefault fills the logger and clock every handler takes: nil logs
// nowhere, a nil clock is the wall clock.
func orDefault(l *slog.Logger, c Clock) (*slog.Logger, Clock) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	if c == nil {
		c = ClockFunc(time.Now)
	}
	return l, c
}
