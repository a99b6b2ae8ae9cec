package main

import (
	"context"
	"time"

	"salesdesk/internal/queue"
	"salesdesk/workers"
)

// workerRole runs the asynq server with every handler in workers/. When
// ctx ends it stops taking tasks, lets those in flight finish within
// worker.shutdown_timeout and puts the rest back on their queues.
func (a *app) workerRole(ctx context.Context) (func(context.Context) error, error) {
	srv := queue.NewServer(a.redisOpt, queue.ServerOptions{
		Concurrency:     a.cfg.Worker.Concurrency,
		Queues:          a.cfg.Worker.Queues.Map(),
		ShutdownTimeout: a.cfg.Worker.ShutdownTimeout,
		Logger:          a.log.With("role", roleWorker),
	})
	d, err := a.desk(ctx)
	if err != nil {
		return nil, err
	}
	mux := workers.New(a.workerDeps())
	for typ, h := range d.handlers {
		mux.Handle(typ, h)
	}
	return func(ctx context.Context) error {
		if err := srv.Start(mux); err != nil {
			return err
		}
		<-ctx.Done()
		srv.Shutdown()
		return nil
	}, nil
}

func (a *app) workerDeps() workers.Deps {
	return workers.Deps{
		Logger:  a.log.With("role", roleWorker),
		Clock:   workers.ClockFunc(time.Now),
		Metrics: a.registry,
	}
}
