package intake

import (
	"context"
	"log/slog"

	"github.com/hibiken/asynq"

	"salesdesk/internal/outbox"
	"salesdesk/internal/store"
)

// AnswerRequest is what an Answerer builds the answer of a follow-on task
// from: what intake has in hand, so nothing is read again.
type AnswerRequest struct {
	Inquiry *store.Inquiry
	// Parsed is the mail's parsed form as intake stores it, with the
	// mail's Message-ID (without angle brackets, may be "").
	Parsed store.ParsedInbound
	// Task is the follow-on task the answer takes the place of.
	Task *asynq.Task
}

// Answer is what the handler of a follow-on task would write, not yet
// stored: intake writes it with the mail's outcome (store.FinishInbound)
// and enqueues the mails' mail:send after the commit, instead of the task.
type Answer struct {
	Outbound []*store.OutboundEmail
	Alerts   []*store.Alert
	// Answered marks the inquiry answered.
	Answered bool
}

// Answerer builds the answer of one type of follow-on task from what
// intake has in hand; workers.OrderStatusHandler implements it for
// order:status_reply, whose task renders the same rows. An error leaves
// the answer to the task.
type Answerer interface {
	AnswerMail(ctx context.Context, r AnswerRequest) (*Answer, error)
}

// answer replaces each follow-on task an Answerer of Deps.Answers can
// answer at once with its answer, added to out; the others, and those
// whose answer could not be built (a read that failed), are returned to
// be enqueued: their handlers try again with retries of their own.
func (p *Processor) answer(ctx context.Context, r AnswerRequest, followons []*asynq.Task, out *store.InboundOutcome, log *slog.Logger) []*asynq.Task {
	if len(p.answers) == 0 {
		return followons
	}
	left := followons[:0:0]
	for _, t := range followons {
		a, ok := p.answers[t.Type()]
		if !ok {
			left = append(left, t)
			continue
		}
		r.Task = t
		if !p.addAnswer(ctx, a, r, out, log) {
			left = append(left, t)
		}
	}
	return left
}

// addAnswer adds a's answer of r to out, or reports false when it could
// not be built.
func (p *Processor) addAnswer(ctx context.Context, a Answerer, r AnswerRequest, out *store.InboundOutcome, log *slog.Logger) bool {
	ans, err := a.AnswerMail(ctx, r)
	for i := 0; err == nil && i < len(ans.Outbound); i++ {
		err = outbox.Prepare(ans.Outbound[i])
	}
	if err != nil {
		log.WarnContext(ctx, "answer left to its task", "task", r.Task.Type(), "error", err.Error())
		return false
	}
	out.Outbound = append(out.Outbound, ans.Outbound...)
	out.Alerts = append(out.Alerts, ans.Alerts...)
	if ans.Answered {
		out.Answered = append(out.Answered, r.Inquiry.ID)
	}
	log.InfoContext(ctx, "answered in intake", "task", r.Task.Type(), "mails", len(ans.Outbound), "alerts", len(ans.Alerts))
	return true
}
