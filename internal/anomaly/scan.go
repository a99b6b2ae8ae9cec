package anomaly

import (
	"context"
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

// Store is what Load reads; *store.Store implements it.
type Store interface {
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
	CountInbound(ctx context.Context, since, until time.Time) (int, error)
	InboundBySender(ctx context.Context, since, until time.Time) (map[string]int, error)
	OutboundByStatus(ctx context.Context, since, until time.Time) (map[string]int, error)
	CustomerNames(ctx context.Context, ids []int64) (map[int64]string, error)
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

	if err := nameAccounts(ctx, st, &a); err != nil {
		return a, err
	}
	if a.Inbound, err = st.CountInbound(ctx, since, now); err != nil {
		return a, fmt.Errorf("anomaly: count inbound: %w", err)
	}
	for i := 1; i <= c.SpikeBaseline; i++ {
		end := now.Add(-time.Duration(i) * c.Window)
		n, err := st.CountInbound(ctx, end.Add(-c.Window), end)
		if err != nil {
			return a, fmt.Errorf("anomaly: count inbound: %w", err)
		}
		a.InboundBefore = append(a.InboundBefore, n)
	}
	if a.InboundBySender, err = st.InboundBySender(ctx, since, now); err != nil {
		return a, fmt.Errorf("anomaly: count inbound per sender: %w", err)
	}
	byStatus, err := st.OutboundByStatus(ctx, since, now)
	if err != nil {
		return a, fmt.Errorf("anomaly: count outbound: %w", err)
	}
	a.Bounced = byStatus[store.OutboundBounced]
	a.Sent = byStatus[store.OutboundSent] + a.Bounced
	return a, nil
}

// nameAccounts fills in the names of the accounts a's complaints and
// lookups concern, so that alerts name them instead of their ids.
func nameAccounts(ctx context.Context, st Store, a *Activity) error {
	var ids []int64
	for _, c := range a.Complaints {
		ids = append(ids, c.CustomerID)
	}
	for _, l := range a.ForeignLookups {
		ids = append(ids, l.CustomerID)
	}
	if len(ids) == 0 {
		return nil
	}
	names, err := st.CustomerNames(ctx, ids)
	if err != nil {
		return fmt.Errorf("anomaly: account names: %w", err)
	}
	for i := range a.Complaints {
		a.Complaints[i].Customer = names[a.Complaints[i].CustomerID]
	}
	for i := range a.ForeignLookups {
		a.ForeignLookups[i].Customer = names[a.ForeignLookups[i].CustomerID]
	}
	return nil
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
