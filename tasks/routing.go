package tasks

import (
	"time"

	"github.com/hibiken/asynq"
)

// TypeRoutingRetrain retrains the inquiry classifier on the stored
// routing examples and swaps the new model in. A person's label (a triage
// link, the desk, the API) enqueues it; the worker trains, never the web
// request.
const TypeRoutingRetrain = "routing:retrain"

// DefaultRetrainWindow is how long labels collect before one retrain:
// every label given in one window is learned by the same run.
const DefaultRetrainWindow = 10 * time.Second

// RoutingRetrainPayload says when the retrain runs: at the end of the
// window in which the label was given (RetrainRunAt).
type RoutingRetrainPayload struct {
	RunAt time.Time `json:"run_at"`
}

func (p RoutingRetrainPayload) validate() error {
	return requireTime(TypeRoutingRetrain, "run_at", p.RunAt)
}

// RetrainRunAt is the end of the window of length window that holds now:
// labels given within one window share one retrain, which runs after all
// of them were stored and so learns every one. window <= 0 means
// DefaultRetrainWindow.
func RetrainRunAt(now time.Time, window time.Duration) time.Time {
	if window <= 0 {
		window = DefaultRetrainWindow
	}
	return now.UTC().Truncate(window).Add(window)
}

// NewRoutingRetrainTask builds the routing:retrain task with TaskID
// "routing:retrain:<run_at>", due at RunAt: a burst of labels in one
// window is one task.
func NewRoutingRetrainTask(p RoutingRetrainPayload) (*asynq.Task, error) {
	p.RunAt = p.RunAt.UTC()
	return newTask(TypeRoutingRetrain, p, taskID(TypeRoutingRetrain, timeBucket(p.RunAt)), processAt(p.RunAt))
}

// ParseRoutingRetrainPayload decodes a routing:retrain payload.
func ParseRoutingRetrainPayload(b []byte) (RoutingRetrainPayload, error) {
	return parse[RoutingRetrainPayload](TypeRoutingRetrain, b)
}
