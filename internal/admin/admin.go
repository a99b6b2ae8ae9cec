package admin

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"salesdesk/internal/store"
	"salesdesk/internal/web"
)

// Store is what the pages read from the database.
type Store interface {
	ListInquiries(ctx context.Context, f store.InquiryFilter) ([]store.Inquiry, error)
	ListLeads(ctx context.Context, f store.LeadFilter) ([]store.Lead, error)
	ListMeetings(ctx context.Context, f store.MeetingFilter) ([]store.Meeting, error)
	ListAlerts(ctx context.Context, f store.AlertFilter) ([]store.Alert, error)
}

// CapturedMail is one outbound mail as an SMTP server received it.
type CapturedMail struct {
	From string   // MAIL FROM
	To   []string // RCPT TO
	Data []byte   // the whole message
}

// Options configure the admin pages.
type Options struct {
	// Store is read for the home page's counts. Required.
	Store Store
	// Location decides where "today" begins and ends; default UTC.
	Location *time.Location
	// Now is the clock; default time.Now.
	Now func() time.Time

	// SentMail, when set, serves /demo/mail with the mails it returns
	// (oldest first) and links to it from the home page.
	SentMail func() []CapturedMail
	// RecipientKind sorts sent-mail recipients into "customer", "rep" and
	// "manager"; nil calls everyone a customer.
	RecipientKind func(addr string) string

	// DashboardURL, ReportsURL and APIDocsURL are linked from the home
	// page; an empty ReportsURL leaves the reports link out (the desk
	// serves the reports). Defaults: "/monitoring/" and "/api/v1/".
	DashboardURL string
	ReportsURL   string
	APIDocsURL   string

	// Logger receives failures to read the store; nil discards.
	Logger *slog.Logger
}

// SentMailPath is where the sent-mail page is served when Options.SentMail is set.
const SentMailPath = "/demo/mail"

// Pages is the admin pages' handler.
type Pages struct {
	o   Options
	mux *http.ServeMux
}

// New returns the admin pages as one handler, to mount as
// web.Options.Pages.
func New(o Options) (*Pages, error) {
	if o.Store == nil {
		return nil, errors.New("admin: no store")
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RecipientKind == nil {
		o.RecipientKind = func(string) string { return KindCustomer }
	}
	if o.DashboardURL == "" {
		o.DashboardURL = "/monitoring/"
	}
	if o.APIDocsURL == "" {
		o.APIDocsURL = "/api/v1/"
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	p := &Pages{o: o, mux: http.NewServeMux()}
	p.mux.HandleFunc("GET /{$}", p.home)
	if o.SentMail != nil {
		p.mux.HandleFunc("GET "+SentMailPath, p.sentMail)
	}
	return p, nil
}

// ServeHTTP serves the pages.
func (p *Pages) ServeHTTP(w http.ResponseWriter, r *http.Request) { p.mux.ServeHTTP(w, r) }

// nav is the header every page shows.
type nav struct {
	Title     string
	Active    string
	User      string
	Dashboard string
	Reports   string
	APIDocs   string
	SentMail  string
	// Refresh, when above zero, reloads the page every so many seconds.
	Refresh int
}

func (p *Pages) nav(r *http.Request, title, active string) nav {
	n := nav{Title: title, Active: active, Dashboard: p.o.DashboardURL, Reports: p.o.ReportsURL, APIDocs: p.o.APIDocsURL}
	if p.o.SentMail != nil {
		n.SentMail = SentMailPath
	}
	if pr, ok := web.PrincipalFrom(r.Context()); ok {
		n.User = pr.Name
	}
	return n
}

func render(w http.ResponseWriter, t *template.Template, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Sanitised mail HTML may carry inline styles; nothing on these pages
	// runs script or loads from elsewhere.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'self'")
	if err := t.Execute(w, data); err != nil {
		// The header is out; all that is left is to stop writing.
		return
	}
}

const layoutCSS = `
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1d2530}
a{color:#2457c5;text-decoration:none}a:hover{text-decoration:underline}
header{background:#1d2530;color:#fff}
header .bar{max-width:1200px;margin:0 auto;padding:.7rem 1.5rem;display:flex;align-items:center;gap:1.5rem}
header .brand{font-weight:700;font-size:1.1rem;color:#fff;letter-spacing:.02em}
header nav{display:flex;gap:1.1rem;flex:1}
header nav a{color:#c9d3e0}header nav a.on{color:#fff;font-weight:600}
header .user{color:#c9d3e0;font-size:.9rem}header .user a{color:#fff;margin-left:.6rem}
main{max-width:1200px;margin:0 auto;padding:1.5rem}
h1{font-size:1.4rem;margin:0 0 1rem}h2{font-size:1.05rem;margin:0 0 .8rem}
.muted{color:#6b7686;font-size:.9rem}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.07);padding:1.1rem 1.25rem}
.grid{display:grid;gap:1rem}.grid>*{min-width:0}
.stats{grid-template-columns:repeat(4,1fr);margin-bottom:1rem}
.stat .n{font-size:2.1rem;font-weight:700;line-height:1.1}
.stat .l{color:#4a5565;font-size:.9rem}
.stat.warn .n{color:#b45309}.stat.bad .n{color:#b91c1c}
.cols{grid-template-columns:minmax(21rem,1fr) 2fr;margin-bottom:1rem}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #edf0f4;vertical-align:top}
td.nw{white-space:nowrap}
th{font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#6b7686;font-weight:600}
.bar-row{display:grid;grid-template-columns:8.5rem 1fr 2.5rem;align-items:center;gap:.6rem;margin:.3rem 0}
.bar-track{background:#edf0f4;border-radius:4px;height:.7rem}
.bar-fill{background:#2457c5;border-radius:4px;height:.7rem}
.num{text-align:right;font-variant-numeric:tabular-nums}
.tag{display:inline-block;padding:.05rem .45rem;border-radius:999px;font-size:.78rem;background:#e8eefb;color:#1c469f;white-space:nowrap}
.tag.rep{background:#e6f6ec;color:#166534}.tag.manager{background:#fdf1e3;color:#9a4a05}
.tag.critical{background:#fdecec;color:#9b1c1c}.tag.warning{background:#fdf1e3;color:#9a4a05}
.links{grid-template-columns:repeat(4,1fr)}
.links a{display:block;padding:.9rem 1rem;border:1px solid #dbe2ea;border-radius:8px;background:#fff}
.links a b{display:block;color:#1d2530}.links a span{color:#6b7686;font-size:.85rem}
.subject{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
table.latest{table-layout:fixed}
@media (max-width:900px){.stats,.links{grid-template-columns:repeat(2,1fr)}.cols{grid-template-columns:1fr}}
`

const headerTemplate = `{{define "header"}}<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
{{if .Nav.Refresh}}<meta http-equiv="refresh" content="{{.Nav.Refresh}}">
{{end}}<title>{{.Nav.Title}} · salesdesk</title>
<style>` + layoutCSS + `{{template "css" .}}</style>
</head>
<body>
<header><div class="bar">
<a class="brand" href="/">salesdesk</a>
<nav>
<a href="/"{{if eq .Nav.Active "home"}} class="on"{{end}}>Home</a>
<a href="/desk/">Desk</a>
<a href="{{.Nav.Dashboard}}">Queues</a>
{{with .Nav.SentMail}}<a href="{{.}}"{{if eq $.Nav.Active "mail"}} class="on"{{end}}>Sent mail</a>{{end}}
{{with .Nav.Reports}}<a href="{{.}}"{{if eq $.Nav.Active "reports"}} class="on"{{end}}>Reports</a>{{end}}
<a href="{{.Nav.APIDocs}}">API</a>
</nav>
{{with .Nav.User}}<span class="user">{{.}}<a href="/logout">Sign out</a></span>{{end}}
</div></header>
{{end}}`
