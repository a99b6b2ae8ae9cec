package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"salesdesk/config"
	"salesdesk/internal/store"
)

// TestStatusChangeMailThroughProcess is issue 11's point 8 through the
// running process: the order system marks an order shipped over the API
// with a carrier, a tracking URL and a status note; the customer's mail,
// read at the SMTP sink, shows the note and the carrier with the tracking
// link, and no longer shows the promised date that has passed as an
// expected delivery.
func TestStatusChangeMailThroughProcess(t *testing.T) {
	d := setupDesk(t, func(c *config.Config) {
		withAPIToken(config.ScopeWrite)(c)
		c.Orders.NotifyStatusChanges = true
	})
	ctx := context.Background()
	ann, err := d.st.ContactByEmail(ctx, "ann@acme.example")
	if err != nil {
		t.Fatal(err)
	}
	past := time.Now().UTC().AddDate(0, 0, -3).Truncate(24 * time.Hour)
	id, err := d.st.CreateOrder(ctx, &store.Order{CustomerID: ann.CustomerID, Number: "SO-515151", Status: store.OrderConfirmed,
		Currency: "EUR", AmountCents: 50000, PromisedDate: past})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"status":"shipped","status_note":"Left our Bremen warehouse this morning","carrier":"DHL Freight",` +
		`"tracking_number":"JD0146","tracking_url":"https://track.example/JD0146"}`
	resp := d.api(t, "PATCH", fmt.Sprintf("/api/v1/orders/%d", id), body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH order: %d", resp.StatusCode)
	}

	p := d.mailText(t, "ann@acme.example", "SO-515151")
	for _, want := range []string{"Order SO-515151: shipped", "Note: Left our Bremen warehouse this morning",
		"Tracking (DHL Freight): https://track.example/JD0146"} {
		if !strings.Contains(p.Text, want) {
			t.Errorf("status-change mail lacks %q:\n%s", want, p.Text)
		}
	}
	if strings.Contains(p.Text, past.Format("2 Jan 2006")) {
		t.Errorf("status-change mail shows the past promised date %s as expected:\n%s", past.Format(time.DateOnly), p.Text)
	}
}
