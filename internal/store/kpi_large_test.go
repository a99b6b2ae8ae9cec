package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkKPILarge times the KPI report's reads (KPIData) and the desk
// list pages on a generated large database: SALESDESK_BENCH_LARGE_DSN
// names an empty database (scripts/bench kpi makes one), and
// SALESDESK_BENCH_LARGE_SCALE scales the sizes (default 1).
func BenchmarkKPILarge(b *testing.B) {
	dsn, sz, err := LargeBenchEnv()
	if err != nil {
		b.Fatal(err)
	} else if dsn == "" {
		b.Skip("SALESDESK_BENCH_LARGE_DSN not set (scripts/bench kpi sets it)")
	}
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	start := time.Now()
	if generated, err := s.EnsureLarge(ctx, sz); err != nil {
		b.Fatal(err)
	} else if generated {
		b.Logf("generated %+v in %s", sz, time.Since(start).Round(time.Second))
	}
	day := LargeEnd.AddDate(0, 0, -1)
	week := LargeEnd.AddDate(0, 0, -int(LargeEnd.Weekday()+6)%7-7) // the last whole ISO week
	for _, p := range []struct {
		name     string
		from, to time.Time
	}{
		{"daily", day, LargeEnd},
		{"iso_week", week, week.AddDate(0, 0, 7)},
		{"last_7_days", LargeEnd.AddDate(0, 0, -7), LargeEnd},
		{"last_30_days", LargeEnd.AddDate(0, 0, -30), LargeEnd},
	} {
		b.Run("report/"+p.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.KPIData(ctx, p.from, p.to, p.to); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/report")
		})
	}
	pages := []struct {
		name string
		read func() error
	}{
		{"rep_open_leads", func() error { _, err := s.ListLeads(ctx, LeadFilter{RepID: 7, Status: "assigned"}); return err }},
		{"recent_inquiries", func() error { _, err := s.ListInquiries(ctx, InquiryFilter{Since: day}); return err }},
		{"account_inquiries", func() error { _, err := s.ListInquiries(ctx, InquiryFilter{CustomerID: 42}); return err }},
		{"account_orders", func() error { _, err := s.ListOrders(ctx, OrderFilter{CustomerID: 42, OpenOnly: true}); return err }},
		{"open_orders", func() error { _, err := s.OpenOrdersForCustomer(ctx, 42); return err }},
		{"open_lead_counts", func() error { _, err := s.OpenLeadCounts(ctx, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}); return err }},
	}
	for _, p := range pages {
		b.Run("page/"+p.name, func(b *testing.B) {
			for b.Loop() {
				if err := p.read(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}

// TestLargeDeskQueries checks the reads rewritten for the large desk
// against the same answer read another way, on a small generated desk.
func TestLargeDeskQueries(t *testing.T) {
	forEachDialectAt(t, func(t *testing.T, s *Store, c *testClock) {
		ctx := testCtx(t)
		c.t = LargeEnd
		if err := s.GenerateLarge(ctx, NewLargeSizes(0.002)); err != nil {
			t.Fatal(err)
		}

		// Team load: the open leads and those closed since, per rep.
		since, overdue := LargeEnd.AddDate(0, 0, -200), LargeEnd.AddDate(0, 0, -100)
		load, err := s.TeamLoad(ctx, overdue, since)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]RepLoad{}
		for _, st := range []string{LeadAssigned, LeadContacted, LeadWon, LeadLost} {
			leads, err := s.ListLeads(ctx, LeadFilter{Status: st, Limit: 1000})
			if err != nil || len(leads) == 1000 {
				t.Fatalf("%s leads: %d %v", st, len(leads), err)
			}
			for _, l := range leads {
				if l.RepID == 0 || ((st == LeadWon || st == LeadLost) && l.ClosedAt.Before(since)) {
					continue
				}
				w := want[l.RepID]
				switch st {
				case LeadAssigned:
					w.Assigned++
					if l.AssignedAt.Before(overdue) {
						w.Overdue++
					}
				case LeadContacted:
					w.Contacted++
				case LeadWon:
					w.Won++
					w.WonCents += l.ValueCents
				case LeadLost:
					w.Lost++
				}
				want[l.RepID] = w
			}
		}
		var closed int
		for _, got := range load {
			w := want[got.Rep.ID]
			closed += got.Won + got.Lost
			if got.Assigned != w.Assigned || got.Overdue != w.Overdue || got.Contacted != w.Contacted || got.Won != w.Won ||
				got.Lost != w.Lost || got.WonCents != w.WonCents {
				t.Errorf("rep %d: load %+v, want %+v", got.Rep.ID, got, w)
			}
		}
		if closed == 0 {
			t.Error("no lead closed since; the test checks nothing")
		}

		// The long thread: every inquiry of it with a stored mail, and
		// every answer.
		thread, err := s.ListInquiries(ctx, InquiryFilter{ThreadID: LargeThreadStart, Limit: 1000})
		if err != nil || len(thread) < 10 {
			t.Fatalf("thread: %d inquiries, %v", len(thread), err)
		}
		first, err := s.Inquiry(ctx, LargeThreadStart)
		if err != nil {
			t.Fatal(err)
		}
		thread = append(thread, *first)
		in, out := map[int64]bool{}, map[int64]bool{}
		mails, err := s.ThreadMails(ctx, LargeThreadStart)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range mails {
			if m.Outbound {
				out[m.InquiryID] = true
			} else {
				in[m.InquiryID] = true
			}
		}
		for _, q := range thread {
			if !in[q.ID] || !out[q.ID] {
				t.Errorf("inquiry %d of the thread: inbound %t, outbound %t", q.ID, in[q.ID], out[q.ID])
			}
		}
		if len(in) != len(thread) || len(out) != len(thread) || len(mails) != 2*len(thread) {
			t.Errorf("thread of %d inquiries: %d mails from %d and %d inquiries", len(thread), len(mails), len(in), len(out))
		}

		// Order histories in one read are each order's history.
		var ids []int64
		for id := int64(1); id <= 5; id++ {
			for _, st := range []string{OrderShipped, OrderDelivered} {
				c.t = c.t.Add(time.Minute)
				if _, err := s.SetOrderStatus(ctx, id, st, "bench", "api"); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, id)
		}
		ids = append(ids, 6) // no history
		hist, err := s.OrderHistories(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			one, err := s.OrderHistory(ctx, id)
			if err != nil || !slices.Equal(hist[id], one) {
				t.Errorf("order %d: histories %+v, history %+v %v", id, hist[id], one, err)
			}
		}
		if len(hist[1]) == 0 {
			t.Error("order 1 has no history")
		}

		// Words: the newest few hits are the first of all hits.
		all, err := s.Search(ctx, "flanges", 1000)
		if err != nil || len(all) < 10 || len(all) == 1000 {
			t.Fatalf("search: %d hits, %v", len(all), err)
		}
		few, err := s.Search(ctx, "flanges", 5)
		if err != nil || !slices.EqualFunc(few, all[:5], func(a, b SearchHit) bool { return a.ID == b.ID }) {
			t.Errorf("newest 5 hits %+v, want the first of %d", few, len(all))
		}

		// Order requests newest first are oldest first reversed.
		f := OrderRequestFilter{Limit: 1000}
		oldest, err := s.ListOrderRequests(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		f.NewestFirst = true
		newest, err := s.ListOrderRequests(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		slices.Reverse(oldest)
		if len(newest) == 0 || !slices.EqualFunc(newest, oldest, func(a, b OrderRequest) bool { return a.ID == b.ID }) {
			t.Errorf("newest first %d requests, oldest first reversed %d", len(newest), len(oldest))
		}
	})
}
