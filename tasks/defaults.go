package tasks

import (
	"time"

	"github.com/hibiken/asynq"
)

// taskDefaults are the options every task of one type is built with.
type taskDefaults struct {
	queue   string
	retry   int
	timeout time.Duration
	retain  time.Duration
}

// defaultsFor is the one table of each task type's queue, MaxRetry,
// Timeout and Retention; ok is false for a type not in it.
func defaultsFor(typ string) (d taskDefaults, ok bool) {
	switch typ {
	case TypeInboundEmail:
		return taskDefaults{QueueDefault, 10, 2 * time.Minute, retainEntity}, true
	case TypeMailSend:
		return taskDefaults{QueueDefault, 20, 2 * time.Minute, retainEntity}, true
	case TypeOrderStatusReply, TypeOrderRequest, TypeLeadAssign, TypeLeadSLACheck, TypeMeetingRequest,
		TypeInquiryHandoff, TypeInquiryTriage, TypeInquiryAck, TypeCustomerUnsubscribe:
		return taskDefaults{QueueDefault, 10, time.Minute, retainEntity}, true
	case TypeMeetingInvite, TypeMeetingReply:
		return taskDefaults{QueueDefault, 10, time.Minute, retainEntity}, true
	case TypeMeetingReminder, TypeMeetingOutcome:
		return taskDefaults{QueueDefault, 5, time.Minute, retainEntity}, true
	case TypeLeadsSLAScan, TypeLeadsDailyScan, TypeOrdersFollowupScan, TypeAnomalyScan:
		return taskDefaults{QueueDefault, 3, 5 * time.Minute, retainScan}, true
	case TypeLeadsDailyDigest, TypeReportDaily:
		return taskDefaults{QueueLow, 5, 10 * time.Minute, retainDaily}, true
	case TypeReportWeekly:
		return taskDefaults{QueueLow, 5, 10 * time.Minute, retainWeekly}, true
	case TypeRoutingRetrain:
		return taskDefaults{QueueLow, 5, 5 * time.Minute, retainEntity}, true
	case TypePing:
		return taskDefaults{QueueDefault, 1, 10 * time.Second, time.Hour}, true
	}
	return taskDefaults{}, false
}

// options returns d as asynq options, with the task's TaskID.
func (d taskDefaults) options(id string) []asynq.Option {
	return []asynq.Option{
		asynq.Queue(d.queue),
		asynq.MaxRetry(d.retry),
		asynq.Timeout(d.timeout),
		asynq.TaskID(id),
		asynq.Retention(d.retain),
	}
}
