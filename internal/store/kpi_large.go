package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"time"
)

// LargeEnd is the end of the large generated desk's three years
// (GenerateLarge): benchmarks put their clock here.
var LargeEnd = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

// The large desk's well-known rows, for benchmarks that need realistic
// ids: the big account (one in 50 of every account's rows), the rep who
// is also the team's manager, and the first inquiry of the long thread
// (about 50 inquiries, each from a stored mail).
const (
	LargeBigAccount  = 1
	LargeManagerRep  = 1
	LargeThreadStart = 1
)

// LargeSizes is the realistic large desk of issue 17: 50 reps, 5,000
// accounts, 1,000,000 orders, 200,000 leads, 500,000 inquiries (each with
// one answer sent, one in 20 from a stored mail), 5,000 order requests,
// 20,000 meetings and 5,000 alerts, over three years. As on a real desk,
// orders older than 60 days are delivered or cancelled and leads older
// than 90 days closed, but for one in 200 orders and one in 100 leads.
type LargeSizes struct{ Customers, Orders, Leads, Inquiries, Alerts int }

// NewLargeSizes returns the large desk's sizes; scale multiplies every
// count but the reps.
func NewLargeSizes(scale float64) LargeSizes {
	n := func(v int) int { return max(1, int(float64(v)*scale)) }
	return LargeSizes{Customers: n(5000), Orders: n(1_000_000), Leads: n(200_000), Inquiries: n(500_000), Alerts: n(5000)}
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

// GenerateLarge fills an empty database with sz rows whose times spread
// evenly over the three years before LargeEnd, for benchmarks. The ids
// of every table start at 1, so rows refer to each other by number.
// It is deterministic: the same sizes give the same rows.
func (s *Store) GenerateLarge(ctx context.Context, sz LargeSizes) error {
	if err := s.generateLarge(ctx, sz); err != nil {
		return err
	}
	// The generated mail goes into the word indexes at once, as the
	// first search would put it.
	_, err := s.IndexSearch(ctx, true)
	return err
}

// generateLarge is GenerateLarge without the word indexes.
func (s *Store) generateLarge(ctx context.Context, sz LargeSizes) error {
	rng := rand.New(rand.NewPCG(17, 2026))
	span := int64(3 * 365 * 24 * time.Hour)
	at := func() time.Time { return LargeEnd.Add(-time.Duration(rng.Int64N(span))) }
	const reps = 50
	// account picks the account of a row: the big one for one in 50.
	account := func() int {
		if rng.IntN(50) == 0 {
			return LargeBigAccount
		}
		return rng.IntN(sz.Customers) + 1
	}
	orderStatuses := []string{OrderPending, OrderConfirmed, OrderProcessing, OrderShipped, OrderDelivered, OrderDelivered,
		OrderDelivered, OrderDelivered, OrderCancelled}
	leadStatuses := []string{"won", "lost", "won", "lost", "contacted", "assigned", "unassigned"}
	categories := []string{"order_status", "order_change", "quote_request", "support", "complaint", "billing", "meeting_request"}
	words := []string{"flanges", "pumps", "valves", "bearings", "gaskets", "delivery", "invoice", "quote", "urgent", "pallet"}
	// About 50 inquiries join the long thread, each from a stored mail.
	threadStep := max(20, sz.Inquiries/50/20*20)
	leadRep := make([]int, sz.Leads)
	inquiryAt := make([]time.Time, sz.Inquiries)
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
				return bulkInsert(ctx, tx, s, "reps", "email, name, role, created_at, updated_at", 5, reps, func(i int) []any {
					t := s.ts(LargeEnd.AddDate(-3, 0, 0))
					role := RoleRep
					if i+1 == LargeManagerRep {
						role = RoleManager
					}
					return []any{fmt.Sprintf("rep%d@desk.example", i+1), fmt.Sprintf("Rep %d", i+1), role, t, t}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "customers", "external_id, name, domain, owner_rep_id, created_at, updated_at", 6, sz.Customers,
					func(i int) []any {
						t := s.ts(LargeEnd.AddDate(-3, 0, 0))
						return []any{fmt.Sprintf("C-%05d", i+1), fmt.Sprintf("Customer %d Ltd", i+1), fmt.Sprintf("c%d.example", i+1),
							i%reps + 1, t, t}
					})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "orders", "customer_id, number, status, currency, amount_cents, promised_date, "+
					"status_changed_at, created_at, updated_at", 9, sz.Orders, func(i int) []any {
					c := at()
					st := orderStatuses[rng.IntN(len(orderStatuses))]
					if LargeEnd.Sub(c) > 60*24*time.Hour && rng.IntN(200) > 0 {
						// Older orders are done, but for one in 200 left open.
						st = []string{OrderDelivered, OrderDelivered, OrderDelivered, OrderCancelled}[rng.IntN(4)]
					}
					return []any{account(), fmt.Sprintf("SO-%08d", i+1), st, "EUR", rng.Int64N(5_000_000),
						s.dialect.encodeDate(c.AddDate(0, 0, 3+rng.IntN(30))), s.ts(c), s.ts(c), s.ts(c)}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "leads", "customer_id, contact_email, company, source, status, rep_id, value_cents, assigned_at, "+
					"contacted_at, closed_at, created_at, updated_at", 12, sz.Leads, func(i int) []any {
					c := at()
					st := leadStatuses[rng.IntN(len(leadStatuses))]
					if LargeEnd.Sub(c) > 90*24*time.Hour && rng.IntN(100) > 0 {
						// Older leads are closed, but for one in 100 forgotten.
						st = leadStatuses[rng.IntN(2)]
					}
					var rep, assigned, contacted, closed any
					if st != "unassigned" {
						leadRep[i] = rng.IntN(reps) + 1
						rep, assigned = leadRep[i], s.ts(c.Add(time.Hour))
					}
					if st == "contacted" || st == "won" || st == "lost" {
						contacted = s.ts(c.Add(5 * time.Hour))
					}
					if st == "won" || st == "lost" {
						closed = s.ts(c.Add(20 * 24 * time.Hour))
					}
					return []any{account(), fmt.Sprintf("lead%d@prospect.example", i+1), fmt.Sprintf("Prospect %d", i+1), "mail", st, rep,
						rng.Int64N(10_000_000), assigned, contacted, closed, s.ts(c), s.ts(c)}
				})
			},
			func() error {
				// One "created" event per lead; an assigned one names its rep.
				return bulkInsert(ctx, tx, s, "lead_events", "lead_id, kind, rep_id, created_at", 4, sz.Leads, func(i int) []any {
					return []any{i + 1, "created", i%reps + 1, s.ts(LargeEnd.Add(-time.Duration(int64(i) * (span / int64(sz.Leads)))))}
				})
			},
			func() error {
				// The stored mail of one in 20 inquiries (inquiry 20k+1
				// is from mail k+1), a few words of the trade each.
				for i := range inquiryAt {
					inquiryAt[i] = at()
				}
				return bulkInsert(ctx, tx, s, "inbound_messages", "mailbox, uid_validity, uid, message_id, status, received_at, "+
					"from_addr, subject, kind, body_text, created_at, updated_at", 12, (sz.Inquiries+19)/20, func(k int) []any {
					i := 20 * k
					t := s.ts(inquiryAt[i])
					text := fmt.Sprintf("Hello, please send %d %s and %s for plant %d, order SO-%08d.", k%500,
						words[k%len(words)], words[(k/7)%len(words)], k%97, k+1)
					return []any{"sales", 1, k + 1, fmt.Sprintf("m%d@c%d.example", k+1, i%sz.Customers+1), "processed", t,
						fmt.Sprintf("buyer%d@c%d.example", i%20, i%sz.Customers+1), "Order " + strconv.Itoa(k+1), "human", text, t, t}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "inquiries", "customer_id, contact_email, subject, category, confidence, status, "+
					"inbound_message_id, thread_id, created_at, updated_at", 10, sz.Inquiries, func(i int) []any {
					c := inquiryAt[i]
					var mail, thread any
					if i%20 == 0 {
						mail = i/20 + 1
					}
					if i%threadStep == 0 && i > 0 {
						thread = LargeThreadStart
					}
					return []any{account(), fmt.Sprintf("buyer%d@c%d.example", i%20, i%sz.Customers+1), "Order status",
						categories[rng.IntN(len(categories))], 0.9, "answered", mail, thread, s.ts(c), s.ts(c)}
				})
			},
			func() error {
				return bulkInsert(ctx, tx, s, "outbound_emails", "idempotency_key, message_id, kind, inquiry_id, to_addrs, status, "+
					"created_at, updated_at, sent_at", 9, sz.Inquiries, func(i int) []any {
					t := s.ts(LargeEnd.Add(-time.Duration(int64(i) * (span / int64(sz.Inquiries)))))
					return []any{"answer-" + strconv.Itoa(i+1), strconv.Itoa(i+1) + "@desk.example", "answer", i + 1,
						fmt.Sprintf("buyer%d@c%d.example", i%20, i%sz.Customers+1), "sent", t, t, t}
				})
			},
			func() error {
				// One order request per 200 orders; one in ten still
				// waits for a decision.
				return bulkInsert(ctx, tx, s, "order_requests", "order_id, inquiry_id, kind, words, status, created_at", 6,
					sz.Orders/200, func(k int) []any {
						st := "done"
						if k%10 == 0 {
							st = "pending"
						}
						return []any{200*k + 1, k%sz.Inquiries + 1, OrderRequestRush, "Please ship by Friday", st, s.ts(at())}
					})
			},
			func() error {
				// A meeting for one in ten leads, with the lead's rep.
				return bulkInsert(ctx, tx, s, "meetings", "uid, lead_id, rep_id, customer_email, title, status, starts_at, ends_at, "+
					"created_at, updated_at", 10, sz.Leads/10, func(k int) []any {
					l := 10 * k
					var rep any
					if leadRep[l] != 0 {
						rep = leadRep[l]
					}
					c := at()
					start := c.Add(time.Duration(24+rng.IntN(24*14)) * time.Hour)
					st := []string{MeetingConfirmed, MeetingHeld, MeetingHeld, MeetingNoShow}[rng.IntN(4)]
					return []any{fmt.Sprintf("m%d@desk.example", k+1), l + 1, rep, fmt.Sprintf("lead%d@prospect.example", l+1),
						"Call", st, s.ts(start), s.ts(start.Add(30 * time.Minute)), s.ts(c), s.ts(c)}
				})
			},
			func() error {
				// Alerts of the last 30 days are open, the older closed.
				return bulkInsert(ctx, tx, s, "alerts", "dedupe_key, kind, subject, status, created_at, last_seen_at", 6, sz.Alerts,
					func(i int) []any {
						t := at()
						st := "closed"
						if LargeEnd.Sub(t) < 30*24*time.Hour {
							st = "open"
						}
						return []any{"alert-" + strconv.Itoa(i+1), "volume_spike", "Volume spike", st, s.ts(t), s.ts(t)}
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

// EnsureLarge generates the large desk of sz (GenerateLarge) unless s
// holds orders already, then updates the planner's statistics; it
// reports whether it generated.
func (s *Store) EnsureLarge(ctx context.Context, sz LargeSizes) (generated bool, err error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM orders LIMIT 1) o").Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	if err := s.GenerateLarge(ctx, sz); err != nil {
		return false, err
	}
	// As on a desk that has run for a while: statistics for the planner,
	// and on PostgreSQL a vacuumed table (autovacuum's work), without
	// which no index-only scan skips the table.
	stats := "PRAGMA optimize"
	if s.dialect == Postgres {
		stats = "VACUUM ANALYZE"
	}
	if _, err := s.db.ExecContext(ctx, stats); err != nil {
		return true, err
	}
	return true, nil
}

// LargeBenchEnv reads the large desk benchmarks' settings:
// SALESDESK_BENCH_LARGE_DSN names the database ("" when unset: the
// benchmarks skip) and SALESDESK_BENCH_LARGE_SCALE scales the sizes
// (default 1). scripts/bench kpi sets both.
func LargeBenchEnv() (dsn string, sz LargeSizes, err error) {
	scale := 1.0
	if v := os.Getenv("SALESDESK_BENCH_LARGE_SCALE"); v != "" {
		if scale, err = strconv.ParseFloat(v, 64); err != nil || scale <= 0 {
			return "", LargeSizes{}, fmt.Errorf("SALESDESK_BENCH_LARGE_SCALE=%q: want a positive number", v)
		}
	}
	return os.Getenv("SALESDESK_BENCH_LARGE_DSN"), NewLargeSizes(scale), nil
}
