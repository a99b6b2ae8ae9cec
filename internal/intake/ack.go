package intake

import (
	"context"
	"fmt"
	"time"

	"salesdesk/internal/routing"
	"salesdesk/internal/store"
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

// ackDue decides whether an inquiry is acknowledged and, when not, why.
func (p *Processor) ackDue(ctx context.Context, q *store.Inquiry, sender string) (bool, string, error) {
	switch {
	case sender == "":
		return false, "no sender address", nil
	case q.ParentID != 0:
		return false, "reply in an existing thread", nil
	case routing.Category(q.Category) == routing.Unsubscribe && q.Status != store.InquiryTriage:
		// An unauthenticated sender's unsubscribe is handed to a person
		// and gets no confirmation, so it is acknowledged like any mail.
		if ok, err := p.senderTrusted(ctx, q); err != nil || ok {
			return false, "the unsubscribe confirmation is the acknowledgement", err
		}
	}
	if p.opts.AckWindow < 0 {
		return true, "", nil
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
