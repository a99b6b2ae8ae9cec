package mailer

import (
	"strings"
	"testing"
)

// anomalyAlertCase is the golden case of "anomaly_alert", with a hostile
// sender address in the finding.
func anomalyAlertCase() AnomalyAlertData {
	return AnomalyAlertData{
		Title:       "autoreply@loop.example<script>x()</script> sent 40 mails\r\nBcc: evil@example.net",
		Detail:      "autoreply@loop.example sent 40 mails to the inbox in the window (alert at 20): likely an auto-responder in a loop or a script.",
		Kind:        "anomaly_sender_flood",
		Severity:    "critical",
		WindowStart: t0.AddDate(0, 0, -1),
		WindowEnd:   t0,
		AlertID:     42,
		AlertURL:    "https://desk.example.com/admin/alerts/42",
	}
}

func TestRenderAnomalyAlert(t *testing.T) {
	r := newTestRenderer(t, "")
	got, err := r.Render("anomaly_alert", anomalyAlertCase())
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, got)
	if want := "CRITICAL: Unusual activity: autoreply@loop.example<script>x()</script> sent 40 mails Bcc: evil@example.net"; got.Subject != want {
		t.Errorf("subject = %q, want %q", got.Subject, want)
	}
	for _, want := range []string{"#42 anomaly_sender_flood (critical)", "https://desk.example.com/admin/alerts/42", "alert at 20"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, got.Text)
		}
	}
	if strings.Contains(got.HTML, "<script>x()") {
		t.Errorf("HTML shows the title unescaped:\n%s", got.HTML)
	}
	checkGolden(t, "anomaly_alert", got)

	warning := anomalyAlertCase()
	warning.Severity, warning.Title, warning.AlertURL = "warning", "Inbound mail spike", "javascript:alert(1)"
	got, err = r.Render("anomaly_alert", warning)
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, got)
	if got.Subject != "Unusual activity: Inbound mail spike" {
		t.Errorf("warning subject = %q", got.Subject)
	}
}
