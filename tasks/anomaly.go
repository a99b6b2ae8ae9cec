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
	return requireTime(TypeAnomalyScan, "scheduled_at", p.ScheduledAt)
}

// NewAnomalyScanTask builds the anomaly:scan task for one fire time.
func NewAnomalyScanTask(p AnomalyScanPayload) (*asynq.Task, error) {
	return newTask(TypeAnomalyScan, p, taskID(TypeAnomalyScan, timeBucket(p.ScheduledAt)))
}

// ParseAnomalyScanPayload decodes an anomaly:scan payload.
func ParseAnomalyScanPayload(b []byte) (AnomalyScanPayload, error) {
	return parse[AnomalyScanPayload](TypeAnomalyScan, b)
}
