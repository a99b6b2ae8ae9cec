package tasks

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/hibiken/asynq"
)

var (
	berlin = mustLoad("Europe/Berlin")
	// A Thursday morning in Berlin: 06:00 UTC.
	fireAt  = time.Date(2026, 11, 26, 7, 0, 0, 0, berlin)
	dueAt   = time.Date(2030, 1, 2, 9, 30, 0, 0, time.UTC)
	remindT = time.Date(2030, 1, 3, 14, 45, 0, 0, berlin)
)

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// taskCase is one constructor of the contract with the options it must set.
type taskCase struct {
	name          string
	typ           string
	build         func() (*asynq.Task, error)
	parse         func([]byte) (any, error)
	want          any
	wantQueue     string
	wantID        string
	wantMaxRetry  int
	wantTimeout   time.Duration
	wantRetention time.Duration
	wantProcessAt time.Time // zero: enqueued as pending
}

func mk[P any](name, typ string, p P, newFn func(P) (*asynq.Task, error), parseFn func([]byte) (P, error)) taskCase {
	return taskCase{
		name:  name,
		typ:   typ,
		build: func() (*asynq.Task, error) { return newFn(p) },
		parse: func(b []byte) (any, error) { return parseFn(b) },
		want:  p,
	}
}

func (c taskCase) opts(queue, id string, maxRetry int, timeout, retention time.Duration) taskCase {
	c.wantQueue, c.wantID, c.wantMaxRetry, c.wantTimeout, c.wantRetention = queue, id, maxRetry, timeout, retention
	return c
}

func (c taskCase) at(t time.Time) taskCase {
	c.wantProcessAt = t
	return c
}

func periodic(typ string, at time.Time) func() (*asynq.Task, error) {
	return func() (*asynq.Task, error) { return NewPeriodicTask(typ, at) }
}

func contract() []taskCase {
	cases := []taskCase{
		mk("inbound email", TypeInboundEmail,
			InboundEmailPayload{MessageID: 9, Mailbox: "INBOX", UIDValidity: 3, UID: 77},
			NewInboundEmailTask, ParseInboundEmailPayload).
			opts(QueueDefault, "inbound:INBOX:3:77", 10, 2*time.Minute, 24*time.Hour),
		mk("order status reply", TypeOrderStatusReply,
			OrderStatusReplyPayload{InquiryID: 12, OrderNumber: "SO-1001"},
			NewOrderStatusReplyTask, ParseOrderStatusReplyPayload).
			opts(QueueDefault, "order:status_reply:12", 10, time.Minute, 24*time.Hour),
		mk("order request", TypeOrderRequest,
			OrderRequestPayload{InquiryID: 13, OrderNumber: "SO-1002"},
			NewOrderRequestTask, ParseOrderRequestPayload).
			opts(QueueDefault, "order:request:13", 10, time.Minute, 24*time.Hour),
		mk("rush order request", TypeOrderRequest,
			OrderRequestPayload{InquiryID: 14, OrderNumber: "SO-1003", Rush: true},
			NewOrderRequestTask, ParseOrderRequestPayload).
			opts(QueueCritical, "order:request:14", 10, time.Minute, 24*time.Hour),
		mk("lead assign", TypeLeadAssign,
			LeadAssignPayload{LeadID: 5, Attempt: 2, Reason: "sla_breach"},
			NewLeadAssignTask, ParseLeadAssignPayload).
			opts(QueueDefault, "lead:assign:5:2", 10, time.Minute, 24*time.Hour),
		mk("lead sla check", TypeLeadSLACheck,
			LeadSLACheckPayload{LeadID: 5, Attempt: 2, Stage: SLAStageReassign, DueAt: dueAt},
			NewLeadSLACheckTask, ParseLeadSLACheckPayload).
			opts(QueueDefault, "lead:sla_check:5:2:2", 10, time.Minute, 24*time.Hour).at(dueAt),
		mk("meeting request", TypeMeetingRequest,
			MeetingRequestPayload{InquiryID: 21, LeadID: 5},
			NewMeetingRequestTask, ParseMeetingRequestPayload).
			opts(QueueDefault, "meeting:request:21", 10, time.Minute, 24*time.Hour),
		mk("meeting reminder", TypeMeetingReminder,
			MeetingReminderPayload{MeetingID: 8, Sequence: 2, RemindAt: remindT, Before: time.Hour},
			NewMeetingReminderTask, ParseMeetingReminderPayload).
			opts(QueueDefault, "meeting:reminder:8:v2:20300103T134500Z", 5, time.Minute, 24*time.Hour).at(remindT),
		mk("meeting invite", TypeMeetingInvite,
			MeetingInvitePayload{MeetingID: 8, Sequence: 1},
			NewMeetingInviteTask, ParseMeetingInvitePayload).
			opts(QueueDefault, "meeting:invite:8:1", 10, time.Minute, 24*time.Hour),
		mk("meeting reply", TypeMeetingReply,
			MeetingReplyPayload{MeetingID: 8, Sequence: 1, Email: "ann@acme.com", Partstat: "DECLINED"},
			NewMeetingReplyTask, ParseMeetingReplyPayload).
			opts(QueueDefault, "meeting:reply:8:1:ann@acme.com:DECLINED", 10, time.Minute, 24*time.Hour),
		mk("meeting outcome", TypeMeetingOutcome,
			MeetingOutcomePayload{MeetingID: 8, Sequence: 1, At: remindT},
			NewMeetingOutcomeTask, ParseMeetingOutcomePayload).
			opts(QueueDefault, "meeting:outcome:8:1", 5, time.Minute, 24*time.Hour).at(remindT),
		mk("inquiry handoff", TypeInquiryHandoff,
			InquiryHandoffPayload{InquiryID: 30},
			NewInquiryHandoffTask, ParseInquiryHandoffPayload).
			opts(QueueDefault, "inquiry:handoff:30", 10, time.Minute, 24*time.Hour),
		mk("inquiry triage", TypeInquiryTriage,
			InquiryTriagePayload{InquiryID: 31, Reason: TriageLowConfidence},
			NewInquiryTriageTask, ParseInquiryTriagePayload).
			opts(QueueDefault, "inquiry:triage:31", 10, time.Minute, 24*time.Hour),
		mk("inquiry ack", TypeInquiryAck,
			InquiryAckPayload{InquiryID: 32},
			NewInquiryAckTask, ParseInquiryAckPayload).
			opts(QueueDefault, "inquiry:ack:32", 10, time.Minute, 24*time.Hour),
		mk("routing retrain", TypeRoutingRetrain,
			RoutingRetrainPayload{RunAt: dueAt},
			NewRoutingRetrainTask, ParseRoutingRetrainPayload).
			opts(QueueLow, "routing:retrain:20300102T093000Z", 5, 5*time.Minute, 24*time.Hour).at(dueAt),
		mk("unsubscribe by inquiry", TypeCustomerUnsubscribe,
			CustomerUnsubscribePayload{Email: "Buyer@Example.com", InquiryID: 33},
			NewCustomerUnsubscribeTask, ParseCustomerUnsubscribePayload).
			opts(QueueDefault, "customer:unsubscribe:inquiry:33", 10, time.Minute, 24*time.Hour),
		mk("unsubscribe by address", TypeCustomerUnsubscribe,
			CustomerUnsubscribePayload{Email: "Buyer@Example.com"},
			NewCustomerUnsubscribeTask, ParseCustomerUnsubscribePayload).
			opts(QueueDefault, "customer:unsubscribe:email:buyer@example.com", 10, time.Minute, 24*time.Hour),
		mk("mail send", TypeMailSend,
			MailSendPayload{OutboundID: 1234},
			NewMailSendTask, ParseMailSendPayload).
			opts(QueueDefault, "mail:send:1234", 20, 2*time.Minute, 24*time.Hour),
		mk("ping", TypePing,
			PingPayload{ID: "abc", SentAt: fireAt},
			NewPingTask, ParsePingPayload).
			opts(QueueDefault, "system:ping:abc", 1, 10*time.Second, time.Hour),
		mk("daily digest", TypeLeadsDailyDigest,
			LeadsDailyDigestPayload{Day: "2026-11-26", Timezone: "Europe/Berlin", ScheduledAt: fireAt},
			NewLeadsDailyDigestTask, ParseLeadsDailyDigestPayload).
			opts(QueueLow, "leads:daily_digest:2026-11-26", 5, 10*time.Minute, 48*time.Hour),
		mk("rep's daily list", TypeLeadsDailyDigest,
			LeadsDailyDigestPayload{Day: "2026-11-26", Timezone: "America/Los_Angeles", ScheduledAt: fireAt, RepID: 7},
			NewLeadsDailyDigestTask, ParseLeadsDailyDigestPayload).
			opts(QueueLow, "leads:daily_digest:2026-11-26:rep:7", 5, 10*time.Minute, 48*time.Hour),
		mk("manager's daily summary", TypeLeadsDailyDigest,
			LeadsDailyDigestPayload{Day: "2026-11-26", Timezone: "Europe/Berlin", ScheduledAt: fireAt, Manager: true},
			NewLeadsDailyDigestTask, ParseLeadsDailyDigestPayload).
			opts(QueueLow, "leads:daily_digest:2026-11-26:manager", 5, 10*time.Minute, 48*time.Hour),
		mk("daily scan", TypeLeadsDailyScan,
			LeadsDailyScanPayload{ScheduledAt: fireAt},
			NewLeadsDailyScanTask, ParseLeadsDailyScanPayload).
			opts(QueueDefault, "leads:daily_scan:20261126T060000Z", 3, 5*time.Minute, 2*time.Hour),
		mk("sla scan", TypeLeadsSLAScan,
			LeadsSLAScanPayload{ScheduledAt: fireAt},
			NewLeadsSLAScanTask, ParseLeadsSLAScanPayload).
			opts(QueueDefault, "leads:sla_scan:20261126T060000Z", 3, 5*time.Minute, 2*time.Hour),
		mk("followup scan", TypeOrdersFollowupScan,
			OrdersFollowupScanPayload{ScheduledAt: fireAt},
			NewOrdersFollowupScanTask, ParseOrdersFollowupScanPayload).
			opts(QueueDefault, "orders:followup_scan:20261126T060000Z", 3, 5*time.Minute, 2*time.Hour),
		mk("daily report", TypeReportDaily,
			ReportDailyPayload{Day: "2026-11-26", Timezone: "Europe/Berlin", ScheduledAt: fireAt},
			NewReportDailyTask, ParseReportDailyPayload).
			opts(QueueLow, "report:daily:2026-11-26", 5, 10*time.Minute, 48*time.Hour),
		mk("weekly report", TypeReportWeekly,
			ReportWeeklyPayload{Week: "2026-W48", Timezone: "Europe/Berlin", ScheduledAt: fireAt},
			NewReportWeeklyTask, ParseReportWeeklyPayload).
			opts(QueueLow, "report:weekly:2026-W48", 5, 10*time.Minute, 8*24*time.Hour),
		mk("anomaly scan", TypeAnomalyScan,
			AnomalyScanPayload{ScheduledAt: fireAt},
			NewAnomalyScanTask, ParseAnomalyScanPayload).
			opts(QueueDefault, "anomaly:scan:20261126T060000Z", 3, 5*time.Minute, 2*time.Hour),
	}
	return cases
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range contract() {
		t.Run(tc.name, func(t *testing.T) {
			task, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			if task.Type() != tc.typ {
				t.Errorf("type = %q, want %q", task.Type(), tc.typ)
			}
			got, err := tc.parse(task.Payload())
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if g, w := jsonOf(t, got), jsonOf(t, tc.want); g != w {
				t.Errorf("round trip:\n got %s\nwant %s", g, w)
			}
			again, err := tc.build()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again.Payload(), task.Payload()) {
				t.Errorf("payload not deterministic: %s vs %s", again.Payload(), task.Payload())
			}
		})
	}
}

func TestPayloadJSONIsSnakeCase(t *testing.T) {
	for _, tc := range contract() {
		task, err := tc.build()
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]any
		if err := json.Unmarshal(task.Payload(), &m); err != nil {
			t.Fatal(err)
		}
		for k := range m {
			for _, r := range k {
				if !(r >= 'a' && r <= 'z' || r == '_') {
					t.Errorf("%s: payload key %q is not snake_case", tc.name, k)
					break
				}
			}
		}
	}
}

func TestBadPayloadIsSkipRetry(t *testing.T) {
	for _, tc := range contract() {
		t.Run(tc.name, func(t *testing.T) {
			for _, raw := range []string{`{`, `[]`, `{}`, `"x"`, ``} {
				_, err := tc.parse([]byte(raw))
				if err == nil {
					t.Errorf("parse(%q) = nil error", raw)
					continue
				}
				if !errors.Is(err, asynq.SkipRetry) {
					t.Errorf("parse(%q) = %v, want SkipRetry", raw, err)
				}
			}
		})
	}
}

func TestConstructorsRejectMissingFields(t *testing.T) {
	tests := []struct {
		name  string
		build func() (*asynq.Task, error)
	}{
		{"inbound without uid", func() (*asynq.Task, error) {
			return NewInboundEmailTask(InboundEmailPayload{MessageID: 1, Mailbox: "INBOX"})
		}},
		{"status reply without inquiry", func() (*asynq.Task, error) { return NewOrderStatusReplyTask(OrderStatusReplyPayload{}) }},
		{"order request without inquiry", func() (*asynq.Task, error) { return NewOrderRequestTask(OrderRequestPayload{Rush: true}) }},
		{"lead assign attempt 0", func() (*asynq.Task, error) { return NewLeadAssignTask(LeadAssignPayload{LeadID: 1}) }},
		{"sla check bad stage", func() (*asynq.Task, error) {
			return NewLeadSLACheckTask(LeadSLACheckPayload{LeadID: 1, Attempt: 1, Stage: 3, DueAt: dueAt})
		}},
		{"sla check no due", func() (*asynq.Task, error) {
			return NewLeadSLACheckTask(LeadSLACheckPayload{LeadID: 1, Attempt: 1, Stage: 1})
		}},
		{"meeting request without inquiry", func() (*asynq.Task, error) { return NewMeetingRequestTask(MeetingRequestPayload{LeadID: 3}) }},
		{"reminder without time", func() (*asynq.Task, error) { return NewMeetingReminderTask(MeetingReminderPayload{MeetingID: 3}) }},
		{"handoff", func() (*asynq.Task, error) { return NewInquiryHandoffTask(InquiryHandoffPayload{}) }},
		{"triage", func() (*asynq.Task, error) { return NewInquiryTriageTask(InquiryTriagePayload{Reason: "x"}) }},
		{"ack", func() (*asynq.Task, error) { return NewInquiryAckTask(InquiryAckPayload{}) }},
		{"unsubscribe no email", func() (*asynq.Task, error) {
			return NewCustomerUnsubscribeTask(CustomerUnsubscribePayload{InquiryID: 1})
		}},
		{"unsubscribe display name", func() (*asynq.Task, error) {
			return NewCustomerUnsubscribeTask(CustomerUnsubscribePayload{Email: "Bob <bob@example.com>"})
		}},
		{"unsubscribe header injection", func() (*asynq.Task, error) {
			return NewCustomerUnsubscribeTask(CustomerUnsubscribePayload{Email: "bob@example.com\r\nBcc: x@y.z"})
		}},
		{"mail send", func() (*asynq.Task, error) { return NewMailSendTask(MailSendPayload{}) }},
		{"ping", func() (*asynq.Task, error) { return NewPingTask(PingPayload{ID: "x"}) }},
		{"digest bad day", func() (*asynq.Task, error) {
			return NewLeadsDailyDigestTask(LeadsDailyDigestPayload{Day: "26.11.2026", Timezone: "UTC", ScheduledAt: fireAt})
		}},
		{"digest for a rep and the manager", func() (*asynq.Task, error) {
			return NewLeadsDailyDigestTask(LeadsDailyDigestPayload{Day: "2026-11-26", Timezone: "UTC", ScheduledAt: fireAt, RepID: 2, Manager: true})
		}},
		{"daily scan no time", func() (*asynq.Task, error) { return NewLeadsDailyScanTask(LeadsDailyScanPayload{}) }},
		{"daily report no tz", func() (*asynq.Task, error) {
			return NewReportDailyTask(ReportDailyPayload{Day: "2026-11-26", ScheduledAt: fireAt})
		}},
		{"weekly bad week", func() (*asynq.Task, error) {
			return NewReportWeeklyTask(ReportWeeklyPayload{Week: "2026-48", Timezone: "UTC", ScheduledAt: fireAt})
		}},
		{"weekly week 54", func() (*asynq.Task, error) {
			return NewReportWeeklyTask(ReportWeeklyPayload{Week: "2026-W54", Timezone: "UTC", ScheduledAt: fireAt})
		}},
		{"scan no time", func() (*asynq.Task, error) { return NewLeadsSLAScanTask(LeadsSLAScanPayload{}) }},
		{"followup no time", func() (*asynq.Task, error) { return NewOrdersFollowupScanTask(OrdersFollowupScanPayload{}) }},
		{"anomaly no time", func() (*asynq.Task, error) { return NewAnomalyScanTask(AnomalyScanPayload{}) }},
		{"unknown periodic", func() (*asynq.Task, error) { return NewPeriodicTask(TypeMailSend, fireAt) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			task, err := tt.build()
			if err == nil {
				t.Fatalf("want error, got task %s %s", task.Type(), task.Payload())
			}
			if tt.name != "unknown periodic" && !errors.Is(err, ErrInvalidPayload) {
				t.Errorf("error %v does not wrap ErrInvalidPayload", err)
			}
		})
	}
}

func TestNewPeriodicTask(t *testing.T) {
	ny := mustLoad("America/New_York")
	// 23:30 in New York on 26 November is already 27 November in UTC: the
	// day bucket follows the schedule's timezone.
	lateNY := time.Date(2026, 11, 26, 23, 30, 0, 0, ny)
	tests := []struct {
		typ  string
		at   time.Time
		want any
	}{
		{TypeReportDaily, lateNY, ReportDailyPayload{Day: "2026-11-26", Timezone: "America/New_York", ScheduledAt: lateNY}},
		{TypeLeadsDailyScan, lateNY, LeadsDailyScanPayload{ScheduledAt: lateNY}},
		{TypeReportDaily, fireAt, ReportDailyPayload{Day: "2026-11-26", Timezone: "Europe/Berlin", ScheduledAt: fireAt}},
		{TypeReportWeekly, time.Date(2027, 1, 1, 8, 0, 0, 0, berlin), ReportWeeklyPayload{Week: "2026-W53", Timezone: "Europe/Berlin", ScheduledAt: time.Date(2027, 1, 1, 8, 0, 0, 0, berlin)}},
		{TypeLeadsSLAScan, lateNY, LeadsSLAScanPayload{ScheduledAt: lateNY}},
		{TypeOrdersFollowupScan, lateNY, OrdersFollowupScanPayload{ScheduledAt: lateNY}},
		{TypeAnomalyScan, lateNY, AnomalyScanPayload{ScheduledAt: lateNY}},
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			task, err := NewPeriodicTask(tt.typ, tt.at)
			if err != nil {
				t.Fatal(err)
			}
			if task.Type() != tt.typ {
				t.Errorf("type = %s", task.Type())
			}
			if g, w := string(task.Payload()), jsonOf(t, tt.want); g != w {
				t.Errorf("payload\n got %s\nwant %s", g, w)
			}
		})
	}
}

func TestTypesCoverContract(t *testing.T) {
	var got []string
	for _, tc := range contract() {
		if !slices.Contains(got, tc.typ) {
			got = append(got, tc.typ)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, Types()) {
		t.Errorf("contract test covers %v, Types() = %v", got, Types())
	}
	for _, typ := range PeriodicTypes() {
		if !IsPeriodic(typ) || !slices.Contains(Types(), typ) {
			t.Errorf("periodic type %s missing", typ)
		}
	}
	if IsPeriodic(TypeMailSend) {
		t.Error("mail:send reported periodic")
	}
}

// TestProcessAtNeverEarly: asynq keeps scheduled times in whole seconds,
// rounded down; processAt rounds up so a task never runs before it is due.
func TestProcessAtNeverEarly(t *testing.T) {
	base := time.Date(2026, 12, 2, 16, 25, 7, 0, time.UTC)
	for _, due := range []time.Time{base, base.Add(970 * time.Millisecond), base.Add(time.Nanosecond)} {
		at, ok := processAt(due).Value().(time.Time)
		if !ok {
			t.Fatalf("processAt(%v) holds %T, want a time", due, processAt(due).Value())
		}
		if at.Before(due) || at.Unix() < due.Unix() || time.Unix(at.Unix(), 0).Before(due) {
			t.Errorf("processAt(%v) = %v: asynq would run it at %v, before it is due", due, at, time.Unix(at.Unix(), 0).UTC())
		}
		if at.Sub(due) >= time.Second {
			t.Errorf("processAt(%v) = %v: a second or more late", due, at)
		}
	}
}
