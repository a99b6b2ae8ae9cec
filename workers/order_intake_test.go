package workers

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/intake"
	"salesdesk/internal/queue"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// statusIntake is an orderFixture with intake over it: raw mails in, the
// acknowledgement written in intake as workers.New wires it, and the
// order-status answer written either in intake (Deps.Answers) or by the
// order:status_reply task.
type statusIntake struct {
	*orderFixture
	sink *taskSink
	p    *intake.Processor
	sh   *OrderStatusHandler
	uid  uint32
}

// statusIntakeOpts tune newStatusIntake.
type statusIntakeOpts struct {
	inIntake bool // the answer in intake
	// answerer, when set, answers in intake instead of the handler.
	answerer func(f *statusIntake) intake.Answerer
	// store, when set, is intake's store over the fixture's.
	store func(st *store.Store) intake.Store
}

func newStatusIntake(t *testing.T, o statusIntakeOpts) *statusIntake {
	t.Helper()
	f := &statusIntake{orderFixture: newOrderFixture(t, ""), sink: &taskSink{}}
	f.order(t, f.acme, "SO-10042", store.OrderShipped, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC))
	f.now = f.now.Add(time.Minute)
	f.order(t, f.acme, "SO-10043", store.OrderProcessing, time.Time{})
	f.order(t, f.globex, "SO-20001", store.OrderConfirmed, time.Time{})
	kit := newMailKit(t, 0)
	var err error
	if f.sh, err = NewOrderStatusHandler(f.deps, f.opts); err != nil {
		t.Fatal(err)
	}
	ack, err := NewAckHandler(InquiryDeps{Desk: f.deps.Desk, Store: f.st},
		InquiryOptions{TeamAddress: orderTeam, TriageAddress: "triage@ourco.example", Links: kit.signer})
	if err != nil {
		t.Fatal(err)
	}
	d := intake.Deps{Store: f.st, Router: kit.router, Enqueuer: f.sink, Now: func() time.Time { return f.now }, Ack: ack}
	if o.store != nil {
		d.Store = o.store(f.st)
	}
	if o.inIntake {
		var a intake.Answerer = f.sh
		if o.answerer != nil {
			a = o.answerer(f)
		}
		d.Answers = map[string]intake.Answerer{tasks.TypeOrderStatusReply: a}
	}
	followups := intake.Followups{routing.OrderStatus: intake.OrderStatusReply}
	if f.p, err = intake.New(d, intake.Options{Followups: followups}); err != nil {
		t.Fatal(err)
	}
	return f
}

// deliver stores a raw mail as the poller does and returns its id.
func (f *statusIntake) deliver(t *testing.T, from, subject, body string) int64 {
	t.Helper()
	f.uid++
	msgID := fmt.Sprintf("s%d@mail.example", f.uid)
	raw := fmt.Sprintf("From: %s\r\nTo: sales@ourco.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\nReferences: <earlier@acme.com>\r\n"+
		"Date: Tue, 10 Mar 2026 08:30:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s", from, subject, msgID,
		strings.ReplaceAll(body, "\n", "\r\n"))
	in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: f.uid, MessageID: msgID, Raw: []byte(raw)}
	if _, _, _, err := f.st.SaveInboundMessage(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return in.ID
}

// take delivers a mail, runs intake on it and returns its inquiry, which
// must be an order-status question.
func (f *statusIntake) take(t *testing.T, from, subject, body string) (int64, *store.Inquiry) {
	t.Helper()
	id := f.deliver(t, from, subject, body)
	if err := f.p.Process(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	return id, f.inquiry(t, id)
}

func (f *statusIntake) inquiry(t *testing.T, inboundID int64) *store.Inquiry {
	t.Helper()
	q, err := f.st.InquiryByInboundMessage(context.Background(), inboundID)
	if err != nil {
		t.Fatal(err)
	}
	if q.Category != string(routing.OrderStatus) {
		t.Fatalf("inquiry %d is %s, the test needs order_status", q.ID, q.Category)
	}
	return q
}

// mails are the outbound rows about inquiry id, by idempotency key.
func (f *statusIntake) mails(t *testing.T, id int64) map[string]store.OutboundEmail {
	t.Helper()
	rows, err := f.st.ListOutbound(context.Background(), store.OutboundFilter{InquiryID: id, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]store.OutboundEmail{}
	for _, o := range rows {
		if _, dup := out[o.IdempotencyKey]; dup {
			t.Fatalf("inquiry %d: two rows with key %s", id, o.IdempotencyKey)
		}
		out[o.IdempotencyKey] = o
	}
	return out
}

func (f *statusIntake) alerts(t *testing.T) []store.Alert {
	t.Helper()
	alerts, err := f.st.ListAlerts(context.Background(), store.AlertFilter{Kind: AlertKindForeignOrderLookup})
	if err != nil {
		t.Fatal(err)
	}
	return alerts
}

// sameMail reports whether a and b are the same mail (the Message-ID is
// made when the row is stored, so it differs).
func sameMail(a, b store.OutboundEmail) bool {
	return a.IdempotencyKey == b.IdempotencyKey && a.Kind == b.Kind && a.From == b.From && a.ReplyTo == b.ReplyTo &&
		slices.Equal(a.To, b.To) && slices.Equal(a.Cc, b.Cc) && a.Subject == b.Subject && a.BodyText == b.BodyText &&
		a.BodyHTML == b.BodyHTML && a.InReplyTo == b.InReplyTo && slices.Equal(a.References, b.References) &&
		a.Status == b.Status && a.InquiryID == b.InquiryID
}

var statusMails = []struct{ name, from, subject, body, wantKind string }{
	{"contact asks by number", "Ann Smith <ann@acme.com>", "Where is order SO-10042?",
		"Hi, when will SO-10042 arrive? Please send the tracking link.", KindOrderStatus},
	{"contact without a number gets the open orders", "erin@acme.com", "Where is my order?",
		"Hello,\n\nwhere is my order? It has not arrived yet. Can you tell me the delivery status?\n\nThanks\n", KindOrderStatus},
	{"several orders in one mail", "Ann Smith <ann@acme.com>", "Status of SO-10042 and SO-10043",
		"Hello, what is the delivery status of orders SO-10042 and SO-10043? Thanks", KindOrderStatus},
	{"own and foreign order", "Ann Smith <ann@acme.com>", "Orders SO-10042 and SO-20001",
		"Hello, where are my orders SO-10042 and SO-20001? Please send the delivery status.", KindOrderStatus},
	{"stranger gets the neutral answer", "Eve <eve@evil.example>", "Order SO-10042",
		"Status of SO-10042 please, and the tracking link. Where is my order?", KindOrderStatusNeutral},
	{"contact of another account is a stranger too", "Gus <gus@globex.com>", "Where is SO-10042?",
		"Where is my order SO-10042? Please send the delivery status.", KindOrderStatusNeutral},
	{"unknown number", "Ann Smith <ann@acme.com>", "Order SO-99999",
		"Where is my order SO-99999? Please send the delivery status.", KindOrderUnknown},
}

// TestOrderStatusAnswerInIntake: the order-status answer intake writes
// with the mail's outcome is, for every outcome of the handler, the one
// the order:status_reply task writes (the same mails to the same people,
// the same alerts, the inquiry answered, no acknowledgement besides);
// intake enqueues its mail:send and no order:status_reply, and the task
// run after the inline answer changes nothing.
func TestOrderStatusAnswerInIntake(t *testing.T) {
	byTask, inIntake := newStatusIntake(t, statusIntakeOpts{}), newStatusIntake(t, statusIntakeOpts{inIntake: true})
	ctx := context.Background()
	for i, m := range statusMails {
		_, qa := byTask.take(t, m.from, m.subject, m.body)
		replies := byTask.sink.of(tasks.TypeOrderStatusReply)
		if len(replies) != i+1 {
			t.Fatalf("%s: %d order:status_reply tasks by task, want %d", m.name, len(replies), i+1)
		}
		run(t, byTask.sh, replies[i])
		sendsBefore := len(inIntake.sink.of(tasks.TypeMailSend))
		inboundID, qb := inIntake.take(t, m.from, m.subject, m.body)
		if n := len(inIntake.sink.of(tasks.TypeOrderStatusReply)); n != 0 {
			t.Errorf("%s: %d order:status_reply tasks with the answer in intake, want 0", m.name, n)
		}
		if rows, err := inIntake.st.PendingTasks(ctx); err != nil || len(rows) != 0 {
			t.Errorf("%s: intake left task outbox rows %+v (%v), want none", m.name, rows, err)
		}
		qa, qb = byTask.inquiry(t, qa.InboundMessageID), inIntake.inquiry(t, inboundID)
		if qa.ID != qb.ID || qa.Reference != qb.Reference || qa.Status != store.InquiryAnswered || qb.Status != store.InquiryAnswered {
			t.Fatalf("%s: inquiries %d %s %s, %d %s %s; want the same, answered", m.name, qa.ID, qa.Reference, qa.Status,
				qb.ID, qb.Reference, qb.Status)
		}
		a, b := byTask.mails(t, qa.ID), inIntake.mails(t, qb.ID)
		if len(a) != 1 || len(b) != 1 {
			t.Errorf("%s: %d mails by task, %d in intake, want one each (no acknowledgement besides)", m.name, len(a), len(b))
		}
		key := OrderStatusKey(qa.ID)
		if !sameMail(a[key], b[key]) {
			t.Errorf("%s: answers differ:\nby task:   %+v\nin intake: %+v", m.name, a[key], b[key])
		}
		if b[key].Kind != m.wantKind || b[key].MessageID == "" {
			t.Errorf("%s: answer kind %q Message-ID %q, want kind %s", m.name, b[key].Kind, b[key].MessageID, m.wantKind)
		}
		sends := inIntake.sink.of(tasks.TypeMailSend)
		want, _ := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: b[key].ID})
		if len(sends) != sendsBefore+1 || string(sends[len(sends)-1].Payload()) != string(want.Payload()) {
			t.Errorf("%s: %d mail:send tasks after intake, want one more, the answer's (%s)", m.name, len(sends)-sendsBefore, want.Payload())
		}

		// The task of an older build, or one intake enqueued and also
		// answered, after the inline answer: no second mail, no alert
		// counted again.
		alertsBefore := inIntake.alerts(t)
		run(t, inIntake.sh, replies[i])
		if after := inIntake.mails(t, qb.ID); len(after) != 1 || !sameMail(after[key], b[key]) || after[key].ID != b[key].ID {
			t.Errorf("%s: order:status_reply after the inline answer changed the mails: %+v", m.name, after)
		}
		if after := inIntake.alerts(t); !slices.EqualFunc(after, alertsBefore, func(x, y store.Alert) bool {
			return x.ID == y.ID && x.Occurrences == y.Occurrences
		}) {
			t.Errorf("%s: order:status_reply after the inline answer changed the alerts: %+v -> %+v", m.name, alertsBefore, after)
		}
	}
	a, b := byTask.alerts(t), inIntake.alerts(t)
	if len(a) == 0 || !slices.EqualFunc(a, b, func(x, y store.Alert) bool {
		return x.DedupeKey == y.DedupeKey && x.Kind == y.Kind && x.Severity == y.Severity && x.Subject == y.Subject &&
			x.Detail == y.Detail && x.CustomerID == y.CustomerID && x.Occurrences == y.Occurrences
	}) {
		t.Errorf("alerts differ:\nby task:   %+v\nin intake: %+v", a, b)
	}
}

// failingOrders fails every order lookup while on, as a database that
// cannot be read would.
type failingOrders struct {
	*store.Store
	on bool
}

func (f *failingOrders) OrderByNumber(ctx context.Context, number string) (*store.Order, error) {
	if f.on {
		return nil, errors.New("database is locked")
	}
	return f.Store.OrderByNumber(ctx, number)
}

// TestOrderStatusAnswerFallsBackToTask: when the answer cannot be built in
// intake (an order that cannot be read), intake enqueues order:status_reply
// with its outbox row and writes no answer and no acknowledgement; the
// task then answers once.
func TestOrderStatusAnswerFallsBackToTask(t *testing.T) {
	f := newStatusIntake(t, statusIntakeOpts{inIntake: true, answerer: func(f *statusIntake) intake.Answerer {
		h, err := NewOrderStatusHandler(OrderDeps{Desk: f.deps.Desk, Store: &failingOrders{Store: f.st, on: true}}, f.opts)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}})
	ctx := context.Background()
	m := statusMails[0]
	_, q := f.take(t, m.from, m.subject, m.body)
	replies := f.sink.of(tasks.TypeOrderStatusReply)
	if len(replies) != 1 || q.Status != store.InquiryRouted {
		t.Fatalf("%d order:status_reply tasks, inquiry %s; want the task and a routed inquiry", len(replies), q.Status)
	}
	pending, err := f.st.PendingTasks(ctx)
	if err != nil || len(pending) != 1 || pending[0].Type != tasks.TypeOrderStatusReply {
		t.Errorf("task outbox = %+v, %v; want the order:status_reply row", pending, err)
	}
	if got := f.mails(t, q.ID); len(got) != 0 {
		t.Errorf("mails before the task: %+v, want none", got)
	}
	if n := len(f.sink.of(tasks.TypeMailSend)); n != 0 {
		t.Errorf("%d mail:send tasks before the task, want 0", n)
	}
	run(t, f.sh, replies[0])
	got := f.mails(t, q.ID)
	if len(got) != 1 || got[OrderStatusKey(q.ID)].Kind != KindOrderStatus ||
		!strings.Contains(got[OrderStatusKey(q.ID)].BodyText, "https://track.example/SO-10042") {
		t.Errorf("mails after the task: %+v, want the one answer", got)
	}
	if q, _ = f.st.Inquiry(ctx, q.ID); q.Status != store.InquiryAnswered {
		t.Errorf("inquiry %s after the task, want answered", q.Status)
	}
}

// failFinish fails FinishInbound while on: a crash, or a database gone,
// before intake's commit.
type failFinish struct {
	*store.Store
	on bool
}

func (f *failFinish) FinishInbound(ctx context.Context, id int64, o store.InboundOutcome) error {
	if f.on {
		return errors.New("disk I/O error")
	}
	return f.Store.FinishInbound(ctx, id, o)
}

// TestOrderStatusAnswerInIntakeRetries: an inbound:email task that fails
// before its commit, runs again and then once more (asynq's retry after a
// lost completion) writes one answer, one alert occurrence and one
// mail:send.
func TestOrderStatusAnswerInIntakeRetries(t *testing.T) {
	fail := &failFinish{on: true}
	f := newStatusIntake(t, statusIntakeOpts{inIntake: true, store: func(st *store.Store) intake.Store {
		fail.Store = st
		return fail
	}})
	ctx := context.Background()
	m := statusMails[4] // a stranger: an answer and an alert
	id := f.deliver(t, m.from, m.subject, m.body)
	if err := f.p.Process(ctx, id); err == nil {
		t.Fatal("intake succeeded with a failing commit")
	}
	q := f.inquiry(t, id)
	if got := f.mails(t, q.ID); len(got) != 0 || len(f.alerts(t)) != 0 || q.Status != store.InquiryRouted {
		t.Fatalf("after the failed commit: mails %+v, alerts %+v, inquiry %s; want nothing", got, f.alerts(t), q.Status)
	}
	fail.on = false
	for range 2 {
		if err := f.p.Process(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	got := f.mails(t, q.ID)
	alerts := f.alerts(t)
	if len(got) != 1 || got[OrderStatusKey(q.ID)].Kind != KindOrderStatusNeutral {
		t.Errorf("mails = %+v, want the one neutral answer", got)
	}
	if len(alerts) != 1 || alerts[0].Occurrences != 1 {
		t.Errorf("alerts = %+v, want one, raised once", alerts)
	}
	if n := len(f.sink.of(tasks.TypeMailSend)); n != 1 {
		t.Errorf("%d mail:send tasks, want 1", n)
	}
	if n := len(f.sink.of(tasks.TypeOrderStatusReply)); n != 0 {
		t.Errorf("%d order:status_reply tasks, want 0", n)
	}
}

// TestOrderStatusOneTaskPerMail: with the desk as New builds it, a plain
// order-status mail leaves no order:status_reply task in Redis or in the
// task outbox; the customer gets exactly one answer, also when the
// inbound task runs again and when an order:status_reply task (of an
// older build) runs after it.
func TestOrderStatusOneTaskPerMail(t *testing.T) {
	ctx := t.Context()
	rig := newQueueRig(t, "statusintake")
	st := rig.st
	_, acme := ritaAndAcme(t, st)
	if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: acme.ID, Email: "buyer@acme.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOrder(ctx, &store.Order{CustomerID: acme.ID, Number: "SO-20000", Status: store.OrderShipped,
		Currency: "EUR", AmountCents: 1000, TrackingURL: "https://track.example/SO-20000"}); err != nil {
		t.Fatal(err)
	}
	raw := strings.ReplaceAll(fmt.Sprintf("From: buyer@acme.com\nTo: sales@ourco.example\nSubject: Where is my order SO-20000?\n"+
		"Message-ID: <q1@acme.com>\nDate: %s\n\nHello,\n\nwhere is my order SO-20000? It has not arrived yet. "+
		"Can you tell me the delivery status?\n\nThanks\n", time.Now().UTC().Format(time.RFC1123Z)), "\n", "\r\n")
	in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 1, MessageID: "q1@acme.com", Raw: []byte(raw), Size: int64(len(raw))}
	if _, _, _, err := st.SaveInboundMessage(ctx, in); err != nil {
		t.Fatal(err)
	}
	w := recoveryWorkers(t, st, rig.client, rig.smtp)
	for range 2 { // the inbound task run twice
		if err := w.Intake().Process(ctx, in.ID); err != nil {
			t.Fatal(err)
		}
	}
	queues, err := rig.inspector.Queues()
	if err != nil {
		t.Fatal(err)
	}
	for _, qn := range queues {
		ts, err := rig.inspector.ListPendingTasks(qn)
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range ts {
			if ti.Type == tasks.TypeOrderStatusReply {
				t.Errorf("order:status_reply task in queue %s: the answer should be written in intake", qn)
			}
		}
	}
	pending, err := st.PendingTasks(ctx)
	if err != nil || len(pending) != 0 {
		t.Errorf("task outbox = %+v, %v; want no follow-on task", pending, err)
	}
	q, err := st.InquiryByInboundMessage(ctx, in.ID)
	if err != nil || q.Status != store.InquiryAnswered {
		t.Fatalf("inquiry %+v, %v; want answered by intake", q, err)
	}

	srv := queue.NewServer(rig.redisOpt, queue.ServerOptions{Concurrency: 2})
	if err := srv.Start(w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	if msgs, err := rig.smtp.WaitFor(1, 2*time.Minute); err != nil {
		t.Fatalf("%v: %d mails arrived", err, len(msgs))
	}
	waitOutboxDone(t, st, 0)
	// An order:status_reply of an older build for the answered inquiry.
	reply, err := tasks.NewOrderStatusReplyTask(tasks.OrderStatusReplyPayload{InquiryID: q.ID, OrderNumbers: []string{"SO-20000"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := queue.EnqueueDurably(ctx, st, rig.client, time.Time{}, reply); err != nil {
		t.Fatal(err)
	}
	waitOutboxDone(t, st, 1)
	srv.Shutdown()
	msgs := rig.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d mails at the SMTP server, want exactly 1", len(msgs))
	}
	h, err := msgs[0].Header()
	if err != nil {
		t.Fatal(err)
	}
	to, err := mail.ParseAddress(h.Get("To"))
	if err != nil || to.Address != "buyer@acme.com" || !strings.Contains(string(msgs[0].Data), "current status of your order") {
		t.Errorf("the mail went to %v (%v), want the order's status to buyer@acme.com:\n%s", to, err, msgs[0].Data)
	}
}

// TestOrderStatusInIntakeCostsLess counts SQLite's statements and commits
// of an order-status mail from a contact naming their order: intake plus
// the order:status_reply task and its outbox row finished (the
// middleware's finishPending) when the answer is left to the task, intake
// alone with the answer in its transaction now.
func TestOrderStatusInIntakeCostsLess(t *testing.T) {
	byTask, inIntake := newStatusIntake(t, statusIntakeOpts{}), newStatusIntake(t, statusIntakeOpts{inIntake: true})
	ctx := context.Background()
	m := statusMails[0]
	id := byTask.deliver(t, m.from, m.subject, m.body)
	var old, now [2]int64
	old[0], old[1] = sqlCost(t, byTask.st, func() error {
		if err := byTask.p.Process(ctx, id); err != nil {
			return err
		}
		task := byTask.sink.of(tasks.TypeOrderStatusReply)[0]
		if err := byTask.sh.ProcessTask(ctx, task); err != nil {
			return err
		}
		_, err := byTask.st.FinishPendingTask(ctx, task.Type(), task.Payload(), "")
		return err
	})
	id = inIntake.deliver(t, m.from, m.subject, m.body)
	now[0], now[1] = sqlCost(t, inIntake.st, func() error { return inIntake.p.Process(ctx, id) })
	if got := inIntake.mails(t, inIntake.inquiry(t, id).ID); len(got) != 1 {
		t.Fatalf("%d mails in intake, want the answer", len(got))
	}
	checkCostsLess(t, "order-status mail", old, now, [2]int64{16, 2})
}
