package anomaly

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// Alert kinds other handlers raise that the detectors count. They are
// spelled here because the packages that own them sit above this one.
const (
	alertComplaint          = "complaint"             // intake.AlertKindComplaint
	alertForeignOrderLookup = "foreign_order_lookup"  // workers.AlertKindForeignOrderLookup
	alertForeignOrderChange = "foreign_order_request" // workers.AlertKindForeignOrderRequest
)

// Store is what Load reads; *store.Store implements it. The mail counts
// are read-only aggregate queries on DB, which the store has no method
// for.
type Store interface {
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
	DB() *sql.DB
	Dialect() store.Dialect
}

// Scan loads the activity of the window ending at now and runs the
// detectors over it.
func Scan(ctx context.Context, st Store, now time.Time, c Config) ([]Finding, error) {
	a, err := Load(ctx, st, now, c)
	if err != nil {
		return nil, err
	}
	return Detect(a, c), nil
}

// Load reads the activity of the window [now-c.Window, now) from st, and
// the inbound counts of the c.SpikeBaseline windows before it.
func Load(ctx context.Context, st Store, now time.Time, c Config) (Activity, error) {
	c = c.WithDefaults()
	since := now.Add(-c.Window)
	a := Activity{Window: c.Window, End: now}

	complaints, err := alertsIn(ctx, st, alertComplaint, since, now)
	if err != nil {
		return a, err
	}
	for _, al := range complaints {
		a.Complaints = append(a.Complaints, Complaint{CustomerID: al.CustomerID})
	}
	for _, kind := range []string{alertForeignOrderLookup, alertForeignOrderChange} {
		foreign, err := alertsIn(ctx, st, kind, since, now)
		if err != nil {
			return a, err
		}
		for _, al := range foreign {
			a.ForeignLookups = append(a.ForeignLookups, foreignLookup(al))
		}
	}

	q := sqlQuery{st}
	if a.Inbound, err = q.count(ctx, "inbound_messages", "received_at", since, now); err != nil {
		return a, fmt.Errorf("anomaly: count inbound: %w", err)
	}
	for i := 1; i <= c.SpikeBaseline; i++ {
		end := now.Add(-time.Duration(i) * c.Window)
		n, err := q.count(ctx, "inbound_messages", "received_at", end.Add(-c.Window), end)
		if err != nil {
			return a, fmt.Errorf("anomaly: count inbound: %w", err)
		}
		a.InboundBefore = append(a.InboundBefore, n)
	}
	if a.InboundBySender, err = q.groupCount(ctx, `
		SELECT from_addr, COUNT(*) FROM inbound_messages
		WHERE received_at >= ? AND received_at < ? AND from_addr <> ''
		GROUP BY from_addr`, since, now); err != nil {
		return a, fmt.Errorf("anomaly: count inbound per sender: %w", err)
	}
	byStatus, err := q.groupCount(ctx, `
		SELECT status, COUNT(*) FROM outbound_emails
		WHERE sent_at >= ? AND sent_at < ? AND status IN ('sent', 'bounced')
		GROUP BY status`, since, now)
	if err != nil {
		return a, fmt.Errorf("anomaly: count outbound: %w", err)
	}
	a.Bounced = byStatus[store.OutboundBounced]
	a.Sent = byStatus[store.OutboundSent] + a.Bounced
	return a, nil
}

// alertPage is how many alerts one ListAlerts call reads.
const alertPage = 1000

// alertsIn returns the alerts of kind created in [since, until).
func alertsIn(ctx context.Context, st Store, kind string, since, until time.Time) ([]store.Alert, error) {
	var out []store.Alert
	for offset := 0; ; offset += alertPage {
		page, err := st.ListAlerts(ctx, store.AlertFilter{Kind: kind, Since: since, Limit: alertPage, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("anomaly: %s alerts: %w", kind, err)
		}
		for _, a := range page {
			if a.CreatedAt.Before(until) {
				out = append(out, a)
			}
		}
		if len(page) < alertPage {
			return out, nil
		}
	}
}

// foreignLookup reads who asked about which order from a foreign-order
// alert. Its dedupe key is "KIND:ORDER_ID:SENDER:DAY"
// (workers.ForeignOrderAlertKey); its subject starts with the sender.
func foreignLookup(a store.Alert) ForeignLookup {
	l := ForeignLookup{CustomerID: a.CustomerID}
	rest := strings.TrimPrefix(a.DedupeKey, a.Kind+":")
	if order, tail, ok := strings.Cut(rest, ":"); ok {
		if i := strings.LastIndexByte(tail, ':'); i > 0 {
			l.OrderID, _ = strconv.ParseInt(order, 10, 64)
			l.Sender = tail[:i]
		}
	}
	if l.Sender == "" {
		if f := strings.Fields(a.Subject); len(f) > 0 && strings.Contains(f[0], "@") {
			l.Sender = f[0]
		}
	}
	return l
}

// sqlQuery runs the read-only aggregate queries, spelling placeholders
// and timestamps the way the store's dialect stores them.
type sqlQuery struct{ st Store }

func (q sqlQuery) time(t time.Time) any { return q.st.Dialect().Time(t) }

func (q sqlQuery) rebind(query string) string { return q.st.Dialect().Rebind(query) }

// count counts the rows of table whose column lies in [since, until).
func (q sqlQuery) count(ctx context.Context, table, column string, since, until time.Time) (int, error) {
	var n int
	err := q.st.DB().QueryRowContext(ctx,
		q.rebind("SELECT COUNT(*) FROM "+table+" WHERE "+column+" >= ? AND "+column+" < ?"),
		q.time(since), q.time(until)).Scan(&n)
	return n, err
}

// groupCount runs a "SELECT key, COUNT(*) ... GROUP BY key" query over
// [since, until).
func (q sqlQuery) groupCount(ctx context.Context, query string, since, until time.Time) (map[string]int, error) {
	rows, err := q.st.DB().QueryContext(ctx, q.rebind(query), q.time(since), q.time(until))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			key string
			n   int
		)
		if err := rows.Scan(&key, &n); err != nil {
			return nil, err
		}
		out[key] += n
	}
	return out, rows.Err()
}
