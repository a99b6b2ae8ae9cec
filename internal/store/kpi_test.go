package store

import (
	"slices"
	"testing"
	"time"
)

// testClock is a settable store clock.
type testClock struct{ t time.Time }

func (c *testClock) now() time.Time { return c.t }

// forEachDialectAt is forEachDialect with a store clock the body sets.
func forEachDialectAt(t *testing.T, fn func(t *testing.T, s *Store, c *testClock)) {
	t.Helper()
	for _, d := range []Dialect{SQLite, Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			c := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
			fn(t, openTest(t, d, WithClock(c.now)), c)
		})
	}
}

func TestKPIData(t *testing.T) {
	forEachDialectAt(t, func(t *testing.T, s *Store, c *testClock) {
		ctx := testCtx(t)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		day := func(d, h int) time.Time { return time.Date(2026, 3, d, h, 0, 0, 0, time.UTC) }
		from, to := day(10, 0), day(11, 0)

		c.t = day(1, 12)
		ann, err := s.CreateRep(ctx, &Rep{Email: "ann@desk.example", Name: "Ann", Active: true})
		must(err)
		_, err = s.CreateRep(ctx, &Rep{Email: "bob@desk.example", Name: "Bob"})
		must(err)

		// Inquiries: one before, one in the span with a sent and an unsent
		// mail, one at the span's end (excluded).
		inquiry := func(at time.Time, category string) int64 {
			c.t = at
			id, _, err := s.CreateInquiry(ctx, &Inquiry{ContactEmail: "kim@acme.example", Category: category})
			must(err)
			return id
		}
		inquiry(day(9, 23), "support")
		in := inquiry(day(10, 9), "order_status")
		inquiry(to, "complaint")
		for i, sent := range []time.Time{day(10, 10), {}} {
			o := &OutboundEmail{IdempotencyKey: "k" + string(rune('0'+i)), MessageID: "m" + string(rune('0'+i)) + "@desk.example",
				InquiryID: in, To: []string{"kim@acme.example"}, Kind: "ack"}
			_, _, err := s.CreateOutbound(ctx, o)
			must(err)
			if !sent.IsZero() {
				must(s.MarkOutboundSent(ctx, o.ID, sent))
			}
		}

		// Leads: an old closed one (out), an old open one (in: open now),
		// one created and assigned in the span, one closed in the span.
		lead := func(at time.Time, rep int64) int64 {
			c.t = at
			id, _, err := s.CreateLead(ctx, &Lead{ContactEmail: "x@acme.example", Source: "email", RepID: rep, ValueCents: 100})
			must(err)
			return id
		}
		oldClosed := lead(day(1, 9), ann)
		c.t = day(2, 9)
		must(s.SetLeadStatus(ctx, oldClosed, LeadLost, 0, ""))
		oldOpen := lead(day(1, 10), 0)
		newLead := lead(day(10, 11), ann)
		wonLead := lead(day(2, 10), ann)
		c.t = day(10, 15)
		must(s.SetLeadStatus(ctx, wonLead, LeadWon, 500, ""))

		// Orders: one created in the span, one late (promised the 9th),
		// one promised on the cutoff day (not late), one delivered late.
		order := func(at time.Time, number, status string, promised time.Time) {
			c.t = at
			cust, err := s.CreateCustomer(ctx, &Customer{Name: number})
			must(err)
			_, err = s.CreateOrder(ctx, &Order{CustomerID: cust, Number: number, Status: status, Currency: "EUR",
				AmountCents: 1000, PromisedDate: promised})
			must(err)
		}
		order(day(10, 8), "SO-1", OrderPending, time.Time{})
		order(day(1, 8), "SO-2", OrderShipped, time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC))
		order(day(1, 8), "SO-3", OrderPending, time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC))
		order(day(1, 8), "SO-4", OrderDelivered, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))

		c.t = day(10, 12)
		_, _, err = s.CreateAlert(ctx, &Alert{DedupeKey: "a1", Kind: "complaint"})
		must(err)
		c.t = day(12, 12)
		_, _, err = s.CreateAlert(ctx, &Alert{DedupeKey: "a2", Kind: "complaint"})
		must(err)

		// The cutoff is the calendar date as given: 00:30 on the 10th in
		// UTC+1 is still the 10th, though the 9th in UTC.
		d, err := s.KPIData(ctx, from, to, time.Date(2026, 3, 10, 0, 30, 0, 0, time.FixedZone("CET", 3600)))
		must(err)

		if want := []KPIInquiryCount{{Bucket: 0, Category: "order_status", N: 1}}; !slices.Equal(d.Inquiries, want) {
			t.Errorf("inquiries = %+v, want %+v", d.Inquiries, want)
		}
		if len(d.Acks) != 1 || !d.Acks[0].CreatedAt.Equal(day(10, 9)) || !d.Acks[0].SentAt.Equal(day(10, 10)) {
			t.Errorf("acks = %+v", d.Acks)
		}
		var ids []int64
		for _, l := range d.Leads {
			ids = append(ids, l.ID)
		}
		slices.Sort(ids)
		if want := []int64{oldOpen, newLead, wonLead}; !slices.Equal(ids, want) {
			t.Errorf("leads %v, want %v", ids, want)
		}
		for _, l := range d.Leads {
			switch l.ID {
			case oldOpen:
				if l.RepID != 0 || l.Status != LeadUnassigned || !l.AssignedAt.IsZero() {
					t.Errorf("open lead = %+v", l)
				}
			case wonLead:
				if l.RepID != ann || l.Status != LeadWon || l.ValueCents != 500 || !l.ClosedAt.Equal(day(10, 15)) {
					t.Errorf("won lead = %+v", l)
				}
			}
		}
		if want := []KPIAssignment{{LeadID: newLead, RepID: ann, At: day(10, 11)}}; !slices.Equal(d.Assignments, want) {
			t.Errorf("assignments %+v, want %+v", d.Assignments, want)
		}
		if want := []KPIOrderCount{{Bucket: 0, Status: OrderPending, Currency: "EUR", N: 1, AmountCents: 1000}}; !slices.Equal(d.Orders, want) {
			t.Errorf("orders = %+v, want %+v", d.Orders, want)
		}
		if len(d.LateOrders) != 1 || d.LateOrders[0].Number != "SO-2" || d.LateOrders[0].Status != OrderShipped ||
			!d.LateOrders[0].Promised.Equal(time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)) {
			t.Errorf("late orders = %+v", d.LateOrders)
		}
		if len(d.Alerts) != 1 || d.Alerts[0].Kind != "complaint" || !d.Alerts[0].CreatedAt.Equal(day(10, 12)) {
			t.Errorf("alerts = %+v", d.Alerts)
		}
		// Cut at the inquiry's time: a cut opens its bucket, so the order
		// (8:00) is in the first and the inquiry (9:00) in the second.
		cut, err := s.KPIData(ctx, time.Time{}, time.Time{}, to, from, day(10, 9), day(10, 12), to)
		must(err)
		if want := []KPIInquiryCount{{Bucket: 1, Category: "order_status", N: 1}}; !slices.Equal(cut.Inquiries, want) {
			t.Errorf("cut inquiries = %+v, want %+v", cut.Inquiries, want)
		}
		if len(cut.Orders) != 1 || cut.Orders[0].Bucket != 0 {
			t.Errorf("cut orders = %+v", cut.Orders)
		}
		if len(d.Reps) != 2 || d.Reps[0].Name != "Ann" || !d.Reps[0].Active || d.Reps[1].Email != "bob@desk.example" || d.Reps[1].Active {
			t.Errorf("reps = %+v", d.Reps)
		}
	})
}
