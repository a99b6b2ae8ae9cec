package admin

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/report"
)

func TestReportPages(t *testing.T) {
	f := setup(t)
	seedDay(t, f) // 6 inquiries today (4 March 2025, 09:00), 1 yesterday
	f.clock.t = f.clock.t.Add(time.Minute)
	p, err := New(Options{Store: f.st, Now: f.clock.now, Reports: f.st, ReportOptions: report.Options{Currency: "EUR"}})
	if err != nil {
		t.Fatal(err)
	}

	code, body, _ := get(t, p, "/reports")
	if code != http.StatusOK {
		t.Fatalf("GET /reports = %d\n%s", code, body)
	}
	for _, want := range []string{`href="/reports/today"`, `href="/reports/yesterday"`, `href="/reports/this-week"`,
		`href="/reports/last-week"`, `href="/reports/last-7-days"`, `href="/reports/last-30-days"`,
		`href="/reports/2025-03-02"`, `href="/reports/2025-W08"`, `<a href="/reports" class="on">Reports</a>`} {
		if !strings.Contains(body, want) {
			t.Errorf("reports list lacks %s", want)
		}
	}

	for _, tc := range []struct {
		path          string
		wantInquiries string
		wantTitle     string
	}{
		{"/reports/last-7-days", "7", "Last 7 days"},
		{"/reports/today", "6", "Today so far"},
		{"/reports/2025-03-03", "1", "Report Mon 3 Mar 2025"},
		{"/reports/2025-W10", "7", "Report Mon 3 Mar – Sun 9 Mar 2025"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, body, h := get(t, p, tc.path)
			if code != http.StatusOK {
				t.Fatalf("GET %s = %d\n%s", tc.path, code, body)
			}
			if want := `<div class="kpi" id="kpi-inquiries"><div class="v">` + tc.wantInquiries + `</div>`; !strings.Contains(body, want) {
				t.Errorf("page lacks %s", want)
			}
			if !strings.Contains(body, "<title>"+tc.wantTitle+" · salesdesk</title>") {
				t.Errorf("page title is not %q", tc.wantTitle)
			}
			if strings.Contains(body, "<b>helmets") {
				t.Error("a subject or name is shown unescaped")
			}
			if h.Get("Content-Security-Policy") == "" {
				t.Error("no Content-Security-Policy")
			}
		})
	}

	code, body, h := get(t, p, "/reports/last-7-days?format=csv")
	if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", code, h.Get("Content-Type"))
	}
	if want := `attachment; filename="report-2025-02-26_2025-03-04-reps.csv"`; h.Get("Content-Disposition") != want {
		t.Errorf("Content-Disposition %q; want %q", h.Get("Content-Disposition"), want)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[1][3] != "Rep" || recs[1][6] != "1" || recs[1][14] != "1" {
		t.Errorf("reps CSV %q; want the one rep with 1 assigned, 1 open", recs)
	}
	_, body, _ = get(t, p, "/reports/last-7-days?format=csv&table=daily")
	if !strings.Contains(body, "2025-03-03,1,1,0,0,1\n2025-03-04,6,2,0,0,2\n") {
		t.Errorf("daily CSV:\n%s", body)
	}

	for _, path := range []string{"/reports/last-year", "/reports/..%2Fetc", "/reports/2025-02-30"} {
		if code, _, _ := get(t, p, path); code != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", path, code)
		}
	}
	if code, _, h := get(t, p, "/reports/"); code != http.StatusSeeOther || h.Get("Location") != "/reports" {
		t.Errorf("GET /reports/ = %d to %q; want a redirect to /reports", code, h.Get("Location"))
	}
}

func TestNoReportPagesWithoutSource(t *testing.T) {
	f := setup(t)
	p, err := New(Options{Store: f.st, Now: f.clock.now})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, _ := get(t, p, "/reports/today"); code != http.StatusNotFound {
		t.Errorf("GET /reports/today = %d without Options.Reports; want 404", code)
	}
	if _, body, _ := get(t, p, "/"); strings.Contains(body, ">Reports</a>") {
		t.Error("home page links to reports that are not served")
	}
}
