package tasks

import (
	"fmt"
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

// MeetingReminderPayload names the meeting, the version (its iCalendar
// SEQUENCE) the reminder was planned for, and when it fires. A reminder of
// an older version, or of a cancelled meeting, does nothing.
type MeetingReminderPayload struct {
	MeetingID int64         `json:"meeting_id"`
	Sequence  int           `json:"sequence"`
	RemindAt  time.Time     `json:"remind_at"`
	Before    time.Duration `json:"before,omitempty"` // how long before the start
}

func (p MeetingReminderPayload) validate() error {
	if p.MeetingID <= 0 {
		return invalid(TypeMeetingReminder, "meeting_id is required")
	}
	return requireTime(TypeMeetingReminder, "remind_at", p.RemindAt)
}

// NewMeetingReminderTask builds the meeting:reminder task, scheduled for
// p.RemindAt, with TaskID "meeting:reminder:<meeting_id>:v<sequence>:<remind_at UTC>":
// one per meeting, version and offset.
func NewMeetingReminderTask(p MeetingReminderPayload) (*asynq.Task, error) {
	return newTask(TypeMeetingReminder, p, MeetingReminderTaskID(p), processAt(p.RemindAt))
}

// MeetingReminderTaskID is the TaskID of a reminder, so that a
// reschedule or cancellation can delete the older version's reminders.
func MeetingReminderTaskID(p MeetingReminderPayload) string {
	return taskID(TypeMeetingReminder, p.MeetingID, fmt.Sprintf("v%d", p.Sequence), timeBucket(p.RemindAt))
}

// ParseMeetingReminderPayload decodes a meeting:reminder payload.
func ParseMeetingReminderPayload(b []byte) (MeetingReminderPayload, error) {
	return parse[MeetingReminderPayload](TypeMeetingReminder, b)
}

// More meeting task types.
const (
	// TypeMeetingInvite sends a meeting's iTIP message for one version to
	// every attendee: METHOD:REQUEST while it stands, METHOD:CANCEL once
	// cancelled; a REQUEST also schedules that version's reminders.
	TypeMeetingInvite = "meeting:invite"
	// TypeMeetingReply acts on an attendee's calendar reply: a decline
	// tells the rep and offers the customer new times.
	TypeMeetingReply = "meeting:reply"
	// TypeMeetingOutcome asks the rep, after the meeting, how it went.
	TypeMeetingOutcome = "meeting:outcome"
)

// MeetingInvitePayload names a meeting and the version to send.
type MeetingInvitePayload struct {
	MeetingID int64 `json:"meeting_id"`
	Sequence  int   `json:"sequence"`
}

func (p MeetingInvitePayload) validate() error {
	return requireID(TypeMeetingInvite, "meeting_id", p.MeetingID)
}

// NewMeetingInviteTask builds meeting:invite, TaskID
// "meeting:invite:<meeting_id>:<sequence>".
func NewMeetingInviteTask(p MeetingInvitePayload) (*asynq.Task, error) {
	return newTask(TypeMeetingInvite, p, taskID(TypeMeetingInvite, p.MeetingID, p.Sequence))
}

// ParseMeetingInvitePayload decodes a meeting:invite payload.
func ParseMeetingInvitePayload(b []byte) (MeetingInvitePayload, error) {
	return parse[MeetingInvitePayload](TypeMeetingInvite, b)
}

// MeetingReplyPayload is one attendee's response to one version.
type MeetingReplyPayload struct {
	MeetingID int64  `json:"meeting_id"`
	Sequence  int    `json:"sequence"`
	Email     string `json:"email"`
	Partstat  string `json:"partstat"`
}

func (p MeetingReplyPayload) validate() error {
	if p.Email == "" || p.Partstat == "" {
		return invalid(TypeMeetingReply, "email and partstat are required")
	}
	return requireID(TypeMeetingReply, "meeting_id", p.MeetingID)
}

// NewMeetingReplyTask builds meeting:reply, TaskID
// "meeting:reply:<meeting_id>:<sequence>:<email>:<partstat>".
func NewMeetingReplyTask(p MeetingReplyPayload) (*asynq.Task, error) {
	return newTask(TypeMeetingReply, p, taskID(TypeMeetingReply, p.MeetingID, p.Sequence, p.Email, p.Partstat))
}

// ParseMeetingReplyPayload decodes a meeting:reply payload.
func ParseMeetingReplyPayload(b []byte) (MeetingReplyPayload, error) {
	return parse[MeetingReplyPayload](TypeMeetingReply, b)
}

// MeetingOutcomePayload names the meeting version whose outcome is asked.
type MeetingOutcomePayload struct {
	MeetingID int64     `json:"meeting_id"`
	Sequence  int       `json:"sequence"`
	At        time.Time `json:"at"`
}

func (p MeetingOutcomePayload) validate() error {
	if err := requireID(TypeMeetingOutcome, "meeting_id", p.MeetingID); err != nil {
		return err
	}
	return requireTime(TypeMeetingOutcome, "at", p.At)
}

// NewMeetingOutcomeTask builds meeting:outcome at p.At (the meeting's
// end), TaskID "meeting:outcome:<meeting_id>:<sequence>".
func NewMeetingOutcomeTask(p MeetingOutcomePayload) (*asynq.Task, error) {
	return newTask(TypeMeetingOutcome, p, taskID(TypeMeetingOutcome, p.MeetingID, p.Sequence), processAt(p.At))
}

// ParseMeetingOutcomePayload decodes a meeting:outcome payload.
func ParseMeetingOutcomePayload(b []byte) (MeetingOutcomePayload, error) {
	return parse[MeetingOutcomePayload](TypeMeetingOutcome, b)
}
