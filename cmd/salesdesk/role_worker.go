package main

import (
	"context"
	"time"

	"salesdesk/internal/queue"
	"salesdesk/internal/recovery"
)

// workerRole runs the asynq servers of a worker (queue.Worker: one for
// the default queue, one for critical and low) with every handler in
// workers/. When ctx ends they stop taking tasks, let those in flight
// finish within worker.shutdown_timeout and put the rest back on their
// queues.
func (a *app) workerRole(ctx context.Context) (func(context.Context) error, error) {
	srv := queue.NewWorker(a.redisOpt, queue.ServerOptions{
		Concurrency:     a.cfg.Worker.Concurrency,
		Queues:          a.cfg.Worker.Queues.Map(),
		ShutdownTimeout: a.cfg.Worker.ShutdownTimeout,
		Logger:          a.log.With("role", roleWorker),
	})
	d, err := a.desk(ctx)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		if err := srv.Start(d.workers); err != nil {
			return err
		}
		// Work whose task Redis lost is found in the database and
		// enqueued again; duplicates are refused by their TaskIDs.
		rec := recovery.New(a.store, a.client, recovery.Options{Logger: a.log.With("role", roleWorker),
			Every: a.cfg.Worker.RecoveryEvery, Grace: a.cfg.Worker.RecoveryGrace})
		done := make(chan struct{}, 2)
		go func() {
			defer func() { done <- struct{}{} }()
			rec.Run(ctx)
		}()
		go func() {
			defer func() { done <- struct{}{} }()
			a.indexSearch(ctx, searchIndexEvery)
		}()
		a.followExamples(ctx, d.model.retrainIfNew, modelCheckInterval)
		<-done
		<-done
		srv.Shutdown()
		return nil
	}, nil
}

// searchIndexEvery is how often a worker puts the mail stored since into
// the word indexes of the desk search (SQLite; store.IndexSearch). A
// search indexes what is left first, so this only keeps that short.
const searchIndexEvery = 2 * time.Second

// indexSearch fills the word indexes every interval until ctx ends.
func (a *app) indexSearch(ctx context.Context, every time.Duration) {
	everyTick(ctx, every, func() {
		if _, err := a.store.IndexSearch(ctx, false); err != nil && ctx.Err() == nil {
			a.log.With("role", roleWorker).Warn("index mail for the desk search", "error", err)
		}
	})
}

// everyTick calls fn every interval until ctx ends.
func everyTick(ctx context.Context, every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		fn()
	}
}

// modelCheckInterval is how often a worker looks for routing examples
// that people added in another process (the label API, triage links).
const modelCheckInterval = 30 * time.Second

// followExamples retrains the classifier whenever the stored routing
// examples change, until ctx ends: a label given through the web role of
// another process reaches this worker's model without a restart.
//
// reload trains only on a change the model has not learned yet (the
// routing:retrain task may have trained on it already) and reports
// whether it trained.
func (a *app) followExamples(ctx context.Context, reload func(context.Context) (bool, error), every time.Duration) {
	logger := a.log.With("role", roleWorker)
	last, err := a.store.RoutingExamplesUpdatedAt(ctx)
	if err != nil {
		logger.Warn("read routing examples", "error", err)
	}
	everyTick(ctx, every, func() {
		changed, err := a.store.RoutingExamplesUpdatedAt(ctx)
		if err != nil {
			logger.Warn("read routing examples", "error", err)
			return
		}
		if !changed.After(last) {
			return
		}
		trained, err := reload(ctx)
		if err != nil {
			logger.Warn("retrain classifier", "error", err)
			return
		}
		last = changed
		if trained {
			logger.Info("classifier retrained on new routing examples", "changed_at", changed)
		}
	})
}
