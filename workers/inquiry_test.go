package workers

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/internal/link"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/tasks"
)

var testClassifier = sync.OnceValue(func() *routing.Classifier { return routing.DefaultClassifier(nil) })

// rowQueue stores each mail as an outbound row, as the mail helper does,
// without sending it.
type rowQueue struct{ st *store.Store }

func (q rowQueue) QueueMail(ctx context.Context, o *store.OutboundEmail) error {
	if o.MessageID == "" {
		o.MessageID = fmt.Sprintf("%s.%d@ourco.example", strings.ReplaceAll(o.IdempotencyKey, ":", "."), time.Now().UnixNano())
	}
	_, _, err := q.st.CreateOutbound(ctx, o)
	return err
}

// taskSink keeps what intake enqueues, so the test can run the handlers.
type taskSink struct {
	mu    sync.Mutex
	tasks []*asynq.Task
}

func (s *taskSink) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tasks = append(s.tasks, t)
	return &asynq.TaskInfo{Type: t.Type()}, nil
}

func (s *taskSink) of(typ string) []*asynq.Task {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*asynq.Task
	for _, t := range s.tasks {
		if t.Type() == typ {
			out = append(out, t)
		}
	}
	return out
}

type inquiryFixture struct {
	ctx     context.Context
	st      *store.Store
	sink    *taskSink
	intake  *intake.Processor
	opts    InquiryOptions
	deps    InquiryDeps
	now     time.Time
	uid     uint32
	minConf float64
	acme    *store.Customer
	rep     *store.Rep
}

func newInquiryFixture(t *testing.T, minConf float64) *inquiryFixture {
	t.Helper()
	ctx := context.Background()
	f := &inquiryFixture{ctx: ctx, sink: &taskSink{}, now: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC), minConf: minConf}
	st, err := store.Open(ctx, storetest.SQLiteDSN(t, "w.db"), store.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.rep = &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true}
	if _, err := st.CreateRep(ctx, f.rep); err != nil {
		t.Fatal(err)
	}
	f.acme = &store.Customer{Name: "Acme GmbH", Domain: "acme.com", OwnerRepID: f.rep.ID}
	if _, err := st.CreateCustomer(ctx, f.acme); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: f.acme.ID, Email: "ann@acme.com", Name: "Ann Buyer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOrder(ctx, &store.Order{CustomerID: f.acme.ID, Number: "SO-48213", Status: store.OrderShipped,
		Currency: "EUR", AmountCents: 124000}); err != nil {
		t.Fatal(err)
	}
	kit := newMailKit(t, minConf)
	renderer, signer := kit.renderer, kit.signer
	f.intake, err = intake.New(intake.Deps{Store: st, Router: kit.router, Enqueuer: f.sink, Now: func() time.Time { return f.now }}, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.opts = InquiryOptions{TeamAddress: "team@ourco.example", TriageAddress: "triage@ourco.example", Links: signer}
	f.deps = InquiryDeps{Desk: Desk{Renderer: renderer, Outbox: rowQueue{st}, From: "Ourco Sales <sales@ourco.example>",
		BaseURL: "https://desk.ourco.example/", Clock: ClockFunc(func() time.Time { return f.now })}, Store: st}
	return f
}

// take stores a raw mail and runs intake on it.
func (f *inquiryFixture) take(t *testing.T, from, subject, messageID, body string) *store.Inquiry {
	t.Helper()
	id := f.store(t, from, subject, messageID, body)
	if err := f.intake.Process(f.ctx, id); err != nil {
		t.Fatal(err)
	}
	q, err := f.st.InquiryByInboundMessage(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// store stores a raw mail as the poller does and returns its id.
func (f *inquiryFixture) store(t *testing.T, from, subject, messageID, body string) int64 {
	t.Helper()
	f.uid++
	raw := fmt.Sprintf("From: %s\r\nTo: sales@ourco.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: Mon, 10 Mar 2025 08:30:00 +0000\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s", from, subject, messageID, strings.ReplaceAll(body, "\n", "\r\n"))
	m := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: f.uid, MessageID: messageID, Raw: []byte(raw)}
	if _, _, _, err := f.st.SaveInboundMessage(f.ctx, m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// run runs h on t twice: a handler's repeat must change nothing.
func run(t *testing.T, h asynq.Handler, task *asynq.Task) {
	t.Helper()
	for range 2 {
		if err := h.ProcessTask(context.Background(), task); err != nil {
			t.Fatalf("%s: %v", task.Type(), err)
		}
	}
}

func (f *inquiryFixture) outbound(t *testing.T, kind string) []store.OutboundEmail {
	t.Helper()
	rows, err := f.st.ListOutbound(f.ctx, store.OutboundFilter{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestAckHandler(t *testing.T) {
	f := newInquiryFixture(t, 0)
	h, err := NewAckHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	q := f.take(t, "Ann Buyer <ann@acme.com>", "Invoice INV-223 is wrong", "c1@acme.com", "Our invoice INV-223 charges the wrong unit price. Please send a credit note.\n")
	run(t, h, f.sink.of(tasks.TypeInquiryAck)[0])

	acks := f.outbound(t, intake.KindAck)
	if len(acks) != 1 {
		t.Fatalf("ack rows = %d, want 1", len(acks))
	}
	a := acks[0]
	if a.To[0] != "ann@acme.com" || a.InquiryID != q.ID || a.InReplyTo != "c1@acme.com" || a.From != f.deps.From {
		t.Errorf("ack = to %v inquiry %d in-reply-to %q from %q", a.To, a.InquiryID, a.InReplyTo, a.From)
	}
	if !strings.Contains(a.Subject, "["+q.Reference+"]") || !strings.HasPrefix(a.Subject, "Re: ") {
		t.Errorf("ack subject = %q", a.Subject)
	}
	if !strings.Contains(a.BodyText, "Hello Ann Buyer") || !strings.Contains(a.BodyText, q.Reference) {
		t.Errorf("ack body = %q", a.BodyText)
	}

	// A second, different inquiry of the same sender the same day is a
	// new question: it is acknowledged too (no per-sender window by
	// default).
	q2 := f.take(t, "ann@acme.com", "Another question", "c2@acme.com", "How do I calibrate the temperature sensor on the X200?\n")
	if n := len(f.sink.of(tasks.TypeInquiryAck)); n != 2 {
		t.Errorf("ack tasks = %d, want 2", n)
	}
	task, _ := tasks.NewInquiryAckTask(tasks.InquiryAckPayload{InquiryID: q2.ID})
	run(t, h, task)
	if n := len(f.outbound(t, intake.KindAck)); n != 2 {
		t.Errorf("ack rows after a second inquiry = %d, want 2", n)
	}

	// With the optional window set, the handler refuses an ack that
	// slipped through inside it.
	windowed := f.opts
	windowed.AckWindow = 24 * time.Hour
	hw, err := NewAckHandler(f.deps, windowed)
	if err != nil {
		t.Fatal(err)
	}
	q3 := f.take(t, "ann@acme.com", "Third question", "c3@acme.com", "Do you ship to Norway?\n")
	task, _ = tasks.NewInquiryAckTask(tasks.InquiryAckPayload{InquiryID: q3.ID})
	run(t, hw, task)
	if n := len(f.outbound(t, intake.KindAck)); n != 2 {
		t.Errorf("ack rows after a third inquiry inside the window = %d, want 2", n)
	}
}

func TestHandoffHandler(t *testing.T) {
	f := newInquiryFixture(t, 0)
	h, err := NewHandoffHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		from, subject string
		body          string
		wantTo        string
		wantCategory  string
		wantInBody    []string
		wantComplaint bool
	}{
		{name: "known customer to the owner rep", from: "Ann Buyer <ann@acme.com>", subject: "Invoice INV-223 is wrong",
			body: "Our invoice INV-223 charges the wrong unit price. Please send a credit note.\n", wantTo: "rita@ourco.example",
			wantCategory: "billing", wantInBody: []string{"Hello Rita Rep", "> Our invoice INV-223 charges the wrong unit price", "SO-48213", "EUR 1,240.00",
				"https://desk.ourco.example/desk/inquiries/"}},
		{name: "complaint counted", from: "ann@acme.com", subject: "Broken again",
			body: "This is the third time the unit broke. Unacceptable service, I want to speak to a manager.\n", wantTo: "rita@ourco.example",
			wantCategory: "complaint", wantComplaint: true, wantInBody: []string{"Invoice INV-223 is wrong"}}, // the earlier inquiry
		{name: "unknown sender to the team", from: "Joe <joe@gmail.com>", subject: "Sensor calibration",
			body: "How do I calibrate the temperature sensor on the X200? The manual does not say.\n", wantTo: "team@ourco.example",
			wantCategory: "support", wantInBody: []string{"could not match"}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := f.take(t, tt.from, tt.subject, fmt.Sprintf("h%d@example.com", i), tt.body)
			if q.Category != tt.wantCategory {
				t.Fatalf("category = %s, want %s", q.Category, tt.wantCategory)
			}
			task, _ := tasks.NewInquiryHandoffTask(tasks.InquiryHandoffPayload{InquiryID: q.ID})
			run(t, h, task)
			o, err := f.st.OutboundByIdempotencyKey(f.ctx, intake.HandoffKey(q.ID))
			if err != nil {
				t.Fatal(err)
			}
			if o.To[0] != tt.wantTo || o.ReplyTo != q.ContactEmail || o.Kind != intake.KindHandoff {
				t.Errorf("handoff to %v reply-to %q kind %q", o.To, o.ReplyTo, o.Kind)
			}
			if !strings.Contains(o.Subject, q.Reference) {
				t.Errorf("subject %q lacks %s", o.Subject, q.Reference)
			}
			for _, want := range tt.wantInBody {
				if !strings.Contains(o.BodyText, want) {
					t.Errorf("body lacks %q:\n%s", want, o.BodyText)
				}
			}
			alerts, err := f.st.ListAlerts(f.ctx, store.AlertFilter{Kind: intake.AlertKindComplaint})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantComplaint && (len(alerts) != 1 || alerts[0].CustomerID != f.acme.ID || alerts[0].Occurrences != 2) {
				// Occurrences counts the two runs of one task; the number
				// of alerts is the number of complaints.
				t.Errorf("complaint alerts = %+v", alerts)
			}
		})
	}
	if n := len(f.outbound(t, intake.KindHandoff)); n != len(tests) {
		t.Errorf("handoff rows = %d, want %d", n, len(tests))
	}
}

func TestTriageHandler(t *testing.T) {
	f := newInquiryFixture(t, 1.01)
	h, err := NewTriageHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	q := f.take(t, "Zed <zed@zz.example>", "hmm", "t1@zz.example", "Blue green, see attached, thoughts?\n")
	tt := f.sink.of(tasks.TypeInquiryTriage)
	if len(tt) != 1 {
		t.Fatalf("triage tasks = %d", len(tt))
	}
	run(t, h, tt[0])
	rows := f.outbound(t, intake.KindTriage)
	if len(rows) != 1 || rows[0].To[0] != "triage@ourco.example" {
		t.Fatalf("triage rows = %+v", rows)
	}
	body := rows[0].BodyText
	if !strings.Contains(body, "Blue green") || !strings.Contains(body, "Zed <zed@zz.example>") {
		t.Errorf("triage body:\n%s", body)
	}
	// Every category has a link, and each verifies for its own category only.
	for _, c := range routing.Categories() {
		prefix := fmt.Sprintf("https://desk.ourco.example/triage/%d/%s?", q.ID, c)
		i := strings.Index(body, prefix)
		if i < 0 {
			t.Errorf("no link for %s", c)
			continue
		}
		raw := body[i:]
		if j := strings.IndexAny(raw, " \r\n"); j >= 0 {
			raw = raw[:j]
		}
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.opts.Links.VerifyValues(link.TriageAction, q.ID, string(c), u.Query(), f.now); err != nil {
			t.Errorf("%s link: %v", c, err)
		}
		if err := f.opts.Links.VerifyValues(link.TriageAction, q.ID, "other-"+string(c), u.Query(), f.now); err == nil {
			t.Errorf("%s link verifies for another category", c)
		}
		if err := f.opts.Links.VerifyValues(link.TriageAction, q.ID, string(c), u.Query(), f.now.Add(8*24*time.Hour)); err == nil {
			t.Errorf("%s link still valid after 8 days", c)
		}
	}
}

func TestUnsubscribeHandler(t *testing.T) {
	f := newInquiryFixture(t, 0)
	h, err := NewUnsubscribeHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	globex := &store.Customer{Name: "Globex", Domain: "globex.example"}
	if _, err := f.st.CreateCustomer(f.ctx, globex); err != nil {
		t.Fatal(err)
	}
	for _, email := range []string{"gil@globex.example", "gus@globex.example"} {
		if _, err := f.st.CreateContact(f.ctx, &store.Contact{CustomerID: globex.ID, Email: email}); err != nil {
			t.Fatal(err)
		}
	}
	const body = "Please remove me from your mailing list. I do not want any more newsletters.\n"
	tests := []struct {
		name         string
		from         string
		messageID    string
		wantTo       string
		customerID   int64 // the account whose opt-out is checked; 0 for none
		wantOptedOut bool
	}{
		// Ann is Acme's only contact: the account goes quiet too.
		{name: "only contact", from: "Ann Buyer <Ann@Acme.com>", messageID: "u1@acme.com", wantTo: "ann@acme.com",
			customerID: f.acme.ID, wantOptedOut: true},
		// Gil shares Globex with Gus, who must keep getting follow-ups.
		{name: "one of two contacts", from: "gil@globex.example", messageID: "u2@globex.example", wantTo: "gil@globex.example",
			customerID: globex.ID, wantOptedOut: false},
		// No account's contact: suppressed all the same, no alert.
		{name: "unknown address", from: "x@gmail.com", messageID: "u3@gmail.com", wantTo: "x@gmail.com"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := f.take(t, tt.from, "Unsubscribe", tt.messageID, body)
			run(t, h, f.sink.of(tasks.TypeCustomerUnsubscribe)[i])

			sup, err := f.st.Suppression(f.ctx, tt.wantTo)
			if err != nil || sup.Reason != SuppressionReasonUnsubscribe || sup.InquiryID != q.ID {
				t.Errorf("suppression = %+v, %v; want reason unsubscribe, inquiry %d", sup, err, q.ID)
			}
			if tt.customerID != 0 {
				c, err := f.st.Customer(f.ctx, tt.customerID)
				if err != nil {
					t.Fatal(err)
				}
				if c.OptedOut != tt.wantOptedOut {
					t.Errorf("account opted out = %v, want %v", c.OptedOut, tt.wantOptedOut)
				}
			}
			var rows []store.OutboundEmail
			for _, o := range f.outbound(t, intake.KindUnsubscribeConfirm) {
				if o.InquiryID == q.ID {
					rows = append(rows, o)
				}
			}
			if len(rows) != 1 || rows[0].To[0] != tt.wantTo || rows[0].InReplyTo != tt.messageID || !strings.Contains(rows[0].Subject, q.Reference) {
				t.Errorf("confirmations = %+v, want exactly one to %s", rows, tt.wantTo)
			}
		})
	}
	if ok, err := f.st.IsSuppressed(f.ctx, "gus@globex.example"); err != nil || ok {
		t.Errorf("gus suppressed = %v, %v; want only gil", ok, err)
	}
	if alerts, err := f.st.ListAlerts(f.ctx, store.AlertFilter{}); err != nil || len(alerts) != 0 {
		t.Errorf("alerts = %+v, %v; want none", alerts, err)
	}
}

func TestInquiryHandlersRejectBadTasks(t *testing.T) {
	f := newInquiryFixture(t, 0)
	ack, _ := NewAckHandler(f.deps, f.opts)
	handoff, _ := NewHandoffHandler(f.deps, f.opts)
	for _, tc := range []struct {
		h    asynq.Handler
		task *asynq.Task
	}{
		{ack, asynq.NewTask(tasks.TypeInquiryAck, []byte(`{`))},
		{ack, mustTask(tasks.NewInquiryAckTask(tasks.InquiryAckPayload{InquiryID: 999}))},
		{handoff, mustTask(tasks.NewInquiryHandoffTask(tasks.InquiryHandoffPayload{InquiryID: 999}))},
	} {
		err := tc.h.ProcessTask(f.ctx, tc.task)
		if err == nil || !strings.Contains(err.Error(), asynq.SkipRetry.Error()) {
			t.Errorf("%s %s: %v, want a permanent error", tc.task.Type(), tc.task.Payload(), err)
		}
	}
	if _, err := NewAckHandler(f.deps, InquiryOptions{}); err == nil {
		t.Error("NewAckHandler without options succeeded")
	}
}

func mustTask(t *asynq.Task, err error) *asynq.Task {
	if err != nil {
		panic(err)
	}
	return t
}

func TestMoney(t *testing.T) {
	tests := []struct {
		currency string
		cents    int64
		want     string
	}{
		{"EUR", 124000, "EUR 1,240.00"},
		{"USD", 5, "USD 0.05"},
		{"EUR", 123456789, "EUR 1,234,567.89"},
		{"EUR", -100050, "EUR -1,000.50"},
		{"", 0, ""},
	}
	for _, tt := range tests {
		if got := money(tt.currency, tt.cents); got != tt.want {
			t.Errorf("money(%s, %d) = %q, want %q", tt.currency, tt.cents, got, tt.want)
		}
	}
}
