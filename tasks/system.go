package tasks

import (
	"time"

	"github.com/hibiken/asynq"
)

// TypePing is a no-op round trip through the queue: health checks and the
// demo enqueue one and watch it complete; the worker writes a pong as the
// task's result.
const TypePing = "system:ping"

// PingPayload identifies one ping and when it was sent.
type PingPayload struct {
	ID     string    `json:"id"`
	SentAt time.Time `json:"sent_at"`
}

func (p PingPayload) validate() error {
	if p.ID == "" {
		return invalid(TypePing, "id is required")
	}
	return requireTime(TypePing, "sent_at", p.SentAt)
}

// NewPingTask builds the system:ping task with TaskID "system:ping:<id>",
// kept for an hour after it completes so its result can be read.
func NewPingTask(p PingPayload) (*asynq.Task, error) {
	return newTask(TypePing, p, taskID(TypePing, p.ID))
}

// ParsePingPayload decodes a system:ping payload.
func ParsePingPayload(b []byte) (PingPayload, error) {
	return parse[PingPayload](TypePing, b)
}
