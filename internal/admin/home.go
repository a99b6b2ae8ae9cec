package admin

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"time"

	"salesdesk/internal/store"
)

// categoryOrder is the order categories are listed in; others follow.
var categoryOrder = []string{
	"order_status", "order_change", "quote_request", "meeting_request", "support",
	"billing", "account", "complaint", "unsubscribe", "other",
}

// countCap bounds how many rows a count reads; beyond it the page shows
// the cap with a plus.
const countCap = 10000

// homeRefreshSeconds is how often the home page reloads its counts.
const homeRefreshSeconds = 15

// Counts are the home page's live numbers.
type Counts struct {
	// InquiriesToday counts today's inquiries by category ("" is
	// "unclassified").
	InquiriesToday map[string]int
	// LeadsWaiting are leads not yet assigned to a rep.
	LeadsWaiting int
	// MeetingsToday are today's meetings that are not cancelled.
	MeetingsToday int
	// OpenAlerts are alerts not yet closed.
	OpenAlerts int
}

// Today returns the counts for the day containing now in loc.
func Today(ctx context.Context, st Store, now time.Time, loc *time.Location) (Counts, error) {
	local := now.In(loc)
	start := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	end := start.AddDate(0, 0, 1)
	c := Counts{InquiriesToday: map[string]int{}}
	if err := pages(func(limit, offset int) (int, error) {
		qs, err := st.ListInquiries(ctx, store.InquiryFilter{Since: start, Until: end, Limit: limit, Offset: offset})
		for _, q := range qs {
			c.InquiriesToday[q.Category]++
		}
		return len(qs), err
	}); err != nil {
		return c, err
	}
	if err := pages(func(limit, offset int) (int, error) {
		ls, err := st.ListLeads(ctx, store.LeadFilter{Status: store.LeadUnassigned, Limit: limit, Offset: offset})
		c.LeadsWaiting += len(ls)
		return len(ls), err
	}); err != nil {
		return c, err
	}
	if err := pages(func(limit, offset int) (int, error) {
		ms, err := st.ListMeetings(ctx, store.MeetingFilter{From: start, To: end, Limit: limit, Offset: offset})
		for _, m := range ms {
			if m.Status != store.MeetingCancelled {
				c.MeetingsToday++
			}
		}
		return len(ms), err
	}); err != nil {
		return c, err
	}
	if err := pages(func(limit, offset int) (int, error) {
		as, err := st.ListAlerts(ctx, store.AlertFilter{Status: store.AlertOpen, Limit: limit, Offset: offset})
		c.OpenAlerts += len(as)
		return len(as), err
	}); err != nil {
		return c, err
	}
	return c, nil
}

// pages calls list with successive pages of the store's largest page size
// until one comes back short or countCap rows were read.
func pages(list func(limit, offset int) (int, error)) error {
	const size = 1000
	for offset := 0; offset < countCap; offset += size {
		n, err := list(size, offset)
		if err != nil {
			return err
		}
		if n < size {
			return nil
		}
	}
	return nil
}

type categoryRow struct {
	Name  string
	Count int
	Width int // percent of the largest
}

type homeData struct {
	Nav       nav
	Date      string
	Total     int
	Counts    Counts
	Capped    func(int) string
	Rows      []categoryRow
	Latest    []store.Inquiry
	Alerts    []store.Alert
	Error     string
	ShowLinks bool
}

func (p *Pages) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := p.o.Now()
	d := homeData{Nav: p.nav(r, "Home", "home"), Date: now.In(p.o.Location).Format("Monday 2 January 2006"), Capped: capped}
	d.Nav.Refresh = homeRefreshSeconds
	c, err := Today(ctx, p.o.Store, now, p.o.Location)
	if err == nil {
		d.Latest, err = p.o.Store.ListInquiries(ctx, store.InquiryFilter{Limit: 8})
	}
	if err == nil {
		d.Alerts, err = p.o.Store.ListAlerts(ctx, store.AlertFilter{Status: store.AlertOpen, Limit: 5})
	}
	if err != nil {
		p.o.Logger.ErrorContext(ctx, "admin home: read store", "error", err)
		d.Error = "Some numbers could not be read from the database; they may be incomplete."
	}
	d.Counts = c
	d.Rows = categoryRows(c.InquiriesToday)
	for _, r := range d.Rows {
		d.Total += r.Count
	}
	render(w, homeTemplate, d)
}

func categoryRows(by map[string]int) []categoryRow {
	var rows []categoryRow
	seen := map[string]bool{}
	for _, cat := range categoryOrder {
		rows = append(rows, categoryRow{Name: cat, Count: by[cat]})
		seen[cat] = true
	}
	var extra []string
	for cat := range by {
		if !seen[cat] {
			extra = append(extra, cat)
		}
	}
	sort.Strings(extra)
	for _, cat := range extra {
		name := cat
		if name == "" {
			name = "unclassified"
		}
		rows = append(rows, categoryRow{Name: name, Count: by[cat]})
	}
	most := 0
	for _, r := range rows {
		most = max(most, r.Count)
	}
	for i := range rows {
		if most > 0 {
			rows[i].Width = rows[i].Count * 100 / most
		}
	}
	return rows
}

func capped(n int) string {
	if n >= countCap {
		return fmt.Sprintf("%d+", countCap)
	}
	return fmt.Sprint(n)
}

var homeTemplate = template.Must(template.New("home").Funcs(template.FuncMap{
	"label": categoryLabel,
	"ago":   ago,
}).Parse(headerTemplate + `{{define "css"}}{{end}}{{template "header" .}}
<main>
<h1>Today <span class="muted">· {{.Date}}</span></h1>
{{with .Error}}<p class="card" style="color:#9b1c1c">{{.}}</p>{{end}}
<section class="grid stats">
<div class="card stat"><div class="n" id="inquiries-today">{{call .Capped .Total}}</div><div class="l">inquiries today</div></div>
<div class="card stat{{if .Counts.LeadsWaiting}} warn{{end}}"><div class="n" id="leads-waiting">{{call .Capped .Counts.LeadsWaiting}}</div><div class="l">leads waiting for a rep</div></div>
<div class="card stat"><div class="n" id="meetings-today">{{call .Capped .Counts.MeetingsToday}}</div><div class="l">meetings today</div></div>
<div class="card stat{{if .Counts.OpenAlerts}} bad{{end}}"><div class="n" id="open-alerts">{{call .Capped .Counts.OpenAlerts}}</div><div class="l">open alerts</div></div>
</section>
<section class="grid cols">
<div class="card">
<h2>Inquiries today by category</h2>
{{range .Rows}}<div class="bar-row" data-category="{{.Name}}"><span>{{label .Name}}</span><div class="bar-track"><div class="bar-fill" style="width:{{.Width}}%"></div></div><span class="num">{{.Count}}</span></div>
{{end}}</div>
<div class="card">
<h2>Latest inquiries</h2>
{{if .Latest}}<table class="latest">
<colgroup><col style="width:4.5rem"><col style="width:24%"><col><col style="width:9.5rem"><col style="width:5.5rem"><col style="width:3.5rem"></colgroup>
<tr><th>Ref</th><th>From</th><th>Subject</th><th>Category</th><th>Status</th><th class="num">Age</th></tr>
{{range .Latest}}<tr><td class="nw">{{.Reference}}</td><td class="subject" title="{{.ContactEmail}}">{{.ContactEmail}}</td><td class="subject" title="{{.Subject}}">{{.Subject}}</td><td class="nw"><span class="tag">{{label .Category}}</span></td><td class="nw">{{.Status}}</td><td class="num nw">{{ago .CreatedAt}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No inquiries yet. New mail in the sales inbox shows up here.</p>{{end}}
</div>
</section>
<section class="card" style="margin-bottom:1rem">
<h2>Open alerts</h2>
{{if .Alerts}}<table>
<tr><th>Severity</th><th>Alert</th><th class="num">Seen</th><th class="num">Last</th></tr>
{{range .Alerts}}<tr><td><span class="tag {{.Severity}}">{{.Severity}}</span></td><td>{{.Subject}}</td><td class="num">{{.Occurrences}}×</td><td class="num">{{ago .LastSeenAt}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No open alerts.</p>{{end}}
</section>
<section class="grid links">
<a href="{{.Nav.Dashboard}}"><b>Queue dashboard</b><span>tasks, retries and failures</span></a>
{{with .Nav.SentMail}}<a href="{{.}}"><b>Sent mail</b><span>every mail the demo sent</span></a>{{end}}
{{with .Nav.Reports}}<a href="{{.}}"><b>Reports</b><span>KPIs and lead lists</span></a>{{end}}
<a href="{{.Nav.APIDocs}}"><b>API</b><span>REST API for integrations</span></a>
</section>
<p class="muted" style="margin-top:1rem">This page refreshes every {{.Nav.Refresh}} seconds.</p>
</main>
</body></html>`))

// categoryLabel turns "quote_request" into "Quote request".
func categoryLabel(c string) string {
	if c == "" {
		return "Unclassified"
	}
	b := []byte(c)
	for i := range b {
		if b[i] == '_' {
			b[i] = ' '
		}
	}
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	return string(b)
}

// ago is a short age such as "5m" or "3h".
func ago(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}
