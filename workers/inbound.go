package workers

import (
	"context"
	"log/slog"

	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/tasks"
)

// InboundHandler answers inbound:email: it takes one stored customer mail
// in through intake (parse, thread, link, route, follow-on and ack).
type InboundHandler struct {
	intake  *intake.Processor
	logger  *slog.Logger
	replies *CalendarReplies
	repMail *RepMeetingMail
}

// WithCalendarReplies makes the handler take calendar replies (iMIP
// METHOD:REPLY) out before intake: they are no inquiry and get no
// acknowledgement.
func (h *InboundHandler) WithCalendarReplies(c *CalendarReplies) *InboundHandler {
	h.replies = c
	return h
}

// WithRepMeetingMail makes the handler take reps' replies to meeting
// mails (move, cancel, confirm) out before intake: they are no inquiry.
func (h *InboundHandler) WithRepMeetingMail(r *RepMeetingMail) *InboundHandler {
	h.repMail = r
	return h
}

// NewInboundHandler returns the inbound:email handler.
func NewInboundHandler(p *intake.Processor, logger *slog.Logger) *InboundHandler {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &InboundHandler{intake: p, logger: logger}
}

// ProcessTask handles one inbound:email task. A bad payload or a message
// that is not in the store is permanent; everything else is retried, and
// a retry repeats nothing that already happened.
func (h *InboundHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseInboundEmailPayload(t.Payload())
	if err != nil {
		return err
	}
	// The row is read once for the hooks and intake; a hook that takes
	// the mail writes its status, one that passes it on writes nothing
	// intake reads from the row.
	in, err := h.intake.Inbound(ctx, p.MessageID)
	if err != nil {
		return err
	}
	if h.replies != nil {
		if taken, err := h.replies.Take(ctx, in); err != nil || taken {
			return err
		}
	}
	if h.repMail != nil {
		if taken, err := h.repMail.Take(ctx, in); err != nil || taken {
			return err
		}
	}
	return h.intake.ProcessInbound(ctx, in)
}
