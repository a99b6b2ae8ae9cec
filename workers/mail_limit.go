package workers

import (
	"context"

	"github.com/hibiken/asynq"

	"salesdesk/internal/outbox"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// LimitedMailSendHandler is the mail:send handler behind the outbox's
// recipient limit.
type LimitedMailSendHandler struct {
	send  *MailSendHandler
	limit *outbox.Limiter
}

// WithRateLimit returns h behind l: before a queued row is sent, the
// outbox's Limiter checks its outside recipients, and at the limit the
// row is failed, an alert is raised and the task is not retried (see
// outbox.Limiter.Hold). A disabled limit sends everything, as h does.
func (h *MailSendHandler) WithRateLimit(st outbox.LimitStore, l outbox.RecipientLimit) *LimitedMailSendHandler {
	return &LimitedMailSendHandler{send: h, limit: outbox.NewLimiter(st, l, h.logger)}
}

// ProcessTask checks the row's recipients against the limit, then sends
// it with the wrapped handler.
func (h *LimitedMailSendHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if !h.limit.Enabled() {
		return h.send.ProcessTask(ctx, t)
	}
	p, err := tasks.ParseMailSendPayload(t.Payload())
	if err != nil {
		return h.send.ProcessTask(ctx, t) // fails the same way, permanently
	}
	o, err := h.send.store.Outbound(ctx, p.OutboundID)
	if err != nil || o.Status != store.OutboundQueued {
		return h.send.ProcessTask(ctx, t) // missing rows and rows already handled are its business
	}
	if err := h.limit.Hold(ctx, o, h.send.clock.Now()); err != nil {
		return err
	}
	return h.send.sendRow(ctx, o)
}
