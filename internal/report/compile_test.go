package report

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

var berlin = mustLoad("Europe/Berlin")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall-clock time in Berlin in November 2026 (UTC+1).
func at(day, hour, minute int) time.Time {
	return time.Date(2026, time.November, day, hour, minute, 0, 0, berlin)
}

// clock is the store's settable clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// seeded is a store holding the rows of seed.
type seeded struct {
	st    *store.Store
	clock *clock
	ann   int64
	bob   int64
}

func openSQLite(t *testing.T) (*store.Store, *clock) {
	t.Helper()
	c := &clock{t: at(1, 9, 0)}
	st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "report.db"), store.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, c
}

func openPostgres(t *testing.T) (*store.Store, *clock) {
	t.Helper()
	c := &clock{t: at(1, 9, 0)}
	st, err := store.Open(context.Background(), testenv.PostgresDSN(t), store.WithClock(c.now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, c
}

// seed writes two days of desk activity, Tuesday 24 and Wednesday 25
// November 2026 in Berlin, whose numbers TestCompile knows exactly.
func seed(t *testing.T, st *store.Store, c *clock) seeded {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s := seeded{st: st, clock: c}
	var err error
	s.ann, err = st.CreateRep(ctx, &store.Rep{Email: "ann@desk.example", Name: "Ann Archer", Active: true})
	must(err)
	s.bob, err = st.CreateRep(ctx, &store.Rep{Email: "bob@desk.example", Name: "Bob Baker", Active: true})
	must(err)
	_, err = st.CreateRep(ctx, &store.Rep{Email: "cid@desk.example", Name: "Cid Idle", Active: false})
	must(err)
	_, err = st.CreateRep(ctx, &store.Rep{Email: "dee@desk.example", Name: "Dee Quiet", Active: true})
	must(err)
	cust, err := st.CreateCustomer(ctx, &store.Customer{Name: "Acme", Domain: "acme.example"})
	must(err)

	outbound := 0
	reply := func(inquiry int64, to string, sent time.Time) {
		t.Helper()
		outbound++
		c.t = sent
		o := &store.OutboundEmail{IdempotencyKey: "test:" + sent.String() + to, MessageID: "m" + time.Duration(outbound).String() + "@desk.example",
			InquiryID: inquiry, To: []string{to}, Kind: "order_status"}
		_, _, err := st.CreateOutbound(ctx, o)
		must(err)
		must(st.MarkOutboundSent(ctx, o.ID, sent))
	}
	inquiry := func(when time.Time, category, from string) int64 {
		t.Helper()
		c.t = when
		id, _, err := st.CreateInquiry(ctx, &store.Inquiry{ContactEmail: from, Category: category, Subject: category,
			Language: map[string]string{"order_status": "en", "quote_request": "de", "complaint": "fr"}[category]})
		must(err)
		return id
	}

	// Inquiries on the 25th: responses after 2m, 10m, 30m and 4m; one
	// unanswered; one arrives at 00:30 Berlin, still the 24th in UTC.
	q := inquiry(at(25, 9, 0), "order_status", "Kim@Acme.example")
	reply(q, "Kim Doe <kim@acme.example>", at(25, 9, 2))
	reply(q, "kim@acme.example", at(25, 9, 40)) // a later answer: not the first response
	q = inquiry(at(25, 10, 0), "order_status", "lee@acme.example")
	reply(q, "ann@desk.example", at(25, 10, 1)) // hand-off to a rep: not a response
	reply(q, "lee@acme.example", at(25, 10, 10))
	q = inquiry(at(25, 11, 0), "quote_request", "max@buyer.example")
	reply(q, "max@buyer.example", at(25, 11, 30))
	inquiry(at(25, 12, 0), "complaint", "angry@acme.example")
	q = inquiry(at(25, 0, 30), "quote_request", "night@buyer.example")
	reply(q, "night@buyer.example", at(25, 0, 34))
	// The 24th: one answered after 20m, one unclassified.
	q = inquiry(at(24, 15, 0), "support", "sue@acme.example")
	reply(q, "sue@acme.example", at(24, 15, 20))
	inquiry(at(24, 23, 30), "", "late@acme.example")

	lead := func(when time.Time, rep, value int64, email string) int64 {
		t.Helper()
		c.t = when
		id, _, err := st.CreateLead(ctx, &store.Lead{ContactEmail: email, Source: "email", RepID: rep, ValueCents: value})
		must(err)
		return id
	}
	status := func(when time.Time, id int64, status string, value int64) {
		t.Helper()
		c.t = when
		must(st.SetLeadStatus(ctx, id, status, value, ""))
	}
	// L1: Ann, contacted after 1h, won 5,000.00.
	l1 := lead(at(25, 9, 0), s.ann, 0, "l1@buyer.example")
	status(at(25, 10, 0), l1, store.LeadContacted, 0)
	status(at(25, 15, 0), l1, store.LeadWon, 500000)
	// L2: pooled, given to Bob at 10:00, contacted after 6h, still open.
	l2 := lead(at(25, 9, 30), 0, 250000, "l2@buyer.example")
	c.t = at(25, 10, 0)
	if _, err := st.AssignLead(ctx, l2, 0, s.bob, "round robin"); err != nil {
		t.Fatal(err)
	}
	status(at(25, 16, 0), l2, store.LeadContacted, 0)
	// L3: Ann's from the 24th, lost on the 25th.
	l3 := lead(at(24, 10, 0), s.ann, 0, "l3@buyer.example")
	status(at(25, 11, 0), l3, store.LeadLost, 0)
	// L4: waiting in the pool.
	lead(at(25, 13, 0), 0, 10000, "l4@buyer.example")
	// L5: Bob's, won on the 24th.
	l5 := lead(at(24, 12, 0), s.bob, 0, "l5@buyer.example")
	status(at(24, 18, 0), l5, store.LeadWon, 200000)

	order := func(when time.Time, number, status, currency string, cents int64, promised time.Time) {
		t.Helper()
		c.t = when
		_, err := st.CreateOrder(ctx, &store.Order{CustomerID: cust, Number: number, Status: status, Currency: currency,
			AmountCents: cents, PromisedDate: promised})
		must(err)
	}
	day := func(d int) time.Time { return time.Date(2026, time.November, d, 0, 0, 0, 0, time.UTC) }
	order(at(25, 8, 0), "SO-1", store.OrderPending, "EUR", 10000, day(25))
	order(at(25, 9, 0), "SO-2", store.OrderShipped, "USD", 5000, day(26))
	order(at(25, 10, 0), "SO-3", store.OrderDelivered, "EUR", 2500, day(1))
	order(at(24, 10, 0), "SO-4", store.OrderPending, "EUR", 1000, day(20))

	alert := func(when time.Time, key, kind string) {
		t.Helper()
		c.t = when
		_, _, err := st.CreateAlert(ctx, &store.Alert{DedupeKey: key, Kind: kind})
		must(err)
	}
	alert(at(25, 9, 0), "a1", "bounce_rate")
	alert(at(25, 14, 0), "a2", "complaint")
	alert(at(24, 9, 0), "a3", "complaint")
	c.t = at(26, 8, 0)
	return s
}

func TestCompile(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(*testing.T) (*store.Store, *clock)
	}{
		{"sqlite", openSQLite},
		{"postgres", openPostgres},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st, c := tc.open(t)
			s := seed(t, st, c)
			r, err := Compile(context.Background(), st, Day(at(25, 12, 0), berlin), Options{Currency: "EUR", Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			checkDay(t, r, s)

			week, err := Compile(context.Background(), st, LastDays(at(25, 12, 0), 7, berlin), Options{Currency: "EUR", Now: c.now})
			if err != nil {
				t.Fatal(err)
			}
			if len(week.Days) != 7 {
				t.Fatalf("last 7 days: %d day rows, want 7", len(week.Days))
			}
			wantLast := []DayRow{
				{Date: at(24, 0, 0), Inquiries: 2, LeadsCreated: 2, LeadsWon: 1, OrdersCreated: 1, AlertsOpened: 1},
				{Date: at(25, 0, 0), Inquiries: 5, LeadsCreated: 3, LeadsWon: 1, OrdersCreated: 3, AlertsOpened: 2},
			}
			if got := week.Days[5:]; !reflect.DeepEqual(got, wantLast) {
				t.Errorf("last 7 days, last two days:\n got %+v\nwant %+v", got, wantLast)
			}
			if week.Current.Inquiries != 7 || week.Prior.Inquiries != 0 {
				t.Errorf("last 7 days: inquiries %d, before %d; want 7, 0", week.Current.Inquiries, week.Prior.Inquiries)
			}
		})
	}
}

func checkDay(t *testing.T, r Report, s seeded) {
	t.Helper()
	wantCur := Figures{
		Inquiries:  5,
		ByCategory: []Count{{"order_status", 2}, {"quote_request", 2}, {"complaint", 1}},
		ByLanguage: []Count{{"de", 2}, {"en", 2}, {"fr", 1}},
		// Every mail to a sender is automatic: the acknowledgement.
		Acknowledged: 4,
		AckMedian:    7 * time.Minute, // of 2, 4, 10, 30 minutes
		// A person contacted L1 after 1h and L2 after 6h30m of the
		// three new leads; L4 waits in the pool.
		Responded:      2,
		ResponseMedian: 3*time.Hour + 45*time.Minute, // 1h + 0.5 * 5h30m
		ResponseP90:    5*time.Hour + 57*time.Minute, // 1h + 0.9 * 5h30m
		LeadsCreated:   3,
		LeadsAssigned:  2,
		LeadsContacted: 2,
		LeadsWon:       1,
		LeadsLost:      1,
		WinRate:        0.5,
		WonValue:       []Money{{"EUR", 500000}},
		TimeToContact:  3*time.Hour + 30*time.Minute,
		// L1 after 1h is within the 4h SLA, L2 after 6h is not.
		ContactedWithinSLA: 1,
		OrdersCreated:      3,
		OrdersByStatus:     []Count{{"delivered", 1}, {"pending", 1}, {"shipped", 1}},
		OrderValue:         []Money{{"EUR", 12500}, {"USD", 5000}},
		AlertsOpened:       2,
		AlertsByKind:       []Count{{"bounce_rate", 1}, {"complaint", 1}},
		Deals:              []Deals{{"EUR", 1, 500000}},
		Calibration:        emptyBands(),
		UnscoredClosed:     2, // the seed scores no lead
	}
	if !reflect.DeepEqual(r.Current, wantCur) {
		t.Errorf("25 Nov:\n got %+v\nwant %+v", r.Current, wantCur)
	}
	wantPrior := Figures{
		Inquiries:      2,
		ByCategory:     []Count{{"support", 1}, {"unclassified", 1}},
		ByLanguage:     []Count{{"unknown", 2}},
		Acknowledged:   1,
		AckMedian:      20 * time.Minute,
		LeadsCreated:   2,
		LeadsAssigned:  2,
		LeadsWon:       1,
		WinRate:        1,
		WonValue:       []Money{{"EUR", 200000}},
		OrdersCreated:  1,
		OrdersByStatus: []Count{{"pending", 1}},
		OrderValue:     []Money{{"EUR", 1000}},
		AlertsOpened:   1,
		AlertsByKind:   []Count{{"complaint", 1}},
		Deals:          []Deals{{"EUR", 1, 200000}},
		Calibration:    emptyBands(),
		UnscoredClosed: 1,
	}
	if !reflect.DeepEqual(r.Prior, wantPrior) {
		t.Errorf("24 Nov:\n got %+v\nwant %+v", r.Prior, wantPrior)
	}
	wantReps := []RepRow{
		{RepID: s.ann, Name: "Ann Archer", Email: "ann@desk.example", Assigned: 1, Contacted: 1, ContactedWithinSLA: 1,
			Won: 1, Lost: 1, Deals: []Deals{{"EUR", 1, 500000}}},
		{RepID: s.bob, Name: "Bob Baker", Email: "bob@desk.example", Assigned: 1, Contacted: 1, OpenNow: 1},
		{RepID: s.bob + 2, Name: "Dee Quiet", Email: "dee@desk.example"},
	}
	if !reflect.DeepEqual(r.Reps, wantReps) {
		t.Errorf("reps:\n got %+v\nwant %+v", r.Reps, wantReps)
	}
	if r.OpenLeads != 2 || r.UnassignedLeads != 1 || !reflect.DeepEqual(r.Pipeline, []Money{{"EUR", 260000}}) {
		t.Errorf("now: open %d, unassigned %d, pipeline %v; want 2, 1, EUR 2,600.00", r.OpenLeads, r.UnassignedLeads, r.Pipeline)
	}
	wantLate := []LateOrder{
		{Number: "SO-4", Status: store.OrderPending, Promised: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)},
		{Number: "SO-1", Status: store.OrderPending, Promised: time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)},
	}
	if !reflect.DeepEqual(r.LateOrders, wantLate) {
		t.Errorf("late orders:\n got %+v\nwant %+v", r.LateOrders, wantLate)
	}
	wantDays := []DayRow{{Date: at(25, 0, 0), Inquiries: 5, LeadsCreated: 3, LeadsWon: 1, OrdersCreated: 3, AlertsOpened: 2}}
	if !reflect.DeepEqual(r.Days, wantDays) {
		t.Errorf("days:\n got %+v\nwant %+v", r.Days, wantDays)
	}
	if !r.Previous.From.Equal(at(24, 0, 0)) || !r.Previous.To.Equal(at(25, 0, 0)) {
		t.Errorf("previous period %v .. %v; want 24 Nov", r.Previous.From, r.Previous.To)
	}
}

func TestCompileEmptyPeriod(t *testing.T) {
	st, _ := openSQLite(t)
	if _, err := Compile(context.Background(), st, Period{From: at(25, 0, 0), To: at(25, 0, 0)}, Options{}); err == nil {
		t.Fatal("empty period compiled; want an error")
	}
}

// emptyBands is the calibration table without a closed lead.
func emptyBands() []Band {
	return []Band{{From: 0, To: 20}, {From: 20, To: 40}, {From: 40, To: 60}, {From: 60, To: 80}, {From: 80, To: 101}}
}
