package intake_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/internal/mailer"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/queue"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// classifier is trained once for the package (about 0.2 s).
var classifier = sync.OnceValue(func() *routing.Classifier { return routing.DefaultClassifier(nil) })

// recorder is the queue: it keeps every distinct task and answers a repeat
// of the same TaskID with asynq.ErrTaskIDConflict, as Redis would. asynq
// does not expose a task's options, so the TaskID is rebuilt the way the
// tasks package makes it: type and inquiry (or lead and attempt).
type recorder struct {
	mu    sync.Mutex
	seen  map[string]bool
	tasks []*asynq.Task
	dups  int
}

func (r *recorder) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	key := taskID(t)
	if r.seen[key] {
		r.dups++
		return nil, asynq.ErrTaskIDConflict
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[key] = true
	r.tasks = append(r.tasks, t)
	return &asynq.TaskInfo{Type: t.Type()}, nil
}

func taskID(t *asynq.Task) string {
	var p struct {
		InquiryID int64 `json:"inquiry_id"`
		LeadID    int64 `json:"lead_id"`
		Attempt   int   `json:"attempt"`
	}
	if err := json.Unmarshal(t.Payload(), &p); err != nil || (p.InquiryID == 0 && p.LeadID == 0) {
		return t.Type() + ":" + string(t.Payload())
	}
	if p.InquiryID != 0 {
		return fmt.Sprintf("%s:%d", t.Type(), p.InquiryID)
	}
	return fmt.Sprintf("%s:%d:%d", t.Type(), p.LeadID, p.Attempt)
}

// of returns the payloads of the recorded tasks of one type, decoded.
func (r *recorder) of(t *testing.T, typ string) []map[string]any {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []map[string]any
	for _, task := range r.tasks {
		if task.Type() != typ {
			continue
		}
		var p map[string]any
		if err := json.Unmarshal(task.Payload(), &p); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, task := range r.tasks {
		out = append(out, task.Type())
	}
	return out
}

type env struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	q   *recorder
	p   *intake.Processor
	now time.Time
	uid uint32

	acme    *store.Customer
	rep     *store.Rep
	ann     *store.Contact
	reloads int
}

type setupOpts struct {
	dsn       string
	minConf   float64
	opts      intake.Options
	followups func(st *store.Store) intake.Followups
	senders   intake.SenderChecker
	ack       intake.Acknowledger
	answers   map[string]intake.Answerer
	// enqueuer, when set, wraps the recorder.
	enqueuer func(r *recorder) queue.Enqueuer
}

// setup opens a fresh store with one account (acme.com, owner rep Rita,
// contact ann@acme.com) and a Processor over it.
func setup(t *testing.T, so setupOpts) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, ctx: ctx, q: &recorder{}, now: time.Date(2025, 3, 10, 9, 0, 0, 0, time.UTC)}
	dsn := so.dsn
	if dsn == "" {
		dsn = "sqlite:" + filepath.Join(t.TempDir(), "intake.db")
	}
	st, err := store.Open(ctx, dsn, store.WithClock(func() time.Time { return e.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.st = st

	e.rep = &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true}
	if _, err := st.CreateRep(ctx, e.rep); err != nil {
		t.Fatal(err)
	}
	e.acme = &store.Customer{Name: "Acme GmbH", Domain: "acme.com", OwnerRepID: e.rep.ID}
	if _, err := st.CreateCustomer(ctx, e.acme); err != nil {
		t.Fatal(err)
	}
	e.ann = &store.Contact{CustomerID: e.acme.ID, Email: "ann@acme.com", Name: "Ann Buyer"}
	if _, err := st.CreateContact(ctx, e.ann); err != nil {
		t.Fatal(err)
	}

	router, err := routing.NewRouter(routing.RouterOptions{Classifier: classifier(), MinConfidence: so.minConf})
	if err != nil {
		t.Fatal(err)
	}
	o := so.opts
	if so.followups != nil {
		o.Followups = so.followups(st)
	}
	var enq queue.Enqueuer = e.q
	if so.enqueuer != nil {
		enq = so.enqueuer(e.q)
	}
	e.p, err = intake.New(intake.Deps{
		Store: st, Router: router, Enqueuer: enq, Senders: so.senders, Ack: so.ack, Answers: so.answers,
		Now:    func() time.Time { return e.now },
		Reload: func(context.Context) error { e.reloads++; return nil },
	}, o)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// allFollowups registers every follow-on task.
func allFollowups(st *store.Store) intake.Followups {
	return intake.DefaultFollowups(st, func(string) bool { return true })
}

// mail is a synthetic raw message.
type mail struct {
	from, subject, messageID, inReplyTo, references string
	headers                                         []string
	body                                            string
}

func (m mail) raw() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: sales@ourco.example\r\nSubject: %s\r\nDate: Mon, 10 Mar 2025 08:30:00 +0000\r\n", m.from, m.subject)
	if m.messageID != "" {
		fmt.Fprintf(&b, "Message-ID: <%s>\r\n", m.messageID)
	}
	if m.inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\n", m.inReplyTo)
	}
	if m.references != "" {
		fmt.Fprintf(&b, "References: %s\r\n", m.references)
	}
	for _, h := range m.headers {
		b.WriteString(h + "\r\n")
	}
	if !slices.ContainsFunc(m.headers, func(h string) bool { return strings.HasPrefix(strings.ToLower(h), "content-type:") }) {
		b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(m.body, "\n", "\r\n"))
	return []byte(b.String())
}

// deliver stores raw as the next message of the "sales" mailbox.
func (e *env) deliver(raw []byte) int64 {
	e.t.Helper()
	e.uid++
	m := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: e.uid, Raw: raw}
	if parsed, err := mailparse.Parse(raw, mailparse.Options{}); err == nil {
		m.MessageID = parsed.MessageID // as the poller records it from the envelope
	}
	if _, _, _, err := e.st.SaveInboundMessage(e.ctx, m); err != nil {
		e.t.Fatal(err)
	}
	return m.ID
}

// take delivers m and processes it.
func (e *env) take(m mail) int64 {
	e.t.Helper()
	id := e.deliver(m.raw())
	if err := e.p.Process(e.ctx, id); err != nil {
		e.t.Fatalf("Process(%d): %v", id, err)
	}
	return id
}

func (e *env) inquiryOf(inboundID int64) *store.Inquiry {
	e.t.Helper()
	q, err := e.st.InquiryByInboundMessage(e.ctx, inboundID)
	if err != nil {
		e.t.Fatalf("inquiry of inbound %d: %v", inboundID, err)
	}
	return q
}

func (e *env) wantStatus(inboundID int64, want string) {
	e.t.Helper()
	in, err := e.st.InboundMessage(e.ctx, inboundID)
	if err != nil {
		e.t.Fatal(err)
	}
	if in.Status != want {
		e.t.Errorf("inbound %d status = %q (%s), want %q", inboundID, in.Status, in.Reason, want)
	}
}

// ackRow writes the acknowledgement row the inquiry:ack handler would.
func (e *env) ackRow(q *store.Inquiry) *store.OutboundEmail {
	e.t.Helper()
	o := &store.OutboundEmail{
		IdempotencyKey: intake.AckKey(q.ID), MessageID: fmt.Sprintf("ack-%d@ourco.example", q.ID), Kind: intake.KindAck,
		InquiryID: q.ID, From: "sales@ourco.example", To: []string{q.ContactEmail}, Subject: "Re: [" + q.Reference + "]",
	}
	if _, _, err := e.st.CreateOutbound(e.ctx, o); err != nil {
		e.t.Fatal(err)
	}
	return o
}

func num(v any) int64 {
	f, _ := v.(float64)
	return int64(f)
}

const orderStatusBody = `Hello,

could you tell me when our order SO-48213 will be delivered? It was due last week.

Thanks,
Ann Buyer
Acme GmbH
`

func TestKnownContactOrderStatus(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{followups: allFollowups})
	testKnownContactOrderStatus(t, e)
}

// The same test body against PostgreSQL.
func TestKnownContactOrderStatusPostgres(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{dsn: testenv.PostgresDSN(t), followups: allFollowups})
	testKnownContactOrderStatus(t, e)
}

func testKnownContactOrderStatus(t *testing.T, e *env) {
	id := e.take(mail{from: "Ann Buyer <Ann@Acme.com>", subject: "Where is my order SO-48213?", messageID: "m1@acme.com", body: orderStatusBody})

	q := e.inquiryOf(id)
	if q.Category != string(routing.OrderStatus) || q.CustomerID != e.acme.ID || q.ContactEmail != "ann@acme.com" {
		t.Errorf("inquiry = %+v, want order_status for customer %d from ann@acme.com", q, e.acme.ID)
	}
	if q.Reference != fmt.Sprintf("SD-%d", q.ID) || q.Status != store.InquiryRouted || q.ParentID != 0 {
		t.Errorf("inquiry reference/status/parent = %q/%q/%d", q.Reference, q.Status, q.ParentID)
	}
	got := e.q.of(t, tasks.TypeOrderStatusReply)
	if len(got) != 1 || num(got[0]["inquiry_id"]) != q.ID || got[0]["order_number"] != "SO-48213" {
		t.Errorf("order:status_reply tasks = %v", got)
	}
	// The status answer is the acknowledgement: one mail, not two.
	if n := len(e.q.types()); n != 1 {
		t.Errorf("tasks = %v, want the follow-on alone", e.q.types())
	}
	parsed, found, err := e.st.InboundParsed(e.ctx, id)
	if err != nil || !found {
		t.Fatalf("parsed = %v, %v", found, err)
	}
	if parsed.Kind != store.KindHuman || parsed.From != "ann@acme.com" || !strings.Contains(parsed.NewText, "SO-48213") {
		t.Errorf("parsed = %+v", parsed)
	}
	e.wantStatus(id, store.InboundProcessed)
}

// Without a registered order:status_reply handler the inquiry is handed
// off: nothing is left without an owner.
func TestFollowupFallsBackToHandoff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		followups func(*store.Store) intake.Followups
		mail      mail
		wantType  string
		wantAck   bool // false: the follow-on's own mail answers at once
	}{
		{name: "order_status without handler", mail: mail{from: "ann@acme.com", subject: "Where is my order SO-48213?", body: orderStatusBody}, wantType: tasks.TypeInquiryHandoff, wantAck: true},
		{name: "order_status with handler", followups: allFollowups, mail: mail{from: "ann@acme.com", subject: "Where is my order SO-48213?", body: orderStatusBody}, wantType: tasks.TypeOrderStatusReply},
		{name: "support", followups: allFollowups, mail: mail{from: "ann@acme.com", subject: "Sensor calibration", body: "How do I calibrate the temperature sensor on the X200? The manual does not say.\n"}, wantType: tasks.TypeInquiryHandoff, wantAck: true},
		{name: "rush change goes critical", followups: allFollowups, mail: mail{from: "ann@acme.com", subject: "Please expedite order SO-48213", body: "Hi, we need order SO-48213 changed to overnight express shipping, it is urgent, please rush it. Can you change the delivery?\n"}, wantType: tasks.TypeOrderRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, setupOpts{followups: tt.followups})
			id := e.take(tt.mail)
			q := e.inquiryOf(id)
			types := e.q.types()
			wantN := 1
			if tt.wantAck {
				wantN = 2
			}
			if !slices.Contains(types, tt.wantType) || len(types) != wantN || slices.Contains(types, tasks.TypeInquiryAck) != tt.wantAck {
				t.Errorf("category %s: tasks = %v, want %s (ack %v)", q.Category, types, tt.wantType, tt.wantAck)
			}
			if tt.wantType == tasks.TypeOrderRequest {
				if got := e.q.of(t, tasks.TypeOrderRequest); got[0]["rush"] != true {
					t.Errorf("order:request = %v, want rush", got[0])
				}
			}
		})
	}
}

func TestQuoteRequestCreatesLead(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{followups: allFollowups})
	id := e.take(mail{from: "Paul New <paul@newco.io>", subject: "Quote for 500 units of the X200",
		body: "Hello, could you send us a price quote for 500 units of the X200 sensor, delivered to Lyon? What is your lead time?\n\nPaul New\nNewCo SAS\n"})
	q := e.inquiryOf(id)
	if q.Category != string(routing.QuoteRequest) || q.CustomerID != 0 {
		t.Fatalf("inquiry = %+v", q)
	}
	got := e.q.of(t, tasks.TypeLeadAssign)
	if len(got) != 1 || num(got[0]["attempt"]) != 1 {
		t.Fatalf("lead:assign = %v", got)
	}
	l, err := e.st.Lead(e.ctx, num(got[0]["lead_id"]))
	if err != nil {
		t.Fatal(err)
	}
	if l.InquiryID != q.ID || l.ContactEmail != "paul@newco.io" || l.Domain != "newco.io" || l.Source != "email" {
		t.Errorf("lead = %+v", l)
	}
	// Again: the same lead, the same task.
	if err := e.st.SetInboundStatus(e.ctx, id, store.InboundStored, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Process(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := e.q.of(t, tasks.TypeLeadAssign); len(got) != 1 {
		t.Errorf("lead:assign after re-run = %v", got)
	}
}

func TestCustomerLink(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	other := &store.Customer{Name: "Gmail Fans", Domain: "gmail.com"}
	if _, err := e.st.CreateCustomer(e.ctx, other); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from string
		want int64
	}{
		{from: "ann@acme.com", want: e.acme.ID},
		{from: "Bob <BOB@acme.com>", want: e.acme.ID}, // not a contact: by domain
		{from: "someone@gmail.com", want: 0},          // free mail never links
		{from: "x@unknown.example", want: 0},
	}
	for _, tt := range tests {
		id := e.take(mail{from: tt.from, subject: "Login problem", body: "I cannot log in to the customer portal, the password reset does not work.\n"})
		if q := e.inquiryOf(id); q.CustomerID != tt.want {
			t.Errorf("%s: customer %d, want %d", tt.from, q.CustomerID, tt.want)
		}
	}
}

func TestUnknownSenderSupport(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	id := e.take(mail{from: "Joe <joe@gmail.com>", subject: "Sensor calibration", messageID: "j1@gmail.com",
		body: "How do I calibrate the temperature sensor on the X200? The manual does not say.\n"})
	q := e.inquiryOf(id)
	if q.CustomerID != 0 || q.Category != string(routing.Support) {
		t.Errorf("inquiry = %+v", q)
	}
	if h := e.q.of(t, tasks.TypeInquiryHandoff); len(h) != 1 || num(h[0]["inquiry_id"]) != q.ID {
		t.Errorf("handoff = %v", h)
	}
	if a := e.q.of(t, tasks.TypeInquiryAck); len(a) != 1 {
		t.Errorf("ack = %v", a)
	}
}

func TestAutomatedMailIsNeverAnswered(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mail     mail
		wantKind string
	}{
		{name: "auto-submitted", wantKind: store.KindAutoReply, mail: mail{from: "ann@acme.com", subject: "Re: your order",
			headers: []string{"Auto-Submitted: auto-replied"}, body: "I am out of the office until Monday.\n"}},
		{name: "out of office subject", wantKind: store.KindAutoReply, mail: mail{from: "ann@acme.com", subject: "Out of Office: Where is my order",
			body: "I am away until 17 March.\n"}},
		{name: "list", wantKind: store.KindList, mail: mail{from: "news@vendor.example", subject: "March newsletter",
			headers: []string{"List-Id: <news.vendor.example>", "Precedence: bulk"}, body: "Our new products.\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, setupOpts{})
			id := e.take(tt.mail)
			if types := e.q.types(); len(types) != 0 {
				t.Errorf("tasks = %v, want none", types)
			}
			if _, err := e.st.InquiryByInboundMessage(e.ctx, id); err == nil {
				t.Error("an inquiry was opened for automated mail")
			}
			p, _, _ := e.st.InboundParsed(e.ctx, id)
			if p.Kind != tt.wantKind {
				t.Errorf("kind = %q, want %q", p.Kind, tt.wantKind)
			}
			e.wantStatus(id, store.InboundProcessed)
		})
	}
}

const dsn = `From: Mail Delivery System <MAILER-DAEMON@mx.acme.com>
To: sales@ourco.example
Subject: Undelivered Mail Returned to Sender
Date: Mon, 10 Mar 2025 08:31:00 +0000
Message-ID: <dsn-1@mx.acme.com>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

This is the mail system at host mx.acme.com. Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.com

Final-Recipient: rfc822; gone@acme.com
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--B
Content-Type: text/rfc822-headers

From: sales@ourco.example
To: gone@acme.com
Subject: Re: [SD-1] Hello
Message-ID: <%s>

--B--
`

func TestBounceMarksOutboundBounced(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	ours := &store.OutboundEmail{IdempotencyKey: "ack:99", MessageID: "ack-99@ourco.example", Kind: intake.KindAck,
		From: "sales@ourco.example", To: []string{"gone@acme.com"}, Subject: "Re: [SD-1] Hello"}
	if _, _, err := e.st.CreateOutbound(e.ctx, ours); err != nil {
		t.Fatal(err)
	}
	if err := e.st.MarkOutboundSent(e.ctx, ours.ID, time.Time{}); err != nil {
		t.Fatal(err)
	}
	id := e.deliver([]byte(strings.ReplaceAll(fmt.Sprintf(dsn, ours.MessageID), "\n", "\r\n")))
	if err := e.p.Process(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	got, err := e.st.Outbound(e.ctx, ours.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.OutboundBounced || !strings.Contains(got.Error, "5.1.1") {
		t.Errorf("outbound = %s (%q), want bounced with the status code", got.Status, got.Error)
	}
	if types := e.q.types(); len(types) != 0 {
		t.Errorf("tasks = %v, want none", types)
	}
	e.wantStatus(id, store.InboundProcessed)
}

func TestReplyToOurAckThreads(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	first := e.take(mail{from: "ann@acme.com", subject: "Invoice INV-223 is wrong", messageID: "c1@acme.com",
		body: "Our invoice INV-223 charges the wrong unit price. Please send a credit note.\n"})
	q1 := e.inquiryOf(first)
	ack := e.ackRow(q1)
	e.now = e.now.Add(48 * time.Hour) // past the ack window: only threading stops the second ack

	second := e.take(mail{from: "ann@acme.com", subject: "Re: [" + q1.Reference + "] Invoice INV-223 is wrong", messageID: "c2@acme.com",
		inReplyTo: ack.MessageID, references: "<c1@acme.com> <" + ack.MessageID + ">",
		body: "Thanks. Any news?\n\nOn Mon, Sales wrote:\n> Thank you for your message.\n"})
	q2 := e.inquiryOf(second)
	if q2.ParentID != q1.ID || q2.ThreadID != q1.ThreadID {
		t.Errorf("reply: parent %d thread %d, want parent %d thread %d", q2.ParentID, q2.ThreadID, q1.ID, q1.ThreadID)
	}
	if q2.Category != q1.Category {
		t.Errorf("reply category %q, want the thread's %q", q2.Category, q1.Category)
	}
	if acks := e.q.of(t, tasks.TypeInquiryAck); len(acks) != 1 || num(acks[0]["inquiry_id"]) != q1.ID {
		t.Errorf("acks = %v, want only the first mail's", acks)
	}
	if h := e.q.of(t, tasks.TypeInquiryHandoff); len(h) != 2 || num(h[1]["inquiry_id"]) != q2.ID {
		t.Errorf("handoffs = %v, want the reply handed off too", h)
	}
}

// A reply that quotes the customer's own first mail (In-Reply-To the
// inbound Message-ID, as when a colleague answers on the thread) threads.
func TestReplyToEarlierInboundThreads(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	first := e.take(mail{from: "ann@acme.com", subject: "Login problem", messageID: "l1@acme.com",
		body: "I cannot log in to the customer portal, the password reset does not work.\n"})
	second := e.take(mail{from: "bob@acme.com", subject: "Re: Login problem", messageID: "l2@acme.com", inReplyTo: "l1@acme.com",
		body: "Same problem here for my account too.\n"})
	if q2 := e.inquiryOf(second); q2.ParentID != e.inquiryOf(first).ID {
		t.Errorf("parent = %d, want %d", q2.ParentID, e.inquiryOf(first).ID)
	}
	if acks := e.q.of(t, tasks.TypeInquiryAck); len(acks) != 1 {
		t.Errorf("acks = %v, want one", acks)
	}
}

func TestSubjectTokenThreads(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	first := e.take(mail{from: "ann@acme.com", subject: "Invoice INV-223 is wrong", body: "Our invoice INV-223 charges the wrong unit price. Please send a credit note.\n"})
	q1 := e.inquiryOf(first)
	tests := []struct {
		name       string
		from       string
		wantParent int64
	}{
		{name: "same sender", from: "ann@acme.com", wantParent: q1.ID},
		{name: "colleague on the same domain", from: "carl@ACME.com", wantParent: q1.ID},
		{name: "stranger guessing the token", from: "eve@evil.example", wantParent: 0},
	}
	for _, tt := range tests {
		id := e.take(mail{from: tt.from, subject: "Fwd: [" + q1.Reference + "] Invoice", body: "Any update on the credit note for this invoice?\n"})
		if q := e.inquiryOf(id); q.ParentID != tt.wantParent {
			t.Errorf("%s: parent %d, want %d", tt.name, q.ParentID, tt.wantParent)
		}
	}
}

// Two stored mails that reference each other (and no inquiry) do not trap
// the walk; nor does a References header of hundreds of unknown ids.
func TestReferenceLoopTerminates(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	e.take(mail{from: "robot@acme.com", subject: "Automatic reply", messageID: "a@loop", inReplyTo: "b@loop", references: "<b@loop>",
		headers: []string{"Auto-Submitted: auto-replied"}, body: "auto\n"})
	e.take(mail{from: "robot@acme.com", subject: "Automatic reply", messageID: "b@loop", inReplyTo: "a@loop", references: "<a@loop>",
		headers: []string{"Auto-Submitted: auto-replied"}, body: "auto\n"})
	id := e.take(mail{from: "ann@acme.com", subject: "Re: Automatic reply", messageID: "c@loop", inReplyTo: "a@loop", references: "<b@loop> <a@loop>",
		body: "How do I calibrate the temperature sensor on the X200?\n"})
	if q := e.inquiryOf(id); q.ParentID != 0 {
		t.Errorf("parent = %d, want a new thread", q.ParentID)
	}

	var refs []string
	for i := range 500 {
		refs = append(refs, fmt.Sprintf("<r%d@nowhere>", i))
	}
	id = e.take(mail{from: "ann@acme.com", subject: "Sensor", messageID: "d@loop", references: strings.Join(refs, " "),
		body: "How do I calibrate the temperature sensor on the X200?\n"})
	if q := e.inquiryOf(id); q.ParentID != 0 {
		t.Errorf("parent = %d, want a new thread", q.ParentID)
	}
}

// By default every new inquiry is acknowledged, whoever sent one before:
// a second, different request the same day is not left without an answer.
func TestEveryNewInquiryAcknowledged(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	login := "I cannot log in to the customer portal, the password reset does not work.\n"
	a1 := e.take(mail{from: "ann@acme.com", subject: "Login problem", body: login})
	e.ackRow(e.inquiryOf(a1))
	e.now = e.now.Add(time.Hour)
	a2 := e.take(mail{from: "ann@acme.com", subject: "Sensor calibration", body: "How do I calibrate the temperature sensor on the X200? The manual does not say.\n"})
	var got []int64
	for _, a := range e.q.of(t, tasks.TypeInquiryAck) {
		got = append(got, num(a["inquiry_id"]))
	}
	if want := []int64{e.inquiryOf(a1).ID, e.inquiryOf(a2).ID}; !slices.Equal(got, want) {
		t.Errorf("acked inquiries = %v, want %v", got, want)
	}
}

func TestAckRateLimitPerSender(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{opts: intake.Options{AckWindow: 6 * time.Hour}})
	login := "I cannot log in to the customer portal, the password reset does not work.\n"
	a1 := e.take(mail{from: "ann@acme.com", subject: "Login problem", body: login})
	e.ackRow(e.inquiryOf(a1))

	e.now = e.now.Add(5 * time.Hour)
	e.take(mail{from: "ANN@acme.com", subject: "Another login problem", body: login}) // inside the window
	e.take(mail{from: "bob@acme.com", subject: "Login problem", body: login})         // another sender
	e.now = e.now.Add(2 * time.Hour)
	a4 := e.take(mail{from: "ann@acme.com", subject: "Third login problem", body: login}) // window over

	var got []int64
	for _, a := range e.q.of(t, tasks.TypeInquiryAck) {
		got = append(got, num(a["inquiry_id"]))
	}
	want := []int64{e.inquiryOf(a1).ID, e.inquiryOf(a1).ID + 2, e.inquiryOf(a4).ID}
	if !slices.Equal(got, want) {
		t.Errorf("acked inquiries = %v, want %v", got, want)
	}
}

func TestUnsubscribe(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	id := e.take(mail{from: "Ann <ann@acme.com>", subject: "Unsubscribe", body: "Please remove me from your mailing list. I do not want any more newsletters.\n"})
	q := e.inquiryOf(id)
	got := e.q.of(t, tasks.TypeCustomerUnsubscribe)
	if len(got) != 1 || got[0]["email"] != "ann@acme.com" || num(got[0]["inquiry_id"]) != q.ID {
		t.Errorf("customer:unsubscribe = %v", got)
	}
	if types := e.q.types(); len(types) != 1 {
		t.Errorf("tasks = %v, want only the unsubscribe (its confirmation is the acknowledgement)", types)
	}
}

func TestLowConfidenceGoesToTriage(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{minConf: 1.01, followups: allFollowups}) // no prediction is that sure
	id := e.take(mail{from: "ann@acme.com", subject: "Where is my order SO-48213?", body: orderStatusBody})
	q := e.inquiryOf(id)
	if q.Status != store.InquiryTriage {
		t.Errorf("status = %q, want triage", q.Status)
	}
	got := e.q.of(t, tasks.TypeInquiryTriage)
	if len(got) != 1 || got[0]["reason"] != tasks.TriageLowConfidence {
		t.Errorf("triage = %v", got)
	}
	if types := e.q.types(); len(types) != 2 || !slices.Contains(types, tasks.TypeInquiryAck) {
		t.Errorf("tasks = %v, want triage and ack", types)
	}

	// The human decides; the model learns and the follow-on starts.
	if err := e.p.ApplyTriageDecision(e.ctx, q.ID, "order_status", "tess@ourco.example"); err != nil {
		t.Fatal(err)
	}
	if err := e.p.ApplyTriageDecision(e.ctx, q.ID, "order_status", "tess@ourco.example"); err != nil {
		t.Fatal(err)
	}
	q, _ = e.st.Inquiry(e.ctx, q.ID)
	if q.Category != "order_status" || q.Confidence != 1 || q.Status != store.InquiryRouted {
		t.Errorf("after decision: %+v", q)
	}
	if got := e.q.of(t, tasks.TypeOrderStatusReply); len(got) != 1 || got[0]["order_number"] != "SO-48213" {
		t.Errorf("order:status_reply = %v", got)
	}
	ex, err := e.st.RoutingExamples(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex) != 1 || ex[0].Category != "order_status" || ex[0].Source != store.ExampleTriage || ex[0].InquiryID != q.ID ||
		!strings.Contains(ex[0].Text, "SO-48213") {
		t.Errorf("routing examples = %+v", ex)
	}
	// The decisions did not retrain: they left one routing:retrain task
	// (both fell in one window) for a worker, and an outbox row for it.
	if e.reloads != 0 {
		t.Errorf("reloads in the decision = %d, want 0 (the worker retrains)", e.reloads)
	}
	retrains := e.q.of(t, tasks.TypeRoutingRetrain)
	wantRun := tasks.RetrainRunAt(e.now, 0).Format(time.RFC3339)
	if len(retrains) != 1 || retrains[0]["run_at"] != wantRun {
		t.Errorf("routing:retrain = %v, want one at %s", retrains, wantRun)
	}
	rows, err := e.st.PendingTasks(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rows, func(r store.PendingTask) bool { return r.Type == tasks.TypeRoutingRetrain }) {
		t.Errorf("no outbox row for routing:retrain in %+v", rows)
	}
	if err := e.p.Retrain(e.ctx); err != nil || e.reloads != 1 {
		t.Errorf("Retrain: err %v, reloads %d, want 1", err, e.reloads)
	}
	if err := e.p.ApplyTriageDecision(e.ctx, q.ID, "pizza", "tess"); err == nil {
		t.Error("unknown category accepted")
	}
	if err := e.p.ApplyTriageDecision(e.ctx, 9999, "billing", "tess"); err == nil {
		t.Error("unknown inquiry accepted")
	}
}

func TestOversizeGoesToTriage(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{opts: intake.Options{MaxMessageBytes: 2048}})
	id := e.take(mail{from: "ann@acme.com", subject: "Where is my order SO-48213?", body: orderStatusBody + strings.Repeat("padding line\n", 1000)})
	got := e.q.of(t, tasks.TypeInquiryTriage)
	if len(got) != 1 || got[0]["reason"] != tasks.TriageOversize || num(got[0]["inquiry_id"]) != e.inquiryOf(id).ID {
		t.Errorf("triage = %v", got)
	}
}

// Running Process again, even after a crash that left the message
// unfinished and with a retrained model in between, has the effect of
// running it once.
func TestProcessTwiceIsOnce(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{followups: allFollowups})
	id := e.take(mail{from: "ann@acme.com", subject: "Where is my order SO-48213?", body: orderStatusBody})
	before := e.q.types()
	q := e.inquiryOf(id)

	if err := e.p.Process(e.ctx, id); err != nil { // already processed: a no-op
		t.Fatal(err)
	}
	// A crash before the message was marked processed.
	if err := e.st.SetInboundStatus(e.ctx, id, store.InboundStored, ""); err != nil {
		t.Fatal(err)
	}
	// A model that now thinks otherwise must not change the stored decision.
	other, err := intake.New(intake.Deps{Store: e.st, Router: fixedRouter{routing.Decision{Category: routing.Complaint, Confidence: 1}},
		Enqueuer: e.q, Now: func() time.Time { return e.now }}, intake.Options{Followups: allFollowups(e.st)})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Process(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if after := e.q.types(); !slices.Equal(after, before) {
		t.Errorf("tasks after re-run = %v, want %v", after, before)
	}
	if e.q.dups != 1 {
		t.Errorf("repeated enqueues = %d, want 1 (the follow-on, already there; its answer is the ack)", e.q.dups)
	}
	all, err := e.st.ListInquiries(e.ctx, store.InquiryFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || all[0].ID != q.ID || all[0].Category != q.Category {
		t.Errorf("inquiries = %+v, want the one %s", all, q.Category)
	}
	e.wantStatus(id, store.InboundProcessed)
}

type fixedRouter struct{ d routing.Decision }

func (f fixedRouter) Route(routing.Input) routing.Decision { return f.d }

func TestMissingAndUnreadableMessages(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	if err := e.p.Process(e.ctx, 4242); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("Process(missing) = %v", err)
	}
	id := e.deliver([]byte("\x00\x01 not a mail at all"))
	if err := e.p.Process(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	e.wantStatus(id, store.InboundQuarantined)
	if types := e.q.types(); len(types) != 0 {
		t.Errorf("tasks = %v", types)
	}
}

// Every message of the shared corpus goes through Process without a panic
// or an error, and no automated one is acknowledged or opens an inquiry.
func TestCorpus(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "shared", "testdata", "mail")
	var files []string
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && filepath.Dir(path) != root { // the top level holds README.md and PROVENANCE.tsv
			files = append(files, path)
		}
		return nil
	})
	if err != nil || len(files) == 0 {
		testenv.Unavailable(t, "shared mail corpus at "+root, err)
	}
	e := setup(t, setupOpts{followups: allFollowups})
	kinds := map[string]int{}
	for _, path := range files {
		name, _ := filepath.Rel(root, path)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		id := e.deliver(raw)
		if err := e.p.Process(e.ctx, id); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		p, found, err := e.st.InboundParsed(e.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !found {
			kinds["unreadable"]++
			continue
		}
		kinds[p.Kind]++
		_, qerr := e.st.InquiryByInboundMessage(e.ctx, id)
		if p.Kind != store.KindHuman && qerr == nil {
			t.Errorf("%s: %s mail opened an inquiry", name, p.Kind)
		}
	}
	for _, a := range e.q.of(t, tasks.TypeInquiryAck) {
		q, err := e.st.Inquiry(e.ctx, num(a["inquiry_id"]))
		if err != nil {
			t.Fatal(err)
		}
		p, _, _ := e.st.InboundParsed(e.ctx, q.InboundMessageID)
		if p.Kind != store.KindHuman {
			t.Errorf("ack queued for %s mail (inbound %d)", p.Kind, q.InboundMessageID)
		}
	}
	t.Logf("corpus: %d messages, kinds %v, %d acks", len(files), kinds, len(e.q.of(t, tasks.TypeInquiryAck)))
}

func TestReloadFromStore(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	// Its own classifier, since it reloads, over the shared trained model.
	c := routing.NewClassifier(classifier().Model(), routing.DefaultTrainingExamples(), routing.DefaultTrainOptions())
	reload := intake.ReloadFromStore(e.st, c)
	before := c.Model()
	if err := reload(e.ctx); err != nil { // nothing learnt yet: the model stays
		t.Fatal(err)
	}
	if c.Model() != before {
		t.Error("reload without human examples replaced the model")
	}
	if _, err := e.st.AddRoutingExample(e.ctx, &store.RoutingExample{Text: "seeded", Category: "other", Source: store.ExampleSeed}); err != nil {
		t.Fatal(err)
	}
	if err := reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if c.Model() != before {
		t.Error("reload trained on seed examples only")
	}
	if _, err := e.st.AddRoutingExample(e.ctx, &store.RoutingExample{Subject: "Zorblax", Text: "zorblax frobnication request",
		Category: "billing", Source: store.ExampleTriage}); err != nil {
		t.Fatal(err)
	}
	if err := reload(e.ctx); err != nil {
		t.Fatal(err)
	}
	if c.Model() == before {
		t.Error("reload with a triage example kept the old model")
	}
}

// DefaultFollowups picks a category's own task only when its handler runs.
func ExampleDefaultFollowups() {
	registered := map[string]bool{tasks.TypeOrderStatusReply: true}
	f := intake.DefaultFollowups(nil, func(typ string) bool { return registered[typ] })
	for _, c := range []routing.Category{routing.OrderStatus, routing.OrderChange, routing.QuoteRequest} {
		fmt.Println(c, f[c] != nil)
	}
	// Output:
	// order_status true
	// order_change false
	// quote_request false
}

// TestOwnMailIsNeverAnswered: mail from our own sending address, or
// carrying an X-Loop header that names us, opens nothing and gets no
// answer; a customer's mail with someone else's X-Loop is still answered.
func TestOwnMailIsNeverAnswered(t *testing.T) {
	t.Parallel()
	own := intake.Options{OwnAddresses: []string{"Salesdesk <sales@ourco.example>"}}
	for name, m := range map[string]mail{
		"own from": {from: "Sales <SALES@ourco.example>", subject: "Where is my order SO-10042?", body: "Where is my order?\n"},
		"x-loop":   {from: "ann@acme.com", subject: "Where is my order SO-10042?", headers: []string{"X-Loop: sales@ourco.example"}, body: "Where is my order?\n"},
	} {
		t.Run(name, func(t *testing.T) {
			e := setup(t, setupOpts{opts: own})
			id := e.take(m)
			if types := e.q.types(); len(types) != 0 {
				t.Errorf("tasks = %v, want none", types)
			}
			if _, err := e.st.InquiryByInboundMessage(e.ctx, id); err == nil {
				t.Error("an inquiry was opened for our own mail")
			}
			e.wantStatus(id, store.InboundProcessed)
		})
	}
	t.Run("other x-loop", func(t *testing.T) {
		e := setup(t, setupOpts{opts: own})
		id := e.take(mail{from: "ann@acme.com", subject: "Where is my order SO-10042?", headers: []string{"X-Loop: helpdesk@acme.com"}, body: "Where is my order?\n"})
		if len(e.q.types()) == 0 {
			t.Error("no follow-on task for a customer's mail with a foreign X-Loop")
		}
		if _, err := e.st.InquiryByInboundMessage(e.ctx, id); err != nil {
			t.Errorf("inquiry: %v", err)
		}
	})
}

// TestOurMailCarriesXLoop: every mail we compose names our sending address
// in X-Loop, so when a customer's robot sends it back under its own From
// it is recognised as ours and not answered.
func TestOurMailCarriesXLoop(t *testing.T) {
	t.Parallel()
	raw, err := mailer.Compose(mailer.Outgoing{
		From: "Salesdesk <sales@ourco.example>", To: []string{"ann@acme.com"},
		Subject: "Your order SO-10042", Text: "It ships today.\n", MessageID: "x-loop-1@ourco.example",
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := mailparse.Parse(raw, mailparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Headers.Get("X-Loop"); got != "sales@ourco.example" {
		t.Fatalf("X-Loop = %q, want sales@ourco.example", got)
	}
	e := setup(t, setupOpts{opts: intake.Options{OwnAddresses: []string{"sales@ourco.example"}}})
	// The customer's robot resends it from its own address.
	back := strings.Replace(string(raw), "From: \"Salesdesk\" <sales@ourco.example>", "From: <ann@acme.com>", 1)
	if back == string(raw) {
		t.Fatalf("no From line to replace in:\n%s", raw)
	}
	id := e.deliver([]byte(back))
	if err := e.p.Process(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if types := e.q.types(); len(types) != 0 {
		t.Errorf("tasks = %v, want none", types)
	}
}
