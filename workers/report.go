package workers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/mailer"
	"salesdesk/internal/queue"
	"salesdesk/internal/report"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// KindReport is the outbound kind of report mails.
const KindReport = "report"

// ReportKey is the idempotency key of the report for period (its
// report.Period.Key) mailed to addr, by its bare lower-case address:
// "report:daily:2026-11-25:boss@x.example".
func ReportKey(taskType, period, addr string) string {
	if a, err := mail.ParseAddress(addr); err == nil {
		addr = a.Address
	}
	return taskType + ":" + period + ":" + strings.ToLower(strings.TrimSpace(addr))
}

// ReportOptions configure the report handlers.
type ReportOptions struct {
	// Recipients get every report, each their own mail. At least one is
	// required.
	Recipients []string
	// Location is the reports' timezone, where days and weeks begin; nil
	// means the timezone named in the task.
	Location *time.Location
	// AttachCSV attaches the per-rep table as CSV.
	AttachCSV bool
	// ContactSLA and Currency are passed to report.Compile. The mail
	// links to the full report at the desk's BaseURL/reports/<period>
	// when that is set.
	ContactSLA time.Duration
	Currency   string
	// Targets are the reps' monthly goals (report.Options.Targets).
	Targets []report.Target
}

// ReportDeps are the report handlers' collaborators.
type ReportDeps struct {
	Desk
	Source report.Source // required; *store.Store
}

// reportMailer is what the daily and weekly handlers share.
type reportMailer struct {
	Desk
	src  report.Source
	opts ReportOptions
}

func newReportMailer(d ReportDeps, o ReportOptions) (reportMailer, error) {
	desk, err := d.Desk.ready("report")
	if err != nil {
		return reportMailer{}, err
	}
	if d.Source == nil {
		return reportMailer{}, errNoStore("report")
	}
	if len(o.Recipients) == 0 {
		return reportMailer{}, errors.New("workers: report handlers need at least one recipient")
	}
	for _, addr := range o.Recipients {
		if _, err := mail.ParseAddress(addr); err != nil || strings.ContainsAny(addr, "\r\n") {
			return reportMailer{}, fmt.Errorf("workers: report recipient %q is not an address", addr)
		}
	}
	return reportMailer{Desk: desk, src: d.Source, opts: o}, nil
}

// location is the reports' timezone, or the task's when none is set.
func (m reportMailer) location(taskType, tz string) (*time.Location, error) {
	if m.opts.Location != nil {
		return m.opts.Location, nil
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, queue.Permanent(fmt.Errorf("%s: timezone: %w", taskType, err))
	}
	return loc, nil
}

// send compiles the report for p and queues one mail per recipient.
func (m reportMailer) send(ctx context.Context, taskType, title string, p report.Period) error {
	r, err := report.Compile(ctx, m.src, p, report.Options{
		ContactSLA: m.opts.ContactSLA, Currency: m.opts.Currency, Now: m.Clock.Now, Targets: m.opts.Targets,
	})
	if err != nil {
		return err // the database: worth a retry
	}
	key := p.Key()
	data := mailData(r, title)
	data.ReportURL = m.url("/reports/%s", key)
	var attachments []store.Attachment
	if m.opts.AttachCSV {
		var csv bytes.Buffer
		if err := report.WriteRepsCSV(&csv, r); err != nil {
			return queue.Permanent(err)
		}
		data.Attachment = "report-" + key + "-reps.csv"
		attachments = append(attachments, store.Attachment{Name: data.Attachment, ContentType: "text/csv; charset=utf-8", Data: csv.Bytes()})
	}
	for _, addr := range m.opts.Recipients {
		o := &store.OutboundEmail{IdempotencyKey: ReportKey(taskType, key, addr), Kind: KindReport, To: []string{addr},
			Attachments: attachments}
		if err := m.queue(ctx, KindReport, data, o); err != nil {
			return fmt.Errorf("%s: %w", taskType, err)
		}
	}
	m.Logger.InfoContext(ctx, "report mailed", "task_type", taskType, "period", key,
		"recipients", len(m.opts.Recipients), "inquiries", r.Current.Inquiries, "leads_won", r.Current.LeadsWon)
	return nil
}

// mailData turns a report into the mail template's values.
func mailData(r report.Report, title string) mailer.ReportData {
	data := mailer.ReportData{Title: title, Period: r.Period.Label(), Previous: r.Previous.Label(), LateOrders: len(r.LateOrders)}
	for _, k := range r.KPIs() {
		data.KPIs = append(data.KPIs, mailer.ReportKPI{Label: k.Label, Value: k.Value, Change: k.Change(), Previous: k.Previous,
			Good: k.Good(), Bad: !k.Good() && k.Direction() != "flat"})
	}
	for _, c := range r.Current.ByCategory {
		data.Categories = append(data.Categories, mailer.ReportCount{Name: c.Name, Count: c.Count})
	}
	for _, rp := range r.Reps {
		within := "–"
		if rp.Contacted > 0 {
			within = report.FormatPercent(rp.WithinSLA())
		}
		row := mailer.ReportRep{Name: rp.Name, Assigned: rp.Assigned, Contacted: rp.Contacted,
			WithinSLA: within, Won: rp.Won, Lost: rp.Lost, WonValue: rp.WonValue(), OpenNow: rp.OpenNow}
		for _, l := range rp.TargetLines() {
			row.Targets = append(row.Targets, mailer.ReportTarget{Line: l.Text, OnTrack: l.OnTrack})
		}
		data.Reps = append(data.Reps, row)
	}
	c, p := r.Current.Meetings, r.Prior.Meetings
	data.Meetings = &mailer.ReportMeetings{Booked: c.Booked, Held: c.Held, NoShow: c.NoShow,
		PrevBooked: p.Booked, PrevHeld: p.Held, PrevNoShow: p.NoShow}
	return data
}

// ReportDailyHandler handles report:daily: it mails the report of the
// day before the one the schedule fired on.
type ReportDailyHandler struct{ reportMailer }

// NewReportDailyHandler returns the report:daily handler.
func NewReportDailyHandler(d ReportDeps, o ReportOptions) (*ReportDailyHandler, error) {
	m, err := newReportMailer(d, o)
	return &ReportDailyHandler{m}, err
}

// ProcessTask handles one report:daily task.
func (h *ReportDailyHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseReportDailyPayload(t.Payload())
	if err != nil {
		return err
	}
	loc, err := h.location(tasks.TypeReportDaily, p.Timezone)
	if err != nil {
		return err
	}
	day, err := time.ParseInLocation(time.DateOnly, p.Day, loc)
	if err != nil {
		return queue.Permanent(fmt.Errorf("report:daily day: %w", err))
	}
	return h.send(ctx, tasks.TypeReportDaily, "Daily KPI report", report.Day(day.AddDate(0, 0, -1), loc))
}

// ReportWeeklyHandler handles report:weekly: it mails the report of the
// ISO week before the one the schedule fired in.
type ReportWeeklyHandler struct{ reportMailer }

// NewReportWeeklyHandler returns the report:weekly handler.
func NewReportWeeklyHandler(d ReportDeps, o ReportOptions) (*ReportWeeklyHandler, error) {
	m, err := newReportMailer(d, o)
	return &ReportWeeklyHandler{m}, err
}

// ProcessTask handles one report:weekly task.
func (h *ReportWeeklyHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseReportWeeklyPayload(t.Payload())
	if err != nil {
		return err
	}
	loc, err := h.location(tasks.TypeReportWeekly, p.Timezone)
	if err != nil {
		return err
	}
	week, err := report.ParseWeek(p.Week, loc)
	if err != nil {
		return queue.Permanent(fmt.Errorf("report:weekly: %w", err))
	}
	return h.send(ctx, tasks.TypeReportWeekly, "Weekly KPI report", report.Week(week.From.AddDate(0, 0, -7), loc))
}
