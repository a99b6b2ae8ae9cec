package admin

import (
	"bytes"
	"html/template"
	"io"
	"net/http"
	"net/url"

	"salesdesk/internal/report"
)

// ReportsPath is where the KPI reports are served when Options.Reports is
// set: ReportsPath lists them, ReportsPath/{period} shows one, where
// period is a report.Names entry ("last-7-days"), a day ("2026-11-25") or
// an ISO week ("2026-W48"); ?format=csv downloads the per-rep table and
// ?format=csv&table=daily the daily series, table=pipeline the open
// leads by stage and currency, table=calibration the win rate by score
// band.
const ReportsPath = "/reports"

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

type reportsData struct {
	Nav   nav
	Named []reportLink
	Days  []reportLink
	Weeks []reportLink
}

func (p *Pages) reportLink(name, title string, period report.Period) reportLink {
	path := ReportsPath + "/" + url.PathEscape(name)
	return reportLink{Name: title, Path: path, CSV: path + "?format=csv", Range: period.Label()}
}

func (p *Pages) reports(w http.ResponseWriter, r *http.Request) {
	now := p.o.Now()
	loc := p.o.Location
	d := reportsData{Nav: p.nav(r, "Reports", "reports")}
	for _, name := range report.Names {
		period, _ := report.Named(name, now, loc)
		d.Named = append(d.Named, p.reportLink(name, periodTitles[name], period))
	}
	today := report.Day(now, loc).From
	for i := 2; i <= 8; i++ {
		day := report.Day(today.AddDate(0, 0, -i), loc)
		d.Days = append(d.Days, p.reportLink(day.Key(), day.Label(), day))
	}
	week := report.Week(now, loc).From
	for i := 2; i <= 5; i++ {
		wk := report.Week(week.AddDate(0, 0, -7*i), loc)
		d.Weeks = append(d.Weeks, p.reportLink(wk.Key(), "Week "+wk.Key()[6:]+", "+wk.Key()[:4], wk))
	}
	render(w, reportsTemplate, d)
}

type reportData struct {
	Nav    nav
	Report template.HTML
}

func (p *Pages) report(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	name := r.PathValue("period")
	period, ok := report.Parse(name, p.o.Now(), p.o.Location)
	if !ok {
		http.Error(w, "no such report period: use one of the links on "+ReportsPath, http.StatusNotFound)
		return
	}
	opts := p.o.ReportOptions
	opts.Now = p.o.Now
	rep, err := report.Compile(ctx, p.o.Reports, period, opts)
	if err != nil {
		p.o.Logger.ErrorContext(ctx, "admin report: compile", "period", name, "error", err)
		http.Error(w, "The report could not be compiled; see the log.", http.StatusInternalServerError)
		return
	}
	q := r.URL.Query()
	if q.Get("format") == "csv" {
		var b bytes.Buffer
		table, write := "reps", report.WriteRepsCSV
		if w, ok := csvTables[q.Get("table")]; ok {
			table, write = q.Get("table"), w
		}
		if err := write(&b, rep); err != nil {
			p.o.Logger.ErrorContext(ctx, "admin report: csv", "period", name, "error", err)
			http.Error(w, "The report could not be written.", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="report-`+period.Key()+`-`+table+`.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Write(b.Bytes())
		return
	}
	self := ReportsPath + "/" + url.PathEscape(name)
	frag, err := report.Fragment(rep, report.Links{CSV: self + "?format=csv", DailyCSV: self + "?format=csv&table=daily",
		LanguagesCSV: self + "?format=csv&table=languages", PipelineCSV: self + "?format=csv&table=pipeline",
		CalibrationCSV: self + "?format=csv&table=calibration"})
	if err != nil {
		p.o.Logger.ErrorContext(ctx, "admin report: render", "period", name, "error", err)
		http.Error(w, "The report could not be shown.", http.StatusInternalServerError)
		return
	}
	title := "Report " + period.Label()
	if t, ok := periodTitles[name]; ok {
		title = t
	}
	render(w, reportTemplate, reportData{Nav: p.nav(r, title, "reports"), Report: frag})
}

// csvTables are the report's tables other than the per-rep one, by the
// table parameter that asks for them.
var csvTables = map[string]func(io.Writer, report.Report) error{
	"daily":       report.WriteDailyCSV,
	"languages":   report.WriteLanguagesCSV,
	"pipeline":    report.WritePipelineCSV,
	"calibration": report.WriteCalibrationCSV,
}

// reportsRedirect sends /reports/ to the list.
func (p *Pages) reportsRedirect(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, ReportsPath, http.StatusSeeOther)
}

var reportTemplate = template.Must(template.New("report").Parse(headerTemplate + `{{define "css"}}{{end}}{{template "header" .}}
<main>
<p class="muted"><a href="` + ReportsPath + `">← all reports</a></p>
{{.Report}}
</main>
</body>
</html>
`))

var reportsTemplate = template.Must(template.New("reports").Parse(headerTemplate + `{{define "css"}}
.periods{grid-template-columns:repeat(3,1fr);margin-bottom:1rem}
.periods a.card{display:block;color:#1d2530}
.periods a.card:hover{text-decoration:none;box-shadow:0 2px 8px rgba(36,87,197,.25)}
.periods b{display:block;font-size:1.05rem}
.periods span{color:#6b7686;font-size:.9rem}
.earlier{grid-template-columns:1fr 1fr}
@media (max-width:900px){.periods{grid-template-columns:repeat(2,1fr)}.earlier{grid-template-columns:1fr}}
{{end}}{{template "header" .}}
<main>
<h1>KPI reports</h1>
<section class="grid periods">
{{- range .Named}}
<a class="card" href="{{.Path}}"><b>{{.Name}}</b><span>{{.Range}}</span></a>
{{- end}}
</section>
<section class="grid earlier">
<div class="card"><h2>Earlier days</h2><table>
{{- range .Days}}
<tr><td><a href="{{.Path}}">{{.Name}}</a></td><td class="num"><a href="{{.CSV}}">CSV</a></td></tr>
{{- end}}
</table></div>
<div class="card"><h2>Earlier weeks</h2><table>
{{- range .Weeks}}
<tr><td><a href="{{.Path}}">{{.Name}}</a></td><td class="muted">{{.Range}}</td><td class="num"><a href="{{.CSV}}">CSV</a></td></tr>
{{- end}}
</table></div>
</section>
<p class="muted">Reports are compiled from the database when opened. Daily and weekly reports are also mailed to the configured recipients.</p>
</main>
</body>
</html>
`))
