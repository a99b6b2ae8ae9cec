package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"
)

// largeEnd is the end of the generated database's three years.
var largeEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// largeSizes is the realistic large desk of issue 17: 50 reps, 5,000
// accounts, 1,000,000 orders, 200,000 leads, 500,000 inquiries (each with
// one answer sent) and their alerts, over three years. As on a real desk,
// orders older than 60 days are delivered or cancelled and leads older
// than 90 days closed, but for one in 200 orders and one in 100 leads. scale multiplies
// every count but the reps.
type largeSizes struct{ customers, orders, leads, inquiries, alerts int }

func newLargeSizes(scale float64) largeSizes {
	n := func(v int) int { return max(1, int(float64(v)*scale)) }
	return largeSizes{customers: n(5000), orders: n(1_000_000), leads: n(200_000), inquiries: n(500_000), alerts: n(5000)}
}

// bulkInsert writes n rows of cols into table, a hundred to a statement.
func bulkInsert(ctx context.Context, q querier, s *Store, table, cols string, ncols, n int, row func(i int) []any) error {
	for start := 0; start < n; start += importBatch {
		end := min(start+importBatch, n)
		args := make([]any, 0, (end-start)*ncols)
		for i := start; i < end; i++ {
			args = append(args, row(i)...)
		}
		if _, err := q.ExecContext(ctx, s.rebind("INSERT INTO "+table+" ("+cols+") VALUES "+placeholders(end-start, ncols)), args...); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}

// generateLarge fills an empty database with largeSizes rows whose times
// spread evenly over the three years before largeEnd. The ids of every
// table start at 1, so rows refer to each other by number.
func generateLarge(ctx context.Context, s *Store, sz largeSizes) error {
	rng := rand.New(rand.NewPCG(17, 2026))
	span := int64(3 * 365 * 24 * time.Hour)
	at := func() time.Time { return largeEnd.Add(-time.Duration(rng.Int64N(span))) }
	const reps = 50
	orderStatuses := []string{OrderPending, OrderConfirmed, OrderProcessing, OrderShipped, OrderDelivered, OrderDelivered,
		OrderDelivered, OrderDelivered, OrderCancelled}
	leadStatuses := []string{"won", "lost", "won", "lost", "contacted", "assigned", "unassigned"}
	categories := []string{"order_status", "order_change", "quote_request", "support", "complaint", "billing", "meeting_request"}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if s.dialect == SQLite {
		// Rows arrive in random time order: without a big page cache
		// every index insert spills a page to the WAL.
		if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -1000000"); err != nil {
			return err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA cache_size = -2000")
	}
	return inTxOn(ctx, conn, func(tx *sql.Tx) error {
		steps := []func() error{
			func() error {
				return bulkInsert(ctx, tx, s, "reps", "email, name, created_at, updated_at", 4, reps, func(i int) []any {
					t := s.ts(largeEnd.AddDate(-3, 0, 0))
					return []any{fmt.Sprintf("rep%d@desk.example", i+1), fmt.Sprintf("Rep %d", i+1), t, t}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "customers", "external_id, name, domain, owner_rep_id, created_at, updated_at", 6, sz.customers,
					func(i int) []any {
						t := s.ts(largeEnd.AddDate(-3, 0, 0))
						return []any{fmt.Sprintf("C-%05d", i+1), fmt.Sprintf("Customer %d Ltd", i+1), fmt.Sprintf("c%d.example", i+1),
							i%reps + 1, t, t}
					})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "orders", "customer_id, number, status, currency, amount_cents, promised_date, "+
					"status_changed_at, created_at, updated_at", 9, sz.orders, func(i int) []any {
					c := at()
					st := orderStatuses[rng.IntN(len(orderStatuses))]
					if largeEnd.Sub(c) > 60*24*time.Hour && rng.IntN(200) > 0 {
						// Older orders are done, but for one in 200 left open.
						st = []string{OrderDelivered, OrderDelivered, OrderDelivered, OrderCancelled}[rng.IntN(4)]
					}
					return []any{rng.IntN(sz.customers) + 1, fmt.Sprintf("SO-%08d", i+1), st, "EUR", rng.Int64N(5_000_000),
						s.dialect.encodeDate(c.AddDate(0, 0, 3+rng.IntN(30))), s.ts(c), s.ts(c), s.ts(c)}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "leads", "contact_email, company, source, status, rep_id, value_cents, assigned_at, "+
					"contacted_at, closed_at, created_at, updated_at", 11, sz.leads, func(i int) []any {
					c := at()
					st := leadStatuses[rng.IntN(len(leadStatuses))]
					if largeEnd.Sub(c) > 90*24*time.Hour && rng.IntN(100) > 0 {
						// Older leads are closed, but for one in 100 forgotten.
						st = leadStatuses[rng.IntN(2)]
					}
					var rep, assigned, contacted, closed any
					if st != "unassigned" {
						rep, assigned = rng.IntN(reps)+1, s.ts(c.Add(time.Hour))
					}
					if st == "contacted" || st == "won" || st == "lost" {
						contacted = s.ts(c.Add(5 * time.Hour))
					}
					if st == "won" || st == "lost" {
						closed = s.ts(c.Add(20 * 24 * time.Hour))
					}
					return []any{fmt.Sprintf("lead%d@prospect.example", i+1), fmt.Sprintf("Prospect %d", i+1), "mail", st, rep,
						rng.Int64N(10_000_000), assigned, contacted, closed, s.ts(c), s.ts(c)}
				})
			},
			func() error {
				// One "created" event per lead; an assigned one names its rep.
				return bulkInsert(ctx, tx, s, "lead_events", "lead_id, kind, rep_id, created_at", 4, sz.leads, func(i int) []any {
					return []any{i + 1, "created", i%reps + 1, s.ts(largeEnd.Add(-time.Duration(int64(i) * (span / int64(sz.leads)))))}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "inquiries", "customer_id, contact_email, subject, category, confidence, status, "+
					"created_at, updated_at", 8, sz.inquiries, func(i int) []any {
					c := at()
					return []any{rng.IntN(sz.customers) + 1, fmt.Sprintf("buyer%d@c%d.example", i%20, i%sz.customers+1), "Order status",
						categories[rng.IntN(len(categories))], 0.9, "answered", s.ts(c), s.ts(c)}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "outbound_emails", "idempotency_key, message_id, kind, inquiry_id, to_addrs, status, "+
					"created_at, updated_at, sent_at", 9, sz.inquiries, func(i int) []any {
					t := s.ts(largeEnd.Add(-time.Duration(int64(i) * (span / int64(sz.inquiries)))))
					return []any{"answer-" + strconv.Itoa(i+1), strconv.Itoa(i+1) + "@desk.example", "answer", i + 1,
						fmt.Sprintf("buyer%d@c%d.example", i%20, i%sz.customers+1), "sent", t, t, t}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "alerts", "dedupe_key, kind, subject, created_at, last_seen_at", 5, sz.alerts,
					func(i int) []any {
						c := s.ts(at())
						return []any{"alert-" + strconv.Itoa(i+1), "volume_spike", "Volume spike", c, c}
					})
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
}

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
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM orders").Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == 0 {
		sz := newLargeSizes(scale)
		start := time.Now()
		if err := generateLarge(ctx, s, sz); err != nil {
			b.Fatal(err)
		}
		if s.dialect == Postgres {
			if _, err := s.db.ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
		} else if _, err := s.db.ExecContext(ctx, "PRAGMA optimize"); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %+v in %s", sz, time.Since(start).Round(time.Second))
	}
	day := largeEnd.AddDate(0, 0, -1)
	week := largeEnd.AddDate(0, 0, -int(largeEnd.Weekday()+6)%7-7) // the last whole ISO week
	for _, p := range []struct {
		name     string
		from, to time.Time
	}{
		{"daily", day, largeEnd},
		{"iso_week", week, week.AddDate(0, 0, 7)},
		{"last_7_days", largeEnd.AddDate(0, 0, -7), largeEnd},
		{"last_30_days", largeEnd.AddDate(0, 0, -30), largeEnd},
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
