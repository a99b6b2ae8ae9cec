package queue

import (
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/tasks"
)

// SideConcurrency is the number of tasks of the queues other than
// tasks.QueueDefault (critical: rush orders; low: digests, reports,
// retraining) that a Worker processes at once, besides the Concurrency it
// gives the default queue. Three lets a rush order start at once even
// while two reports run.
const SideConcurrency = 3

// SideTaskCheckInterval is the least time the side server of a Worker
// (critical and low, nearly always empty) waits after finding both empty
// before it asks again. asynq sleeps 0.5 to 1.5 intervals, so a rush order
// enqueued while the side is idle starts after about 50 ms on average and
// at most 150 ms, instead of 11 and 30 ms with DefaultTaskCheckInterval;
// in exchange the idle side asks Redis 20 times a second instead of 100
// (docs/performance.md, "Session 10: queues").
const SideTaskCheckInterval = 100 * time.Millisecond

// Worker is what one worker process runs: one asynq server that serves
// only the default queue with ServerOptions.Concurrency workers, and a
// second one with SideConcurrency workers for every other queue (critical
// and low), weighted among themselves as ServerOptions.Queues says.
//
// One server for all three queues asks Redis about each queue in turn, in
// an order asynq shuffles by weight for every task it takes (one dequeue
// script per queue), until one holds a task. Nearly all mail work is on
// default, so about one script in two found an empty critical or low queue
// (docs/performance.md, "Session 10: queues"). The default server asks
// only for default, one script per task; the side server's few workers
// poll critical and low, which are nearly always empty, at the idle
// pace of SideTaskCheckInterval. A rush order never waits behind a backlog
// of default work and reports are never starved by it: each has workers
// of its own. Queues are still paused, inspected and retried per queue in
// the dashboard, which lists two servers per worker process.
type Worker struct {
	servers []*asynq.Server
}

// NewWorker returns the servers of a worker process with the options of
// NewServer. Queues without tasks.QueueDefault, or with it alone, are
// served by one server with all of Concurrency.
func NewWorker(opt asynq.RedisConnOpt, o ServerOptions) *Worker {
	queues := o.Queues
	if queues == nil {
		queues = tasks.Queues()
	}
	side := maps.Clone(queues)
	delete(side, tasks.QueueDefault)
	if len(side) == len(queues) || len(side) == 0 {
		o.Queues = queues
		return &Worker{servers: []*asynq.Server{NewServer(opt, o)}}
	}
	busy := o
	busy.Queues = map[string]int{tasks.QueueDefault: 1}
	rest := o
	rest.Queues = side
	rest.Concurrency = SideConcurrency
	rest.TaskCheckInterval = max(o.TaskCheckInterval, SideTaskCheckInterval)
	if o.Logger != nil {
		busy.Logger = o.Logger.With("server", tasks.QueueDefault)
		rest.Logger = o.Logger.With("server", "side")
	}
	return &Worker{servers: []*asynq.Server{NewServer(opt, busy), NewServer(opt, rest)}}
}

// Start starts every server of w with handler h. If one cannot start, the
// ones already started are shut down again.
func (w *Worker) Start(h asynq.Handler) error {
	for i, srv := range w.servers {
		if err := srv.Start(h); err != nil {
			(&Worker{servers: w.servers[:i]}).Shutdown()
			return fmt.Errorf("start worker server %d of %d: %w", i+1, len(w.servers), err)
		}
	}
	return nil
}

// Shutdown stops every server of w at once: each stops taking tasks, waits
// up to ShutdownTimeout for those in flight and puts the rest back on
// their queues, so the whole stop takes at most one ShutdownTimeout. A
// second Shutdown does nothing.
func (w *Worker) Shutdown() {
	var wg sync.WaitGroup
	for _, srv := range w.servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srv.Shutdown()
		}()
	}
	wg.Wait()
}
