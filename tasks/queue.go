// Package tasks is the contract between the producers of work (poller,
// scheduler, API, other handlers) and the workers: task type names, payload
// structs and constructors that set each task's queue, retries, timeout and,
// where the task can repeat, a deterministic TaskID.
package tasks

// Queue names. The worker serves default with workers of its own and
// critical and low with a few more, weighted by Queues (queue.Worker).
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queues returns the queue weights every worker uses: critical work is
// picked six times as often as low. Default's weight counts only where
// one server serves all three queues (tests); a worker process gives
// default workers of its own.
func Queues() map[string]int {
	return map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}
}
