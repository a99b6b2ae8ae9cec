package workers

import (
	"strings"
	"testing"

	"salesdesk/internal/intake"
	"salesdesk/internal/mailer"
	"salesdesk/internal/routing"
	"salesdesk/tasks"
)

// TestNewRegistersEveryHandler builds the whole desk the way
// cmd/salesdesk does and checks what New registers, including the
// handlers that depend on configuration.
func TestNewRegistersEveryHandler(t *testing.T) {
	f := newLeadFixture(t)
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: testClassifier()})
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mailer.NewSender(mailer.Options{Addr: "127.0.0.1:25", TLS: mailer.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	deps := func() Deps {
		return Deps{Desk: f.deps.Desk, Store: f.st, Sender: sender, Leads: f.svc,
			Intake: intake.Deps{Store: f.st, Router: router, Enqueuer: f.sink}}
	}
	opts := func() Options {
		return Options{
			Inquiry: InquiryOptions{TeamAddress: "team@ourco.example", TriageAddress: "triage@ourco.example", Links: f.signer},
			Order:   OrderOptions{OperationsAddress: "ops@ourco.example"},
			Lead:    f.opts,
		}
	}
	always := []string{tasks.TypePing, tasks.TypeMailSend, tasks.TypeAnomalyScan, tasks.TypeInquiryAck, tasks.TypeInquiryHandoff,
		tasks.TypeInquiryTriage, tasks.TypeCustomerUnsubscribe, tasks.TypeOrderStatusReply, tasks.TypeOrderRequest,
		tasks.TypeOrdersFollowupScan, tasks.TypeLeadAssign, tasks.TypeLeadSLACheck, tasks.TypeLeadsSLAScan,
		tasks.TypeLeadsDailyDigest, tasks.TypeLeadsDailyScan, tasks.TypeInboundEmail, tasks.TypeRoutingRetrain}

	tests := []struct {
		name         string
		edit         func(*Deps, *Options)
		wantReports  bool
		wantNotifier bool
		wantErr      string
	}{
		{name: "defaults", edit: func(*Deps, *Options) {}},
		{name: "reports with recipients", edit: func(_ *Deps, o *Options) { o.Report.Recipients = []string{"boss@ourco.example"} },
			wantReports: true},
		{name: "status notifier", edit: func(_ *Deps, o *Options) { o.NotifyStatusChanges = true }, wantNotifier: true},
		{name: "no sender", edit: func(d *Deps, _ *Options) { d.Sender = nil }, wantErr: tasks.TypeMailSend},
		{name: "no operations address", edit: func(_ *Deps, o *Options) { o.Order.OperationsAddress = "" },
			wantErr: "operations address"},
		{name: "bad report recipient", edit: func(_ *Deps, o *Options) { o.Report.Recipients = []string{"not an address"} },
			wantErr: tasks.TypeReportDaily},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, o := deps(), opts()
			tt.edit(&d, &o)
			w, err := New(d, o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, typ := range always {
				if !w.Handles(typ) {
					t.Errorf("%s not registered", typ)
				}
			}
			for _, typ := range []string{tasks.TypeReportDaily, tasks.TypeReportWeekly} {
				if w.Handles(typ) != tt.wantReports {
					t.Errorf("Handles(%s) = %v, want %v", typ, w.Handles(typ), tt.wantReports)
				}
			}
			if (w.Notifier() != nil) != tt.wantNotifier {
				t.Errorf("Notifier() = %v, want one: %v", w.Notifier(), tt.wantNotifier)
			}
			if w.Intake() == nil {
				t.Error("no intake processor")
			}
			if w.Handles(tasks.TypeMeetingRequest) {
				t.Error("meeting:request registered without a handler")
			}
		})
	}
}
