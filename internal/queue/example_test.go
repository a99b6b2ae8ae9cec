package queue_test

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/queue"
	"salesdesk/tasks"
)

// A worker process: start its servers, wait for SIGINT or SIGTERM, then
// stop taking work, give in-flight tasks up to 20 s and requeue the rest.
func ExampleNewWorker() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	srv := queue.NewWorker(asynq.RedisClientOpt{Addr: "127.0.0.1:6379"}, queue.ServerOptions{
		Concurrency:     8,
		ShutdownTimeout: 20 * time.Second,
		Logger:          logger,
	})
	if err := srv.Start(asynq.NewServeMux()); err != nil {
		logger.Error("start worker", "error", err)
		return
	}
	<-ctx.Done()
	srv.Shutdown()
}

// Enqueueing with a deterministic TaskID: a repeat is reported as dup, not
// as an error.
func ExampleEnqueue() {
	ctx := context.Background()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:6379"})
	defer client.Close()

	task, err := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: 42})
	if err != nil {
		panic(err)
	}
	_, dup, err := queue.Enqueue(ctx, client, task)
	switch {
	case err != nil:
		// Redis unreachable: the caller retries or fails its own task.
	case dup:
		// mail:send:42 was enqueued before: nothing to do.
	}
}
