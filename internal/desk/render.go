package desk

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"salesdesk/internal/admin"
	"salesdesk/internal/lang"
	"salesdesk/internal/report"
)

// view is what every page template gets.
type view struct {
	Me     *person
	Title  string
	Active string
	Data   map[string]any
}

// render writes the named page for p (nil before signing in).
func (d *Desk) render(w http.ResponseWriter, r *http.Request, p *person, status int, name string, data map[string]any) {
	if data == nil {
		data = map[string]any{}
	}
	loc := d.o.Location
	if p != nil {
		loc = p.Loc
	}
	t, err := pageTemplates.Clone()
	if err == nil {
		t = t.Funcs(template.FuncMap{"when": func(t time.Time) string { return FormatTime(t, loc) }})
	}
	var buf bytes.Buffer
	if err == nil {
		err = t.ExecuteTemplate(&buf, name, view{Me: p, Title: titles[name], Active: name, Data: data})
	}
	if err != nil {
		d.log.ErrorContext(r.Context(), "render desk page", "page", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows a short message page with a status.
func (d *Desk) fail(w http.ResponseWriter, r *http.Request, p *person, status int, msg string) {
	d.render(w, r, p, status, "message", map[string]any{"Title": http.StatusText(status), "Text": msg, "SignIn": p == nil})
}

func urlQuery(s string) string { return url.QueryEscape(s) }

// parseMoney reads an amount such as "1200", "1,200.50" or "" (zero) into
// cents.
func parseMoney(s string) (int64, error) { return report.ParseAmount(s) }

func validCurrency(c string) bool { return report.IsCurrency(c) }

var titles = map[string]string{
	"mywork": "My work", "lead": "Lead", "inquiry": "Inquiry", "account": "Account", "search": "Search",
	"team": "Team", "orderrequests": "Order requests", "alerts": "Alerts", "signin": "Sign in",
	"magic": "Sign in", "message": "salesdesk", "expired": "This link has expired",
	"reports": "KPI reports", "report": "Report",
}

var pageTemplates = template.Must(template.New("desk").Funcs(template.FuncMap{
	"when":     func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"money":    report.FormatCents,
	"lines":    func(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") },
	"mul100":   func(f float64) float64 { return f * 100 },
	"kb":       func(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) },
	"language": lang.Name,
}).Parse(layout + pagesHTML))

const layout = `{{define "top"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{with .Data.Title}}{{.}}{{else}}{{.Title}}{{end}} · salesdesk</title>
<style>` + admin.StyleSheet + `
.mail{border-left:3px solid #c8d0da;padding:.4rem .8rem;margin:.8rem 0;background:#fafbfc}
.mail.out{border-left-color:#2457c5;background:#f4f7fd}
.mail pre{white-space:pre-wrap;font:inherit;margin:.4rem 0 0}
form.inline{display:inline}
button{font:inherit;padding:.35rem .8rem;border:0;border-radius:6px;background:#2457c5;color:#fff;cursor:pointer}
button.quiet{background:#e8eefb;color:#1c469f}
input,select,textarea{font:inherit;padding:.3rem .45rem;border:1px solid #c8d0da;border-radius:6px}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:flex-end;margin:.6rem 0}
.actions form{display:flex;gap:.4rem;align-items:center}
.notice{background:#e6f6ec;color:#166534;padding:.5rem .8rem;border-radius:6px;margin-bottom:1rem}
.overdue{color:#b91c1c;font-weight:600}
section.card{margin-bottom:1rem}
header form{margin:0}
</style>
</head>
<body>
<header><div class="bar">
<a class="brand" href="/desk/">salesdesk</a>
{{if .Me}}<nav>
<a href="/desk/" id="nav-mywork"{{if eq .Active "mywork"}} class="on"{{end}}>My work</a>
{{if ne .Me.Role "rep"}}<a href="/desk/team" id="nav-team"{{if eq .Active "team"}} class="on"{{end}}>Team</a>
<a href="/desk/order-requests"{{if eq .Active "orderrequests"}} class="on"{{end}}>Order requests</a>
<a href="/desk/alerts" id="nav-alerts"{{if eq .Active "alerts"}} class="on"{{end}}>Alerts</a>
<a href="/desk/reports" id="nav-reports"{{if or (eq .Active "reports") (eq .Active "report")}} class="on"{{end}}>Reports</a>{{end}}
<a href="/desk/search"{{if eq .Active "search"}} class="on"{{end}}>Search</a>
{{if or (eq .Me.Role "admin") (eq .Me.Role "viewer")}}{{if not .Me.RepID}}<a href="/">Admin</a>{{end}}{{end}}
</nav>
<form method="get" action="/desk/search"><input name="q" placeholder="SD-123, address, name, order, words" aria-label="Search"></form>
<span class="user">{{.Me.Name}} <span class="tag">{{.Me.Role}}</span> {{.Me.Loc}}</span>
{{if .Me.RepID}}<form method="post" action="/desk/sign-out"><button class="quiet" type="submit">Sign out</button></form>{{end}}
{{end}}
</div></header>
<main>
{{with .Data.Notice}}<p class="notice" role="status">{{.}}</p>{{end}}
{{end}}
{{define "bottom"}}</main>
</body>
</html>
{{end}}
{{define "mails"}}{{range .}}<div class="mail{{if .Outbound}} out{{end}}">
<div class="muted">{{if .Outbound}}Sent by us ({{.Status}}){{else}}Received{{end}} · {{when .At}} · from {{.From}} to {{range lines .To}}{{.}} {{end}}</div>
<b>{{.Subject}}</b>
<pre>{{.Text}}</pre>
</div>
{{else}}<p class="muted">No mail stored for this thread.</p>{{end}}{{end}}
`

const pagesHTML = `
{{define "message"}}{{template "top" .}}
<section class="card"><h1>{{.Data.Title}}</h1><p>{{.Data.Text}}</p>
{{if .Data.SignIn}}<p><a href="/desk/sign-in">Get a sign-in link by mail</a></p>{{end}}</section>
{{template "bottom"}}{{end}}

{{define "signin"}}{{template "top" .}}
<section class="card" style="max-width:28rem">
<h1>Sign in to the desk</h1>
<p>Enter your work address; we mail you a link that signs you in. No password needed.</p>
<form method="post" action="/desk/sign-in">
<input type="hidden" name="next" value="{{.Data.Next}}">
<p><input name="email" type="email" autocomplete="email" required autofocus style="width:100%" aria-label="E-mail address"></p>
<button type="submit">Mail me a sign-in link</button>
</form>
<p class="muted">Admins and viewers of the dashboard can <a href="/login?next=/desk/">sign in with their password</a>.</p>
</section>
{{template "bottom"}}{{end}}

{{define "magic"}}{{template "top" .}}
<section class="card" style="max-width:28rem"><h1>Sign in to the desk</h1>
<form method="post" action="{{.Data.Action}}"><button type="submit" id="magic-sign-in">Sign in</button></form>
<p class="muted">The link works once.</p></section>
{{template "bottom"}}{{end}}

{{define "expired"}}{{template "top" .}}
<section class="card" style="max-width:32rem"><h1>This link has expired</h1>
<p>Links in salesdesk mails work for a limited time. We can mail you a new sign-in link that opens the same page.</p>
<form method="post" action="/desk/sign-in/renew">
<input type="hidden" name="as" value="{{.Data.As}}"><input type="hidden" name="exp" value="{{.Data.Exp}}">
<input type="hidden" name="sig" value="{{.Data.Sig}}"><input type="hidden" name="path" value="{{.Data.Path}}">
<button type="submit">Mail me a new sign-in link</button></form></section>
{{template "bottom"}}{{end}}

{{define "mywork"}}{{template "top" .}}
<h1>My work <span class="muted">· {{when .Data.Now}}</span></h1>
{{if not .Me.RepID}}<section class="card"><p>You are signed in with a dashboard login, which has no leads of its own. See the <a href="/desk/team">team</a>, the <a href="/desk/alerts">alerts</a> or the <a href="/desk/order-requests">order requests</a>.</p></section>{{else}}
<section class="card"><h2>My leads by SLA</h2>
{{if .Data.Leads}}<table id="my-leads"><tr><th>Lead</th><th>Company</th><th>Status</th><th>Respond by</th><th>Time left</th></tr>
{{range .Data.Leads}}<tr><td><a href="/desk/leads/{{.ID}}">{{.Ref}} {{.Summary}}</a></td><td>{{.Company}}</td><td><span class="tag">{{.Status}}</span></td>
<td class="nw">{{when .Due}}</td><td class="nw{{if .Overdue}} overdue{{end}}">{{.Left}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No open leads. New ones arrive by mail and show up here.</p>{{end}}</section>
<section class="card"><h2>Inquiries and hand-offs on my accounts</h2>
{{if .Data.Handoffs}}<table><tr><th>Ref</th><th>From</th><th>Subject</th><th>Category</th><th>Received</th></tr>
{{range .Data.Handoffs}}<tr><td class="nw"><a href="/desk/inquiries/{{.ID}}">{{.Reference}}</a></td><td>{{.ContactEmail}}</td><td>{{.Subject}}</td><td><span class="tag">{{.Category}}</span></td><td class="nw">{{when .CreatedAt}}</td></tr>
{{end}}</table>{{else}}<p class="muted">Nothing open on your accounts.</p>{{end}}</section>
<section class="card"><h2>My meetings today</h2>
{{if .Data.Meetings}}<table><tr><th>When</th><th>Meeting</th><th>With</th><th>Status</th></tr>
{{range .Data.Meetings}}<tr><td class="nw">{{when .StartsAt}}</td><td>{{if .LeadID}}<a href="/desk/leads/{{.LeadID}}">{{.Title}}</a>{{else}}{{.Title}}{{end}}</td><td>{{.CustomerEmail}}</td><td>{{.Status}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No meetings today.</p>{{end}}</section>
{{end}}
{{template "bottom"}}{{end}}

{{define "lead"}}{{template "top" .}}{{$l := .Data.Lead}}
<h1>Lead <span id="lead-ref">{{$l.Ref}}</span>: {{$l.Summary}} <span class="tag" id="lead-status">{{$l.Status}}</span></h1>
<section class="grid cols">
<div class="card"><h2>Details</h2><table>
<tr><th>Contact</th><td>{{$l.ContactName}} {{$l.ContactEmail}}</td></tr>
<tr><th>Company</th><td>{{$l.Company}} {{$l.Domain}} {{$l.Country}}</td></tr>
<tr><th>Rep</th><td>{{with .Data.Rep}}{{.Name}} ({{.Email}}){{else}}waiting for a rep{{end}}</td></tr>
{{with .Data.Due}}<tr><th>Respond by</th><td>{{when .}}</td></tr>{{end}}
<tr><th>Created</th><td>{{when $l.CreatedAt}}</td></tr>
{{if $l.Scored}}<tr><th>Score</th><td id="lead-score">{{$l.Score}} of 100{{with .Data.ScoreFactors}}: {{range $i, $f := .}}{{if $i}}; {{end}}{{$f}}{{end}}{{end}}</td></tr>{{end}}
{{if $l.ValueCents}}<tr><th>Value</th><td>{{money $l.ValueCents $l.Currency}}</td></tr>{{end}}
{{with $l.LostReason}}<tr><th>Lost because</th><td>{{.}}</td></tr>{{end}}
{{with .Data.Customer}}<tr><th>Account</th><td><a href="/desk/accounts/{{.ID}}">{{.Name}}</a></td></tr>{{end}}
{{with .Data.Inquiry}}<tr><th>Inquiry</th><td><a href="/desk/inquiries/{{.ID}}">{{.Reference}}</a></td></tr>
{{with .Language}}<tr><th>Language</th><td id="lead-language">{{language .}}</td></tr>{{end}}{{end}}
</table>
{{if .Data.Writable}}{{if .Data.Open}}<div class="actions">
<form method="post" action="/desk/leads/{{$l.ID}}/accept"><button class="quiet" type="submit" id="lead-accept">Accept</button></form>
<form method="post" action="/desk/leads/{{$l.ID}}/contacted"><button type="submit" id="lead-contacted">Mark contacted</button></form>
</div>
<div class="actions"><form method="post" action="/desk/leads/{{$l.ID}}/won">
<input name="value" id="won-value" placeholder="Value, e.g. 1200.00" size="12" aria-label="Value"><input name="currency" id="won-currency" placeholder="EUR" size="4" maxlength="3" aria-label="Currency">
<button type="submit" id="lead-won">Won</button></form></div>
<div class="actions"><form method="post" action="/desk/leads/{{$l.ID}}/lost">
{{with .Data.LostReasons}}<select name="reason" id="lost-reason" required aria-label="Lost reason"><option value="">Why lost?</option>{{range .}}<option>{{.}}</option>{{end}}</select>{{else}}<input name="reason" id="lost-reason" placeholder="Why lost?" required aria-label="Lost reason">{{end}}<button type="submit" id="lead-lost">Lost</button></form></div>
<div class="actions"><form method="post" action="/desk/leads/{{$l.ID}}/reassign">
<input name="note" placeholder="Note for the next rep" aria-label="Reassign note"><button class="quiet" type="submit" id="lead-reassign">Reassign</button></form></div>
{{else if or (eq $l.Status "won") (eq $l.Status "lost")}}<div class="actions"><form method="post" action="/desk/leads/{{$l.ID}}/reopen"><button class="quiet" type="submit" id="lead-reopen">Reopen</button></form></div>
{{end}}{{else}}<p class="muted" id="read-only">Read-only: this lead belongs to another rep.</p>{{end}}
</div>
<div class="card"><h2>History</h2><table>
{{range .Data.Events}}<tr><td class="nw">{{when .CreatedAt}}</td><td><span class="tag">{{.Kind}}</span></td><td>{{.Note}}</td></tr>
{{else}}<tr><td class="muted">No events yet.</td></tr>{{end}}</table></div>
</section>
<section class="card"><h2>Mails</h2>{{template "mails" .Data.Mails}}</section>
{{template "bottom"}}{{end}}

{{define "inquiry"}}{{template "top" .}}{{$q := .Data.Inquiry}}
<h1>{{$q.Reference}}: {{$q.Subject}} <span class="tag">{{$q.Category}}</span></h1>
<section class="grid cols">
<div class="card"><table>
<tr><th>From</th><td>{{$q.ContactEmail}}</td></tr>
<tr><th>Reference</th><td>{{$q.Reference}}</td></tr>
<tr><th>Category</th><td>{{$q.Category}} ({{printf "%.0f" (mul100 $q.Confidence)}}% sure)</td></tr>
{{with $q.Language}}<tr><th>Language</th><td id="inquiry-language">{{language .}}</td></tr>{{end}}
<tr><th>Status</th><td>{{$q.Status}}</td></tr>
<tr><th>Received</th><td>{{when $q.CreatedAt}}</td></tr>
{{with .Data.Customer}}<tr><th>Account</th><td><a href="/desk/accounts/{{.ID}}">{{.Name}}</a></td></tr>{{end}}
<tr><th>Hand-off owner</th><td>{{with .Data.Owner}}{{.Name}} ({{.Email}}){{else}}none{{end}}</td></tr>
{{with .Data.Lead}}<tr><th>Lead</th><td><a href="/desk/leads/{{.ID}}">{{.Ref}} {{.Status}}</a></td></tr>{{end}}
</table>
{{if .Data.Writable}}<form class="actions" method="post" action="/desk/inquiries/{{$q.ID}}/label">
<select name="category" aria-label="Category">{{range .Data.Categories}}<option{{if eq (print .) $q.Category}} selected{{end}}>{{.}}</option>{{end}}</select>
<button type="submit">Re-label</button> <span class="muted">The classifier learns from it.</span></form>{{end}}
</div>
<div class="card"><h2>Attachments</h2>{{range .Data.Attachments}}<div>{{.Name}} <span class="muted">{{.ContentType}}, {{kb .Size}}</span></div>{{else}}<p class="muted">None.</p>{{end}}</div>
</section>
<section class="card"><h2>Thread</h2>{{template "mails" .Data.Mails}}</section>
{{template "bottom"}}{{end}}

{{define "account"}}{{template "top" .}}{{$c := .Data.Customer}}
<h1>{{$c.Name}} <span class="muted">{{$c.Domain}}</span></h1>
<section class="grid cols">
<div class="card"><h2>Account</h2><table>
<tr><th>Owner</th><td>{{with .Data.Owner}}{{.Name}}{{else}}none{{end}}</td></tr>
<tr><th>Country</th><td>{{$c.Country}} {{$c.Region}}</td></tr>
{{if $c.OptedOut}}<tr><th>Mail</th><td>opted out</td></tr>{{end}}
</table><h2>Contacts</h2><table>{{range .Data.Contacts}}<tr><td>{{.Name}}</td><td>{{.Email}}</td><td>{{.Title}}</td></tr>{{else}}<tr><td class="muted">None.</td></tr>{{end}}</table>
<h2>Orders</h2><table>{{range .Data.Orders}}<tr><td>{{.Number}}</td><td><span class="tag">{{.Status}}</span></td><td class="num">{{money .AmountCents .Currency}}</td></tr>{{else}}<tr><td class="muted">None.</td></tr>{{end}}</table>
{{if .Data.MoreOrders}}<p class="muted" id="account-more-orders">The newest {{len .Data.Orders}} orders; the account has older ones.</p>{{end}}</div>
<div class="card"><h2>Timeline</h2>{{if not .Data.Since.IsZero}}<p class="muted" id="account-since">Since {{when .Data.Since}}; older entries are not shown.</p>{{end}}<table>
{{range .Data.Timeline}}<tr><td class="nw">{{when .At}}</td><td>{{.Kind}}</td><td>{{if .URL}}<a href="{{.URL}}">{{.Text}}</a>{{else}}{{.Text}}{{end}}</td><td><span class="tag">{{.Tag}}</span></td></tr>
{{else}}<tr><td class="muted">Nothing yet.</td></tr>{{end}}</table></div>
</section>
{{template "bottom"}}{{end}}

{{define "search"}}{{template "top" .}}
<h1>Search</h1>
<form method="get" action="/desk/search" class="actions"><input name="q" value="{{.Data.Query}}" size="40" id="search-q" aria-label="Search"><button type="submit">Search</button></form>
{{if .Data.Query}}{{if .Data.Hits}}<table id="search-results"><tr><th>What</th><th>Found</th><th>Detail</th><th>When</th><th>Matched</th></tr>
{{range .Data.Hits}}<tr><td>{{.Kind}}</td><td>{{if eq .Kind "inquiry"}}<a href="/desk/inquiries/{{.ID}}">{{.Title}}</a>{{else if eq .Kind "lead"}}<a href="/desk/leads/{{.ID}}">{{.Title}}</a>{{else if eq .Kind "customer"}}<a href="/desk/accounts/{{.ID}}">{{.Title}}</a>{{else}}<a href="/desk/accounts/{{.Related}}">{{.Title}}</a>{{end}}</td>
<td>{{.Detail}}</td><td class="nw">{{when .At}}</td><td>{{.Reason}}</td></tr>
{{end}}</table>{{else}}<p class="muted">Nothing found for “{{.Data.Query}}”.</p>{{end}}
{{else}}<p class="muted">Search by reference (SD-123), e-mail address, customer name, order number or words in the mail.</p>{{end}}
{{template "bottom"}}{{end}}

{{define "team"}}{{template "top" .}}
<h1>Team</h1>
<section class="card"><h2>Reps <span class="muted">· won and lost since {{when .Data.Since}}</span></h2>
<table id="team-load"><tr><th>Rep</th><th>Role</th><th class="num">Assigned</th><th class="num">Overdue</th><th class="num">Contacted</th><th class="num">Won</th><th class="num">Lost</th><th class="num">Won value</th></tr>
{{range .Data.Load}}<tr><td>{{.Rep.Name}} <span class="muted">{{.Rep.Email}}</span></td><td>{{.Role}}</td><td class="num">{{.Assigned}}</td><td class="num{{if .Overdue}} overdue{{end}}">{{.Overdue}}</td><td class="num">{{.Contacted}}</td><td class="num">{{.Won}}</td><td class="num">{{.Lost}}</td><td class="num">{{money .WonCents ""}}</td></tr>
{{end}}</table></section>
<section class="card"><h2>Open leads</h2><table id="team-leads"><tr><th>Lead</th><th>Rep</th><th>Status</th><th>Assigned</th></tr>
{{range .Data.Open}}<tr><td><a href="/desk/leads/{{.ID}}">{{.Ref}} {{.Summary}}</a></td><td>{{index $.Data.Names .RepID}}</td><td><span class="tag">{{.Status}}</span></td><td class="nw">{{when .AssignedAt}}</td></tr>
{{else}}<tr><td class="muted">No open leads.</td></tr>{{end}}</table></section>
{{template "bottom"}}{{end}}

{{define "orderrequests"}}{{template "top" .}}
<h1>Order requests <span class="muted">· {{.Data.Status}}</span></h1>
<p><a href="/desk/order-requests?status=pending">Open</a> · <a href="/desk/order-requests?status=done">Done</a> · <a href="/desk/order-requests?status=rejected">Rejected</a></p>
<section class="card">{{if .Data.Rows}}<table><tr><th>Received</th><th>Kind</th><th>Order</th><th>What the customer wrote</th><th></th></tr>
{{range .Data.Rows}}<tr><td class="nw">{{when .CreatedAt}}</td><td><span class="tag{{if eq .Kind "rush"}} critical{{end}}">{{.Kind}}</span></td>
<td>{{with .Order}}<a href="/desk/accounts/{{.CustomerID}}">{{.Number}}</a> {{.Status}}{{end}}</td><td>{{.Words}}{{if .InquiryID}} <a href="/desk/inquiries/{{.InquiryID}}">thread</a>{{end}}</td>
<td>{{if and (eq .Status "pending") (ne $.Me.Role "viewer")}}<form method="post" action="/desk/order-requests/{{.ID}}/done" class="actions"><input name="note" placeholder="Note to the customer" aria-label="Note"><button type="submit">Done</button></form>
<form method="post" action="/desk/order-requests/{{.ID}}/rejected" class="actions"><input name="note" placeholder="Why not" aria-label="Reason"><button class="quiet" type="submit">Reject</button></form>{{else}}{{.Status}}{{end}}</td></tr>
{{end}}</table>{{else}}<p class="muted">No {{.Data.Status}} order requests.</p>{{end}}</section>
{{template "bottom"}}{{end}}

{{define "reports"}}{{template "top" .}}
<style>
.periods{grid-template-columns:repeat(3,1fr);margin-bottom:1rem}
.periods a.card{display:block;color:#1d2530}
.periods a.card:hover{text-decoration:none;box-shadow:0 2px 8px rgba(36,87,197,.25)}
.periods b{display:block;font-size:1.05rem}
.periods span{color:#6b7686;font-size:.9rem}
.earlier{grid-template-columns:1fr 1fr}
@media (max-width:900px){.periods{grid-template-columns:repeat(2,1fr)}.earlier{grid-template-columns:1fr}}
</style>
<h1>KPI reports</h1>
<section class="grid periods">
{{- range .Data.Named}}
<a class="card" href="{{.Path}}"><b>{{.Name}}</b><span>{{.Range}}</span></a>
{{- end}}
</section>
<section class="grid earlier">
<div class="card"><h2>Earlier days</h2><table>
{{- range .Data.Days}}
<tr><td><a href="{{.Path}}">{{.Name}}</a></td><td class="num"><a href="{{.CSV}}">CSV</a></td></tr>
{{- end}}
</table></div>
<div class="card"><h2>Earlier weeks</h2><table>
{{- range .Data.Weeks}}
<tr><td><a href="{{.Path}}">{{.Name}}</a></td><td class="muted">{{.Range}}</td><td class="num"><a href="{{.CSV}}">CSV</a></td></tr>
{{- end}}
</table></div>
</section>
<p class="muted">Reports are compiled from the database when opened. Daily and weekly reports are also mailed to the configured recipients.</p>
{{template "bottom"}}{{end}}

{{define "report"}}{{template "top" .}}
<p class="muted"><a href="/desk/reports">← all reports</a></p>
{{.Data.Report}}
{{template "bottom"}}{{end}}

{{define "alerts"}}{{template "top" .}}
<h1>Alerts</h1>
<form method="get" action="/desk/alerts" class="actions">
<select name="state" aria-label="State">{{range .Data.States}}<option{{if eq . $.Data.State}} selected{{end}}>{{.}}</option>{{end}}</select>
<select name="kind" aria-label="Kind"><option value="">every kind</option>{{range .Data.Kinds}}<option{{if eq . $.Data.Kind}} selected{{end}}>{{.}}</option>{{end}}</select>
<button type="submit">Filter</button></form>
<section class="card">{{if .Data.Alerts}}<table id="alerts"><tr><th>Severity</th><th>Alert</th><th>Evidence</th><th class="num">Seen</th><th>Last</th><th>State</th><th></th></tr>
{{range .Data.Alerts}}<tr id="alert-{{.ID}}"><td><span class="tag {{.Severity}}">{{.Severity}}</span></td><td>{{.Subject}}<div class="muted">{{.Kind}}{{if .CustomerID}} · <a href="/desk/accounts/{{.CustomerID}}">account</a>{{end}}</div></td>
<td><pre style="white-space:pre-wrap;margin:0;font:inherit">{{.Detail}}</pre></td><td class="num">{{.Occurrences}}×</td><td class="nw">{{when .LastSeenAt}}</td>
<td class="state">{{.Status}}{{if .AcknowledgedBy}} <span class="muted">by {{.AcknowledgedBy}}</span>{{end}}</td>
<td>{{if ne $.Me.Role "viewer"}}{{if eq .Status "open"}}<form class="inline" method="post" action="/desk/alerts/{{.ID}}/acknowledge"><input type="hidden" name="back" value="/desk/alerts?state={{$.Data.State}}&kind={{$.Data.Kind}}"><button class="quiet" type="submit" id="ack-{{.ID}}">Acknowledge</button></form>{{end}}
{{if ne .Status "closed"}}<form class="inline" method="post" action="/desk/alerts/{{.ID}}/resolve"><input type="hidden" name="back" value="/desk/alerts?state={{$.Data.State}}&kind={{$.Data.Kind}}"><button type="submit" id="resolve-{{.ID}}">Resolve</button></form>{{end}}{{end}}</td></tr>
{{end}}</table>{{with .Data.Next}}<p><a href="{{.}}">More</a></p>{{end}}{{else}}<p class="muted">No alerts match.</p>{{end}}</section>
{{template "bottom"}}{{end}}
`
