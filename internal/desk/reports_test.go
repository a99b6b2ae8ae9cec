package desk

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// signInByMagicLink signs a person in the way a manager without a mail
// link does: asks for a sign-in link and uses it.
func (f *fixture) signInByMagicLink(email, next string) *client {
	f.t.Helper()
	c := f.client("")
	if code, _, _ := c.post("/desk/sign-in", url.Values{"email": {email}, "next": {next}}); code != http.StatusOK {
		f.t.Fatalf("ask for a sign-in link for %s: %d", email, code)
	}
	path, _ := f.lastMagicPath()
	if code, _, loc := c.post(path, nil); code != http.StatusSeeOther || loc != next {
		f.t.Fatalf("magic link for %s: %d to %q, want %s", email, code, loc, next)
	}
	return c
}

func TestReportPages(t *testing.T) {
	f := setup(t)
	// Rita wins her lead; the manager reads it in today's report.
	rita := f.as(f.rita)
	if code, _, _ := rita.post(fmt.Sprintf("/desk/leads/%d/won", f.ritaLead.ID), url.Values{"value": {"1200"}, "currency": {"EUR"}}); code != http.StatusSeeOther {
		t.Fatalf("won: %d", code)
	}
	f.clock.Add(time.Minute) // "today so far" ends before now
	mia := f.signInByMagicLink("mia@ourco.example", ReportsPath)

	code, body, _ := mia.get(ReportsPath)
	if code != http.StatusOK {
		t.Fatalf("GET %s = %d\n%s", ReportsPath, code, body)
	}
	// The desk's day is the team's (Los Angeles): Mon 30 Nov 2026 02:00.
	for _, want := range []string{`href="/desk/reports/today"`, `href="/desk/reports/yesterday"`, `href="/desk/reports/this-week"`,
		`href="/desk/reports/last-week"`, `href="/desk/reports/last-7-days"`, `href="/desk/reports/last-30-days"`,
		`href="/desk/reports/2026-11-28"`, `href="/desk/reports/2026-W46"`, `id="nav-reports" class="on"`, `id="nav-team"`,
		"<title>KPI reports · salesdesk</title>", "Mia Manager"} {
		if !strings.Contains(body, want) {
			t.Errorf("reports list lacks %s", want)
		}
	}

	for _, tc := range []struct {
		path          string
		wantInquiries string
		wantTitle     string
	}{
		{"/desk/reports/today", "1", "Today so far"},
		{"/desk/reports/last-7-days", "1", "Last 7 days"},
		{"/desk/reports/2026-11-29", "0", "Report Sun 29 Nov 2026"},
		{"/desk/reports/2026-W49", "1", "Report Mon 30 Nov – Sun 6 Dec 2026"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, body, _ := mia.get(tc.path)
			if code != http.StatusOK {
				t.Fatalf("GET %s = %d\n%s", tc.path, code, body)
			}
			for _, want := range []string{
				`<div class="kpi" id="kpi-inquiries"><div class="v">` + tc.wantInquiries + `</div>`,
				"<title>" + tc.wantTitle + " · salesdesk</title>",
				`id="nav-reports" class="on"`, `<a href="/desk/reports">← all reports</a>`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %s", want)
				}
			}
			if tc.wantInquiries == "1" && !strings.Contains(body, `<td title="rita@ourco.example">Rita Rep</td>`) {
				t.Errorf("report has no row for Rita")
			}
		})
	}

	code, body, _ = mia.get("/desk/reports/today?format=csv")
	if code != http.StatusOK {
		t.Fatalf("CSV: %d", code)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var ritaRow []string
	for _, r := range recs[1:] {
		if len(r) > 3 && r[3] == "Rita Rep" {
			ritaRow = r
		}
	}
	if ritaRow == nil || ritaRow[10] != "1" || ritaRow[12] != "120000" {
		t.Errorf("reps CSV has no row for Rita's 1200.00 win:\n%s", body)
	}
	if _, body, _ := mia.get("/desk/reports/today?format=csv&table=daily"); !strings.HasPrefix(body, "date,") {
		t.Errorf("daily CSV:\n%s", body)
	}

	for _, path := range []string{"/desk/reports/last-year", "/desk/reports/..%2Fetc", "/desk/reports/2025-02-30"} {
		if code, _, _ := mia.get(path); code != http.StatusNotFound {
			t.Errorf("GET %s = %d; want 404", path, code)
		}
	}
	// A rep sees no team report.
	for _, path := range []string{ReportsPath, "/desk/reports/today", "/desk/reports/today?format=csv"} {
		if code, _, _ := rita.get(path); code != http.StatusForbidden {
			t.Errorf("rep GET %s = %d; want 403", path, code)
		}
	}
}

// TestReportsRedirect follows a report link as report mails still write
// it (/reports/<period>) to the desk page, through a sign-in.
func TestReportsRedirect(t *testing.T) {
	f := setup(t)
	mux := http.NewServeMux()
	mux.Handle(Prefix+"/", f.desk)
	mux.Handle("GET "+OldReportsPath, ReportsRedirect())
	mux.Handle("GET "+OldReportsPath+"/", ReportsRedirect())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, tc := range []struct{ path, want string }{
		{"/reports", "/desk/reports"},
		{"/reports/", "/desk/reports"},
		{"/reports/2026-11-29", "/desk/reports/2026-11-29"},
		{"/reports/2026-W48?format=csv&table=daily", "/desk/reports/2026-W48?format=csv&table=daily"},
	} {
		code, _, loc := f.client("").get(srv.URL + tc.path)
		if code != http.StatusMovedPermanently || loc != tc.want {
			t.Errorf("GET %s = %d to %q; want 301 to %s", tc.path, code, loc, tc.want)
		}
	}

	// Opened by the manager with no session: sign in, then the report.
	c := f.client("")
	_, _, loc := c.get(srv.URL + "/reports/2026-11-29")
	code, _, loc := c.get(srv.URL + loc)
	if code != http.StatusSeeOther || loc != "/desk/sign-in?next="+url.QueryEscape("/desk/reports/2026-11-29") {
		t.Fatalf("anonymous report: %d to %q; want the sign-in page", code, loc)
	}
	mia := f.signInByMagicLink("mia@ourco.example", "/desk/reports/2026-11-29")
	if code, body, _ := mia.get(srv.URL + "/desk/reports/2026-11-29"); code != http.StatusOK || !strings.Contains(body, `id="kpi-inquiries"`) {
		t.Errorf("report after sign-in: %d", code)
	}
}
