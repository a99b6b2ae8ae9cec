// Package tasks is the contract between the producers of work (poller,
// scheduler, API, other handlers) and the workers: task type names, payload
// structs and constructors that set each task's queue, retries, timeout and,
// where the task can repeat, a deterministic TaskID.
package tasks

// Queue names. Weights are applied by the worker (see Queues).
const (
	QueueCritical = "critical"
	QueueDefault  = "default"
	QueueLow      = "low"
)

// Queues returns the queue weights every worker uses: critical work is
// picked six times as often as low.
func Queues() map[string]int {
	return map[string]int{QueueCritical: 6, QueueDefault: 3, QueueLow: 1}
}
