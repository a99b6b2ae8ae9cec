package tasks

import "slices"

// Types lists every task type of the contract, sorted: the worker's
// metrics and tests use it to know the whole set.
func Types() []string {
	ts := []string{
		TypeInboundEmail,
		TypeOrderStatusReply,
		TypeOrderRequest,
		TypeLeadAssign,
		TypeLeadSLACheck,
		TypeLeadsDailyDigest,
		TypeMeetingRequest,
		TypeMeetingReminder,
		TypeMeetingInvite,
		TypeMeetingReply,
		TypeMeetingOutcome,
		TypeInquiryHandoff,
		TypeInquiryTriage,
		TypeInquiryAck,
		TypeCustomerUnsubscribe,
		TypeRoutingRetrain,
		TypeMailSend,
		TypePing,
	}
	ts = append(ts, PeriodicTypes()...)
	slices.Sort(ts)
	return ts
}
