package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
)

// NoopDrain enqueues n no-op tasks on DB db of the Redis at addr, then
// runs an asynq server with the given concurrency until all of them are
// done, and returns the tasks per second of the drain alone (enqueueing
// is not timed). It is asynq's own ceiling on this machine and Redis.
func NoopDrain(ctx context.Context, addr string, db, n, concurrency int) (float64, error) {
	opt := asynq.RedisClientOpt{Addr: addr, DB: db}
	client := asynq.NewClient(opt)
	defer client.Close()
	const queue = "bench_noop"
	var (
		wg    sync.WaitGroup
		next  atomic.Int64
		errMu sync.Mutex
		first error
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if _, err := client.EnqueueContext(ctx, asynq.NewTask("bench:noop", nil), asynq.Queue(queue)); err != nil {
					errMu.Lock()
					first = err
					errMu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return 0, fmt.Errorf("enqueue no-op tasks: %w", first)
	}
	var done atomic.Int64
	finished := make(chan struct{})
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency: concurrency,
		Queues:      map[string]int{queue: 1},
		LogLevel:    asynq.ErrorLevel,
	})
	start := time.Now()
	err := srv.Start(asynq.HandlerFunc(func(context.Context, *asynq.Task) error {
		if done.Add(1) == int64(n) {
			close(finished)
		}
		return nil
	}))
	if err != nil {
		return 0, fmt.Errorf("start no-op server: %w", err)
	}
	defer srv.Shutdown()
	select {
	case <-finished:
	case <-ctx.Done():
		return 0, ctx.Err()
	case <-time.After(10 * time.Minute):
		return 0, fmt.Errorf("no-op drain: %d of %d tasks done after 10 minutes", done.Load(), n)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
