package tasks

import (
	"time"

	"github.com/hibiken/asynq"
)

// Lead task types.
const (
	// TypeLeadAssign picks a rep for a lead and mails them the lead.
	TypeLeadAssign = "lead:assign"
	// TypeLeadSLACheck runs when a lead's SLA window ends: it reminds the
	// rep (stage 1) or reassigns the lead (stage 2) unless the rep has
	// marked it contacted.
	TypeLeadSLACheck = "lead:sla_check"
	// TypeLeadsDailyDigest compiles and mails one person's daily lead
	// list (a rep's) or the manager's daily summary, at that person's
	// local hour; leads:daily_scan enqueues it.
	TypeLeadsDailyDigest = "leads:daily_digest"
	// TypeLeadsDailyScan is the periodic look, every few minutes, for the
	// reps and the manager whose local hour for the daily list has come.
	TypeLeadsDailyScan = "leads:daily_scan"
	// TypeLeadsSLAScan is the periodic sweep for leads whose SLA check was
	// lost or whose rep became unavailable, and for the unassigned pool.
	TypeLeadsSLAScan = "leads:sla_scan"
)

// LeadAssignPayload names the lead and which assignment this is: 1 for the
// first, then one more for each reassignment (SLA breach, "not mine", a rep
// leaving). Reason says why, for the lead's history.
type LeadAssignPayload struct {
	LeadID  int64  `json:"lead_id"`
	Attempt int    `json:"attempt"`
	Reason  string `json:"reason,omitempty"`
}

func (p LeadAssignPayload) validate() error {
	if p.LeadID <= 0 {
		return invalid(TypeLeadAssign, "lead_id is required")
	}
	if p.Attempt < 1 {
		return invalid(TypeLeadAssign, "attempt must be >= 1")
	}
	return nil
}

// NewLeadAssignTask builds the lead:assign task; its TaskID is
// "lead:assign:<lead_id>:<attempt>", so each assignment round happens once.
func NewLeadAssignTask(p LeadAssignPayload) (*asynq.Task, error) {
	return newTask(TypeLeadAssign, p, taskID(TypeLeadAssign, p.LeadID, p.Attempt))
}

// ParseLeadAssignPayload decodes a lead:assign payload.
func ParseLeadAssignPayload(b []byte) (LeadAssignPayload, error) {
	return parse[LeadAssignPayload](TypeLeadAssign, b)
}

// SLA check stages.
const (
	SLAStageRemind   = 1 // remind the rep
	SLAStageReassign = 2 // reassign and tell the manager
)

// LeadSLACheckPayload names the lead, the assignment attempt being watched,
// the stage and when it is due. A check whose attempt is no longer the
// lead's current one is stale and does nothing.
type LeadSLACheckPayload struct {
	LeadID  int64     `json:"lead_id"`
	Attempt int       `json:"attempt"`
	Stage   int       `json:"stage"`
	DueAt   time.Time `json:"due_at"`
}

func (p LeadSLACheckPayload) validate() error {
	switch {
	case p.LeadID <= 0:
		return invalid(TypeLeadSLACheck, "lead_id is required")
	case p.Attempt < 1:
		return invalid(TypeLeadSLACheck, "attempt must be >= 1")
	case p.Stage != SLAStageRemind && p.Stage != SLAStageReassign:
		return invalid(TypeLeadSLACheck, "stage must be %d or %d", SLAStageRemind, SLAStageReassign)
	case p.DueAt.IsZero():
		return invalid(TypeLeadSLACheck, "due_at is required")
	}
	return nil
}

// NewLeadSLACheckTask builds the lead:sla_check task, scheduled for
// p.DueAt, with TaskID "lead:sla_check:<lead_id>:<attempt>:<stage>".
func NewLeadSLACheckTask(p LeadSLACheckPayload) (*asynq.Task, error) {
	return newTask(TypeLeadSLACheck, p, taskID(TypeLeadSLACheck, p.LeadID, p.Attempt, p.Stage), processAt(p.DueAt))
}

// ParseLeadSLACheckPayload decodes a lead:sla_check payload.
func ParseLeadSLACheckPayload(b []byte) (LeadSLACheckPayload, error) {
	return parse[LeadSLACheckPayload](TypeLeadSLACheck, b)
}

// LeadsDailyDigestPayload names the day (YYYY-MM-DD in Timezone) whose lead
// list to compile, when it was due, and who it is for: the rep RepID, or
// the manager when Manager is set. With neither, the task mails every
// active rep and the manager at once (a manual run for the whole team).
type LeadsDailyDigestPayload struct {
	Day         string    `json:"day"`
	Timezone    string    `json:"timezone"`
	ScheduledAt time.Time `json:"scheduled_at"`
	RepID       int64     `json:"rep_id,omitempty"`
	Manager     bool      `json:"manager,omitempty"`
}

func (p LeadsDailyDigestPayload) validate() error {
	if p.RepID < 0 || (p.RepID > 0 && p.Manager) {
		return invalid(TypeLeadsDailyDigest, "name a rep_id or the manager, not both")
	}
	return validateDaily(TypeLeadsDailyDigest, p.Day, p.Timezone, p.ScheduledAt)
}

// NewLeadsDailyDigestTask builds the leads:daily_digest task with TaskID
// "leads:daily_digest:<day>:rep:<id>", "leads:daily_digest:<day>:manager"
// or, for the whole team, "leads:daily_digest:<day>": one list per person
// and local date, however many scans see it due.
func NewLeadsDailyDigestTask(p LeadsDailyDigestPayload) (*asynq.Task, error) {
	switch {
	case p.RepID > 0:
		return newTask(TypeLeadsDailyDigest, p, taskID(TypeLeadsDailyDigest, p.Day, "rep", p.RepID))
	case p.Manager:
		return newTask(TypeLeadsDailyDigest, p, taskID(TypeLeadsDailyDigest, p.Day, "manager"))
	}
	return newTask(TypeLeadsDailyDigest, p, taskID(TypeLeadsDailyDigest, p.Day))
}

// ParseLeadsDailyDigestPayload decodes a leads:daily_digest payload.
func ParseLeadsDailyDigestPayload(b []byte) (LeadsDailyDigestPayload, error) {
	return parse[LeadsDailyDigestPayload](TypeLeadsDailyDigest, b)
}

// LeadsDailyScanPayload carries the scheduled fire time of one scan for
// daily lists that are due.
type LeadsDailyScanPayload struct {
	ScheduledAt time.Time `json:"scheduled_at"`
}

func (p LeadsDailyScanPayload) validate() error {
	return requireTime(TypeLeadsDailyScan, "scheduled_at", p.ScheduledAt)
}

// NewLeadsDailyScanTask builds the leads:daily_scan task for one fire time.
func NewLeadsDailyScanTask(p LeadsDailyScanPayload) (*asynq.Task, error) {
	return newTask(TypeLeadsDailyScan, p, taskID(TypeLeadsDailyScan, timeBucket(p.ScheduledAt)))
}

// ParseLeadsDailyScanPayload decodes a leads:daily_scan payload.
func ParseLeadsDailyScanPayload(b []byte) (LeadsDailyScanPayload, error) {
	return parse[LeadsDailyScanPayload](TypeLeadsDailyScan, b)
}

// LeadsSLAScanPayload carries the scheduled fire time of one scan.
type LeadsSLAScanPayload struct {
	ScheduledAt time.Time `json:"scheduled_at"`
}

func (p LeadsSLAScanPayload) validate() error {
	return requireTime(TypeLeadsSLAScan, "scheduled_at", p.ScheduledAt)
}

// NewLeadsSLAScanTask builds the leads:sla_scan task for one fire time.
func NewLeadsSLAScanTask(p LeadsSLAScanPayload) (*asynq.Task, error) {
	return newTask(TypeLeadsSLAScan, p, taskID(TypeLeadsSLAScan, timeBucket(p.ScheduledAt)))
}

// ParseLeadsSLAScanPayload decodes a leads:sla_scan payload.
func ParseLeadsSLAScanPayload(b []byte) (LeadsSLAScanPayload, error) {
	return parse[LeadsSLAScanPayload](TypeLeadsSLAScan, b)
}

// validateDaily checks the fields shared by the once-a-day payloads.
func validateDaily(typ, day, tz string, at time.Time) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return invalid(typ, "day %q is not YYYY-MM-DD", day)
	}
	if tz == "" {
		return invalid(typ, "timezone is required")
	}
	if at.IsZero() {
		return invalid(typ, "scheduled_at is required")
	}
	return nil
}
