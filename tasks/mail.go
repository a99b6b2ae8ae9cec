package tasks

import (
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
	return requireID(TypeMailSend, "outbound_id", p.OutboundID)
}

// NewMailSendTask builds the mail:send task with TaskID
// "mail:send:<outbound_id>". Twenty retries with the worker's capped
// backoff ride out an SMTP outage of several hours.
func NewMailSendTask(p MailSendPayload) (*asynq.Task, error) {
	return newTask(TypeMailSend, p, taskID(TypeMailSend, p.OutboundID))
}

// ParseMailSendPayload decodes a mail:send payload.
func ParseMailSendPayload(b []byte) (MailSendPayload, error) {
	return parse[MailSendPayload](TypeMailSend, b)
}
