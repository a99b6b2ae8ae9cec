package store

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkKPILarge times the KPI report's reads (KPIData) and the desk
// list pages on a generated large database: SALESDESK_BENCH_LARGE_DSN
// names an empty database (scripts/bench kpi makes one), and
// SALESDESK_BENCH_LARGE_SCALE scales the sizes (default 1).
func BenchmarkKPILarge(b *testing.B) {
	dsn := os.Getenv("SALESDESK_BENCH_LARGE_DSN")
	if dsn == "" {
		b.Skip("SALESDESK_BENCH_LARGE_DSN not set (scripts/bench kpi sets it)")
	}
	scale := 1.0
	if v := os.Getenv("SALESDESK_BENCH_LARGE_SCALE"); v != "" {
		var err error
		if scale, err = strconv.ParseFloat(v, 64); err != nil || scale <= 0 {
			b.Fatalf("SALESDESK_BENCH_LARGE_SCALE=%q: want a positive number", v)
		}
	}
	ctx := context.Background()
	s, err := Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	sz := NewLargeSizes(scale)
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
