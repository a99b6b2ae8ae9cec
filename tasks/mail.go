package tasks

import (
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// TypeMailSend sends one outbound_emails row over SMTP, unless it was
// already sent.
const TypeMailSend = "mail:send"

// MailSendPayload names the outbound row. The row, not the payload, holds
// the message: every outbound mail is a row before it is a task.
type MailSendPayload struct {
	OutboundID int64 `json:"outbound_id"`
}

func (p MailSendPayload) validate() error {
	if p.OutboundID <= 0 {
		return invalid(TypeMailSend, "outbound_id is required")
	}
	return nil
}

// NewMailSendTask builds the mail:send task with TaskID
// "mail:send:<outbound_id>". Twenty retries with the worker's capped
// backoff ride out an SMTP outage of several hours.
func NewMailSendTask(p MailSendPayload) (*asynq.Task, error) {
	return newTask(TypeMailSend, p,
		asynq.Queue(QueueDefault),
		asynq.MaxRetry(20),
		asynq.Timeout(2*time.Minute),
		asynq.TaskID(fmt.Sprintf("%s:%d", TypeMailSend, p.OutboundID)),
		asynq.Retention(retainEntity),
	)
}

// ParseMailSendPayload decodes a mail:send payload.
func ParseMailSendPayload(b []byte) (MailSendPayload, error) {
	return parse[MailSendPayload](TypeMailSend, b)
}
