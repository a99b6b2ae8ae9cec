package intake

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"salesdesk/internal/outbox"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Outbound mail kinds the intake handlers write.
const (
	KindAck                = "ack"
	KindHandoff            = "handoff"
	KindTriage             = "triage"
	KindUnsubscribeConfirm = "unsubscribe_confirm"
)

// AlertKindComplaint is the kind of the alert raised once per complaint
// inquiry; the anomaly detector counts them per customer.
const AlertKindComplaint = "complaint"

// Idempotency keys of the outbound mails about one inquiry.
func AckKey(inquiryID int64) string     { return fmt.Sprintf("ack:%d", inquiryID) }
func HandoffKey(inquiryID int64) string { return fmt.Sprintf("handoff:%d", inquiryID) }
func TriageKey(inquiryID int64) string  { return fmt.Sprintf("triage:%d", inquiryID) }

// UnsubscribeKey is the idempotency key of an unsubscribe confirmation:
// per inquiry, or per address when the request did not come by mail.
func UnsubscribeKey(inquiryID int64, email string) string {
	if inquiryID > 0 {
		return fmt.Sprintf("unsubscribe:%d", inquiryID)
	}
	return "unsubscribe:email:" + email
}

// AckStore is what the acknowledgement rate limit reads.
type AckStore interface {
	ListOutbound(ctx context.Context, f store.OutboundFilter) ([]store.OutboundEmail, error)
}

// RecentAck reports whether addr got an acknowledgement created at or
// after since about an inquiry other than inquiryID. The outbound rows are
// the record, so the limit holds across workers and restarts.
func RecentAck(ctx context.Context, st AckStore, addr string, inquiryID int64, since time.Time) (bool, error) {
	rows, err := st.ListOutbound(ctx, store.OutboundFilter{To: addr, Kind: KindAck, Since: since, Limit: 5})
	if err != nil {
		return false, err
	}
	for _, o := range rows {
		if o.InquiryID != inquiryID {
			return true, nil
		}
	}
	return false, nil
}

// AnswersAtOnce reports whether the follow-on task of type taskType
// itself writes to the customer at once (an order's status, the
// confirmation of an order request, or the question for the right order
// number): that mail is the acknowledgement, and a second one with the
// same subject would only say less.
func AnswersAtOnce(taskType string) bool {
	return taskType == tasks.TypeOrderStatusReply || taskType == tasks.TypeOrderRequest ||
		taskType == tasks.TypeCustomerUnsubscribe
}

// AckDecision decides from the stored inquiry alone whether it gets a
// separate acknowledgement and, when not, why. followup is the type of its
// follow-on task. It does not apply the optional per-sender window.
func AckDecision(q *store.Inquiry, sender, followup string) (bool, string) {
	switch {
	case sender == "":
		return false, "no sender address"
	case q.ParentID != 0:
		return false, "reply in an existing thread"
	case routing.Category(q.Category) == routing.Unsubscribe && q.Status != store.InquiryTriage:
		// An unauthenticated sender's unsubscribe is handed to a person
		// (followup is then a hand-off) and acknowledged like any mail.
		if followup == tasks.TypeCustomerUnsubscribe {
			return false, "the unsubscribe confirmation is the acknowledgement"
		}
	case q.Status != store.InquiryTriage && AnswersAtOnce(followup):
		return false, "the answer is the acknowledgement"
	}
	return true, ""
}

// AckRequest is what an Acknowledger writes the acknowledgement of an
// inquiry from: what intake has in hand, so nothing is read again.
type AckRequest struct {
	Inquiry *store.Inquiry
	// Subject is the customer's mail's subject; MessageID (without angle
	// brackets, may be "") and References are what the acknowledgement
	// is threaded onto.
	Subject    string
	MessageID  string
	References []string
	// UnverifiedSender: the From may be forged, so the acknowledgement
	// repeats none of the mail's text and promises no change.
	UnverifiedSender bool
}

// Acknowledger renders the acknowledgement of an inquiry as an outbound
// row, not yet stored; workers.AckHandler implements it, and its
// inquiry:ack task renders the same row.
type Acknowledger interface {
	AckMail(ctx context.Context, r AckRequest) (*store.OutboundEmail, error)
}

// ackMail is the acknowledgement's outbound row, ready to be stored with
// the intake's outcome, or nil when there is no Acknowledger or it could
// not write the row: the caller then enqueues inquiry:ack, whose handler
// tries again with retries of its own.
func (p *Processor) ackMail(ctx context.Context, r AckRequest, log *slog.Logger) *store.OutboundEmail {
	if p.ack == nil {
		return nil
	}
	o, err := p.ack.AckMail(ctx, r)
	if err == nil {
		err = outbox.Prepare(o)
	}
	if err != nil {
		log.WarnContext(ctx, "acknowledgement left to inquiry:ack", "error", err.Error())
		return nil
	}
	return o
}

// ackDue is AckDecision plus the optional per-sender window.
func (p *Processor) ackDue(ctx context.Context, q *store.Inquiry, sender, followup string) (bool, string, error) {
	if ok, why := AckDecision(q, sender, followup); !ok || p.opts.AckWindow <= 0 {
		return ok, why, nil
	}
	recent, err := RecentAck(ctx, p.st, sender, q.ID, p.now().Add(-p.opts.AckWindow))
	if err != nil {
		return false, "", err
	}
	if recent {
		return false, "sender acknowledged within the ack window", nil
	}
	return true, "", nil
}
