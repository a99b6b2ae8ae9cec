package tasks

import (
	"github.com/hibiken/asynq"
)

// Inquiry task types.
const (
	// TypeInquiryHandoff hands a support, billing, account or complaint
	// inquiry to the customer's owner rep (or the team address).
	TypeInquiryHandoff = "inquiry:handoff"
	// TypeInquiryTriage sends a low-confidence (or oversize) inquiry to the
	// triage address for a human to categorise.
	TypeInquiryTriage = "inquiry:triage"
	// TypeInquiryAck acknowledges a human customer mail with its reference
	// token.
	TypeInquiryAck = "inquiry:ack"
)

// Triage reasons.
const (
	TriageLowConfidence = "low_confidence"
	TriageOversize      = "oversize"
)

// InquiryHandoffPayload names the inquiry to hand off.
type InquiryHandoffPayload struct {
	InquiryID int64 `json:"inquiry_id"`
	// UnverifiedChange is set when the mail asks for a change to an
	// account (unsubscribe, order change, meeting) but its sender is not
	// authenticated: the person it goes to checks with the account first.
	UnverifiedChange string `json:"unverified_change,omitempty"`
}

func (p InquiryHandoffPayload) validate() error {
	return requireID(TypeInquiryHandoff, "inquiry_id", p.InquiryID)
}

// NewInquiryHandoffTask builds the inquiry:handoff task, one per inquiry.
func NewInquiryHandoffTask(p InquiryHandoffPayload) (*asynq.Task, error) {
	return newTask(TypeInquiryHandoff, p, taskID(TypeInquiryHandoff, p.InquiryID))
}

// ParseInquiryHandoffPayload decodes an inquiry:handoff payload.
func ParseInquiryHandoffPayload(b []byte) (InquiryHandoffPayload, error) {
	return parse[InquiryHandoffPayload](TypeInquiryHandoff, b)
}

// InquiryTriagePayload names the inquiry a human must categorise and why.
type InquiryTriagePayload struct {
	InquiryID int64  `json:"inquiry_id"`
	Reason    string `json:"reason,omitempty"`
}

func (p InquiryTriagePayload) validate() error {
	return requireID(TypeInquiryTriage, "inquiry_id", p.InquiryID)
}

// NewInquiryTriageTask builds the inquiry:triage task, one per inquiry.
func NewInquiryTriageTask(p InquiryTriagePayload) (*asynq.Task, error) {
	return newTask(TypeInquiryTriage, p, taskID(TypeInquiryTriage, p.InquiryID))
}

// ParseInquiryTriagePayload decodes an inquiry:triage payload.
func ParseInquiryTriagePayload(b []byte) (InquiryTriagePayload, error) {
	return parse[InquiryTriagePayload](TypeInquiryTriage, b)
}

// InquiryAckPayload names the inquiry to acknowledge.
type InquiryAckPayload struct {
	InquiryID int64 `json:"inquiry_id"`
	// UnverifiedSender is set when the sender is not authenticated: the
	// acknowledgement then echoes nothing of the mail (no subject) and
	// promises no account change.
	UnverifiedSender bool `json:"unverified_sender,omitempty"`
}

func (p InquiryAckPayload) validate() error {
	return requireID(TypeInquiryAck, "inquiry_id", p.InquiryID)
}

// NewInquiryAckTask builds the inquiry:ack task, one per inquiry.
func NewInquiryAckTask(p InquiryAckPayload) (*asynq.Task, error) {
	return newTask(TypeInquiryAck, p, taskID(TypeInquiryAck, p.InquiryID))
}

// ParseInquiryAckPayload decodes an inquiry:ack payload.
func ParseInquiryAckPayload(b []byte) (InquiryAckPayload, error) {
	return parse[InquiryAckPayload](TypeInquiryAck, b)
}
