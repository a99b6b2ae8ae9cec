package workers

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/mailer"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/tasks"
)

type reportFixture struct {
	st   *store.Store
	now  time.Time
	loc  *time.Location
	deps ReportDeps
	opts ReportOptions
}

// newReportFixture stores one day of desk activity, Tuesday 24 November
// 2026 in Berlin: two inquiries (one answered after 6 minutes) and a lead
// Ann won worth EUR 1,200.00.
func newReportFixture(t *testing.T) *reportFixture {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	f := &reportFixture{loc: loc, now: time.Date(2026, 11, 24, 9, 0, 0, 0, loc)}
	ctx := context.Background()
	f.st, err = store.Open(ctx, storetest.SQLiteDSN(t, "report.db"), store.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	ann, err := f.st.CreateRep(ctx, &store.Rep{Email: "ann@desk.example", Name: "Ann Archer", Active: true})
	must(err)
	q, _, err := f.st.CreateInquiry(ctx, &store.Inquiry{ContactEmail: "kim@acme.example", Category: "order_status"})
	must(err)
	_, _, err = f.st.CreateInquiry(ctx, &store.Inquiry{ContactEmail: "lee@acme.example", Category: "quote_request"})
	must(err)
	ack := &store.OutboundEmail{IdempotencyKey: "ack:1", MessageID: "ack1@desk.example", InquiryID: q, To: []string{"kim@acme.example"}}
	_, _, err = f.st.CreateOutbound(ctx, ack)
	must(err)
	must(f.st.MarkOutboundSent(ctx, ack.ID, f.now.Add(6*time.Minute)))
	l, _, err := f.st.CreateLead(ctx, &store.Lead{ContactEmail: "buyer@big.example", RepID: ann})
	must(err)
	f.now = f.now.Add(5 * time.Hour)
	must(f.st.SetLeadStatus(ctx, l, store.LeadWon, 120000, ""))
	f.now = time.Date(2026, 11, 25, 6, 0, 0, 0, loc)

	r, err := mailer.NewRenderer(mailer.RenderOptions{Location: loc})
	must(err)
	f.deps = ReportDeps{Desk: Desk{Renderer: r, Outbox: rowQueue{f.st}, From: "Desk <desk@ourco.example>",
		BaseURL: "https://desk.ourco.example/", Clock: ClockFunc(func() time.Time { return f.now })}, Source: f.st}
	f.opts = ReportOptions{Recipients: []string{"Boss@ourco.example", "Sales Lead <lead@ourco.example>"},
		Location: loc, AttachCSV: true, Currency: "EUR"}
	return f
}

func (f *reportFixture) mails(t *testing.T) []store.OutboundEmail {
	t.Helper()
	rows, err := f.st.ListOutbound(context.Background(), store.OutboundFilter{Kind: KindReport})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestReportDaily(t *testing.T) {
	f := newReportFixture(t)
	h, err := NewReportDailyHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	// The schedule fires on the 25th and reports the 24th.
	task := mustTask(tasks.NewReportDailyTask(tasks.ReportDailyPayload{Day: "2026-11-25", Timezone: "Europe/Berlin", ScheduledAt: f.now}))
	run(t, h, task)

	rows := f.mails(t)
	if len(rows) != 2 {
		t.Fatalf("%d report mails; want one per recipient, 2", len(rows))
	}
	keys := map[string]bool{}
	for _, o := range rows {
		keys[o.IdempotencyKey] = true
		if o.Subject != "Daily KPI report: Tue 24 Nov 2026" {
			t.Errorf("subject %q", o.Subject)
		}
		for _, want := range []string{"Inquiries", "First human contact (median)", "Acknowledged in (median)", "6m", "Meetings: booked 0 (was 0)", "Ann Archer: 1 / 0 / – / 1 / 0 / EUR 1,200.00 / 0",
			"https://desk.ourco.example/reports/2026-11-24"} {
			if !strings.Contains(o.BodyText, want) {
				t.Errorf("text body lacks %q:\n%s", want, o.BodyText)
			}
		}
		if !strings.Contains(o.BodyHTML, "Ann Archer") {
			t.Error("HTML body lacks the rep table")
		}
		if len(o.Attachments) != 1 || o.Attachments[0].Name != "report-2026-11-24-reps.csv" {
			t.Fatalf("attachments %+v; want the per-rep CSV", o.Attachments)
		}
		recs, err := csv.NewReader(strings.NewReader(string(o.Attachments[0].Data))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[1][3] != "Ann Archer" || recs[1][10] != "1" || recs[1][12] != "120000" {
			t.Errorf("CSV %q; want a header and Ann with 1 won worth 120000 cents", recs)
		}
	}
	for _, want := range []string{"report:daily:2026-11-24:boss@ourco.example", "report:daily:2026-11-24:lead@ourco.example"} {
		if !keys[want] {
			t.Errorf("no mail with key %q among %v", want, keys)
		}
	}
}

func TestReportWeekly(t *testing.T) {
	f := newReportFixture(t)
	f.opts.AttachCSV = false
	f.opts.Recipients = f.opts.Recipients[:1]
	h, err := NewReportWeeklyHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.now = time.Date(2026, 11, 30, 7, 0, 0, 0, f.loc) // Monday of week 49
	task := mustTask(tasks.NewReportWeeklyTask(tasks.ReportWeeklyPayload{Week: "2026-W49", Timezone: "Europe/Berlin", ScheduledAt: f.now}))
	run(t, h, task)
	rows := f.mails(t)
	if len(rows) != 1 {
		t.Fatalf("%d report mails; want 1", len(rows))
	}
	o := rows[0]
	if o.IdempotencyKey != "report:weekly:2026-W48:boss@ourco.example" {
		t.Errorf("key %q", o.IdempotencyKey)
	}
	if o.Subject != "Weekly KPI report: Mon 23 Nov – Sun 29 Nov 2026" {
		t.Errorf("subject %q", o.Subject)
	}
	if len(o.Attachments) != 0 {
		t.Errorf("attachments %v without AttachCSV", o.Attachments)
	}
	if !strings.Contains(o.BodyText, "Inquiries                                   2") {
		t.Errorf("weekly report does not count the week's 2 inquiries:\n%s", o.BodyText)
	}
}

func TestReportHandlersRejectBadInput(t *testing.T) {
	f := newReportFixture(t)
	for _, tc := range []struct {
		name string
		edit func(*ReportOptions, *ReportDeps)
	}{
		{"no recipients", func(o *ReportOptions, _ *ReportDeps) { o.Recipients = nil }},
		{"bad recipient", func(o *ReportOptions, _ *ReportDeps) {
			o.Recipients = []string{"boss@x.example\r\nBcc: evil@x.example"}
		}},
		{"no from", func(_ *ReportOptions, d *ReportDeps) { d.From = "" }},
		{"no store", func(_ *ReportOptions, d *ReportDeps) { d.Source = nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, d := f.opts, f.deps
			tc.edit(&o, &d)
			if _, err := NewReportDailyHandler(d, o); err == nil {
				t.Error("handler built; want an error")
			}
		})
	}

	h, err := NewReportDailyHandler(f.deps, ReportOptions{Recipients: f.opts.Recipients})
	if err != nil {
		t.Fatal(err)
	}
	for _, payload := range []string{`{`, `{"day":"2026-11-25","timezone":"Mars/Olympus","scheduled_at":"2026-11-25T06:00:00Z"}`} {
		err := h.ProcessTask(context.Background(), asynq.NewTask(tasks.TypeReportDaily, []byte(payload)))
		if !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("payload %s: err %v; want a permanent failure", payload, err)
		}
	}
	if n := len(f.mails(t)); n != 0 {
		t.Errorf("%d mails queued for bad tasks", n)
	}
}
