package tasks

import (
	"fmt"

	"github.com/hibiken/asynq"
)

// TypeInboundEmail is one stored customer email waiting to be parsed,
// threaded and routed.
const TypeInboundEmail = "inbound:email"

// InboundEmailPayload points at a raw message the poller stored. The key
// (mailbox, uid_validity, uid) is the one the store is unique on.
type InboundEmailPayload struct {
	MessageID   int64  `json:"message_id"` // inbound_messages.id
	Mailbox     string `json:"mailbox"`
	UIDValidity uint32 `json:"uid_validity"`
	UID         uint32 `json:"uid"`
}

// InboundEmailTaskID is the deterministic TaskID for a stored message, so a
// poller that repeats an enqueue after a crash gets ErrTaskIDConflict.
func InboundEmailTaskID(mailbox string, uidValidity, uid uint32) string {
	return fmt.Sprintf("inbound:%s:%d:%d", mailbox, uidValidity, uid)
}

// NewInboundEmailTask builds the inbound:email task for a stored message.
func NewInboundEmailTask(p InboundEmailPayload) (*asynq.Task, error) {
	return newTask(TypeInboundEmail, p, InboundEmailTaskID(p.Mailbox, p.UIDValidity, p.UID))
}

// ParseInboundEmailPayload decodes an inbound:email payload; a payload that
// does not decode or lacks message_id, mailbox or uid is a permanent error.
func ParseInboundEmailPayload(b []byte) (InboundEmailPayload, error) {
	return parse[InboundEmailPayload](TypeInboundEmail, b)
}

func (p InboundEmailPayload) validate() error {
	if p.MessageID <= 0 || p.Mailbox == "" || p.UID == 0 {
		return invalid(TypeInboundEmail, "message_id, mailbox and uid are required")
	}
	return nil
}
