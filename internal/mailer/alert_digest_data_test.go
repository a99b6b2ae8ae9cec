package mailer

import (
	"strings"
	"testing"
)

func alertDigestCase() AlertDigestData {
	return AlertDigestData{
		WindowStart: t0.Add(-60 * 60e9), WindowEnd: t0, Total: 3,
		Groups: []AlertDigestGroup{
			{Kind: "anomaly_complaints", Label: "Repeated complaints", Alerts: []AlertDigestItem{
				{Title: "Acme <b>GmbH</b> complained 3 times", Detail: "3 complaint inquiries from Acme GmbH in the window (alert at 3).",
					Severity: "warning", Occurrences: 2, URL: "https://desk.example.com/desk/alerts/7"},
				{Title: "Brightwater complained 4 times\r\nBcc: evil@example.net", Detail: "4 complaint inquiries.", Severity: "warning", Occurrences: 1},
			}},
			{Kind: "anomaly_inbound_spike", Label: "Inbound mail spikes", Alerts: []AlertDigestItem{
				{Title: "Inbound mail spike: 43 mails, no earlier data", Detail: "43 mails in the window and none before.", Severity: "warning",
					Occurrences: 1, URL: "javascript:alert(1)"},
			}},
		},
		AlertsURL: "https://desk.example.com/desk/alerts",
	}
}

func TestRenderAlertDigest(t *testing.T) {
	r := newTestRenderer(t, "")
	got, err := r.Render("alert_digest", alertDigestCase())
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, got)
	if !strings.HasPrefix(got.Subject, "Unusual activity: 3 alerts until ") {
		t.Errorf("subject %q", got.Subject)
	}
	for _, want := range []string{"Repeated complaints (2)", "Inbound mail spikes (1)", "(seen 2 times)",
		"https://desk.example.com/desk/alerts/7", "All alerts: https://desk.example.com/desk/alerts"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, got.Text)
		}
	}
	if strings.Contains(got.Text, "javascript:") || strings.Contains(got.HTML, "<b>GmbH") {
		t.Errorf("unsafe link or markup passed through:\n%s\n%s", got.Text, got.HTML)
	}
}

func TestRenderLeadAssignedScore(t *testing.T) {
	r := newTestRenderer(t, "")
	got, err := r.Render("lead_assigned", LeadAssignedData{Reference: "SD-7", CustomerEmail: "bob@x.example", Score: 73,
		Scored: true, ScoreFactors: []string{"asks for about 500 units", "is urgent", "account has 3 earlier orders"}})
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, got)
	want := "Score:     73/100 - asks for about 500 units; is urgent; account has 3 earlier orders"
	if !strings.Contains(got.Text, want) || !strings.Contains(got.HTML, "73/100") {
		t.Errorf("text lacks %q:\n%s", want, got.Text)
	}
}
