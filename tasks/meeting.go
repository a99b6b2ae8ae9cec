package tasks

import (
	"time"

	"github.com/hibiken/asynq"
)

// Meeting task types.
const (
	// TypeMeetingRequest proposes a meeting for a meeting_request inquiry
	// to the rep, who confirms it; invites and reminders follow.
	TypeMeetingRequest = "meeting:request"
	// TypeMeetingReminder reminds the attendees of a confirmed meeting.
	TypeMeetingReminder = "meeting:reminder"
)

// MeetingRequestPayload names the inquiry asking for a meeting and, when
// one was created for it, the lead.
type MeetingRequestPayload struct {
	InquiryID int64 `json:"inquiry_id"`
	LeadID    int64 `json:"lead_id,omitempty"`
}

func (p MeetingRequestPayload) validate() error {
	return requireID(TypeMeetingRequest, "inquiry_id", p.InquiryID)
}

// NewMeetingRequestTask builds the meeting:request task, one per inquiry.
func NewMeetingRequestTask(p MeetingRequestPayload) (*asynq.Task, error) {
	return newTask(TypeMeetingRequest, p, taskID(TypeMeetingRequest, p.InquiryID))
}

// ParseMeetingRequestPayload decodes a meeting:request payload.
func ParseMeetingRequestPayload(b []byte) (MeetingRequestPayload, error) {
	return parse[MeetingRequestPayload](TypeMeetingRequest, b)
}

// MeetingReminderPayload names the meeting and the instant the reminder is
// for. When the meeting moves, new reminders get new instants (and TaskIDs);
// a reminder whose instant no longer matches the meeting's plan is stale
// and does nothing.
type MeetingReminderPayload struct {
	MeetingID int64     `json:"meeting_id"`
	RemindAt  time.Time `json:"remind_at"`
}

func (p MeetingReminderPayload) validate() error {
	if p.MeetingID <= 0 {
		return invalid(TypeMeetingReminder, "meeting_id is required")
	}
	return requireTime(TypeMeetingReminder, "remind_at", p.RemindAt)
}

// NewMeetingReminderTask builds the meeting:reminder task, scheduled for
// p.RemindAt, with TaskID "meeting:reminder:<meeting_id>:<remind_at UTC>".
func NewMeetingReminderTask(p MeetingReminderPayload) (*asynq.Task, error) {
	return newTask(TypeMeetingReminder, p, taskID(TypeMeetingReminder, p.MeetingID, timeBucket(p.RemindAt)), asynq.ProcessAt(p.RemindAt))
}

// ParseMeetingReminderPayload decodes a meeting:reminder payload.
func ParseMeetingReminderPayload(b []byte) (MeetingReminderPayload, error) {
	return parse[MeetingReminderPayload](TypeMeetingReminder, b)
}
