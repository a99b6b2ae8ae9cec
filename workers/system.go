package workers

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/tasks"
)

// PingHandler answers system:ping: it logs the queue latency and writes a
// pong as the task's result, which health checks and the demo read back
// through asynq's Inspector (TaskInfo.Result).
type PingHandler struct {
	logger *slog.Logger
	clock  Clock
}

// NewPingHandler returns the system:ping handler.
func NewPingHandler(logger *slog.Logger, clock Clock) *PingHandler {
	return &PingHandler{logger: logger, clock: clock}
}

// Pong is the result a ping task stores.
type Pong struct {
	ID       string    `json:"id"`
	SentAt   time.Time `json:"sent_at"`
	PongAt   time.Time `json:"pong_at"`
	LatencyS float64   `json:"latency_seconds"`
}

// ProcessTask handles one ping.
func (h *PingHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParsePingPayload(t.Payload())
	if err != nil {
		return err
	}
	now := h.clock.Now()
	pong := Pong{ID: p.ID, SentAt: p.SentAt, PongAt: now, LatencyS: now.Sub(p.SentAt).Seconds()}
	h.logger.InfoContext(ctx, "ping", "ping_id", p.ID, "latency_s", pong.LatencyS)
	if w := t.ResultWriter(); w != nil {
		b, err := json.Marshal(pong)
		if err != nil {
			return fmt.Errorf("encode pong: %w", err)
		}
		if _, err := w.Write(b); err != nil {
			return fmt.Errorf("write pong: %w", err)
		}
	}
	return nil
}
