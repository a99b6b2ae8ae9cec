// Package workers holds the asynq handlers, one file per domain, and New,
// the one place that builds and registers them all: the mux a worker
// server runs, every handler wrapped in per-task logging, panic logging
// and Prometheus metrics. The mail-writing families embed one Desk;
// account.go holds the account and mail helpers they share.
package workers

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"

	"salesdesk/internal/intake"
	"salesdesk/internal/lead"
	"salesdesk/internal/meeting"
	"salesdesk/internal/outbox"
	"salesdesk/internal/report"
	"salesdesk/internal/routing"
	"salesdesk/tasks"
)

// Clock tells handlers the time; tests pass a fake one.
type Clock interface {
	Now() time.Time
}

// ClockFunc adapts a function such as time.Now to Clock.
type ClockFunc func() time.Time

// Now returns f().
func (f ClockFunc) Now() time.Time { return f() }

// Store is everything the handlers read and write; *store.Store
// implements it. Each family declares the narrow part it uses.
type Store interface {
	InquiryStore
	OrderStore
	AnomalyStore
	report.Source
	MailStore
	outbox.LimitStore
	MeetingStore
	PendingStore
}

// Deps is what the handlers need from the rest of the process;
// cmd/salesdesk fills it.
type Deps struct {
	// Desk is shared by every family that writes mail. Its Logger
	// (nil discards) also receives one line per task, and its Clock (nil
	// means the wall clock) also serves system:ping and mail:send.
	Desk
	// Metrics is where the per-task metrics are registered; nil leaves
	// them unregistered. Registering twice on one registry reuses the
	// collectors already there.
	Metrics prometheus.Registerer
	// Store backs every domain handler. Without one, New registers the
	// system handlers only (system:ping), as a bare worker for tests of
	// the middleware.
	Store Store
	// Sender delivers mail:send rows over SMTP. Required with a Store.
	Sender MailSender
	// Leads runs lead assignment and SLAs. Required with a Store.
	Leads *lead.Service
	// Intake are the collaborators of the intake processor behind
	// inbound:email; a nil Logger takes the Desk's.
	Intake intake.Deps
	// Meetings books and changes meetings; with it the meeting handlers
	// are registered (enqueuing with Intake.Enqueuer) and calendar
	// replies are taken out of inbound:email.
	Meetings *meeting.Service
	// Scheduled (an *asynq.Inspector) lets the meeting handlers delete
	// older versions' reminders; optional.
	Scheduled ScheduledTasks
}

// Options configure the handler families. Each family's own validation
// names what is missing.
type Options struct {
	Inquiry InquiryOptions
	Order   OrderOptions
	Lead    LeadOptions
	// Report configures report:daily and report:weekly, which are
	// registered only when it names recipients.
	Report  ReportOptions
	Anomaly AnomalyOptions
	// RecipientLimit holds back mail:send to an outside address that got
	// its share (outbox.Limiter); the zero value is off.
	RecipientLimit outbox.RecipientLimit
	// NotifyStatusChanges builds the order-status notifier (Notifier).
	NotifyStatusChanges bool
	// Meeting configures the meeting handlers.
	Meeting MeetingOptions
	// Intake configures the intake processor. Its AckWindow is also the
	// inquiry handlers' when Inquiry.AckWindow is zero. Nil Followups are
	// the defaults for the registered handlers, with quote and meeting
	// requests going to the lead service.
	Intake intake.Options
}

// Workers is the mux a worker server runs, with every handler registered
// and wrapped in per-task logging, panic logging and Prometheus metrics,
// plus what other roles take from the handlers.
type Workers struct {
	*asynq.ServeMux
	handles  map[string]bool
	notifier *OrderStatusNotifier
	intake   *intake.Processor
	decider  *OrderRequestDecider
}

// OrderRequestDecider closes order requests (links, API, desk); nil
// when the order handlers could not be built.
func (w *Workers) OrderRequestDecider() *OrderRequestDecider { return w.decider }

// Handles reports whether New registered a handler for taskType.
func (w *Workers) Handles(taskType string) bool { return w.handles[taskType] }

// Notifier is the order-status notifier, nil unless
// Options.NotifyStatusChanges is set; the API calls it when an order's
// status changes.
func (w *Workers) Notifier() *OrderStatusNotifier { return w.notifier }

// Intake is the intake processor behind inbound:email, nil without a
// Store; the web role applies triage decisions through it.
func (w *Workers) Intake() *intake.Processor { return w.intake }

// New builds every handler from d and o and registers it. Task types
// without a handler fail with asynq.ErrHandlerNotFound and are retried,
// so a worker of an older build does not lose a newer build's tasks. The
// error joins every family that could not be built.
func New(d Deps, o Options) (*Workers, error) {
	d.Logger, d.Clock = orDefault(d.Logger, d.Clock)
	w := &Workers{ServeMux: asynq.NewServeMux(), handles: map[string]bool{}}
	w.Use(observe(d.Logger, newMetrics(d.Metrics)))
	w.add(tasks.TypePing, NewPingHandler(d.Logger, d.Clock), nil)
	if d.Store == nil {
		return w, nil
	}
	w.Use(finishPending(d.Store))
	if err := w.addDesk(d, o); err != nil {
		return nil, err
	}
	return w, nil
}

// add registers h for typ unless building it failed.
func (w *Workers) add(typ string, h asynq.Handler, err error) error {
	if err != nil {
		return fmt.Errorf("%s handler: %w", typ, err)
	}
	w.Handle(typ, h)
	w.handles[typ] = true
	return nil
}

// addDesk registers the domain handlers.
func (w *Workers) addDesk(d Deps, o Options) error {
	var errs []error
	add := func(typ string, h asynq.Handler, err error) { errs = append(errs, w.add(typ, h, err)) }
	if d.Sender == nil {
		add(tasks.TypeMailSend, nil, errors.New("workers: mail:send needs a sender"))
	} else {
		add(tasks.TypeMailSend, NewMailSendHandler(d.Store, d.Sender, d.Logger, d.Clock).WithRateLimit(d.Store, o.RecipientLimit), nil)
	}
	scan, err := NewAnomalyScanHandler(AnomalyDeps{Desk: d.Desk, Store: d.Store}, o.Anomaly)
	add(tasks.TypeAnomalyScan, scan, err)

	if o.Inquiry.AckWindow == 0 {
		o.Inquiry.AckWindow = o.Intake.AckWindow
	}
	inq := InquiryDeps{Desk: d.Desk, Store: d.Store}
	ack, err := NewAckHandler(inq, o.Inquiry)
	add(tasks.TypeInquiryAck, ack, err)
	if d.Intake.Ack == nil && err == nil {
		// Intake writes the acknowledgement with the mail's outcome; the
		// handler stays for the inquiry:ack tasks intake still enqueues
		// (AckMail failed) and those of older builds.
		d.Intake.Ack = ack
	}
	handoff, err := NewHandoffHandler(inq, o.Inquiry)
	add(tasks.TypeInquiryHandoff, handoff, err)
	triage, err := NewTriageHandler(inq, o.Inquiry)
	add(tasks.TypeInquiryTriage, triage, err)
	unsub, err := NewUnsubscribeHandler(inq, o.Inquiry)
	add(tasks.TypeCustomerUnsubscribe, unsub, err)

	ord := OrderDeps{Desk: d.Desk, Store: d.Store}
	status, err := NewOrderStatusHandler(ord, o.Order)
	add(tasks.TypeOrderStatusReply, status, err)
	if d.Intake.Answers == nil && err == nil {
		// Intake writes the order-status answer with the mail's outcome;
		// the handler stays for the tasks intake still enqueues (the
		// answer could not be built there) and those of older builds.
		d.Intake.Answers = map[string]intake.Answerer{tasks.TypeOrderStatusReply: status}
	}
	request, err := NewOrderRequestHandler(ord, o.Order)
	add(tasks.TypeOrderRequest, request, err)
	followup, err := NewOrdersFollowupScanHandler(ord, o.Order)
	add(tasks.TypeOrdersFollowupScan, followup, err)
	if o.NotifyStatusChanges {
		w.notifier, err = NewOrderStatusNotifier(ord, o.Order)
		if err != nil {
			errs = append(errs, fmt.Errorf("order status notifier: %w", err))
		}
	}
	if w.decider, err = NewOrderRequestDecider(ord, o.Order); err != nil {
		errs = append(errs, fmt.Errorf("order request decider: %w", err))
	}

	ld := LeadDeps{Desk: d.Desk, Leads: d.Leads, Store: d.Store, Enqueuer: d.Intake.Enqueuer}
	assign, err := NewLeadAssignHandler(ld, o.Lead)
	add(tasks.TypeLeadAssign, assign, err)
	slaCheck, err := NewLeadSLACheckHandler(ld, o.Lead)
	add(tasks.TypeLeadSLACheck, slaCheck, err)
	slaScan, err := NewLeadsSLAScanHandler(ld, o.Lead)
	add(tasks.TypeLeadsSLAScan, slaScan, err)
	digest, err := NewLeadsDailyDigestHandler(ld, o.Lead)
	add(tasks.TypeLeadsDailyDigest, digest, err)
	dailyScan, err := NewLeadsDailyScanHandler(ld, o.Lead)
	add(tasks.TypeLeadsDailyScan, dailyScan, err)

	// Reports are mailed only when someone should get them; the report
	// pages work either way.
	if len(o.Report.Recipients) > 0 {
		rd := ReportDeps{Desk: d.Desk, Source: d.Store}
		daily, err := NewReportDailyHandler(rd, o.Report)
		add(tasks.TypeReportDaily, daily, err)
		weekly, err := NewReportWeeklyHandler(rd, o.Report)
		add(tasks.TypeReportWeekly, weekly, err)
	}
	if d.Meetings != nil {
		md := MeetingDeps{Desk: d.Desk, Store: d.Store, Meetings: d.Meetings, Enqueuer: d.Intake.Enqueuer, Scheduled: d.Scheduled}
		req, err := NewMeetingRequestHandler(md, o.Meeting)
		add(tasks.TypeMeetingRequest, req, err)
		invite, err := NewMeetingInviteHandler(md, o.Meeting)
		add(tasks.TypeMeetingInvite, invite, err)
		reminder, err := NewMeetingReminderHandler(md, o.Meeting)
		add(tasks.TypeMeetingReminder, reminder, err)
		reply, err := NewMeetingReplyHandler(md, o.Meeting)
		add(tasks.TypeMeetingReply, reply, err)
		outcome, err := NewMeetingOutcomeHandler(md, o.Meeting)
		add(tasks.TypeMeetingOutcome, outcome, err)
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}

	// Intake starts only the follow-on work that has a handler here, so
	// it is built last.
	if o.Intake.Followups == nil {
		o.Intake.Followups = intake.DefaultFollowups(d.Intake.Store, w.Handles)
		if d.Leads != nil {
			o.Intake.Followups[routing.QuoteRequest] = d.Leads.Followup()
			if !w.Handles(tasks.TypeMeetingRequest) {
				o.Intake.Followups[routing.MeetingRequest] = d.Leads.Followup()
			}
		}
	}
	if d.Intake.Logger == nil {
		d.Intake.Logger = d.Logger
	}
	if w.intake, err = intake.New(d.Intake, o.Intake); err != nil {
		return fmt.Errorf("intake: %w", err)
	}
	if err := w.add(tasks.TypeRoutingRetrain, NewRetrainHandler(w.intake), nil); err != nil {
		return err
	}
	inbound := NewInboundHandler(w.intake, d.Logger)
	if d.Meetings != nil {
		inbound.WithCalendarReplies(NewCalendarReplies(d.Store, d.Intake.Enqueuer, d.Logger))
		repMail, err := NewRepMeetingMail(MeetingDeps{Desk: d.Desk, Store: d.Store, Meetings: d.Meetings, Enqueuer: d.Intake.Enqueuer,
			Scheduled: d.Scheduled}, o.Meeting, RepMeetingMailOptions{Threads: d.Intake.Store, Senders: d.Intake.Senders, TeamZone: o.Lead.Timezone})
		if err != nil {
			return fmt.Errorf("rep meeting mail: %w", err)
		}
		inbound.WithRepMeetingMail(repMail)
	}
	return w.add(tasks.TypeInboundEmail, inbound, nil)
}

// orDefault fills the logger and clock every handler takes: nil logs
// nowhere, a nil clock is the wall clock.
func orDefault(l *slog.Logger, c Clock) (*slog.Logger, Clock) {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	if c == nil {
		c = ClockFunc(time.Now)
	}
	return l, c
}
