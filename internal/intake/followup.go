package intake

import (
	"context"
	"strings"

	"github.com/hibiken/asynq"

	"salesdesk/internal/entity"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// FollowupInput is what a follow-on builder knows about a routed inquiry.
type FollowupInput struct {
	Inquiry  *store.Inquiry
	Entities entity.Set
	Sender   string // the sender's address, lower-case; may be ""
}

// Followup builds the follow-on task of a routed inquiry. It must be
// idempotent: the task needs a deterministic TaskID and anything it
// stores (a lead) must be unique per inquiry.
type Followup func(ctx context.Context, in FollowupInput) (*asynq.Task, error)

// Followups maps a category to its follow-on. A category without an entry
// is handed off to the owner rep or team (inquiry:handoff).
type Followups map[routing.Category]Followup

func (f Followups) build(ctx context.Context, in FollowupInput) (*asynq.Task, string, error) {
	build := f[routing.Category(in.Inquiry.Category)]
	if build == nil {
		build = Handoff
	}
	t, err := build(ctx, in)
	if err != nil {
		return nil, "", err
	}
	return t, t.Type(), nil
}

// secondary builds the follow-on of a further request of the inquiry: the
// follow-on of category c, built as for an inquiry of that category.
// Follow-on tasks are unique per type and inquiry, so each request runs
// once, and a second hand-off of an inquiry that is handed off anyway is
// the same task.
func (f Followups) secondary(ctx context.Context, q *store.Inquiry, c string, in FollowupInput) (*asynq.Task, string, error) {
	as := *q
	as.Category = c
	in.Inquiry = &as
	return f.build(ctx, in)
}

// Handoff hands the inquiry to the customer's owner rep, or the team
// address (inquiry:handoff).
func Handoff(_ context.Context, in FollowupInput) (*asynq.Task, error) {
	return tasks.NewInquiryHandoffTask(tasks.InquiryHandoffPayload{InquiryID: in.Inquiry.ID})
}

// Unsubscribe opts the sender out (customer:unsubscribe); without a sender
// address it hands off.
func Unsubscribe(ctx context.Context, in FollowupInput) (*asynq.Task, error) {
	if in.Sender == "" {
		return Handoff(ctx, in)
	}
	return tasks.NewCustomerUnsubscribeTask(tasks.CustomerUnsubscribePayload{Email: in.Sender, InquiryID: in.Inquiry.ID})
}

// OrderStatusReply answers with the status of every order the mail
// names, or of the sender's recent orders (order:status_reply).
func OrderStatusReply(_ context.Context, in FollowupInput) (*asynq.Task, error) {
	return tasks.NewOrderStatusReplyTask(tasks.OrderStatusReplyPayload{InquiryID: in.Inquiry.ID, OrderNumber: firstOrder(in.Entities),
		OrderNumbers: in.Entities.OrderNumbers, Codes: in.Entities.Codes})
}

// OrderRequest records a change to an order (order:request), on the
// critical queue when the mail asks for a rush.
func OrderRequest(_ context.Context, in FollowupInput) (*asynq.Task, error) {
	return tasks.NewOrderRequestTask(tasks.OrderRequestPayload{
		InquiryID: in.Inquiry.ID, OrderNumber: firstOrder(in.Entities), Rush: in.Entities.Rush, Codes: in.Entities.Codes,
	})
}

// MeetingRequest proposes a meeting to the rep (meeting:request).
func MeetingRequest(_ context.Context, in FollowupInput) (*asynq.Task, error) {
	return tasks.NewMeetingRequestTask(tasks.MeetingRequestPayload{InquiryID: in.Inquiry.ID})
}

// LeadStore creates leads; *store.Store implements it.
type LeadStore interface {
	CreateLead(ctx context.Context, l *store.Lead) (int64, bool, error)
}

// LeadAssign makes a lead of the inquiry (one per inquiry) and starts its
// first assignment (lead:assign, attempt 1).
func LeadAssign(leads LeadStore) Followup {
	return func(ctx context.Context, in FollowupInput) (*asynq.Task, error) {
		q := in.Inquiry
		l := &store.Lead{
			InquiryID:    q.ID,
			CustomerID:   q.CustomerID,
			ContactEmail: q.ContactEmail,
			ContactName:  in.Entities.Signature.Name,
			Company:      in.Entities.Signature.Company,
			Domain:       domainOf(q.ContactEmail),
			Source:       "email",
			Summary:      summary(q),
		}
		if _, _, err := leads.CreateLead(ctx, l); err != nil {
			return nil, err
		}
		return tasks.NewLeadAssignTask(tasks.LeadAssignPayload{LeadID: l.ID, Attempt: 1, Reason: "new inquiry " + q.Reference})
	}
}

func firstOrder(e entity.Set) string {
	if len(e.OrderNumbers) > 0 {
		return e.OrderNumbers[0]
	}
	return ""
}

// DefaultFollowups returns the data flow's table: order_status,
// order_change, quote_request and meeting_request go to their own tasks
// when registered(taskType) says a handler for it runs; otherwise, and for
// every other category, the inquiry is handed off. leads may be nil when
// lead:assign is not registered.
func DefaultFollowups(leads LeadStore, registered func(taskType string) bool) Followups {
	f := Followups{}
	if registered(tasks.TypeOrderStatusReply) {
		f[routing.OrderStatus] = OrderStatusReply
	}
	if registered(tasks.TypeOrderRequest) {
		f[routing.OrderChange] = OrderRequest
	}
	if leads != nil && registered(tasks.TypeLeadAssign) {
		f[routing.QuoteRequest] = LeadAssign(leads)
	}
	if registered(tasks.TypeMeetingRequest) {
		f[routing.MeetingRequest] = MeetingRequest
	}
	return f
}

// summary is a one-line description of an inquiry for a lead.
func summary(q *store.Inquiry) string {
	return strings.TrimSpace(q.Subject)
}
