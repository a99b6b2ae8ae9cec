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
		done := make(chan struct{})
		go func() {
			defer close(done)
			rec.Run(ctx)
		}()
		a.followExamples(ctx, d.model.retrainIfNew, modelCheckInterval)
		<-done
		srv.Shutdown()
		return nil
	}, nil
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
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		changed, err := a.store.RoutingExamplesUpdatedAt(ctx)
		if err != nil {
			logger.Warn("read routing examples", "error", err)
			continue
		}
		if !changed.After(last) {
			continue
		}
		trained, err := reload(ctx)
		if err != nil {
			logger.Warn("retrain classifier", "error", err)
			continue
		}
		last = changed
		if trained {
			logger.Info("classifier retrained on new routing examples", "changed_at", changed)
		}
	}
}
