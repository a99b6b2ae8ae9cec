package mailer

import (
	"strings"
	"testing"
)

// reportCase is the golden case of "report", with a hostile rep name and
// category.
func reportCase() ReportData {
	return ReportData{
		Title:    "Daily KPI report",
		Period:   "Wed 25 Nov 2026",
		Previous: "Tue 24 Nov 2026",
		KPIs: []ReportKPI{
			{Label: "Inquiries", Value: "5", Change: "+3 (+150%)", Previous: "2", Good: true},
			{Label: "First human contact (median)", Value: "7m", Change: "−13m (−65%)", Previous: "20m", Good: true},
			{Label: "Win rate", Value: "50.0%", Change: "−50.0 pts", Previous: "100.0%", Bad: true},
			{Label: "Alerts opened", Value: "1", Change: "±0", Previous: "1"},
		},
		Categories: []ReportCount{{"order_status", 2}, {"<b>galvanised</b>", 1}},
		Reps: []ReportRep{
			{Name: hostile, Assigned: 1, Contacted: 1, WithinSLA: "100.0%", Won: 1, Lost: 1, WonValue: "EUR 5,000.00",
				Targets: []ReportTarget{{Line: "won EUR 5,000.00 of EUR 2,500.00 due: on track", OnTrack: true},
					{Line: "contacted 1 of 4 due: behind"}}},
			{Name: "Bob Baker\r\nBcc: evil@example.net", Assigned: 1, Contacted: 0, WithinSLA: "–", WonValue: "EUR 0.00", OpenNow: 1},
		},
		Meetings:   &ReportMeetings{Booked: 3, Held: 2, NoShow: 1, PrevBooked: 1},
		LateOrders: 2,
		ReportURL:  "https://desk.example.com/reports/2026-11-25",
		Attachment: "report-2026-11-25-reps.csv",
	}
}

func TestRenderReport(t *testing.T) {
	r := newTestRenderer(t, "")
	got, err := r.Render("report", reportCase())
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, got)
	if want := "Daily KPI report: Wed 25 Nov 2026"; got.Subject != want {
		t.Errorf("subject = %q, want %q", got.Subject, want)
	}
	for _, want := range []string{"Inquiries", "+3 (+150%)", "https://desk.example.com/reports/2026-11-25", "Late orders: 2",
		"report-2026-11-25-reps.csv", "Bob Baker Bcc: evil@example.net: 1 / 0", "target: contacted 1 of 4 due: behind",
		"Meetings: booked 3 (was 1), held 2 (was 0), no-show 1 (was 0)"} {
		if !strings.Contains(got.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, got.Text)
		}
	}
	checkGolden(t, "report", got)

	bare, err := r.Render("report", ReportData{Title: "Weekly KPI report", Period: "Mon 23 Nov – Sun 29 Nov 2026", ReportURL: "javascript:alert(1)"})
	if err != nil {
		t.Fatal(err)
	}
	checkSafe(t, bare)
}
