package tasks

import (
	"fmt"
	"slices"
	"time"

	"github.com/hibiken/asynq"
)

// PeriodicTypes lists the task types a scheduler may fire, sorted.
func PeriodicTypes() []string {
	ts := []string{
		TypeLeadsDailyScan,
		TypeLeadsSLAScan,
		TypeOrdersFollowupScan,
		TypeReportDaily,
		TypeReportWeekly,
		TypeAnomalyScan,
	}
	slices.Sort(ts)
	return ts
}

// IsPeriodic reports whether typ is one of PeriodicTypes.
func IsPeriodic(typ string) bool {
	return slices.Contains(PeriodicTypes(), typ)
}

// NewPeriodicTask builds the periodic task of type typ for the schedule
// fire time at, whose location is the schedule's timezone. The TaskID
// carries a time bucket derived from at alone (the local day, the ISO week
// or the UTC instant, by type), so every scheduler that fires the same
// schedule at the same instant builds the same TaskID.
func NewPeriodicTask(typ string, at time.Time) (*asynq.Task, error) {
	tz := at.Location().String()
	day := at.Format(time.DateOnly)
	switch typ {
	case TypeLeadsDailyScan:
		return NewLeadsDailyScanTask(LeadsDailyScanPayload{ScheduledAt: at})
	case TypeLeadsSLAScan:
		return NewLeadsSLAScanTask(LeadsSLAScanPayload{ScheduledAt: at})
	case TypeOrdersFollowupScan:
		return NewOrdersFollowupScanTask(OrdersFollowupScanPayload{ScheduledAt: at})
	case TypeReportDaily:
		return NewReportDailyTask(ReportDailyPayload{Day: day, Timezone: tz, ScheduledAt: at})
	case TypeReportWeekly:
		return NewReportWeeklyTask(ReportWeeklyPayload{Week: ISOWeek(at), Timezone: tz, ScheduledAt: at})
	case TypeAnomalyScan:
		return NewAnomalyScanTask(AnomalyScanPayload{ScheduledAt: at})
	default:
		return nil, fmt.Errorf("%q is not a periodic task type (want one of %v)", typ, PeriodicTypes())
	}
}
