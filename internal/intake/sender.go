package intake

import (
	"context"
	"errors"

	"github.com/hibiken/asynq"

	"salesdesk/internal/routing"
	"salesdesk/internal/senderauth"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// SenderChecker decides whether a mail's From address is authenticated;
// *senderauth.Checker implements it.
type SenderChecker interface {
	Check(ctx context.Context, raw []byte, from string) senderauth.Result
}

// ChangesAccount reports whether a category's follow-on changes something
// on an account, which only an authenticated sender may do.
func ChangesAccount(c routing.Category) bool {
	return c == routing.Unsubscribe || c == routing.OrderChange || c == routing.MeetingRequest
}

// checkSender returns the sender verdict of an inbound mail, for the rest
// of the intake to use without reading it again (nil when no
// SenderChecker is configured). A re-run keeps the first verdict stored; a
// new one goes to out, which stores it with the outcome in the one commit
// of the mail (store.InboundOutcome.SenderAuth), so a mail is never
// processed with a verdict other than the one kept.
func (p *Processor) checkSender(ctx context.Context, in *store.InboundMessage, sender string, out *store.InboundOutcome) *store.SenderAuth {
	if p.senders == nil {
		return nil
	}
	if in.SenderAuth.Verdict != "" {
		return &in.SenderAuth
	}
	r := p.senders.Check(ctx, in.Raw, sender)
	detail := r.Reason
	if r.Method != "" {
		detail = r.Method + ": " + r.Reason
	}
	p.log.InfoContext(ctx, "sender checked", "inbound_id", in.ID, "sender_auth", string(r.Verdict), "detail", detail)
	out.SenderAuth = &store.SenderAuth{Verdict: string(r.Verdict), Detail: detail}
	return out.SenderAuth
}

// senderTrusted reports whether the sender of q may change things on an
// account: always when no SenderChecker is configured, else only with a
// pass: known's when the intake has the verdict in hand, else the stored one.
func (p *Processor) senderTrusted(ctx context.Context, q *store.Inquiry, known *store.SenderAuth) (bool, error) {
	if p.senders == nil {
		return true, nil
	}
	if known != nil {
		return senderauth.Verdict(known.Verdict).Authenticated(), nil
	}
	if q.InboundMessageID == 0 {
		return false, nil
	}
	a, err := p.st.InboundSenderAuth(ctx, q.InboundMessageID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return senderauth.Verdict(a.Verdict).Authenticated(), nil
}

// unverifiedChange returns the hand-off that replaces an account change
// asked for by an unauthenticated sender, or nil when the change may go
// ahead.
func (p *Processor) unverifiedChange(ctx context.Context, q *store.Inquiry, known *store.SenderAuth) (*asynq.Task, error) {
	cat := routing.Category(q.Category)
	if !ChangesAccount(cat) {
		return nil, nil
	}
	ok, err := p.senderTrusted(ctx, q, known)
	if err != nil || ok {
		return nil, err
	}
	return tasks.NewInquiryHandoffTask(tasks.InquiryHandoffPayload{InquiryID: q.ID, UnverifiedChange: string(cat)})
}
