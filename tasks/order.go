package tasks

import (
	"time"

	"github.com/hibiken/asynq"
)

// Order task types.
const (
	// TypeOrderStatusReply answers an order_status inquiry with the order's
	// status, or a neutral reply when the sender is not on the account.
	TypeOrderStatusReply = "order:status_reply"
	// TypeOrderRequest records an order_change or rush request on the
	// order, notifies the owner and operations and confirms to the customer.
	TypeOrderRequest = "order:request"
	// TypeOrdersFollowupScan is the periodic scan for late and long-pending
	// orders whose customers should hear from us.
	TypeOrdersFollowupScan = "orders:followup_scan"
)

// OrderStatusReplyPayload names the inquiry to answer. OrderNumber is the
// number found in the mail, if any; without it the handler looks at the
// sender's most recent open orders.
type OrderStatusReplyPayload struct {
	InquiryID   int64  `json:"inquiry_id"`
	OrderNumber string `json:"order_number,omitempty"`
	// OrderNumbers are every order number the mail names (OrderNumber is
	// the first); Codes are other code-like tokens, orders only when a
	// real order has that number.
	OrderNumbers []string `json:"order_numbers,omitempty"`
	Codes        []string `json:"codes,omitempty"`
}

func (p OrderStatusReplyPayload) validate() error {
	return requireID(TypeOrderStatusReply, "inquiry_id", p.InquiryID)
}

// NewOrderStatusReplyTask builds the order:status_reply task, one per
// inquiry.
func NewOrderStatusReplyTask(p OrderStatusReplyPayload) (*asynq.Task, error) {
	return newTask(TypeOrderStatusReply, p, taskID(TypeOrderStatusReply, p.InquiryID))
}

// ParseOrderStatusReplyPayload decodes an order:status_reply payload.
func ParseOrderStatusReplyPayload(b []byte) (OrderStatusReplyPayload, error) {
	return parse[OrderStatusReplyPayload](TypeOrderStatusReply, b)
}

// OrderRequestPayload names the inquiry that asks for a change to an order.
// Rush requests go to the critical queue.
type OrderRequestPayload struct {
	InquiryID   int64  `json:"inquiry_id"`
	OrderNumber string `json:"order_number,omitempty"`
	Rush        bool   `json:"rush,omitempty"`
	// Codes are the mail's code-like tokens that no order-number
	// pattern claimed: an order only when a real order has that number.
	Codes []string `json:"codes,omitempty"`
}

func (p OrderRequestPayload) validate() error {
	return requireID(TypeOrderRequest, "inquiry_id", p.InquiryID)
}

// NewOrderRequestTask builds the order:request task, one per inquiry, on
// the critical queue when p.Rush is set. Rush must be decided from the
// inquiry alone: asynq checks TaskIDs per queue, so the same inquiry
// enqueued once as rush and once not would not collapse.
func NewOrderRequestTask(p OrderRequestPayload) (*asynq.Task, error) {
	q := QueueDefault
	if p.Rush {
		q = QueueCritical
	}
	return newTask(TypeOrderRequest, p, taskID(TypeOrderRequest, p.InquiryID), asynq.Queue(q))
}

// ParseOrderRequestPayload decodes an order:request payload.
func ParseOrderRequestPayload(b []byte) (OrderRequestPayload, error) {
	return parse[OrderRequestPayload](TypeOrderRequest, b)
}

// OrdersFollowupScanPayload carries the scheduled fire time of one scan.
type OrdersFollowupScanPayload struct {
	ScheduledAt time.Time `json:"scheduled_at"`
}

func (p OrdersFollowupScanPayload) validate() error {
	return requireTime(TypeOrdersFollowupScan, "scheduled_at", p.ScheduledAt)
}

// NewOrdersFollowupScanTask builds the orders:followup_scan task for one
// fire time; its TaskID carries that time, so schedulers that fire the same
// instant collapse to one task.
func NewOrdersFollowupScanTask(p OrdersFollowupScanPayload) (*asynq.Task, error) {
	return newTask(TypeOrdersFollowupScan, p, taskID(TypeOrdersFollowupScan, timeBucket(p.ScheduledAt)))
}

// ParseOrdersFollowupScanPayload decodes an orders:followup_scan payload.
func ParseOrdersFollowupScanPayload(b []byte) (OrdersFollowupScanPayload, error) {
	return parse[OrdersFollowupScanPayload](TypeOrdersFollowupScan, b)
}
