package workers

import (
	"context"
	"fmt"

	"github.com/hibiken/asynq"

	"salesdesk/tasks"
)

// Retrainer retrains the classifier on the stored routing examples;
// *intake.Processor implements it.
type Retrainer interface {
	Retrain(ctx context.Context) error
}

// RetrainHandler runs routing:retrain: the labels people gave (triage
// links, the desk, the API) become the model this worker classifies with.
// The web request that took a label only enqueued the task.
type RetrainHandler struct {
	r Retrainer
}

// NewRetrainHandler returns the routing:retrain handler over r.
func NewRetrainHandler(r Retrainer) *RetrainHandler { return &RetrainHandler{r: r} }

// ProcessTask retrains. A failure is retried: the examples are stored and
// the next run learns them.
func (h *RetrainHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if _, err := tasks.ParseRoutingRetrainPayload(t.Payload()); err != nil {
		return err
	}
	if err := h.r.Retrain(ctx); err != nil {
		return fmt.Errorf("routing:retrain: %w", err)
	}
	return nil
}
