package report

import (
	"strings"
	"testing"
	"time"

	"salesdesk/internal/store"
)

// TestFiguresAreHonest: merged duplicates are no new leads, the
// acknowledgement is no first response, first contact counts from the
// lead's creation, and won values in different currencies are never added.
func TestFiguresAreHonest(t *testing.T) {
	t0 := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	p := Period{From: t0.Add(-time.Hour), To: t0.Add(23 * time.Hour)}
	rs := rows{
		inquiries: []inquiryRow{{CreatedAt: t0, Acked: t0.Add(time.Second)},
			{CreatedAt: t0, Acked: t0.Add(3 * time.Second)}},
		leads: []leadRow{
			{ID: 1, Status: store.LeadWon, ValueCents: 100000, Currency: "EUR", CreatedAt: t0, ClosedAt: t0.Add(5 * time.Hour),
				FirstContactAt: t0.Add(90 * time.Minute), ContactedAt: t0.Add(90 * time.Minute)},
			{ID: 2, Status: store.LeadWon, ValueCents: 50000, Currency: "CHF", CreatedAt: t0, ClosedAt: t0.Add(6 * time.Hour)},
			{ID: 3, Status: store.LeadMerged, CreatedAt: t0, ClosedAt: t0.Add(time.Minute)},
		},
	}
	r := build(rs, p, Options{Currency: "EUR", Now: func() time.Time { return t0.Add(24 * time.Hour) }})
	f := r.Current
	if f.LeadsCreated != 2 || f.LeadsMerged != 1 {
		t.Errorf("leads created %d, merged %d; want 2 and 1", f.LeadsCreated, f.LeadsMerged)
	}
	// Only lead 1 was contacted by a person (after 1h30m); the merged one
	// is no new lead and lead 2's win without a contact is no response.
	if f.Responded != 1 || f.ResponseMedian != 90*time.Minute || f.Acknowledged != 2 || f.AckMedian != 2*time.Second {
		t.Errorf("responded %d in %s, acknowledged %d in %s", f.Responded, f.ResponseMedian, f.Acknowledged, f.AckMedian)
	}
	if f.TimeToContact != 90*time.Minute {
		t.Errorf("time to contact %s, want 1h30m", f.TimeToContact)
	}
	for _, k := range r.KPIs() {
		if k.ID != "won-value" {
			continue
		}
		if !strings.Contains(k.Value, "CHF") || !strings.Contains(k.Value, "EUR") || !strings.Contains(k.Value, " + ") {
			t.Errorf("won value %q, want each currency on its own", k.Value)
		}
		if k.Change() != "no comparison" {
			t.Errorf("won value change %q across currencies", k.Change())
		}
		t.Logf("won value: %s", k.Value)
	}
}
