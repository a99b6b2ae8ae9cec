package anomaly

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

var scanNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// seeder writes rows into a real store as if at a chosen time.
type seeder struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	now time.Time // the store's clock: created_at of what is written next
	uid uint32
	seq int
}

func newSeeder(t *testing.T, dsn string) *seeder {
	t.Helper()
	s := &seeder{t: t, ctx: t.Context(), now: scanNow}
	st, err := store.Open(s.ctx, dsn, store.WithClock(func() time.Time { return s.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s.st = st
	return s
}

func (s *seeder) customer(name string) int64 {
	s.t.Helper()
	id, err := s.st.CreateCustomer(s.ctx, &store.Customer{Name: name})
	if err != nil {
		s.t.Fatal(err)
	}
	return id
}

func (s *seeder) alert(at time.Time, kind, key, subject string, customerID int64) {
	s.t.Helper()
	s.now = at
	if _, _, err := s.st.CreateAlert(s.ctx, &store.Alert{DedupeKey: key, Kind: kind, Subject: subject, CustomerID: customerID}); err != nil {
		s.t.Fatal(err)
	}
}

func (s *seeder) inbound(at time.Time, from string) {
	s.t.Helper()
	s.uid++
	s.now = at
	id, _, _, err := s.st.SaveInboundMessage(s.ctx, &store.InboundMessage{
		Mailbox: "sales", UIDValidity: 1, UID: s.uid, Raw: []byte("Subject: hi\r\n\r\nhi\r\n"), ReceivedAt: at,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.st.SetInboundParsed(s.ctx, id, store.ParsedInbound{From: from, Kind: store.KindHuman}); err != nil {
		s.t.Fatal(err)
	}
}

// outbound stores a mail sent at "at", bounced when bounced is true.
func (s *seeder) outbound(at time.Time, bounced bool) {
	s.t.Helper()
	s.seq++
	s.now = at
	key := fmt.Sprintf("test:%d", s.seq)
	id, _, err := s.st.CreateOutbound(s.ctx, &store.OutboundEmail{IdempotencyKey: key, MessageID: key + "@ourco.example",
		To: []string{fmt.Sprintf("c%d@cust.example", s.seq)}, Subject: "x"})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.st.MarkOutboundSent(s.ctx, id, at); err != nil {
		s.t.Fatal(err)
	}
	if bounced {
		if err := s.st.MarkOutboundBounced(s.ctx, id, "550 no such user"); err != nil {
			s.t.Fatal(err)
		}
	}
}

// seedBusyDay writes a day on which every detector has something to say,
// next to activity just below each threshold or just outside the window.
func seedBusyDay(s *seeder) (acme, brightwater int64) {
	acme, brightwater = s.customer("Acme"), s.customer("Brightwater")
	h := time.Hour
	// Acme complained three times today; Brightwater twice today and once
	// 25 hours ago, outside the window.
	for i := range 3 {
		s.alert(scanNow.Add(-time.Duration(i+1)*h), "complaint", fmt.Sprintf("complaint:inquiry:%d", i), "Complaint", acme)
	}
	s.alert(scanNow.Add(-2*h), "complaint", "complaint:inquiry:10", "Complaint", brightwater)
	s.alert(scanNow.Add(-3*h), "complaint", "complaint:inquiry:11", "Complaint", brightwater)
	s.alert(scanNow.Add(-25*h), "complaint", "complaint:inquiry:12", "Complaint", brightwater)
	// eve asked about one Acme order and to change another; mal asked
	// about one Brightwater order.
	s.alert(scanNow.Add(-4*h), "foreign_order_lookup", "foreign_order_lookup:10:eve@fishing.example:2025-03-14",
		"eve@fishing.example asked about order SO-1 of another account", acme)
	s.alert(scanNow.Add(-3*h), "foreign_order_request", "foreign_order_request:11:eve@fishing.example:2025-03-14",
		"eve@fishing.example asked to change order SO-2 of another account", acme)
	s.alert(scanNow.Add(-3*h), "foreign_order_lookup", "foreign_order_lookup:20:mal@other.example:2025-03-14",
		"mal@other.example asked about order SO-3 of another account", brightwater)
	// Two mails a day for the week before; today 22 from an
	// auto-responder in a loop and 8 from people. The mail arriving at the
	// very moment of the scan belongs to the next window.
	for day := 1; day <= 7; day++ {
		s.inbound(scanNow.Add(-time.Duration(day)*24*h-h), "ann@acme.example")
		s.inbound(scanNow.Add(-time.Duration(day)*24*h-2*h), "bob@brightwater.example")
	}
	for i := range 22 {
		s.inbound(scanNow.Add(-time.Duration(i+1)*time.Minute), "autoreply@loop.example")
	}
	for i := range 8 {
		s.inbound(scanNow.Add(-time.Duration(i+1)*h), fmt.Sprintf("person%d@cust.example", i))
	}
	s.inbound(scanNow, "autoreply@loop.example")
	// 20 mails sent today, 5 bounced; older bounces do not count.
	for i := range 20 {
		s.outbound(scanNow.Add(-time.Duration(i+1)*time.Hour/2), i < 5)
	}
	for range 10 {
		s.outbound(scanNow.Add(-30*h), true)
	}
	s.now = scanNow
	return acme, brightwater
}

func TestScan(t *testing.T) {
	for _, db := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return "sqlite:" + filepath.Join(t.TempDir(), "x.db") }},
		{"postgres", func(t *testing.T) string { return testenv.PostgresDSN(t) }},
	} {
		t.Run(db.name, func(t *testing.T) {
			s := newSeeder(t, db.dsn(t))
			acme, _ := seedBusyDay(s)

			a, err := Load(s.ctx, s.st, scanNow, Config{})
			if err != nil {
				t.Fatal(err)
			}
			if a.Inbound != 30 || !slices.Equal(a.InboundBefore, []int{2, 2, 2, 2, 2, 2, 2}) {
				t.Errorf("inbound %d, before %v; want 30, seven 2s", a.Inbound, a.InboundBefore)
			}
			if a.InboundBySender["autoreply@loop.example"] != 22 {
				t.Errorf("loop sender counted %d, want 22", a.InboundBySender["autoreply@loop.example"])
			}
			if a.Sent != 20 || a.Bounced != 5 {
				t.Errorf("sent %d, bounced %d; want 20, 5", a.Sent, a.Bounced)
			}
			if len(a.Complaints) != 5 || len(a.ForeignLookups) != 3 {
				t.Errorf("%d complaints, %d foreign lookups; want 5, 3", len(a.Complaints), len(a.ForeignLookups))
			}
			for _, l := range a.ForeignLookups {
				if l.Sender == "" || l.OrderID == 0 || l.CustomerID == 0 {
					t.Errorf("foreign lookup not read from its alert: %+v", l)
				}
			}

			got, err := Scan(s.ctx, s.st, scanNow, Config{})
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				fmt.Sprintf("anomaly_complaints customer:%d 3", acme),
				"anomaly_foreign_sender sender:eve@fishing.example 2",
				fmt.Sprintf("anomaly_foreign_account customer:%d 2", acme),
				"anomaly_inbound_spike inbound 30",
				"anomaly_bounce_rate outbound 5",
				"anomaly_sender_flood sender:autoreply@loop.example 22",
			}
			if !slices.Equal(subjects(got), want) {
				t.Errorf("findings\n got %q\nwant %q", subjects(got), want)
			}

			// Raised thresholds: nothing is unusual any more.
			quiet := Config{ComplaintsPerAccount: 4, ForeignOrderLookups: 3, InboundSpikeFactor: 20,
				BounceRate: 0.3, SenderFlood: 23}
			if got, err := Scan(s.ctx, s.st, scanNow, quiet); err != nil || len(got) != 0 {
				t.Errorf("raised thresholds: %q, %v", subjects(got), err)
			}
		})
	}
}

func TestScanEmptyStore(t *testing.T) {
	s := newSeeder(t, "sqlite:"+filepath.Join(t.TempDir(), "x.db"))
	got, err := Scan(s.ctx, s.st, scanNow, Config{})
	if err != nil || len(got) != 0 {
		t.Fatalf("empty store: %q, %v", subjects(got), err)
	}
}
