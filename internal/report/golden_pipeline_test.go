package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"salesdesk/internal/store"
)

// mixedWeek is a week (Mon 23 – Mon 30 Nov 2026, Berlin) of leads won in
// EUR and USD, scored and unscored, with meetings and targets: Ann is on
// track, Bob behind on his USD target, Cy has none.
func mixedWeek() Report {
	week := Week(at(25, 12, 0), berlin)
	lead := func(id, rep int64, status string, cents int64, cur string, score int, closed time.Time) leadRow {
		l := leadRow{ID: id, RepID: rep, Status: status, ValueCents: cents, Currency: cur, CreatedAt: at(20, 9, 0),
			AssignedAt: at(20, 9, 0), ClosedAt: closed, Score: score, Scored: score >= 0}
		return l
	}
	rs := rows{
		reps: []repRow{
			{ID: 1, Name: "Ann Archer", Email: "ann@desk.example", Active: true},
			{ID: 2, Name: "Bob Baker", Email: "bob@desk.example", Active: true},
			{ID: 3, Name: "Cy Clark", Email: "cy@desk.example", Active: true},
		},
		leads: []leadRow{
			lead(1, 1, store.LeadWon, 500000, "EUR", 85, at(24, 10, 0)),
			lead(2, 1, store.LeadWon, 120000, "USD", 70, at(25, 10, 0)),
			lead(3, 2, store.LeadWon, 300000, "USD", 45, at(26, 10, 0)),
			lead(4, 2, store.LeadLost, 0, "", 15, at(26, 11, 0)),
			lead(5, 1, store.LeadLost, 0, "", 90, at(27, 10, 0)),
			lead(6, 3, store.LeadLost, 0, "", -1, at(27, 11, 0)),
			lead(7, 0, store.LeadUnassigned, 100000, "EUR", 50, time.Time{}),
			lead(8, 2, store.LeadAssigned, 250000, "USD", 30, time.Time{}),
			lead(9, 1, store.LeadContacted, 400000, "", 60, time.Time{}), // the team currency
			lead(10, 1, store.LeadContacted, 0, "", 20, time.Time{}),
			lead(11, 1, store.LeadWon, 200000, "EUR", 75, at(18, 10, 0)), // the week before
		},
		meetings: []store.KPIMeeting{
			{Status: store.MeetingConfirmed, CreatedAt: at(23, 9, 0), StartsAt: at(30, 10, 0)},
			{Status: store.MeetingHeld, CreatedAt: at(20, 9, 0), StartsAt: at(24, 10, 0)},
			{Status: store.MeetingNoShow, CreatedAt: at(25, 9, 0), StartsAt: at(26, 10, 0)},
			{Status: store.MeetingCancelled, CreatedAt: at(24, 9, 0)},
		},
	}
	rs.leads[8].ContactedAt, rs.leads[9].ContactedAt = at(24, 12, 0), at(25, 12, 0)
	rs.leads[0].ContactedAt = at(23, 12, 0)
	return build(rs, week, Options{ContactSLA: 4 * time.Hour, Currency: "EUR", Now: func() time.Time { return at(30, 7, 0) },
		Targets: []Target{
			{RepEmail: "ann@desk.example", WonCents: 2000000, LeadsContacted: 10},
			{RepEmail: "BOB@desk.example", WonCents: 2000000, Currency: "USD"},
			{RepEmail: "nobody@desk.example", LeadsContacted: 5},
		}})
}

// emptyWeek is a week without any data after a week with some.
func emptyWeek() Report {
	rs := rows{
		reps:  []repRow{{ID: 1, Name: "Ann Archer", Email: "ann@desk.example", Active: true}},
		leads: []leadRow{{ID: 1, RepID: 1, Status: store.LeadWon, ValueCents: 200000, Currency: "EUR", CreatedAt: at(18, 9, 0), ClosedAt: at(19, 9, 0)}},
	}
	return build(rs, Week(at(25, 12, 0), berlin), Options{Currency: "EUR", Now: func() time.Time { return at(30, 7, 0) },
		Targets: []Target{{RepEmail: "ann@desk.example", WonCents: 1000000}}})
}

func TestPipelineGoldens(t *testing.T) {
	for name, r := range map[string]Report{"mixed": mixedWeek(), "empty": emptyWeek()} {
		for table, write := range map[string]func(*bytes.Buffer, Report) error{
			"reps":        func(b *bytes.Buffer, r Report) error { return WriteRepsCSV(b, r) },
			"pipeline":    func(b *bytes.Buffer, r Report) error { return WritePipelineCSV(b, r) },
			"calibration": func(b *bytes.Buffer, r Report) error { return WriteCalibrationCSV(b, r) },
		} {
			var b bytes.Buffer
			if err := write(&b, r); err != nil {
				t.Fatal(err)
			}
			golden(t, name+"_"+table+".csv.golden", b.Bytes())
		}
	}
}

// TestMixedCurrenciesHTML checks the HTML's structure: each section is
// there, money is shown per currency and never summed, targets are
// marked, the calibration table has every band.
func TestMixedCurrenciesHTML(t *testing.T) {
	r := mixedWeek()
	doc := renderDoc(t, r)

	if got := cells(t, doc, "avg-deal"); got[1] != "EUR 5,000.00 (1) USD 2,100.00 (2)" {
		t.Errorf("average deal row %q", got)
	}
	stages := rowsOf(t, doc, "pipeline")
	want := [][]string{{"Stage", "Leads", "Value"}, {"unassigned", "1", "EUR 1,000.00"}, {"assigned", "1", "USD 2,500.00"},
		{"contacted", "2", "EUR 4,000.00"}}
	if !equalRows(stages, want) {
		t.Errorf("pipeline by stage %q, want %q", stages, want)
	}
	meetings := rowsOf(t, doc, "meetings")
	if !equalRows(meetings[1:], [][]string{{"Booked", "2", "1"}, {"Held", "1", "0"}, {"No-show", "1", "0"}}) {
		t.Errorf("meetings %q", meetings)
	}
	reps := rowsOf(t, doc, "reps")
	for _, w := range []struct{ rep, won, target string }{
		{"Ann Archer", "EUR 5,000.00 + USD 1,200.00", "won EUR 5,000.00 of EUR 4,666.67 due: on track contacted 3 of 2 due: on track"},
		{"Bob Baker", "USD 3,000.00", "won USD 3,000.00 of USD 4,666.67 due: behind"},
		{"Cy Clark", "–", "–"},
	} {
		row := findRow(reps, w.rep)
		if row == nil || row[6] != w.won || row[9] != w.target {
			t.Errorf("rep row %q; want won %q, targets %q", row, w.won, w.target)
		}
	}
	bands := rowsOf(t, doc, "calibration")
	want = [][]string{{"Score", "Closed", "Won", "Win rate"}, {"0–20", "1", "0", "0.0%"}, {"20–40", "0", "0", "–"},
		{"40–60", "1", "1", "100.0%"}, {"60–80", "1", "1", "100.0%"}, {"80–100", "2", "1", "50.0%"}}
	if !equalRows(bands, want) {
		t.Errorf("calibration %q, want %q", bands, want)
	}
	if !strings.Contains(textOf(byID(doc, "calibration")), "1 closed leads had no score") {
		t.Error("calibration does not say how many closed leads had no score")
	}
	for _, k := range r.KPIs() {
		if k.ID == "avg-deal" && k.Change() != "no comparison" {
			t.Errorf("average deal change %q across currencies", k.Change())
		}
	}
}

// TestEmptyPeriodHTML: a period without data compares with nothing.
func TestEmptyPeriodHTML(t *testing.T) {
	r := emptyWeek()
	doc := renderDoc(t, r)
	for _, k := range r.KPIs() {
		if k.Change() != "no comparison" {
			t.Errorf("KPI %s changes %q against an empty period", k.ID, k.Change())
		}
		d := textOf(byID(doc, "kpi-"+k.ID))
		if !strings.Contains(d, "no comparison") {
			t.Errorf("card %s says %q", k.ID, d)
		}
	}
	reps := rowsOf(t, doc, "reps")
	if row := findRow(reps, "Ann Archer"); row == nil || row[9] != "won EUR 0.00 of EUR 2,333.33 due: behind" {
		t.Errorf("Ann's row %q", row)
	}
	if stages := rowsOf(t, doc, "pipeline"); len(stages) != 4 || stages[1][1] != "0" {
		t.Errorf("empty pipeline %q", stages)
	}
}

func renderDoc(t *testing.T, r Report) *html.Node {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r, Links{}); err != nil {
		t.Fatal(err)
	}
	doc, err := html.Parse(&b)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// byID finds the element with id, or nil.
func byID(n *html.Node, id string) *html.Node {
	if n.Type == html.ElementNode {
		for _, a := range n.Attr {
			if a.Key == "id" && a.Val == id {
				return n
			}
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := byID(c, id); f != nil {
			return f
		}
	}
	return nil
}

// textOf is the text of n with runs of space folded.
func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

// cells are the texts of the th and td children of the element id.
func cells(t *testing.T, doc *html.Node, id string) []string {
	t.Helper()
	n := byID(doc, id)
	if n == nil {
		t.Fatalf("no element %q", id)
	}
	var out []string
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
			out = append(out, textOf(c))
		}
	}
	return out
}

// rowsOf are the cell texts of every table row inside the element id.
func rowsOf(t *testing.T, doc *html.Node, id string) [][]string {
	t.Helper()
	n := byID(doc, id)
	if n == nil {
		t.Fatalf("no element %q", id)
	}
	var out [][]string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "tr" {
			var row []string
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.Data == "td" || c.Data == "th") {
					row = append(row, textOf(c))
				}
			}
			out = append(out, row)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

func findRow(rows [][]string, first string) []string {
	for _, r := range rows {
		if len(r) > 0 && r[0] == first {
			return r
		}
	}
	return nil
}

func equalRows(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}
