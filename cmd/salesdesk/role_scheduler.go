package main

import (
	"context"
	"sort"

	"salesdesk/internal/schedule"
)

// schedulerRole enqueues the periodic tasks of scheduler.schedules.
func (a *app) schedulerRole(ctx context.Context) (func(context.Context) error, error) {
	logger := a.log.With("role", roleScheduler)
	d, err := a.desk(ctx)
	if err != nil {
		return nil, err
	}
	specs := a.cfg.Scheduler.Schedules.ByTaskType()
	types := make([]string, 0, len(specs))
	for t := range specs {
		types = append(types, t)
	}
	sort.Strings(types)
	var entries []schedule.Entry
	for _, t := range types {
		// Periodic tasks without a handler in this build are reported and
		// skipped rather than filling the queues with tasks nobody runs.
		if !d.workers.Handles(t) {
			logger.Warn("periodic task has no handler in this build; not scheduled", "task_type", t)
			continue
		}
		entries = append(entries, schedule.Entry{TaskType: t, Spec: specs[t], Timezone: a.cfg.Scheduler.Timezone})
	}
	s, err := schedule.New(a.client, schedule.Options{Entries: entries, Redis: a.redisOpt, Logger: logger})
	if err != nil {
		return nil, err
	}
	return s.Run, nil
}
