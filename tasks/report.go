package tasks

import (
	"fmt"
	"time"

	"github.com/hibiken/asynq"
)

// Report task types.
const (
	// TypeReportDaily compiles and mails the daily KPI report.
	TypeReportDaily = "report:daily"
	// TypeReportWeekly compiles and mails the weekly KPI report.
	TypeReportWeekly = "report:weekly"
)

// ReportDailyPayload names the day (YYYY-MM-DD in Timezone) the schedule
// fired on; the report decides which period that day's report covers.
type ReportDailyPayload struct {
	Day         string    `json:"day"`
	Timezone    string    `json:"timezone"`
	ScheduledAt time.Time `json:"scheduled_at"`
}

func (p ReportDailyPayload) validate() error {
	return validateDaily(TypeReportDaily, p.Day, p.Timezone, p.ScheduledAt)
}

// NewReportDailyTask builds the report:daily task with TaskID
// "report:daily:<day>".
func NewReportDailyTask(p ReportDailyPayload) (*asynq.Task, error) {
	return newTask(TypeReportDaily, p, taskID(TypeReportDaily, p.Day))
}

// ParseReportDailyPayload decodes a report:daily payload.
func ParseReportDailyPayload(b []byte) (ReportDailyPayload, error) {
	return parse[ReportDailyPayload](TypeReportDaily, b)
}

// ReportWeeklyPayload names the ISO week ("2026-W48", in Timezone) the
// schedule fired in.
type ReportWeeklyPayload struct {
	Week        string    `json:"week"`
	Timezone    string    `json:"timezone"`
	ScheduledAt time.Time `json:"scheduled_at"`
}

func (p ReportWeeklyPayload) validate() error {
	var y, w int
	if n, err := fmt.Sscanf(p.Week, "%4d-W%2d", &y, &w); err != nil || n != 2 || w < 1 || w > 53 || len(p.Week) != 8 {
		return invalid(TypeReportWeekly, "week %q is not YYYY-Www", p.Week)
	}
	if p.Timezone == "" {
		return invalid(TypeReportWeekly, "timezone is required")
	}
	return requireTime(TypeReportWeekly, "scheduled_at", p.ScheduledAt)
}

// ISOWeek formats t's ISO week as used in ReportWeeklyPayload.Week.
func ISOWeek(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// NewReportWeeklyTask builds the report:weekly task with TaskID
// "report:weekly:<week>".
func NewReportWeeklyTask(p ReportWeeklyPayload) (*asynq.Task, error) {
	return newTask(TypeReportWeekly, p, taskID(TypeReportWeekly, p.Week))
}

// ParseReportWeeklyPayload decodes a report:weekly payload.
func ParseReportWeeklyPayload(b []byte) (ReportWeeklyPayload, error) {
	return parse[ReportWeeklyPayload](TypeReportWeekly, b)
}
