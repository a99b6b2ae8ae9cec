package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", name, got)
	}
}

// sample is a week of activity built from plain rows, with a rep name
// that tries to break out of the HTML and the CSV.
func sample() Report {
	week := Week(at(25, 12, 0), berlin)
	rs := rows{
		reps: []repRow{
			{ID: 1, Name: "Ann Archer", Email: "ann@desk.example", Active: true},
			{ID: 2, Name: `=cmd|' /C calc'!A0 <script>alert(1)</script>`, Email: "bob@desk.example", Active: true},
		},
		late: []LateOrder{{Number: "SO-<1>", Status: "processing", Promised: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)}},
	}
	for d := 16; d <= 29; d++ {
		for i := 0; i < (d*7)%5+1; i++ {
			created := at(d, 9+i, 0)
			rs.inquiries = append(rs.inquiries, inquiryRow{Category: []string{"order_status", "quote_request", "complaint", "<b>odd</b>"}[i%4],
				Language: []string{"en", "de", "en", "fr", "=x"}[(d+i)%5], CreatedAt: created, N: 1})
			rs.acks = append(rs.acks, ackRow{CreatedAt: created, Acked: created.Add(time.Duration(2+i*3) * time.Minute)})
		}
	}
	rs.inquiries = append(rs.inquiries, inquiryRow{Category: "", CreatedAt: at(24, 8, 0), N: 1}) // never answered
	rs.leads = []leadRow{
		{ID: 1, RepID: 1, Status: "won", ValueCents: 500000, AssignedAt: at(23, 9, 0), ContactedAt: at(23, 10, 0), ClosedAt: at(24, 15, 0), CreatedAt: at(23, 9, 0)},
		{ID: 2, RepID: 2, Status: "contacted", ValueCents: 250000, AssignedAt: at(24, 9, 0), ContactedAt: at(24, 15, 0), CreatedAt: at(24, 9, 0)},
		{ID: 3, RepID: 1, Status: "lost", AssignedAt: at(17, 9, 0), ClosedAt: at(25, 11, 0), CreatedAt: at(17, 9, 0)},
		{ID: 4, Status: "unassigned", ValueCents: 10000, CreatedAt: at(26, 13, 0)},
		{ID: 5, RepID: 2, Status: "won", ValueCents: 200000, AssignedAt: at(18, 12, 0), ClosedAt: at(19, 18, 0), CreatedAt: at(18, 12, 0)},
	}
	rs.assigns = []assignRow{{1, 1, at(23, 9, 0)}, {2, 2, at(24, 9, 0)}, {3, 1, at(17, 9, 0)}, {5, 2, at(18, 12, 0)}}
	rs.orders = []orderRow{
		{Status: "pending", Currency: "EUR", AmountCents: 10000, CreatedAt: at(25, 8, 0), N: 1},
		{Status: "shipped", Currency: "USD", AmountCents: 5000, CreatedAt: at(26, 8, 0), N: 1},
		{Status: "pending", Currency: "EUR", AmountCents: 1000, CreatedAt: at(18, 8, 0), N: 1},
	}
	rs.alerts = []alertRow{{Kind: "bounce_rate", CreatedAt: at(25, 9, 0)}, {Kind: "foreign_order_lookup", CreatedAt: at(20, 9, 0)}}
	return build(rs, week, Options{ContactSLA: 4 * time.Hour, Currency: "EUR", Now: func() time.Time { return at(30, 7, 0) }})
}

func TestRenderGolden(t *testing.T) {
	r := sample()
	var html bytes.Buffer
	if err := WriteHTML(&html, r, Links{CSV: "/reports/2026-W48?format=csv", DailyCSV: "/reports/2026-W48?format=csv&table=daily",
		LanguagesCSV: "/reports/2026-W48?format=csv&table=languages"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "week.html.golden", html.Bytes())
	if strings.Contains(html.String(), "<script>") || strings.Contains(html.String(), "<b>odd") {
		t.Error("HTML carries a name unescaped")
	}
	for _, id := range []string{"kpi-inquiries", "kpi-response-median", "kpi-win-rate", "reps", "orders", "languages"} {
		if !strings.Contains(html.String(), `id="`+id+`"`) {
			t.Errorf("HTML has no element %q", id)
		}
	}

	var reps, daily bytes.Buffer
	if err := WriteRepsCSV(&reps, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "week_reps.csv.golden", reps.Bytes())
	if err := WriteDailyCSV(&daily, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "week_daily.csv.golden", daily.Bytes())
	var languages bytes.Buffer
	if err := WriteLanguagesCSV(&languages, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "week_languages.csv.golden", languages.Bytes())
	total := 0
	for _, l := range r.Languages() {
		total += l.Count
	}
	if total != r.Current.Inquiries {
		t.Errorf("inquiries per language add up to %d, want %d", total, r.Current.Inquiries)
	}
}

func TestFragmentDay(t *testing.T) {
	r := build(rows{}, Day(at(25, 12, 0), berlin), Options{Now: func() time.Time { return at(26, 7, 0) }})
	got, err := Fragment(r, Links{})
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if strings.Contains(s, "<html") || !strings.Contains(s, `<div class="rpt">`) {
		t.Errorf("fragment is not a block to embed:\n%.300s", s)
	}
	if !strings.Contains(s, "One day: 0 inquiries") {
		t.Error("a one-day report should say the day's count instead of drawing a one-point line")
	}
}
