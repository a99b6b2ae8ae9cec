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
		inquiries: []inquiryRow{{CreatedAt: t0, N: 2}},
		acks:      []ackRow{{CreatedAt: t0, Acked: t0.Add(time.Second)}, {CreatedAt: t0, Acked: t0.Add(3 * time.Second)}},
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

// TestFirstResponseIsFirstHumanContact: the acknowledgement and the
// automatic answer to an order-status question are no response; the
// first response is the rep's first contact with a new lead (here her
// own reply with the sales inbox in Bcc), counted from the lead's
// creation; the automatic mails are "acknowledged in".
func TestFirstResponseIsFirstHumanContact(t *testing.T) {
	st, c := openSQLite(t)
	ctx := t.Context()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	rita, err := st.CreateRep(ctx, &store.Rep{Email: "rita@desk.example", Name: "Rita Rep", Active: true})
	must(err)
	auto := func(inquiry int64, kind, to string, sent time.Time) {
		t.Helper()
		c.t = sent
		o := &store.OutboundEmail{IdempotencyKey: kind + ":" + to, MessageID: kind + "." + to, InquiryID: inquiry,
			To: []string{to}, Kind: kind}
		_, _, err := st.CreateOutbound(ctx, o)
		must(err)
		must(st.MarkOutboundSent(ctx, o.ID, sent))
	}
	// An order-status question answered automatically after 1 minute.
	c.t = at(25, 9, 0)
	q, _, err := st.CreateInquiry(ctx, &store.Inquiry{ContactEmail: "kim@acme.example", Category: "order_status"})
	must(err)
	auto(q, "order_status", "kim@acme.example", at(25, 9, 1))
	// A quote request: acknowledged after 3 minutes, its lead answered by
	// Rita's own mail after 2 hours.
	c.t = at(25, 10, 0)
	q, _, err = st.CreateInquiry(ctx, &store.Inquiry{ContactEmail: "max@buyer.example", Category: "quote_request"})
	must(err)
	l, _, err := st.CreateLead(ctx, &store.Lead{ContactEmail: "max@buyer.example", Source: "email", RepID: rita, InquiryID: q})
	must(err)
	auto(q, "ack", "max@buyer.example", at(25, 10, 3))
	c.t = at(25, 12, 5)
	first, err := st.RecordLeadContact(ctx, l, at(25, 12, 0), store.ContactViaReply)
	must(err)
	if !first {
		t.Fatal("the reply was not the lead's first contact")
	}
	c.t = at(26, 8, 0)
	r, err := Compile(ctx, st, Day(at(25, 12, 0), berlin), Options{Currency: "EUR", Now: c.now})
	must(err)
	f := r.Current
	if f.Responded != 1 || f.ResponseMedian != 2*time.Hour || f.ResponseP90 != 2*time.Hour {
		t.Errorf("first response: %d in %s (p90 %s); want 1 in 2h, the rep's reply", f.Responded, f.ResponseMedian, f.ResponseP90)
	}
	if f.Acknowledged != 2 || f.AckMedian != 2*time.Minute {
		t.Errorf("acknowledged: %d in %s; want 2 in 2m (1m and 3m)", f.Acknowledged, f.AckMedian)
	}
	kpis := map[string]KPI{}
	for _, k := range r.KPIs() {
		kpis[k.ID] = k
	}
	if got := kpis["response-median"]; got.Label != "First human contact (median)" || got.Value != "2h 00m" {
		t.Errorf("response KPI = %q %q", got.Label, got.Value)
	}
	if got := kpis["acknowledged-in"]; got.Value != "2m" {
		t.Errorf("acknowledged-in KPI = %q", got.Value)
	}
}
