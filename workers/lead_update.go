package workers

import (
	"context"
	"fmt"

	"salesdesk/internal/mailer"
	"salesdesk/internal/store"
)

// LeadUpdateKey is the idempotency key of the update a lead's owner gets
// when another lead (a new quote or meeting request) merged into it.
func LeadUpdateKey(mergedLeadID int64) string { return fmt.Sprintf("lead_update:%d", mergedLeadID) }

// mergedTarget is the open lead l was merged into, or nil.
func (h leadDesk) mergedTarget(ctx context.Context, l *store.Lead) (*store.Lead, error) {
	id, err := h.st.MergedInto(ctx, l.ID)
	if err != nil || id == 0 {
		return nil, err
	}
	return h.st.Lead(ctx, id)
}

// mergedUpdate tells the owner of the lead that l merged into about the
// new request, as a reply in the thread of the mail that gave them that
// lead, with the customer's words and Reply-To the customer. A target
// without a rep yet gets no mail: its rep will see the merge in the
// lead's history when it is assigned.
func (h *LeadAssignHandler) mergedUpdate(ctx context.Context, l *store.Lead) error {
	target, err := h.mergedTarget(ctx, l)
	if err != nil || target == nil {
		return err
	}
	if target.RepID == 0 {
		h.Logger.InfoContext(ctx, "merged lead's target has no rep yet", "lead_id", l.ID, "into_lead_id", target.ID)
		return nil
	}
	rep, err := h.st.Rep(ctx, target.RepID)
	if err != nil {
		return missingIsPermanent(err)
	}
	lm, err := h.loadLead(ctx, l, nil)
	if err != nil {
		return err
	}
	tm, err := h.loadLead(ctx, target, nil)
	if err != nil {
		return err
	}
	data := mailer.LeadUpdateData{
		RepName: rep.Name, Lead: target.Ref(), Reference: tm.reference, LeadSubject: tm.subject(), CustomerName: lm.customerName(),
		CustomerEmail: l.ContactEmail, Subject: lm.subject(), Body: l.Summary, ReceivedAt: l.CreatedAt,
	}
	if lm.cm != nil {
		data.Body, data.ReceivedAt, data.NewReference = lm.cm.body(), lm.cm.receivedAt(), lm.cm.inquiry.Reference
	}
	_, _, _, data.LeadURL = h.links(target.ID, rep.ID)
	o := &store.OutboundEmail{IdempotencyKey: LeadUpdateKey(l.ID), Kind: "lead_update", InquiryID: target.InquiryID,
		To: []string{rep.Email}, ReplyTo: l.ContactEmail}
	// In the thread of the mail that gave the rep the lead.
	if target.InquiryID != 0 {
		prev, err := h.st.ListOutbound(ctx, store.OutboundFilter{InquiryID: target.InquiryID, To: rep.Email, Limit: 1})
		if err != nil {
			return err
		}
		if len(prev) > 0 {
			o.InReplyTo = prev[0].MessageID
			o.References = append(append([]string{}, prev[0].References...), prev[0].MessageID)
		}
	}
	if err := h.queue(ctx, "lead_update", data, o); err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "merged request sent to the lead's rep", "lead_id", l.ID, "into_lead_id", target.ID, "rep_id", rep.ID)
	return nil
}
