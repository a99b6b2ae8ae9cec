package order_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"salesdesk/internal/order"
	"salesdesk/internal/store"
)

// fixture is a real SQLite store with two accounts: Acme (contact
// ann@acme.example, owner rep Rita) and Globex (contact gus@globex.example).
type fixture struct {
	st       *store.Store
	rep      *store.Rep
	acme     *store.Customer
	globex   *store.Customer
	now      time.Time
	clockNow *time.Time
}

func setup(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{now: time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)}
	clock := f.now
	f.clockNow = &clock
	st, err := store.Open(ctx, "sqlite::memory:", store.WithClock(func() time.Time { return *f.clockNow }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st = st
	f.rep = &store.Rep{Email: "rita@desk.example", Name: "Rita Rep", Active: true}
	mustDo(t, func() error { _, err := st.CreateRep(ctx, f.rep); return err })
	f.acme = &store.Customer{ExternalID: "C-1", Name: "Acme", Domain: "acme.example", OwnerRepID: f.rep.ID}
	f.globex = &store.Customer{ExternalID: "C-2", Name: "Globex", Domain: "globex.example"}
	for _, c := range []*store.Customer{f.acme, f.globex} {
		mustDo(t, func() error { _, err := st.CreateCustomer(ctx, c); return err })
	}
	f.contact(t, f.acme, "ann@acme.example", "Ann")
	f.contact(t, f.globex, "gus@globex.example", "Gus")
	return f
}

func mustDo(t *testing.T, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) contact(t *testing.T, c *store.Customer, email, name string) {
	t.Helper()
	mustDo(t, func() error {
		_, err := f.st.CreateContact(context.Background(), &store.Contact{CustomerID: c.ID, Email: email, Name: name})
		return err
	})
}

// order creates an order at the store clock's current time.
func (f *fixture) order(t *testing.T, c *store.Customer, number, status string, promised time.Time) *store.Order {
	t.Helper()
	o := &store.Order{CustomerID: c.ID, Number: number, Status: status, Currency: "EUR", AmountCents: 12400,
		PromisedDate: promised, Items: []store.OrderItem{{SKU: "W-1", Description: "Widget", Quantity: 2}}}
	mustDo(t, func() error { _, err := f.st.CreateOrder(context.Background(), o); return err })
	return o
}

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func TestResolve(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	old := f.order(t, f.acme, "SO-10001", store.OrderShipped, day(2026, 3, 12))
	*f.clockNow = f.now.Add(time.Hour)
	newer := f.order(t, f.acme, "SO-10002", store.OrderProcessing, time.Time{})
	f.order(t, f.acme, "SO-10003", store.OrderDelivered, time.Time{})
	f.order(t, f.globex, "SO-20001", store.OrderPending, time.Time{})

	tests := []struct {
		name        string
		sender      string
		number      string
		wantOutcome order.Outcome
		wantOrders  []string
		wantForeign string
	}{
		{name: "contact asks by number", sender: "ann@acme.example", number: "SO-10001", wantOutcome: order.OutcomeStatus, wantOrders: []string{"SO-10001"}},
		{name: "contact, sloppy number", sender: "ANN@acme.example", number: "#so 10001.", wantOutcome: order.OutcomeStatus, wantOrders: []string{"SO-10001"}},
		{name: "closed order by number", sender: "ann@acme.example", number: "SO-10003", wantOutcome: order.OutcomeStatus, wantOrders: []string{"SO-10003"}},
		{name: "contact, no number: open orders newest first", sender: "ann@acme.example", wantOutcome: order.OutcomeStatus, wantOrders: []string{newer.Number, old.Number}},
		{name: "contact of another account", sender: "gus@globex.example", number: "SO-10001", wantOutcome: order.OutcomeNeutral, wantForeign: "SO-10001"},
		{name: "stranger on the account's domain", sender: "eve@acme.example", number: "SO-10001", wantOutcome: order.OutcomeNeutral, wantForeign: "SO-10001"},
		{name: "stranger", sender: "eve@evil.example", number: "SO-10002", wantOutcome: order.OutcomeNeutral, wantForeign: "SO-10002"},
		{name: "unknown number", sender: "ann@acme.example", number: "SO-99999", wantOutcome: order.OutcomeUnknown},
		{name: "stranger, no number", sender: "eve@evil.example", wantOutcome: order.OutcomeUnknown},
		{name: "no sender", number: "SO-10001", wantOutcome: order.OutcomeNeutral, wantForeign: "SO-10001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := order.Resolve(ctx, f.st, tt.sender, tt.number)
			if err != nil {
				t.Fatal(err)
			}
			if a.Outcome != tt.wantOutcome {
				t.Fatalf("outcome = %v, want %v", a.Outcome, tt.wantOutcome)
			}
			var got []string
			for _, o := range a.Orders {
				got = append(got, o.Number)
				if len(o.Items) == 0 {
					t.Errorf("order %s without items", o.Number)
				}
			}
			if !slices.Equal(got, tt.wantOrders) {
				t.Errorf("orders = %v, want %v", got, tt.wantOrders)
			}
			var foreign string
			if a.Foreign != nil {
				foreign = a.Foreign.Number
			}
			if foreign != tt.wantForeign {
				t.Errorf("foreign = %q, want %q", foreign, tt.wantForeign)
			}
		})
	}
}

func TestResolveNoOpenOrders(t *testing.T) {
	f := setup(t)
	f.order(t, f.globex, "SO-20001", store.OrderDelivered, time.Time{})
	a, err := order.Resolve(context.Background(), f.st, "gus@globex.example", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Outcome != order.OutcomeUnknown || a.Contact == nil {
		t.Fatalf("answer = %+v, want unknown with the contact", a)
	}
}

func TestResolveCapsOrders(t *testing.T) {
	f := setup(t)
	for i := range order.MaxStatusOrders + 2 {
		*f.clockNow = f.now.Add(time.Duration(i) * time.Minute)
		f.order(t, f.acme, fmt.Sprintf("SO-3000%d", i), store.OrderConfirmed, time.Time{})
	}
	a, err := order.Resolve(context.Background(), f.st, "ann@acme.example", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Orders) != order.MaxStatusOrders || a.Orders[0].Number != "SO-30004" {
		t.Fatalf("orders = %d, first %s; want %d, newest first", len(a.Orders), a.Orders[0].Number, order.MaxStatusOrders)
	}
}

func TestNumberVariants(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"SO-10042", []string{"SO-10042", "SO10042"}},
		{"so 10042", []string{"so 10042", "SO 10042", "SO-10042", "SO10042"}},
		{"#10042.", []string{"#10042.", "10042"}},
		{"10042", []string{"10042"}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := order.NumberVariants(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("NumberVariants(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFollowupDue(t *testing.T) {
	now := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	opts := order.FollowupOptions{LateGrace: 24 * time.Hour, PendingAfter: 72 * time.Hour}
	tests := []struct {
		name       string
		order      store.Order
		wantReason order.Reason
		wantDue    bool
	}{
		{name: "promised today", order: store.Order{Status: store.OrderConfirmed, PromisedDate: day(2026, 3, 10)}},
		{name: "promised yesterday, within grace", order: store.Order{Status: store.OrderConfirmed, PromisedDate: day(2026, 3, 9)}},
		{name: "promised two days ago", order: store.Order{Status: store.OrderProcessing, PromisedDate: day(2026, 3, 8)}, wantReason: order.ReasonLate, wantDue: true},
		{name: "late but delivered", order: store.Order{Status: store.OrderDelivered, PromisedDate: day(2026, 1, 1)}},
		{name: "late but cancelled", order: store.Order{Status: store.OrderCancelled, PromisedDate: day(2026, 1, 1)}},
		{name: "pending 71h", order: store.Order{Status: store.OrderPending, StatusChangedAt: now.Add(-71 * time.Hour)}},
		{name: "pending 72h", order: store.Order{Status: store.OrderPending, StatusChangedAt: now.Add(-72 * time.Hour)}, wantReason: order.ReasonPending, wantDue: true},
		{name: "pending and late: late wins", order: store.Order{Status: store.OrderPending, StatusChangedAt: now.Add(-100 * time.Hour), PromisedDate: day(2026, 3, 1)}, wantReason: order.ReasonLate, wantDue: true},
		{name: "confirmed for long", order: store.Order{Status: store.OrderConfirmed, StatusChangedAt: now.Add(-1000 * time.Hour)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reason, due := order.FollowupDue(tt.order, now, opts)
			if reason != tt.wantReason || due != tt.wantDue {
				t.Errorf("FollowupDue = %q, %v; want %q, %v", reason, due, tt.wantReason, tt.wantDue)
			}
		})
	}
	if _, due := order.FollowupDue(store.Order{Status: store.OrderPending, StatusChangedAt: now.Add(-1000 * time.Hour)}, now, order.FollowupOptions{}); due {
		t.Error("pending follow-up with PendingAfter 0 is due, want off")
	}
}

func TestFollowupKey(t *testing.T) {
	o := store.Order{ID: 7, Status: store.OrderShipped, PromisedDate: day(2026, 3, 12)}
	if got, want := order.FollowupKey(o), "order_followup:7:shipped:2026-03-12"; got != want {
		t.Errorf("key = %q, want %q", got, want)
	}
	o.PromisedDate = time.Time{}
	if got, want := order.FollowupKey(o), "order_followup:7:shipped:none"; got != want {
		t.Errorf("key = %q, want %q", got, want)
	}
}

// recordingSender stores an outbound row per follow-up, as the worker does,
// so repeated scans see what was sent.
type recordingSender struct {
	st   *store.Store
	sent []order.Followup
}

func (r *recordingSender) send(ctx context.Context, f order.Followup) error {
	_, created, err := r.st.CreateOutbound(ctx, &store.OutboundEmail{
		IdempotencyKey: f.Key, MessageID: f.Key + "@test", Kind: "order_followup", To: []string{f.Contact.Email},
		Subject: "order " + f.Order.Number,
	})
	if err != nil {
		return err
	}
	if created {
		r.sent = append(r.sent, f)
	}
	return nil
}

func TestScan(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	opted := &store.Customer{ExternalID: "C-3", Name: "Initech"}
	nobody := &store.Customer{ExternalID: "C-4", Name: "Hooli"}
	for _, c := range []*store.Customer{opted, nobody} {
		mustDo(t, func() error { _, err := f.st.CreateCustomer(ctx, c); return err })
	}
	f.contact(t, opted, "ivy@initech.example", "Ivy")
	mustDo(t, func() error { return f.st.SetCustomerOptOut(ctx, opted.ID, true) })

	*f.clockNow = f.now.Add(-96 * time.Hour)
	late := f.order(t, f.acme, "SO-1", store.OrderProcessing, day(2026, 3, 5))
	pending := f.order(t, f.globex, "SO-2", store.OrderPending, time.Time{})
	f.order(t, opted, "SO-3", store.OrderProcessing, day(2026, 3, 1))
	f.order(t, nobody, "SO-4", store.OrderProcessing, day(2026, 3, 1))
	f.order(t, f.acme, "SO-5", store.OrderDelivered, day(2026, 3, 1))
	*f.clockNow = f.now
	f.order(t, f.acme, "SO-6", store.OrderPending, day(2026, 4, 1))

	opts := order.FollowupOptions{LateGrace: 24 * time.Hour, PendingAfter: 72 * time.Hour}
	rs := &recordingSender{st: f.st}
	res, err := order.Scan(ctx, f.st, f.now, opts, rs.send)
	if err != nil {
		t.Fatal(err)
	}
	want := order.ScanResult{Checked: 5, Due: 4, Sent: 2, OptedOut: 1, NoContact: 1}
	if res != want {
		t.Errorf("first scan = %+v, want %+v", res, want)
	}
	got := map[string]order.Followup{}
	for _, s := range rs.sent {
		got[s.Order.Number] = s
	}
	if s := got["SO-1"]; s.Reason != order.ReasonLate || s.Contact.Email != "ann@acme.example" || s.Key != order.FollowupKey(*late) || len(s.Order.Items) != 1 {
		t.Errorf("SO-1 follow-up = %+v", s)
	}
	if s := got["SO-2"]; s.Reason != order.ReasonPending || s.Contact.Email != "gus@globex.example" || s.Key != order.FollowupKey(*pending) {
		t.Errorf("SO-2 follow-up = %+v", s)
	}

	// The same scan again, and an hour later: nothing new.
	for _, at := range []time.Time{f.now, f.now.Add(time.Hour)} {
		res, err := order.Scan(ctx, f.st, at, opts, rs.send)
		if err != nil {
			t.Fatal(err)
		}
		if res.Sent != 0 || res.AlreadySent != 2 {
			t.Errorf("repeated scan at %s = %+v, want nothing sent, 2 already sent", at, res)
		}
	}
	if len(rs.sent) != 2 {
		t.Errorf("sent %d follow-ups in all, want 2", len(rs.sent))
	}

	// A new promised date that passes again is a new state: one more mail.
	late.PromisedDate = day(2026, 3, 8)
	mustDo(t, func() error { return f.st.UpdateOrder(ctx, late) })
	if _, err := order.Scan(ctx, f.st, f.now, opts, rs.send); err != nil {
		t.Fatal(err)
	}
	if len(rs.sent) != 3 || rs.sent[2].Order.Number != "SO-1" {
		t.Errorf("after a new promised date sent %d, want 3 with SO-1 last", len(rs.sent))
	}
}

func TestScanStopsOnSendError(t *testing.T) {
	f := setup(t)
	f.order(t, f.acme, "SO-1", store.OrderProcessing, day(2026, 3, 1))
	boom := errors.New("boom")
	_, err := order.Scan(context.Background(), f.st, f.now, order.FollowupOptions{}, func(context.Context, order.Followup) error { return boom })
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
}

func TestStatusFollowup(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	o := f.order(t, f.acme, "SO-1", store.OrderConfirmed, day(2026, 3, 20))
	if _, err := f.st.SetOrderStatus(ctx, o.ID, store.OrderShipped, "", "api"); err != nil {
		t.Fatal(err)
	}
	fu, err := order.StatusFollowup(ctx, f.st, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if fu.Reason != order.ReasonStatusChanged || fu.Key != "order_followup:"+fmt.Sprint(o.ID)+":shipped:2026-03-20" || fu.Contact.Email != "ann@acme.example" {
		t.Errorf("follow-up = %+v", fu)
	}
	rs := &recordingSender{st: f.st}
	mustDo(t, func() error { return rs.send(ctx, fu) })
	if _, err := order.StatusFollowup(ctx, f.st, o.ID); !errors.Is(err, order.ErrAlreadySent) {
		t.Errorf("second status follow-up: err = %v, want ErrAlreadySent", err)
	}
	mustDo(t, func() error { return f.st.SetCustomerOptOut(ctx, f.acme.ID, true) })
	if _, err := f.st.SetOrderStatus(ctx, o.ID, store.OrderDelivered, "", "api"); err != nil {
		t.Fatal(err)
	}
	if _, err := order.StatusFollowup(ctx, f.st, o.ID); !errors.Is(err, order.ErrOptedOut) {
		t.Errorf("opted out: err = %v, want ErrOptedOut", err)
	}
	if _, err := order.StatusFollowup(ctx, f.st, 9999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing order: err = %v, want ErrNotFound", err)
	}
}

// TestFollowupSkipsSuppressed checks that proactive mail passes over
// suppressed addresses: the account's next contact gets it, and an account
// whose every contact is suppressed gets nothing.
func TestFollowupSkipsSuppressed(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	f.contact(t, f.acme, "amy@acme.example", "Amy")
	for _, email := range []string{"Ann@Acme.example", "gus@globex.example"} {
		mustDo(t, func() error { _, err := f.st.Suppress(ctx, email, "unsubscribe", 0); return err })
	}
	f.order(t, f.acme, "SO-1", store.OrderProcessing, day(2026, 3, 1))
	f.order(t, f.globex, "SO-2", store.OrderProcessing, day(2026, 3, 1))

	rs := &recordingSender{st: f.st}
	res, err := order.Scan(ctx, f.st, f.now, order.FollowupOptions{}, rs.send)
	if err != nil {
		t.Fatal(err)
	}
	if want := (order.ScanResult{Checked: 2, Due: 2, Sent: 1, Suppressed: 1}); res != want {
		t.Errorf("scan = %+v, want %+v", res, want)
	}
	if len(rs.sent) != 1 || rs.sent[0].Order.Number != "SO-1" || rs.sent[0].Contact.Email != "amy@acme.example" {
		t.Errorf("sent = %+v, want SO-1 to amy only", rs.sent)
	}

	// Status changes: the same choice of recipient.
	o := f.order(t, f.acme, "SO-3", store.OrderConfirmed, day(2026, 3, 20))
	if _, err := f.st.SetOrderStatus(ctx, o.ID, store.OrderShipped, "", "api"); err != nil {
		t.Fatal(err)
	}
	fu, err := order.StatusFollowup(ctx, f.st, o.ID)
	if err != nil || fu.Contact.Email != "amy@acme.example" {
		t.Errorf("status follow-up to %q, %v; want amy", fu.Contact.Email, err)
	}
	mustDo(t, func() error { _, err := f.st.Suppress(ctx, "amy@acme.example", "manual", 0); return err })
	if _, err := order.StatusFollowup(ctx, f.st, o.ID); !errors.Is(err, order.ErrSuppressed) {
		t.Errorf("every contact suppressed: err = %v, want ErrSuppressed", err)
	}
	// Re-subscribed, the first contact is the recipient again.
	mustDo(t, func() error { return f.st.Unsuppress(ctx, "ann@acme.example") })
	if fu, err := order.StatusFollowup(ctx, f.st, o.ID); err != nil || fu.Contact.Email != "ann@acme.example" {
		t.Errorf("after re-subscribe: to %q, %v; want ann", fu.Contact.Email, err)
	}
}

func TestPendingRequests(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a := f.order(t, f.acme, "SO-1", store.OrderConfirmed, time.Time{})
	g := f.order(t, f.globex, "SO-2", store.OrderConfirmed, time.Time{})
	mk := func(o *store.Order, kind, words string) *store.OrderRequest {
		*f.clockNow = f.clockNow.Add(time.Minute)
		r := &store.OrderRequest{OrderID: o.ID, Kind: kind, Words: words}
		mustDo(t, func() error { _, _, err := f.st.CreateOrderRequest(ctx, r); return err })
		return r
	}
	change := mk(a, store.OrderRequestChange, "two more please")
	mk(g, store.OrderRequestChange, "blue instead")
	rush := mk(a, store.OrderRequestRush, "need it Friday")
	done := mk(a, store.OrderRequestChange, "done already")
	mustDo(t, func() error { return f.st.SetOrderRequestStatus(ctx, done.ID, store.OrderRequestDone) })

	got, err := order.PendingRequests(ctx, f.st, f.rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range got {
		ids = append(ids, p.Request.ID)
		if p.Customer.ID != f.acme.ID || p.Order.Number != "SO-1" {
			t.Errorf("request %d: customer %d order %s", p.Request.ID, p.Customer.ID, p.Order.Number)
		}
	}
	if want := []int64{rush.ID, change.ID}; !slices.Equal(ids, want) {
		t.Errorf("rep's pending requests = %v, want %v (rush first)", ids, want)
	}
	all, err := order.PendingRequests(ctx, f.st, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 3 {
		t.Errorf("all pending requests = %d, want 3", len(all))
	}
}

func TestAccountContext(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	named := f.order(t, f.acme, "SO-1", store.OrderConfirmed, day(2026, 3, 20))
	*f.clockNow = f.clockNow.Add(time.Hour)
	if _, err := f.st.SetOrderStatus(ctx, named.ID, store.OrderShipped, "left the warehouse", "api"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.SetOrderStatus(ctx, named.ID, store.OrderDelivered, "", "import"); err != nil {
		t.Fatal(err)
	}
	open := f.order(t, f.acme, "SO-2", store.OrderProcessing, time.Time{})
	f.order(t, f.globex, "SO-9", store.OrderProcessing, time.Time{})
	for i := range order.SummaryInquiries + 2 {
		*f.clockNow = f.clockNow.Add(time.Minute)
		q := &store.Inquiry{CustomerID: f.acme.ID, ContactEmail: "ann@acme.example", Subject: fmt.Sprint("q", i), Category: "support"}
		mustDo(t, func() error { _, _, err := f.st.CreateInquiry(ctx, q); return err })
	}

	s, err := order.AccountContext(ctx, f.st, f.acme.ID, []string{"so-1", "SO-9", "SO-404", "SO-1"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Customer.Name != "Acme" || s.Owner == nil || s.Owner.Name != "Rita Rep" {
		t.Errorf("account = %q owner %+v", s.Customer.Name, s.Owner)
	}
	var numbers []string
	for _, o := range s.Orders {
		numbers = append(numbers, o.Order.Number)
	}
	if want := []string{"SO-1", open.Number}; !slices.Equal(numbers, want) {
		t.Fatalf("orders = %v, want %v (another account's SO-9 left out)", numbers, want)
	}
	if !s.Orders[0].Named || s.Orders[1].Named {
		t.Errorf("named flags = %v, %v", s.Orders[0].Named, s.Orders[1].Named)
	}
	var history []string
	for _, h := range s.Orders[0].History {
		history = append(history, h.Status+"/"+h.Source)
	}
	if want := []string{"confirmed/create", "shipped/api", "delivered/import"}; !slices.Equal(history, want) {
		t.Errorf("history = %v, want %v", history, want)
	}
	if len(s.Inquiries) != order.SummaryInquiries || s.Inquiries[0].Subject != fmt.Sprint("q", order.SummaryInquiries+1) {
		t.Errorf("inquiries = %d, first %q", len(s.Inquiries), s.Inquiries[0].Subject)
	}

	empty, err := order.AccountContext(ctx, f.st, 0, []string{"SO-1"})
	if err != nil || len(empty.Orders) != 0 || empty.Customer.ID != 0 {
		t.Errorf("unknown sender: %+v, %v; want an empty summary", empty, err)
	}
	if _, err := order.AccountContext(ctx, f.st, 9999, nil); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("missing account: err = %v, want ErrNotFound", err)
	}
}
