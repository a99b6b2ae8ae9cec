package desk

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	"salesdesk/internal/report"
)

// ReportsPath is where the KPI reports are: ReportsPath lists them,
// ReportsPath/{period} shows one, where period is a report.Names entry
// ("last-7-days"), a day ("2026-11-25") or an ISO week ("2026-W48");
// ?format=csv downloads the per-rep table and ?format=csv&table=daily the
// daily series, table=languages, table=pipeline (open leads by stage and
// currency) and table=calibration (win rate by score band) the others.
const ReportsPath = Prefix + "/reports"

// OldReportsPath is where the reports were before the desk had them;
// report mails still link there, and ReportsRedirect sends each such
// address to its desk page.
const OldReportsPath = "/reports"

// ReportsRedirect sends OldReportsPath and everything under it, query
// included, to the same report on the desk, where the reader signs in
// if they have not. Mount it without authentication.
func ReportsRedirect() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), OldReportsPath)
		if !ok || (rest != "" && !strings.HasPrefix(rest, "/")) {
			http.NotFound(w, r)
			return
		}
		target := ReportsPath + strings.TrimSuffix(rest, "/")
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
	})
}

// reportLink is one row of the reports list.
type reportLink struct {
	Name  string // the title, e.g. "Yesterday"
	Path  string
	CSV   string
	Range string
}

var periodTitles = map[string]string{
	report.Today:      "Today so far",
	report.Yesterday:  "Yesterday",
	report.ThisWeek:   "This week so far",
	report.LastWeek:   "Last week",
	report.Last7Days:  "Last 7 days",
	report.Last30Days: "Last 30 days",
}

func reportLinkFor(name, title string, period report.Period) reportLink {
	path := ReportsPath + "/" + url.PathEscape(name)
	return reportLink{Name: title, Path: path, CSV: path + "?format=csv", Range: period.Label()}
}

// reportsPage lists the named periods, the days of the last week and
// the weeks before, each with its CSV.
func (d *Desk) reportsPage(w http.ResponseWriter, r *http.Request, p *person) {
	now, loc := d.now(), d.o.ReportLocation
	var named, days, weeks []reportLink
	for _, name := range report.Names {
		period, _ := report.Named(name, now, loc)
		named = append(named, reportLinkFor(name, periodTitles[name], period))
	}
	today := report.Day(now, loc).From
	for i := 2; i <= 8; i++ {
		day := report.Day(today.AddDate(0, 0, -i), loc)
		days = append(days, reportLinkFor(day.Key(), day.Label(), day))
	}
	week := report.Week(now, loc).From
	for i := 2; i <= 5; i++ {
		wk := report.Week(week.AddDate(0, 0, -7*i), loc)
		weeks = append(weeks, reportLinkFor(wk.Key(), "Week "+wk.Key()[6:]+", "+wk.Key()[:4], wk))
	}
	d.render(w, r, p, http.StatusOK, "reports", map[string]any{"Named": named, "Days": days, "Weeks": weeks})
}

// csvTables are the report's tables other than the per-rep one, by the
// table parameter that asks for them.
var csvTables = map[string]func(io.Writer, report.Report) error{
	"daily":       report.WriteDailyCSV,
	"languages":   report.WriteLanguagesCSV,
	"pipeline":    report.WritePipelineCSV,
	"calibration": report.WriteCalibrationCSV,
}

// reportPage shows one period's report, or one of its tables as CSV.
func (d *Desk) reportPage(w http.ResponseWriter, r *http.Request, p *person) {
	ctx := r.Context()
	name := r.PathValue("period")
	period, ok := report.Parse(name, d.now(), d.o.ReportLocation)
	if !ok {
		d.fail(w, r, p, http.StatusNotFound, "There is no report for "+name+"; pick one from the reports list.")
		return
	}
	opts := d.o.ReportOptions
	opts.Now = d.o.Now
	rep, err := report.Compile(ctx, d.o.Store, period, opts)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	q := r.URL.Query()
	if q.Get("format") == "csv" {
		var b bytes.Buffer
		table, write := "reps", report.WriteRepsCSV
		if t, ok := csvTables[q.Get("table")]; ok {
			table, write = q.Get("table"), t
		}
		if err := write(&b, rep); err != nil {
			d.serverError(w, r, p, err)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="report-`+period.Key()+`-`+table+`.csv"`)
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.Write(b.Bytes())
		return
	}
	self := ReportsPath + "/" + url.PathEscape(name)
	frag, err := report.Fragment(rep, report.Links{CSV: self + "?format=csv", DailyCSV: self + "?format=csv&table=daily",
		LanguagesCSV: self + "?format=csv&table=languages", PipelineCSV: self + "?format=csv&table=pipeline",
		CalibrationCSV: self + "?format=csv&table=calibration"})
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	title := "Report " + period.Label()
	if t, ok := periodTitles[name]; ok {
		title = t
	}
	d.render(w, r, p, http.StatusOK, "report", map[string]any{"Title": title, "Report": frag})
}
