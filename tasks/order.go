package tasks

import (
	"fmt"
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
}

func (p OrderStatusReplyPayload) validate() error {
	if p.InquiryID <= 0 {
		return invalid(TypeOrderStatusReply, "inquiry_id is required")
	}
	return nil
}

// NewOrderStatusReplyTask builds the order:status_reply task, one per
// inquiry.
func NewOrderStatusReplyTask(p OrderStatusReplyPayload) (*asynq.Task, error) {
	return newTask(TypeOrderStatusReply, p,
		asynq.Queue(QueueDefault),
		asynq.MaxRetry(10),
		asynq.Timeout(time.Minute),
		asynq.TaskID(fmt.Sprintf("%s:%d", TypeOrderStatusReply, p.InquiryID)),
		asynq.Retention(retainEntity),
	)
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
}

func (p OrderRequestPayload) validate() error {
	if p.InquiryID <= 0 {
		return invalid(TypeOrderRequest, "inquiry_id is required")
	}
	return nil
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
	return newTask(TypeOrderRequest, p,
		asynq.Queue(q),
		asynq.MaxRetry(10),
		asynq.Timeout(time.Minute),
		asynq.TaskID(fmt.Sprintf("%s:%d", TypeOrderRequest, p.InquiryID)),
		asynq.Retention(retainEntity),
	)
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
	if p.ScheduledAt.IsZero() {
		return invalid(TypeOrdersFollowupScan, "scheduled_at is required")
	}
	return nil
}

// NewOrdersFollowupScanTask builds the orders:followup_scan task for one
// fire time; its TaskID carries that time, so schedulers that fire the same
// instant collapse to one task.
func NewOrdersFollowupScanTask(p OrdersFollowupScanPayload) (*asynq.Task, error) {
	return newTask(TypeOrdersFollowupScan, p,
		asynq.Queue(QueueDefault),
		asynq.MaxRetry(3),
		asynq.Timeout(5*time.Minute),
		asynq.TaskID(TypeOrdersFollowupScan+":"+timeBucket(p.ScheduledAt)),
		asynq.Retention(retainScan),
	)
}

// ParseOrdersFollowupScanPayload decodes an orders:followup_scan payload.
func ParseOrdersFollowupScanPayload(b []byte) (OrdersFollowupScanPayload, error) {
	return parse[OrdersFollowupScanPayload](TypeOrdersFollowupScan, b)
}
