package workers

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/entity"
	"salesdesk/internal/intake"
	"salesdesk/internal/mailer"
	"salesdesk/internal/order"
	"salesdesk/internal/queue"
	"salesdesk/internal/routing"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

const (
	orderFrom = "Sales <sales@ourco.example>"
	orderOps  = "ops@ourco.example"
	orderTeam = "team@ourco.example"
)

// orderFixture is a real SQLite store with Acme (owner Rita; contacts Ann
// and Erin) and Globex (contact Gus), and the order handlers over it.
type orderFixture struct {
	st     *store.Store
	now    time.Time
	rep    *store.Rep
	acme   *store.Customer
	globex *store.Customer
	deps   OrderDeps
	opts   OrderOptions
	inbox  int // inbound UIDs handed out
}

// orderRows stores each mail as an outbound row, without sending it.
type orderRows struct{ st *store.Store }

func (q orderRows) QueueMail(ctx context.Context, o *store.OutboundEmail) error {
	if o.MessageID == "" {
		o.MessageID = strings.ReplaceAll(o.IdempotencyKey, ":", ".") + "@ourco.example"
	}
	_, _, err := q.st.CreateOutbound(ctx, o)
	return err
}

func newOrderFixture(t *testing.T, dsn string) *orderFixture {
	t.Helper()
	ctx := context.Background()
	f := &orderFixture{now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	if dsn == "" {
		dsn = storetest.SQLiteDSN(t, "orders.db")
	}
	st, err := store.Open(ctx, dsn, store.WithClock(func() time.Time { return f.now }))
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
	f.globex = &store.Customer{Name: "Globex", Domain: "globex.com"}
	for _, c := range []*store.Customer{f.acme, f.globex} {
		if _, err := st.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []store.Contact{{CustomerID: f.acme.ID, Email: "ann@acme.com", Name: "Ann Smith"},
		{CustomerID: f.acme.ID, Email: "erin@acme.com"}, {CustomerID: f.globex.ID, Email: "gus@globex.com", Name: "Gus"}} {
		if _, err := st.CreateContact(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	r, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"})
	if err != nil {
		t.Fatal(err)
	}
	f.deps = OrderDeps{Desk: Desk{Renderer: r, Outbox: orderRows{st}, From: orderFrom, BaseURL: "https://desk.ourco.example",
		Clock: ClockFunc(func() time.Time { return f.now })}, Store: st}
	f.opts = OrderOptions{OperationsAddress: orderOps, TeamAddress: orderTeam, FormatHint: "SO-12345",
		Followup: order.FollowupOptions{LateGrace: 24 * time.Hour, PendingAfter: 72 * time.Hour}}
	return f
}

func (f *orderFixture) order(t *testing.T, c *store.Customer, number, status string, promised time.Time) *store.Order {
	t.Helper()
	o := &store.Order{CustomerID: c.ID, Number: number, Status: status, Currency: "EUR", AmountCents: 124050,
		PromisedDate: promised, TrackingURL: "https://track.example/" + number,
		Items: []store.OrderItem{{SKU: "W-1", Description: "Widget", Quantity: 2}}}
	if _, err := f.st.CreateOrder(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	return o
}

// mail stores a customer mail and its inquiry, as intake does, and
// returns the inquiry with the entities routing finds in it.
func (f *orderFixture) mail(t *testing.T, from, subject, body string, category routing.Category) (*store.Inquiry, entity.Set) {
	t.Helper()
	ctx := context.Background()
	f.inbox++
	msgID := fmt.Sprintf("m%d.%s", f.inbox, from)
	in := &store.InboundMessage{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(f.inbox), MessageID: msgID, Raw: []byte(body)}
	if _, _, _, err := f.st.SaveInboundMessage(ctx, in); err != nil {
		t.Fatal(err)
	}
	p := store.ParsedInbound{From: from, FromName: "Sender Name", Subject: subject, Kind: store.KindHuman, Text: body,
		NewText: body, References: []string{"earlier@acme.com"}, Date: f.now}
	if err := f.st.SetInboundParsed(ctx, in.ID, p); err != nil {
		t.Fatal(err)
	}
	q := &store.Inquiry{InboundMessageID: in.ID, ContactEmail: from, Subject: subject, Category: string(category),
		Confidence: 0.9, Status: store.InquiryRouted}
	if c, err := f.st.ContactByEmail(ctx, from); err == nil {
		q.CustomerID = c.CustomerID
	}
	if _, _, err := f.st.CreateInquiry(ctx, q); err != nil {
		t.Fatal(err)
	}
	return q, entity.ExtractText(subject, body, entity.Options{Now: f.now})
}

// followup builds the task intake would enqueue for the inquiry.
func followup(t *testing.T, q *store.Inquiry, e entity.Set) *asynq.Task {
	t.Helper()
	build := intake.OrderStatusReply
	if routing.Category(q.Category) == routing.OrderChange {
		build = intake.OrderRequest
	}
	task, err := build(context.Background(), intake.FollowupInput{Inquiry: q, Entities: e, Sender: q.ContactEmail})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func (f *orderFixture) outbound(t *testing.T, kind string) []store.OutboundEmail {
	t.Helper()
	out, err := f.st.ListOutbound(context.Background(), store.OutboundFilter{Kind: kind, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	slices.Reverse(out) // oldest first
	return out
}

func (f *orderFixture) handlers(t *testing.T) (*OrderStatusHandler, *OrderRequestHandler, *OrdersFollowupScanHandler, *OrderStatusNotifier) {
	t.Helper()
	sh, err := NewOrderStatusHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	rh, err := NewOrderRequestHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	fh, err := NewOrdersFollowupScanHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewOrderStatusNotifier(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	return sh, rh, fh, n
}

func processOK(t *testing.T, h asynq.Handler, task *asynq.Task) {
	t.Helper()
	if err := h.ProcessTask(context.Background(), task); err != nil {
		t.Fatalf("%s: %v", task.Type(), err)
	}
}

func TestOrderStatusHandler(t *testing.T) {
	f := newOrderFixture(t, "")
	ctx := context.Background()
	sh, _, _, _ := f.handlers(t)
	shipped := f.order(t, f.acme, "SO-10042", store.OrderShipped, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC))
	f.now = f.now.Add(time.Minute)
	f.order(t, f.acme, "SO-10043", store.OrderProcessing, time.Time{})
	f.order(t, f.globex, "SO-20001", store.OrderConfirmed, time.Time{})

	t.Run("contact asks by number", func(t *testing.T) {
		q, e := f.mail(t, "ann@acme.com", "Where is order SO-10042?", "Hi, when will SO-10042 arrive?", routing.OrderStatus)
		task := followup(t, q, e)
		processOK(t, sh, task)
		processOK(t, sh, task) // a retry sends nothing more
		out, err := f.st.OutboundByIdempotencyKey(ctx, OrderStatusKey(q.ID))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out.To, []string{"ann@acme.com"}) || out.Kind != KindOrderStatus || out.InquiryID != q.ID {
			t.Errorf("reply = to %v kind %s inquiry %d", out.To, out.Kind, out.InquiryID)
		}
		for _, want := range []string{"shipped", "https://track.example/SO-10042", "Widget", "Thu 12 Mar 2026", "Hello Ann Smith"} {
			if !strings.Contains(out.BodyText, want) {
				t.Errorf("reply text lacks %q:\n%s", want, out.BodyText)
			}
		}
		if !strings.Contains(out.Subject, "["+q.Reference+"]") || out.InReplyTo != "m1.ann@acme.com" ||
			!slices.Equal(out.References, []string{"earlier@acme.com", "m1.ann@acme.com"}) {
			t.Errorf("threading: subject %q in-reply-to %q references %v", out.Subject, out.InReplyTo, out.References)
		}
		if got, _ := f.st.Inquiry(ctx, q.ID); got.Status != store.InquiryAnswered {
			t.Errorf("inquiry status = %s, want answered", got.Status)
		}
		_ = shipped
	})

	t.Run("contact without a number gets their open orders", func(t *testing.T) {
		q, e := f.mail(t, "erin@acme.com", "Order status", "How are our orders doing?", routing.OrderStatus)
		processOK(t, sh, followup(t, q, e))
		var got []store.OutboundEmail
		for _, o := range f.outbound(t, KindOrderStatus) {
			if o.InquiryID == q.ID {
				got = append(got, o)
			}
		}
		// One answer about both open orders, newest first.
		if len(got) != 1 || !slices.Equal(got[0].To, []string{"erin@acme.com"}) {
			t.Fatalf("replies = %+v, want one to erin", got)
		}
		i, j := strings.Index(got[0].BodyText, "Order SO-10043:"), strings.Index(got[0].BodyText, "Order SO-10042:")
		if i < 0 || j < i {
			t.Errorf("reply does not list SO-10043 then SO-10042:\n%s", got[0].BodyText)
		}
	})

	t.Run("stranger gets the neutral answer and an alert", func(t *testing.T) {
		for range 2 { // two mails on one day: one alert, two occurrences
			q, e := f.mail(t, "eve@evil.example", "Order SO-10042", "Status of SO-10042 please, and the tracking link.", routing.OrderStatus)
			processOK(t, sh, followup(t, q, e))
			out, err := f.st.OutboundByIdempotencyKey(ctx, OrderStatusKey(q.ID))
			if err != nil {
				t.Fatal(err)
			}
			if out.Kind != KindOrderStatusNeutral || !slices.Equal(out.To, []string{"eve@evil.example"}) {
				t.Errorf("reply kind %s to %v", out.Kind, out.To)
			}
			for _, leak := range []string{"shipped", "track.example", "Widget", "12 Mar"} {
				if strings.Contains(out.BodyText+out.BodyHTML, leak) {
					t.Errorf("neutral reply leaks %q:\n%s", leak, out.BodyText)
				}
			}
		}
		alerts, err := f.st.ListAlerts(ctx, store.AlertFilter{Kind: AlertKindForeignOrderLookup})
		if err != nil {
			t.Fatal(err)
		}
		if len(alerts) != 1 || alerts[0].CustomerID != f.acme.ID || alerts[0].Occurrences != 2 ||
			alerts[0].DedupeKey != ForeignOrderAlertKey(AlertKindForeignOrderLookup, shipped.ID, "eve@evil.example", f.now) {
			t.Errorf("alerts = %+v", alerts)
		}
	})

	t.Run("contact of another account is a stranger too", func(t *testing.T) {
		q, e := f.mail(t, "gus@globex.com", "SO-10042", "Where is SO-10042?", routing.OrderStatus)
		processOK(t, sh, followup(t, q, e))
		if out, _ := f.st.OutboundByIdempotencyKey(ctx, OrderStatusKey(q.ID)); out == nil || out.Kind != KindOrderStatusNeutral {
			t.Errorf("reply = %+v, want neutral", out)
		}
	})

	t.Run("unknown number gets a helpful reply", func(t *testing.T) {
		q, e := f.mail(t, "ann@acme.com", "Order SO-99999", "Where is SO-99999?", routing.OrderStatus)
		processOK(t, sh, followup(t, q, e))
		out, err := f.st.OutboundByIdempotencyKey(ctx, OrderStatusKey(q.ID))
		if err != nil {
			t.Fatal(err)
		}
		if out.Kind != KindOrderUnknown || !strings.Contains(out.BodyText, "SO-99999") || !strings.Contains(out.BodyText, "SO-12345") {
			t.Errorf("reply kind %s:\n%s", out.Kind, out.BodyText)
		}
	})

	t.Run("missing inquiry is permanent", func(t *testing.T) {
		task, _ := tasks.NewOrderStatusReplyTask(tasks.OrderStatusReplyPayload{InquiryID: 9999})
		if err := sh.ProcessTask(ctx, task); !queue.IsPermanent(err) {
			t.Errorf("err = %v, want permanent", err)
		}
	})
}

func TestOrderRequestHandler(t *testing.T) {
	f := newOrderFixture(t, "")
	ctx := context.Background()
	_, rh, _, _ := f.handlers(t)
	o := f.order(t, f.acme, "SO-10042", store.OrderConfirmed, time.Time{})
	f.order(t, f.globex, "SO-20001", store.OrderConfirmed, time.Time{})

	q, e := f.mail(t, "ann@acme.com", "Rush SO-10042", "Hello,\nplease expedite order SO-10042, we need it by Friday. ASAP!\nAnn", routing.OrderChange)
	task := followup(t, q, e)
	if !e.Rush {
		t.Fatal("routing did not see the rush")
	}
	processOK(t, rh, task)
	processOK(t, rh, task)
	reqs, err := f.st.ListOrderRequests(ctx, store.OrderRequestFilter{OrderID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 1 || reqs[0].Kind != store.OrderRequestRush || reqs[0].InquiryID != q.ID ||
		!strings.Contains(reqs[0].Words, "please expedite order SO-10042") {
		t.Errorf("requests = %+v", reqs)
	}
	notes := f.outbound(t, KindOrderRequestNotify)
	var to []string
	for _, n := range notes {
		to = append(to, n.To[0])
		if !strings.HasPrefix(n.Subject, "RUSH: ") || n.ReplyTo != "ann@acme.com" || !strings.Contains(n.BodyText, "> please expedite") {
			t.Errorf("notification to %s: subject %q reply-to %q\n%s", n.To[0], n.Subject, n.ReplyTo, n.BodyText)
		}
	}
	if want := []string{"rita@ourco.example", orderOps}; !slices.Equal(to, want) {
		t.Errorf("notified %v, want %v", to, want)
	}
	confirm, err := f.st.OutboundByIdempotencyKey(ctx, OrderRequestConfirmKey(q.ID))
	if err != nil {
		t.Fatal(err)
	}
	if confirm.To[0] != "ann@acme.com" || confirm.InReplyTo == "" || !strings.Contains(confirm.BodyText, "please expedite order SO-10042") ||
		!strings.Contains(confirm.BodyText, "urgent") {
		t.Errorf("confirmation to %v:\n%s", confirm.To, confirm.BodyText)
	}

	pending, err := order.PendingRequests(ctx, f.st, f.rep.ID)
	if err != nil || len(pending) != 1 || !pending[0].Rush() {
		t.Errorf("pending for the rep = %+v, %v", pending, err)
	}

	t.Run("stranger's request is refused", func(t *testing.T) {
		q, e := f.mail(t, "eve@evil.example", "Change SO-10042", "Ship SO-10042 to my address instead.", routing.OrderChange)
		processOK(t, rh, followup(t, q, e))
		if reqs, _ := f.st.ListOrderRequests(ctx, store.OrderRequestFilter{OrderID: o.ID}); len(reqs) != 1 {
			t.Errorf("a stranger's request was recorded: %+v", reqs)
		}
		if a, _ := f.st.ListAlerts(ctx, store.AlertFilter{Kind: AlertKindForeignOrderRequest}); len(a) != 1 {
			t.Errorf("alerts = %+v", a)
		}
		out, _ := f.st.OutboundByIdempotencyKey(ctx, OrderRequestConfirmKey(q.ID))
		if out == nil || out.Kind != KindOrderStatusNeutral {
			t.Errorf("reply = %+v, want neutral", out)
		}
	})

	t.Run("no owner: team and operations", func(t *testing.T) {
		q, e := f.mail(t, "gus@globex.com", "Change", "Please change SO-20001 to 5 pieces.", routing.OrderChange)
		processOK(t, rh, followup(t, q, e))
		var to []string
		for _, n := range f.outbound(t, KindOrderRequestNotify) {
			if n.InquiryID == q.ID {
				to = append(to, n.To[0])
				if strings.HasPrefix(n.Subject, "RUSH") {
					t.Errorf("not a rush: %q", n.Subject)
				}
			}
		}
		if want := []string{orderTeam, orderOps}; !slices.Equal(to, want) {
			t.Errorf("notified %v, want %v", to, want)
		}
	})

	t.Run("several open orders and no number: ask which", func(t *testing.T) {
		f.order(t, f.acme, "SO-10050", store.OrderPending, time.Time{})
		q, e := f.mail(t, "erin@acme.com", "Change", "Please add two widgets to our order.", routing.OrderChange)
		processOK(t, rh, followup(t, q, e))
		out, _ := f.st.OutboundByIdempotencyKey(ctx, OrderRequestConfirmKey(q.ID))
		if out == nil || out.Kind != KindOrderUnknown {
			t.Errorf("reply = %+v, want a request for the number", out)
		}
	})
}

func TestOrdersFollowupScanHandler(t *testing.T) {
	f := newOrderFixture(t, "")
	ctx := context.Background()
	_, _, scan, notifier := f.handlers(t)
	opted := &store.Customer{Name: "Initech", OptedOut: true}
	if _, err := f.st.CreateCustomer(ctx, opted); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.CreateContact(ctx, &store.Contact{CustomerID: opted.ID, Email: "ivy@initech.com"}); err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	f.order(t, f.acme, "SO-1", store.OrderProcessing, day(12))    // late from 14 Mar 00:00 (grace 24h)
	f.order(t, f.globex, "SO-2", store.OrderPending, time.Time{}) // pending too long from 13 Mar 09:00
	f.order(t, opted, "SO-3", store.OrderProcessing, day(11))     // late, but opted out
	f.order(t, f.acme, "SO-4", store.OrderShipped, day(20))       // on time

	runScan := func(at time.Time) {
		t.Helper()
		f.now = at
		task, err := tasks.NewOrdersFollowupScanTask(tasks.OrdersFollowupScanPayload{ScheduledAt: at})
		if err != nil {
			t.Fatal(err)
		}
		processOK(t, scan, task)
	}
	sent := func() []string {
		var out []string
		for _, o := range f.outbound(t, KindOrderFollowup) {
			out = append(out, o.To[0]+" "+o.Subject)
		}
		return out
	}

	runScan(time.Date(2026, 3, 13, 8, 0, 0, 0, time.UTC))
	if got := sent(); len(got) != 0 {
		t.Errorf("nothing is due yet, sent %q", got)
	}
	runScan(time.Date(2026, 3, 13, 9, 0, 0, 0, time.UTC))
	want := []string{"gus@globex.com Your order SO-2: still being checked"}
	if got := sent(); !slices.Equal(got, want) {
		t.Errorf("sent %q, want %q", got, want)
	}
	for range 3 {
		runScan(time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC))
	}
	want = append(want, "ann@acme.com Your order SO-1 is running late")
	if got := sent(); !slices.Equal(got, want) {
		t.Errorf("after repeated scans sent %q, want %q", got, want)
	}
	late, _ := f.st.OutboundByIdempotencyKey(ctx, "order_followup:1:processing:2026-03-12")
	if late == nil || !strings.Contains(late.BodyText, "later than the 12 March 2026 we promised") || strings.Contains(late.BodyText, "Expected delivery") {
		t.Errorf("late mail:\n%v", late)
	}

	// The API ships SO-1: one status mail, however often the hook runs,
	// and the next scans add nothing though the shipped order is late.
	so1, _ := f.st.OrderByNumber(ctx, "SO-1")
	if _, err := f.st.SetOrderStatus(ctx, so1.ID, store.OrderShipped, "", "api"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := notifier.OnOrderStatusChanged(ctx, so1.ID, store.OrderProcessing, store.OrderShipped); err != nil {
			t.Fatal(err)
		}
	}
	runScan(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	want = append(want, "ann@acme.com Your order SO-1: shipped")
	if got := sent(); !slices.Equal(got, want) {
		t.Errorf("after the status change sent %q, want %q", got, want)
	}
	// Opted out: the hook is quiet too.
	so3, _ := f.st.OrderByNumber(ctx, "SO-3")
	if _, err := f.st.SetOrderStatus(ctx, so3.ID, store.OrderShipped, "", "api"); err != nil {
		t.Fatal(err)
	}
	if err := notifier.OnOrderStatusChanged(ctx, so3.ID, store.OrderProcessing, store.OrderShipped); err != nil {
		t.Fatal(err)
	}
	if got := sent(); len(got) != len(want) {
		t.Errorf("opted-out account was mailed: %q", got[len(want):])
	}
	if err := notifier.OnOrderStatusChanged(ctx, 9999, "", store.OrderShipped); err == nil {
		t.Error("missing order: no error")
	}
}

// A mail we send unasked (an order running late) is written in the
// language the contact last wrote to us in.
func TestOrderFollowupInCustomersLanguage(t *testing.T) {
	f := newOrderFixture(t, "")
	ctx := context.Background()
	_, _, scan, _ := f.handlers(t)
	if _, _, err := f.st.CreateInquiry(ctx, &store.Inquiry{ContactEmail: "ann@acme.com", Category: "order_status", Language: "de"}); err != nil {
		t.Fatal(err)
	}
	f.order(t, f.acme, "SO-1", store.OrderProcessing, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC))
	f.now = time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC)
	task, err := tasks.NewOrdersFollowupScanTask(tasks.OrdersFollowupScanPayload{ScheduledAt: f.now})
	if err != nil {
		t.Fatal(err)
	}
	processOK(t, scan, task)
	sent := f.outbound(t, KindOrderFollowup)
	if len(sent) != 1 {
		t.Fatalf("sent %d follow-ups, want 1", len(sent))
	}
	if got, want := sent[0].Subject, "Ihre Bestellung SO-1 verspätet sich"; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
	for _, want := range []string{"Ihre Bestellung SO-1 verspätet sich gegenüber dem zugesagten Termin (12.03.2026).", "Bestellung SO-1: in Produktion", "Mit freundlichen Grüßen"} {
		if !strings.Contains(sent[0].BodyText, want) {
			t.Errorf("body lacks %q:\n%s", want, sent[0].BodyText)
		}
	}
}

func TestOrderAccountSummary(t *testing.T) {
	f := newOrderFixture(t, "")
	ctx := context.Background()
	o := f.order(t, f.acme, "SO-1", store.OrderConfirmed, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC))
	f.now = f.now.Add(24 * time.Hour)
	if _, err := f.st.SetOrderStatus(ctx, o.ID, store.OrderShipped, "DHL", "api"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.st.CreateOrderRequest(ctx, &store.OrderRequest{OrderID: o.ID, Kind: store.OrderRequestChange, Words: "Hi,\nDeliver to gate 4 please"}); err != nil {
		t.Fatal(err)
	}
	q, _ := f.mail(t, "ann@acme.com", "Invoice wrong", "The invoice for SO-1 is wrong", routing.Billing)
	s, err := order.AccountContext(ctx, f.st, f.acme.ID, []string{"SO-1"})
	if err != nil {
		t.Fatal(err)
	}
	a := OrderAccountSummary(s)
	if a.Company != "Acme GmbH" || a.OwnerRep != "Rita Rep" || len(a.OpenOrders) != 1 || len(a.PastInquiries) != 1 ||
		a.PastInquiries[0].Reference != q.Reference {
		t.Fatalf("summary = %+v", a)
	}
	want := `shipped (confirmed 10 Mar, shipped 11 Mar: DHL); pending change request: "Deliver to gate 4 please"`
	if a.OpenOrders[0].Status != want || a.OpenOrders[0].Total != "EUR 1,240.50" {
		t.Errorf("order line = %+v\nwant status %s", a.OpenOrders[0], want)
	}
	r, _ := mailer.NewRenderer(mailer.RenderOptions{})
	out, err := r.Render("handoff", mailer.HandoffData{Reference: q.Reference, Category: "billing", CustomerEmail: "ann@acme.com",
		KnownCustomer: true, Account: a})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Text, "SO-1: shipped (confirmed 10 Mar") {
		t.Errorf("hand-off text lacks the history:\n%s", out.Text)
	}
}

// orderMail is the end-to-end stand-in for the mail helper: a row, then
// mail:send on Redis.
type orderMail struct {
	st     *store.Store
	client *asynq.Client
}

func (q orderMail) QueueMail(ctx context.Context, o *store.OutboundEmail) error {
	if o.MessageID == "" {
		id, err := mailer.NewMessageID(o.From)
		if err != nil {
			return err
		}
		o.MessageID = id
	}
	if _, _, err := q.st.CreateOutbound(ctx, o); err != nil {
		return err
	}
	t, err := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: o.ID})
	if err != nil {
		return err
	}
	_, _, err = queue.Enqueue(ctx, q.client, t)
	return err
}

// orderMailSend is a minimal mail:send: the row, sent once, over SMTP.
func orderMailSend(t *testing.T, st *store.Store, srv *smtptest.Server) asynq.Handler {
	t.Helper()
	sender, err := mailer.NewSender(mailer.Options{Addr: srv.Addr(), TLS: mailer.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	return asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
		p, err := tasks.ParseMailSendPayload(task.Payload())
		if err != nil {
			return err
		}
		o, err := st.Outbound(ctx, p.OutboundID)
		if err != nil || o.Status != store.OutboundQueued {
			return err
		}
		err = sender.Send(ctx, mailer.Outgoing{From: o.From, ReplyTo: o.ReplyTo, To: o.To, Subject: o.Subject, Text: o.BodyText,
			HTML: o.BodyHTML, MessageID: o.MessageID, InReplyTo: o.InReplyTo, References: o.References, AutoSubmitted: mailer.AutoReplied})
		if err != nil {
			return err
		}
		return st.MarkOutboundSent(ctx, o.ID, time.Time{})
	})
}

// TestOrdersEndToEnd runs the order handlers and mail:send on a real
// asynq server against Redis, with intake's follow-on builders making the
// tasks and a capturing SMTP server receiving what is sent.
func TestOrdersEndToEnd(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBOrders)
	redisOpt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBOrders}
	smtpSrv := smtptest.New(t)
	f := newOrderFixture(t, "")
	ctx := context.Background()
	f.deps.Clock = ClockFunc(time.Now)
	client := asynq.NewClient(redisOpt)
	t.Cleanup(func() { client.Close() })
	f.deps.Outbox = orderMail{f.st, client}
	sh, rh, _, _ := f.handlers(t)

	f.order(t, f.acme, "SO-10042", store.OrderShipped, time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC))
	f.order(t, f.acme, "SO-10043", store.OrderConfirmed, time.Time{})

	contactQ, e1 := f.mail(t, "ann@acme.com", "Where is SO-10042?", "Hi, where is order SO-10042?", routing.OrderStatus)
	strangerQ, e2 := f.mail(t, "eve@evil.example", "Where is SO-10042?", "Hi, where is order SO-10042?", routing.OrderStatus)
	rushQ, e3 := f.mail(t, "ann@acme.com", "Rush please", "Please rush order SO-10043, we need it tomorrow!", routing.OrderChange)
	var rushID string
	for _, tk := range []*asynq.Task{followup(t, contactQ, e1), followup(t, strangerQ, e2), followup(t, rushQ, e3)} {
		info, _, err := queue.Enqueue(ctx, client, tk)
		if err != nil {
			t.Fatal(err)
		}
		if tk.Type() == tasks.TypeOrderRequest {
			rushID = info.ID
		}
	}
	insp := asynq.NewInspector(redisOpt)
	t.Cleanup(func() { insp.Close() })
	info, err := insp.GetTaskInfo(tasks.QueueCritical, rushID)
	if err != nil {
		t.Fatalf("rush request not on the critical queue: %v", err)
	}
	if info.Type != tasks.TypeOrderRequest {
		t.Errorf("critical queue holds %s", info.Type)
	}

	mux := asynq.NewServeMux()
	mux.Handle(tasks.TypeOrderStatusReply, sh)
	mux.Handle(tasks.TypeOrderRequest, rh)
	mux.Handle(tasks.TypeMailSend, orderMailSend(t, f.st, smtpSrv))
	srv := queue.NewServer(redisOpt, queue.ServerOptions{Concurrency: 2})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	// status to Ann, neutral to Eve, rush: Rita, operations, confirmation to Ann
	msgs, err := smtpSrv.WaitFor(5, 30*time.Second)
	if err != nil {
		t.Fatalf("%v (got %d mails)", err, len(msgs))
	}
	byKey := map[string]string{}
	for _, m := range msgs {
		h, err := m.Header()
		if err != nil {
			t.Fatal(err)
		}
		body := string(m.Data)
		var kind string
		switch {
		case strings.Contains(body, "Order SO-10042: shipped"):
			kind = "status"
			if !strings.Contains(h.Get("In-Reply-To"), "m1.ann@acme.com") || !strings.Contains(h.Get("Subject"), contactQ.Reference) {
				t.Errorf("status reply not threaded: %v", h)
			}
			if !strings.Contains(body, "https://track.example/SO-10042") {
				t.Error("status reply without the tracking link")
			}
		case strings.Contains(body, "could not find order SO-10042"):
			kind = "neutral"
			if strings.Contains(body, "shipped") || strings.Contains(body, "track.example") {
				t.Error("neutral reply leaks order details")
			}
		case strings.Contains(h.Get("Subject"), "RUSH: Order request for SO-10043"):
			kind = "notify"
		case strings.Contains(body, "We have received your request"):
			kind = "confirm"
		}
		to, _ := mail.ParseAddress(h.Get("To"))
		byKey[kind+" "+to.Address] = h.Get("Subject")
	}
	for _, want := range []string{"status ann@acme.com", "neutral eve@evil.example", "notify rita@ourco.example",
		"notify " + orderOps, "confirm ann@acme.com"} {
		if _, ok := byKey[want]; !ok {
			t.Errorf("no %s mail; got %v", want, byKey)
		}
	}
	alerts, err := f.st.ListAlerts(ctx, store.AlertFilter{Kind: AlertKindForeignOrderLookup})
	if err != nil || len(alerts) != 1 {
		t.Errorf("alerts = %+v, %v", alerts, err)
	}
}
