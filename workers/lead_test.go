package workers

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/assign"
	"salesdesk/internal/intake"
	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

type leadFixture struct {
	*inquiryFixture
	svc    *lead.Service
	deps   LeadDeps
	opts   LeadOptions
	bob    *store.Rep
	signer *link.Signer
	done   int // tasks of the sink already run
}

func newLeadFixture(t *testing.T) *leadFixture {
	t.Helper()
	f := &leadFixture{inquiryFixture: newInquiryFixture(t, 0)}
	f.bob = &store.Rep{Email: "bob@ourco.example", Name: "Bob Rep", Active: true}
	if _, err := f.st.CreateRep(f.ctx, f.bob); err != nil {
		t.Fatal(err)
	}
	var err error
	f.svc, err = lead.New(lead.Deps{Store: f.st, Enqueuer: f.sink, Now: func() time.Time { return f.now }, Seed: 1},
		lead.Options{DedupeWindow: 30 * 24 * time.Hour, FreeMailDomains: []string{"gmail.com"}, SLAContact: 2 * time.Hour,
			SLAReassign: 4 * time.Hour, RepCacheTTL: -1, Assign: assign.Config{OwnerSticky: true}})
	if err != nil {
		t.Fatal(err)
	}
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: testClassifier(), MinConfidence: 0})
	if err != nil {
		t.Fatal(err)
	}
	f.intake, err = intake.New(intake.Deps{Store: f.st, Router: router, Enqueuer: f.sink, Now: func() time.Time { return f.now }},
		intake.Options{Followups: intake.Followups{routing.QuoteRequest: f.svc.Followup(), routing.MeetingRequest: f.svc.Followup()}})
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"})
	if err != nil {
		t.Fatal(err)
	}
	f.signer, _ = link.New([]byte("test-secret-of-sufficient-length"))
	f.deps = LeadDeps{Desk: Desk{Renderer: renderer, Outbox: rowQueue{f.st}, From: "Ourco Sales <sales@ourco.example>",
		BaseURL: "https://desk.ourco.example", Clock: ClockFunc(func() time.Time { return f.now })}, Leads: f.svc, Store: f.st}
	f.opts = LeadOptions{ManagerAddress: "boss@ourco.example", Links: f.signer}
	return f
}

// drain runs every new lead task in the sink (twice each: handlers are
// idempotent) that is due at the fixture's time; later ones wait.
func (f *leadFixture) drain(t *testing.T) {
	t.Helper()
	handlers := map[string]asynq.Handler{}
	for typ, mk := range map[string]func(LeadDeps, LeadOptions) (asynq.Handler, error){
		tasks.TypeLeadAssign:   func(d LeadDeps, o LeadOptions) (asynq.Handler, error) { return NewLeadAssignHandler(d, o) },
		tasks.TypeLeadSLACheck: func(d LeadDeps, o LeadOptions) (asynq.Handler, error) { return NewLeadSLACheckHandler(d, o) },
	} {
		h, err := mk(f.deps, f.opts)
		if err != nil {
			t.Fatal(err)
		}
		handlers[typ] = h
	}
	for {
		f.sink.mu.Lock()
		var next *asynq.Task
		for i := f.done; i < len(f.sink.tasks); i++ {
			tk := f.sink.tasks[i]
			if tk.Type() == tasks.TypeLeadSLACheck {
				var p tasks.LeadSLACheckPayload
				json.Unmarshal(tk.Payload(), &p)
				if p.DueAt.After(f.now) {
					break // not due: run the rest later, in order
				}
			}
			next, f.done = tk, i+1
			break
		}
		f.sink.mu.Unlock()
		if next == nil {
			return
		}
		if h := handlers[next.Type()]; h != nil {
			run(t, h, next)
		}
	}
}

func (f *leadFixture) outbound(t *testing.T, key string) *store.OutboundEmail {
	t.Helper()
	o, err := f.st.OutboundByIdempotencyKey(f.ctx, key)
	if err != nil {
		t.Fatalf("outbound %s: %v", key, err)
	}
	return o
}

func TestLeadLifecycle(t *testing.T) {
	f := newLeadFixture(t)
	q := f.take(t, "Ann Buyer <ann@acme.com>", "Request for quote: 500 conveyor belts",
		"q1@acme.com", "Hello,\nplease send us a quote for 500 conveyor belts, delivery in May.\nThanks, Ann")
	if q.Category != string(routing.QuoteRequest) {
		t.Fatalf("category %s, want quote_request", q.Category)
	}
	f.drain(t)
	leads, err := f.st.ListLeads(f.ctx, store.LeadFilter{})
	if err != nil || len(leads) != 1 {
		t.Fatalf("leads %v, %v", leads, err)
	}
	l := leads[0]
	if l.RepID != f.rep.ID || l.InquiryID != q.ID {
		t.Fatalf("lead rep %d inquiry %d; want the account owner %d", l.RepID, l.InquiryID, f.rep.ID)
	}
	m := f.outbound(t, LeadAssignedKey(l.ID, 1))
	if m.To[0] != f.rep.Email || m.ReplyTo != "ann@acme.com" || m.InquiryID != q.ID {
		t.Errorf("lead mail to %v reply-to %q inquiry %d", m.To, m.ReplyTo, m.InquiryID)
	}
	for _, want := range []string{"500 conveyor belts, delivery in May", "Acme GmbH", q.Reference,
		"https://desk.ourco.example/leads/" + itoa(l.ID) + "/accept?", "/not_mine?", "/contacted?"} {
		if !strings.Contains(m.BodyText, want) {
			t.Errorf("lead mail lacks %q:\n%s", want, m.BodyText)
		}
	}
	if strings.Contains(m.BodyText, "Language:") || strings.Contains(m.BodyHTML, ">Language<") {
		t.Errorf("an English lead's mail names its language:\n%s", m.BodyText)
	}

	// The same customer writes again: merged into the open lead, no new mail.
	f.take(t, "Ann Buyer <ann@acme.com>", "Quote for 200 more belts", "q2@acme.com", "Could you also quote 200 more belts?")
	f.drain(t)
	if all, _ := f.st.ListLeads(f.ctx, store.LeadFilter{Status: store.LeadMerged}); len(all) != 1 {
		t.Errorf("merged leads: %d", len(all))
	}
	if rows, _ := f.st.ListOutbound(f.ctx, store.OutboundFilter{}); countKind(rows, "lead_assigned") != 1 {
		t.Errorf("lead mails after the merge: %d", countKind(rows, "lead_assigned"))
	}

	// SLA: a reminder after 2h, reassignment to Bob and a notice to the
	// manager after 4h more.
	f.now = f.now.Add(2 * time.Hour)
	f.drain(t)
	if r := f.outbound(t, LeadReminderKey(l.ID, 1)); r.To[0] != f.rep.Email || !strings.Contains(r.BodyText, "/contacted?") {
		t.Errorf("reminder to %v:\n%s", r.To, r.BodyText)
	}
	f.now = f.now.Add(4 * time.Hour)
	f.drain(t)
	if got, _ := f.st.Lead(f.ctx, l.ID); got.RepID != f.bob.ID {
		t.Fatalf("after the SLA, lead is with rep %d, want Bob %d", got.RepID, f.bob.ID)
	}
	if b := f.outbound(t, LeadBreachKey(l.ID, 1)); b.To[0] != "boss@ourco.example" || !strings.Contains(b.BodyText, "overdue") {
		t.Errorf("manager notice to %v:\n%s", b.To, b.BodyText)
	}
	if b := f.outbound(t, LeadAssignedKey(l.ID, 2)); b.To[0] != f.bob.Email {
		t.Errorf("round 2 mail to %v", b.To)
	}

	// Bob marks it contacted: no more reminders.
	if _, err := f.svc.ApplyLinkAction(f.ctx, l.ID, lead.ActionContacted, f.bob.ID); err != nil {
		t.Fatal(err)
	}
	f.now = f.now.Add(24 * time.Hour)
	f.drain(t)
	if _, err := f.st.OutboundByIdempotencyKey(f.ctx, LeadReminderKey(l.ID, 2)); err == nil {
		t.Error("contacted lead was reminded")
	}

	// Daily list: each rep and the manager.
	dh, err := NewLeadsDailyDigestHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	dt, _ := tasks.NewLeadsDailyDigestTask(tasks.LeadsDailyDigestPayload{Day: "2025-03-11", Timezone: "Europe/Berlin", ScheduledAt: f.now})
	run(t, dh, dt)
	if b := f.outbound(t, DailyLeadsKey("2025-03-11", itoa(f.bob.ID))); !strings.Contains(b.BodyText, "L-"+itoa(l.ID)) {
		t.Errorf("bob's list:\n%s", b.BodyText)
	}
	f.outbound(t, DailyLeadsKey("2025-03-11", itoa(f.rep.ID)))
	f.outbound(t, DailyLeadsKey("2025-03-11", "manager"))

	sh, err := NewLeadsSLAScanHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tasks.NewLeadsSLAScanTask(tasks.LeadsSLAScanPayload{ScheduledAt: f.now})
	run(t, sh, st)
}

func countKind(rows []store.OutboundEmail, kind string) int {
	n := 0
	for _, r := range rows {
		if r.Kind == kind {
			n++
		}
	}
	return n
}

func itoa(v int64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestLeadHandlersRejectBadInput(t *testing.T) {
	f := newLeadFixture(t)
	h, err := NewLeadAssignHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	task, _ := tasks.NewLeadAssignTask(tasks.LeadAssignPayload{LeadID: 999, Attempt: 1})
	if err := h.ProcessTask(f.ctx, task); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("missing lead: %v", err)
	}
	if _, err := NewLeadAssignHandler(LeadDeps{}, f.opts); err == nil {
		t.Error("no deps: want error")
	}
}
