package tasks

import (
	"fmt"

	"github.com/hibiken/asynq"
)

// rebuilders rebuild each per-entity task type from its stored payload
// through its constructor, so a rebuilt task has the queue, retry,
// timeout, ProcessAt and TaskID the original had. Periodic tasks are not
// here: the scheduler makes them again on its own.
var rebuilders = map[string]func(b []byte) (*asynq.Task, error){
	TypeInboundEmail:        rebuilder(TypeInboundEmail, NewInboundEmailTask),
	TypeMailSend:            rebuilder(TypeMailSend, NewMailSendTask),
	TypeOrderStatusReply:    rebuilder(TypeOrderStatusReply, NewOrderStatusReplyTask),
	TypeOrderRequest:        rebuilder(TypeOrderRequest, NewOrderRequestTask),
	TypeLeadAssign:          rebuilder(TypeLeadAssign, NewLeadAssignTask),
	TypeLeadSLACheck:        rebuilder(TypeLeadSLACheck, NewLeadSLACheckTask),
	TypeMeetingRequest:      rebuilder(TypeMeetingRequest, NewMeetingRequestTask),
	TypeMeetingReminder:     rebuilder(TypeMeetingReminder, NewMeetingReminderTask),
	TypeMeetingInvite:       rebuilder(TypeMeetingInvite, NewMeetingInviteTask),
	TypeMeetingReply:        rebuilder(TypeMeetingReply, NewMeetingReplyTask),
	TypeMeetingOutcome:      rebuilder(TypeMeetingOutcome, NewMeetingOutcomeTask),
	TypeInquiryHandoff:      rebuilder(TypeInquiryHandoff, NewInquiryHandoffTask),
	TypeInquiryTriage:       rebuilder(TypeInquiryTriage, NewInquiryTriageTask),
	TypeInquiryAck:          rebuilder(TypeInquiryAck, NewInquiryAckTask),
	TypeCustomerUnsubscribe: rebuilder(TypeCustomerUnsubscribe, NewCustomerUnsubscribeTask),
	TypeRoutingRetrain:      rebuilder(TypeRoutingRetrain, NewRoutingRetrainTask),
}

func rebuilder[P payload](typ string, build func(P) (*asynq.Task, error)) func([]byte) (*asynq.Task, error) {
	return func(b []byte) (*asynq.Task, error) {
		p, err := parse[P](typ, b)
		if err != nil {
			return nil, err
		}
		return build(p)
	}
}

// Rebuild makes the task of type typ again from its payload, as its
// constructor made it (same options, same TaskID, same payload bytes for a
// payload the constructor encoded). Recovery uses it to enqueue again a
// task that Redis lost. A type that cannot be rebuilt, or a payload that
// does not decode, is a permanent error.
func Rebuild(typ string, payload []byte) (*asynq.Task, error) {
	build, ok := rebuilders[typ]
	if !ok {
		return nil, fmt.Errorf("rebuild task: type %q cannot be rebuilt: %w", typ, asynq.SkipRetry)
	}
	return build(payload)
}

// Rebuildable reports whether Rebuild knows task type typ.
func Rebuildable(typ string) bool {
	_, ok := rebuilders[typ]
	return ok
}

// Outboxed reports whether tasks of type typ are kept in the task outbox
// (store.PendingTask) until a run settles them. inbound:email and
// mail:send are not: the message's own row (its status) is their record,
// and recovery finds them by it. Only outboxed tasks get an outbox row and
// have one to finish, so a worker does not look for one after the other
// types, two per mail.
func Outboxed(typ string) bool {
	return Rebuildable(typ) && typ != TypeInboundEmail && typ != TypeMailSend
}
