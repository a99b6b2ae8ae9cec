package workers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/anomaly"
	"salesdesk/internal/store"
)

// TestAlertDigest raises 40 complaint alerts (40 accounts, three
// complaints each) within ten minutes, plus a mail flood, with a scan
// every minute: the critical flood is mailed at once, everything else
// waits for the window's one digest, which names the accounts and links
// each alert's page.
func TestAlertDigest(t *testing.T) {
	f := newAnomalyFixture(t)
	f.seedFlood(t)
	h, err := NewAnomalyScanHandler(
		AnomalyDeps{Desk: Desk{Renderer: f.renderer, Outbox: f.mail, From: "Ourco Sales <sales@ourco.example>",
			BaseURL: "https://desk.ourco.example", Clock: ClockFunc(func() time.Time { return f.now })}, Store: f.st},
		AnomalyOptions{Supervisors: []string{"boss@ourco.example"}, DigestWindow: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	for minute := range 10 {
		f.now = anomalyNow.Add(time.Duration(minute) * time.Minute)
		for k := range 4 {
			n := minute*4 + k
			cust, err := f.st.CreateCustomer(f.ctx, &store.Customer{Name: fmt.Sprintf("Customer Co %02d", n)})
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				a := &store.Alert{DedupeKey: fmt.Sprintf("complaint:%d:%d", n, i), Kind: "complaint", Subject: "Complaint", CustomerID: cust}
				if _, _, err := f.st.CreateAlert(f.ctx, a); err != nil {
					t.Fatal(err)
				}
			}
		}
		f.now = f.now.Add(30 * time.Second)
		if _, err := h.Scan(f.ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	alerts := f.anomalyAlerts(t)
	critical, complaints := 0, 0
	for _, a := range alerts {
		switch {
		case a.Severity == anomaly.SeverityCritical:
			critical++
		case a.Kind == anomaly.KindComplaints:
			complaints++
		}
	}
	if complaints != 40 || critical != 1 {
		t.Fatalf("%d complaint and %d critical alerts, want 40 and 1", complaints, critical)
	}
	if got := len(f.alertMails(t)); got != critical {
		t.Errorf("%d single alert mails within the window, want %d (the critical ones)", got, critical)
	}
	if got := f.digestMails(t); len(got) != 0 {
		t.Fatalf("digest before the window ended: %+v", got)
	}

	// The first scans after the window: one digest, then nothing more.
	for _, at := range []time.Duration{time.Hour + time.Minute, time.Hour + 16*time.Minute, 2*time.Hour + time.Minute} {
		f.now = anomalyNow.Add(at)
		if _, err := h.Scan(f.ctx, f.now); err != nil {
			t.Fatal(err)
		}
	}
	digests := f.digestMails(t)
	if len(digests) != 1 {
		t.Fatalf("%d digest mails, want 1", len(digests))
	}
	d := digests[0]
	t.Logf("digest subject %q, %d bytes of text", d.Subject, len(d.BodyText))
	nonCritical := len(alerts) - critical
	if want := fmt.Sprintf("Unusual activity: %d alerts until Fri 14 Mar 2025 13:00 UTC", nonCritical); d.Subject != want {
		t.Errorf("subject %q, want %q", d.Subject, want)
	}
	for _, want := range []string{"Repeated complaints (40)", "Customer Co 00 complained 3 times", "Customer Co 39 complained 3 times",
		"Inbound mail spikes (1)", "no earlier data", "https://desk.ourco.example/desk/alerts/"} {
		if !strings.Contains(d.BodyText, want) {
			t.Errorf("digest lacks %q:\n%s", want, d.BodyText)
		}
	}
	if strings.Contains(d.BodyText, "autoreply@loop.example sent") {
		t.Errorf("digest repeats the critical alert:\n%s", d.BodyText)
	}
	for _, a := range alerts {
		if strings.Contains(a.Subject, "Customer ") && !strings.Contains(a.Subject, "Customer Co") {
			t.Errorf("alert names an id: %q", a.Subject)
		}
	}
	if got := len(f.alertMails(t)); got != critical {
		t.Errorf("%d single alert mails in all, want %d", got, critical)
	}
}

// seedFlood writes 25 mails from one auto-responder in the hour before
// anomalyNow: a critical flood (and, with nothing earlier, a spike).
func (f *anomalyFixture) seedFlood(t *testing.T) {
	t.Helper()
	for i := range 25 {
		at := anomalyNow.Add(-time.Duration(i+1) * time.Minute)
		f.now = at
		id, _, _, err := f.st.SaveInboundMessage(f.ctx, &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uint32(i + 1),
			Raw: []byte("Subject: Out of office\r\n\r\naway\r\n"), ReceivedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.SetInboundParsed(f.ctx, id, store.ParsedInbound{From: "autoreply@loop.example", Kind: store.KindAutoReply}); err != nil {
			t.Fatal(err)
		}
	}
	f.now = anomalyNow
}

func (f *anomalyFixture) digestMails(t *testing.T) []store.OutboundEmail {
	t.Helper()
	mails, err := f.st.ListOutbound(f.ctx, store.OutboundFilter{Kind: KindAlertDigest, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return mails
}
