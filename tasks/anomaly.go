package tasks

import (
	"time"

	"github.com/hibiken/asynq"
)

// TypeAnomalyScan is the periodic run of the unusual-activity detectors.
const TypeAnomalyScan = "anomaly:scan"

// AnomalyScanPayload carries the scheduled fire time of one scan.
type AnomalyScanPayload struct {
	ScheduledAt time.Time `json:"scheduled_at"`
}

func (p AnomalyScanPayload) validate() error {
	if p.ScheduledAt.IsZero() {
		return invalid(TypeAnomalyScan, "scheduled_at is required")
	}
	return nil
}

// NewAnomalyScanTask builds the anomaly:scan task for one fire time.
func NewAnomalyScanTask(p AnomalyScanPayload) (*asynq.Task, error) {
	return newTask(TypeAnomalyScan, p,
		asynq.Queue(QueueDefault),
		asynq.MaxRetry(3),
		asynq.Timeout(5*time.Minute),
		asynq.TaskID(TypeAnomalyScan+":"+timeBucket(p.ScheduledAt)),
		asynq.Retention(retainScan),
	)
}

// ParseAnomalyScanPayload decodes an anomaly:scan payload.
func ParseAnomalyScanPayload(b []byte) (AnomalyScanPayload, error) {
	return parse[AnomalyScanPayload](TypeAnomalyScan, b)
}
