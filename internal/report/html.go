package report

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"time"
)

// CSS styles the report; every rule is scoped under .rpt so the report
// can sit inside another page.
const CSS = `
.rpt{color:#1d2530;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.rpt h1{font-size:1.4rem;margin:0}.rpt h2{font-size:1.05rem;margin:0 0 .7rem}
.rpt .sub{color:#6b7686;font-size:.9rem;margin:.2rem 0 1rem}
.rpt .card{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.07);padding:1rem 1.2rem;margin-bottom:1rem;min-width:0}
.rpt .kpis{display:grid;grid-template-columns:repeat(5,1fr);gap:.8rem;margin-bottom:1rem}
.rpt .kpi{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.07);padding:.8rem 1rem}
.rpt .kpi .v{font-size:1.6rem;font-weight:700;line-height:1.15;font-variant-numeric:tabular-nums;white-space:nowrap}
.rpt .kpi .l{color:#4a5565;font-size:.85rem}
.rpt .kpi .d{font-size:.8rem;margin-top:.2rem;color:#6b7686}
.rpt .good{color:#166534}.rpt .bad{color:#b91c1c}
.rpt .two{display:grid;grid-template-columns:3fr 2fr;gap:1rem}.rpt .two>.card{margin-bottom:1rem}
.rpt .chart{width:100%;height:auto;display:block}
.rpt .legend{font-size:.8rem;color:#6b7686;margin-top:.3rem}
.rpt .legend i{display:inline-block;width:1.2rem;height:0;border-top:2px solid #2457c5;vertical-align:middle;margin-right:.3rem}
.rpt .legend i.prev{border-top:2px dashed #9aa5b4;margin-left:.8rem}
.rpt table{border-collapse:collapse;width:100%;font-size:.92rem}
.rpt th,.rpt td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #edf0f4}
.rpt th{font-size:.75rem;text-transform:uppercase;letter-spacing:.04em;color:#6b7686;font-weight:600}
.rpt .n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.rpt .muted{color:#6b7686;font-size:.9rem}
.rpt details summary{cursor:pointer;font-weight:600}
@media (max-width:1000px){.rpt .kpis{grid-template-columns:repeat(3,1fr)}.rpt .two{grid-template-columns:1fr}}
`

// view is what the report template reads.
type view struct {
	R          Report
	KPIs       []KPI
	DailyChart template.HTML
	Categories template.HTML
	Links      Links
}

// Links are optional links the HTML shows next to the title.
type Links struct {
	CSV      string // the per-rep CSV
	DailyCSV string // the daily series CSV
	// LanguagesCSV is the inquiries per language CSV.
	LanguagesCSV string
	// PipelineCSV is the open leads by stage CSV; CalibrationCSV the
	// win rate by score band.
	PipelineCSV    string
	CalibrationCSV string
}

func newView(r Report, links Links) view {
	v := view{R: r, KPIs: r.KPIs(), Links: links}
	var labels []string
	cur := make([]float64, len(r.Days))
	prev := make([]float64, len(r.PriorDays))
	for i, d := range r.Days {
		labels = append(labels, d.Date.Format("2 Jan"))
		cur[i] = float64(d.Inquiries)
	}
	for i, d := range r.PriorDays {
		prev[i] = float64(d.Inquiries)
	}
	if len(r.Days) > 1 {
		v.DailyChart = LineChart("Inquiries per day", labels, []Series{
			{Name: "previous period", Values: prev, Dashed: true, Color: "#9aa5b4"},
			{Name: "this period", Values: cur},
		}, 640, 220)
	}
	v.Categories = BarChart("Inquiries by category", r.Current.ByCategory, 420)
	return v
}

var funcs = template.FuncMap{
	"dur":     FormatDuration,
	"pct":     FormatPercent,
	"label":   label,
	"date":    func(t time.Time) string { return t.Format("Mon 2 Jan") },
	"day":     func(t time.Time) string { return t.Format(time.DateOnly) },
	"stamp":   func(t time.Time, p Period) string { return t.In(p.loc()).Format("2 Jan 2006 15:04 MST") },
	"hours":   func(d time.Duration) string { return FormatDuration(d) },
	"minus":   func(a, b int) int { return a - b },
	"percent": func(part, whole int) string { return FormatPercent(Ratio(part, whole)) },
}

var reportTemplate = template.Must(template.New("report").Funcs(funcs).Parse(`{{define "report" -}}
<div class="rpt">
<style>{{.CSS}}</style>
{{with .V}}<h1>KPI report · {{.R.Period.Label}}</h1>
<p class="sub">compared with {{.R.Previous.Label}} · generated {{stamp .R.GeneratedAt .R.Period}}{{with .Links.CSV}} · <a href="{{.}}">per-rep CSV</a>{{end}}{{with .Links.DailyCSV}} · <a href="{{.}}">daily CSV</a>{{end}}{{with .Links.LanguagesCSV}} · <a href="{{.}}">languages CSV</a>{{end}}{{with .Links.PipelineCSV}} · <a href="{{.}}">pipeline CSV</a>{{end}}{{with .Links.CalibrationCSV}} · <a href="{{.}}">calibration CSV</a>{{end}}</p>
<section class="kpis">
{{- range .KPIs}}
<div class="kpi" id="kpi-{{.ID}}"><div class="v">{{.Value}}</div><div class="l">{{.Label}}</div><div class="d{{if .Good}} good{{else if ne .Direction "flat"}} bad{{end}}">{{if eq .Direction "up"}}▲{{else if eq .Direction "down"}}▼{{else}}●{{end}} {{.Change}} <span title="previous period">vs {{.Previous}}</span></div></div>
{{- end}}
</section>
<section class="two">
<div class="card"><h2>Inquiries per day</h2>
{{if .DailyChart}}{{.DailyChart}}
<div class="legend"><i></i>this period<i class="prev"></i>previous period</div>
{{else}}<p class="muted">One day: {{.R.Current.Inquiries}} inquiries ({{.R.Prior.Inquiries}} the day before).</p>{{end}}
</div>
<div class="card"><h2>Inquiries by category</h2>{{.Categories}}
<p class="muted" id="first-response">First response by a person: {{.R.Current.Responded}} of {{.R.Current.LeadsCreated}} new leads contacted · median {{dur .R.Current.ResponseMedian}} · 90% within {{dur .R.Current.ResponseP90}}. Acknowledged automatically: {{.R.Current.Acknowledged}} of {{.R.Current.Inquiries}} inquiries · median {{dur .R.Current.AckMedian}}.</p></div>
</section>
<section class="card" id="languages"><h2>Inquiries by language</h2>
{{with .R.Languages}}<table>
<tr><th>Language</th><th class="n">This period</th><th class="n">Previous</th></tr>
{{- range .}}
<tr><td>{{.Name}}</td><td class="n">{{.Count}}</td><td class="n">{{.Previous}}</td></tr>
{{- end}}
</table>{{else}}<p class="muted">No inquiries.</p>{{end}}
</section>
<section class="card" id="leads"><h2>Leads</h2>
<table>
<tr><th></th><th class="n">This period</th><th class="n">Previous</th></tr>
<tr><td>Created</td><td class="n">{{.R.Current.LeadsCreated}}</td><td class="n">{{.R.Prior.LeadsCreated}}</td></tr>
<tr><td>Assigned to a rep</td><td class="n">{{.R.Current.LeadsAssigned}}</td><td class="n">{{.R.Prior.LeadsAssigned}}</td></tr>
<tr><td>Contacted</td><td class="n">{{.R.Current.LeadsContacted}}</td><td class="n">{{.R.Prior.LeadsContacted}}</td></tr>
<tr><td>Contacted within {{hours .R.ContactSLA}}</td><td class="n">{{percent .R.Current.ContactedWithinSLA .R.Current.LeadsContacted}}</td><td class="n">{{percent .R.Prior.ContactedWithinSLA .R.Prior.LeadsContacted}}</td></tr>
<tr><td>Average time to contact</td><td class="n">{{dur .R.Current.TimeToContact}}</td><td class="n">{{dur .R.Prior.TimeToContact}}</td></tr>
<tr><td>Won</td><td class="n">{{.R.Current.LeadsWon}}</td><td class="n">{{.R.Prior.LeadsWon}}</td></tr>
<tr><td>Lost</td><td class="n">{{.R.Current.LeadsLost}}</td><td class="n">{{.R.Prior.LeadsLost}}</td></tr>
<tr><td>Win rate (won of closed)</td><td class="n">{{pct .R.Current.WinRate}}</td><td class="n">{{pct .R.Prior.WinRate}}</td></tr>
<tr><td>Won value</td><td class="n">{{range .R.Current.WonValue}}{{.}} {{else}}–{{end}}</td><td class="n">{{range .R.Prior.WonValue}}{{.}} {{else}}–{{end}}</td></tr>
<tr id="avg-deal"><td>Average deal size</td><td class="n">{{range .R.Current.Deals}}{{.AverageMoney}} ({{.Won}}) {{else}}–{{end}}</td><td class="n">{{range .R.Prior.Deals}}{{.AverageMoney}} ({{.Won}}) {{else}}–{{end}}</td></tr>
<tr><td>Open now (pipeline)</td><td class="n">{{.R.OpenLeads}} · {{range .R.Pipeline}}{{.}} {{else}}–{{end}}</td><td class="n muted">{{.R.UnassignedLeads}} waiting for a rep</td></tr>
</table>
</section>
<section class="card" id="pipeline"><h2>Pipeline by stage <span class="muted">(open now)</span></h2>
<table>
<tr><th>Stage</th><th class="n">Leads</th><th class="n">Value</th></tr>
{{- range .R.Stages}}
<tr><td>{{label .Name}}</td><td class="n">{{.Leads}}</td><td class="n">{{range .Value}}{{.}} {{else}}–{{end}}</td></tr>
{{- end}}
</table>
<p class="muted">Values are shown per currency and never added across currencies; leads without a value count in Leads only.</p>
</section>
<section class="card" id="meetings"><h2>Meetings</h2>
<table>
<tr><th></th><th class="n">This period</th><th class="n">Previous</th></tr>
<tr><td>Booked</td><td class="n">{{.R.Current.Meetings.Booked}}</td><td class="n">{{.R.Prior.Meetings.Booked}}</td></tr>
<tr><td>Held</td><td class="n">{{.R.Current.Meetings.Held}}</td><td class="n">{{.R.Prior.Meetings.Held}}</td></tr>
<tr><td>No-show</td><td class="n">{{.R.Current.Meetings.NoShow}}</td><td class="n">{{.R.Prior.Meetings.NoShow}}</td></tr>
</table>
</section>
<section class="card" id="reps"><h2>Reps</h2>
{{if .R.Reps}}<table>
<tr><th>Rep</th><th class="n">Assigned</th><th class="n">Contacted</th><th class="n">Within SLA</th><th class="n">Won</th><th class="n">Lost</th><th class="n">Won value</th><th class="n">Avg deal</th><th class="n">Open now</th><th>Monthly targets, due pro rata</th></tr>
{{- range .R.Reps}}
<tr><td title="{{.Email}}">{{.Name}}</td><td class="n">{{.Assigned}}</td><td class="n">{{.Contacted}}</td><td class="n">{{if .Contacted}}{{pct .WithinSLA}}{{else}}–{{end}}</td><td class="n">{{.Won}}</td><td class="n">{{.Lost}}</td><td class="n">{{.WonValue}}</td><td class="n">{{range .Deals}}{{.AverageMoney}} {{else}}–{{end}}</td><td class="n">{{.OpenNow}}</td><td>{{with .WonTarget}}<span class="target {{if .OnTrack}}good{{else}}bad{{end}}">{{.Line "won"}}</span> {{end}}{{with .ContactedTarget}}<span class="target {{if .OnTrack}}good{{else}}bad{{end}}">{{.Line "contacted"}}</span>{{end}}{{if not (or .WonTarget .ContactedTarget)}}<span class="muted">–</span>{{end}}</td></tr>
{{- end}}
</table>{{else}}<p class="muted">No reps.</p>{{end}}
</section>
<section class="card" id="calibration"><h2>Win rate by score band <span class="muted">(leads closed this period)</span></h2>
<table>
<tr><th>Score</th><th class="n">Closed</th><th class="n">Won</th><th class="n">Win rate</th></tr>
{{- range .R.Current.Calibration}}
<tr><td>{{.Label}}</td><td class="n">{{.Closed}}</td><td class="n">{{.Won}}</td><td class="n">{{if .Closed}}{{pct .WinRate}}{{else}}–{{end}}</td></tr>
{{- end}}
</table>
{{with .R.Current.UnscoredClosed}}<p class="muted">{{.}} closed leads had no score and are not counted here.</p>{{end}}
</section>
<section class="two">
<div class="card" id="orders"><h2>Orders</h2>
<p>{{.R.Current.OrdersCreated}} created ({{.R.Prior.OrdersCreated}} before){{range .R.Current.OrderValue}} · {{.}}{{end}}</p>
{{if .R.Current.OrdersByStatus}}<table><tr><th>Status now</th><th class="n">Orders</th></tr>
{{- range .R.Current.OrdersByStatus}}
<tr><td>{{label .Name}}</td><td class="n">{{.Count}}</td></tr>
{{- end}}
</table>{{end}}
<h2 style="margin-top:1rem">Late orders <span class="muted">({{len .R.LateOrders}} open past their promised date)</span></h2>
{{if .R.LateOrders}}<table><tr><th>Order</th><th>Status</th><th class="n">Promised</th></tr>
{{- range $i, $o := .R.LateOrders}}{{if lt $i 10}}
<tr><td>{{$o.Number}}</td><td>{{label $o.Status}}</td><td class="n">{{day $o.Promised}}</td></tr>
{{- end}}{{end}}
</table>{{if gt (len .R.LateOrders) 10}}<p class="muted">and {{minus (len .R.LateOrders) 10}} more</p>{{end}}{{else}}<p class="muted">None.</p>{{end}}
</div>
<div class="card" id="alerts"><h2>Alerts opened</h2>
<p>{{.R.Current.AlertsOpened}} ({{.R.Prior.AlertsOpened}} before)</p>
{{if .R.Current.AlertsByKind}}<table><tr><th>Kind</th><th class="n">Alerts</th></tr>
{{- range .R.Current.AlertsByKind}}
<tr><td>{{label .Name}}</td><td class="n">{{.Count}}</td></tr>
{{- end}}
</table>{{end}}
</div>
</section>
<section class="card" id="daily"><details{{if le (len .R.Days) 7}} open{{end}}><summary>Day by day</summary>
<table>
<tr><th>Day</th><th class="n">Inquiries</th><th class="n">New leads</th><th class="n">Won</th><th class="n">Orders</th><th class="n">Alerts</th></tr>
{{- range .R.Days}}
<tr><td>{{date .Date}}</td><td class="n">{{.Inquiries}}</td><td class="n">{{.LeadsCreated}}</td><td class="n">{{.LeadsWon}}</td><td class="n">{{.OrdersCreated}}</td><td class="n">{{.AlertsOpened}}</td></tr>
{{- end}}
</table></details>
</section>
{{end}}</div>
{{- end}}
{{define "page" -}}
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>KPI report · {{.V.R.Period.Label}}</title>
</head>
<body style="margin:0;background:#f3f5f8">
<main style="max-width:1200px;margin:0 auto;padding:1.5rem">
{{template "report" .}}
</main>
</body>
</html>
{{end}}`))

type page struct {
	CSS template.CSS
	V   view
}

// Fragment renders the report as a block of HTML to place inside a page:
// its own scoped <style>, the KPI cards, charts as inline SVG and the
// tables. No script.
func Fragment(r Report, links Links) (template.HTML, error) {
	var b bytes.Buffer
	if err := reportTemplate.ExecuteTemplate(&b, "report", page{CSS: CSS, V: newView(r, links)}); err != nil {
		return "", fmt.Errorf("report: render html: %w", err)
	}
	return template.HTML(b.String()), nil // rendered by html/template
}

// WriteHTML writes the report as a standalone HTML document.
func WriteHTML(w io.Writer, r Report, links Links) error {
	if err := reportTemplate.ExecuteTemplate(w, "page", page{CSS: CSS, V: newView(r, links)}); err != nil {
		return fmt.Errorf("report: render html: %w", err)
	}
	return nil
}
