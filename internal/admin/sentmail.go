package admin

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"salesdesk/internal/mailparse"
)

// Recipient kinds on the sent-mail page.
const (
	KindCustomer = "customer"
	KindRep      = "rep"
	KindManager  = "manager"
)

// sentMailPageSize is how many mails the sent-mail page shows at once.
const sentMailPageSize = 50

// SentMailFilter selects captured mails: by the kind of a recipient and by a
// piece of a recipient's address (case-insensitive); empty matches all.
type SentMailFilter struct {
	Kind    string
	Address string
}

// FilterSentMail returns the mails that f selects, newest first, with the
// number of mails per recipient kind among those that match f.Address
// (under "" the number of all of them).
func FilterSentMail(mails []CapturedMail, f SentMailFilter, kindOf func(string) string) (out []CapturedMail, perKind map[string]int) {
	addr := strings.ToLower(strings.TrimSpace(f.Address))
	perKind = map[string]int{}
	for i := len(mails) - 1; i >= 0; i-- {
		m := mails[i]
		kinds := map[string]bool{}
		addrMatch := addr == ""
		for _, to := range m.To {
			kinds[kindOf(to)] = true
			if !addrMatch && strings.Contains(strings.ToLower(to), addr) {
				addrMatch = true
			}
		}
		if !addrMatch {
			continue
		}
		perKind[""]++
		for k := range kinds {
			perKind[k]++
		}
		if f.Kind != "" && !kinds[f.Kind] {
			continue
		}
		out = append(out, m)
	}
	return out, perKind
}

// shownMail is a captured mail as the sent-mail page shows it.
type shownMail struct {
	N           int
	From        string
	To          []recipient
	Subject     string
	Date        string
	MessageID   string
	InReplyTo   string
	HTML        template.HTML // sanitised
	Text        string
	Attachments []shownAttachment
	Invite      bool
	Automated   string // Auto-Submitted value, when set
	Warnings    []string
}

type recipient struct{ Addr, Kind string }

type shownAttachment struct {
	Name, Type, Size string
	Calendar         bool
}

type sentMailData struct {
	Nav     nav
	Filter  SentMailFilter
	Kinds   []kindTab
	Total   int
	Shown   []shownMail
	More    int
	Offset  int
	NextURL string
}

type kindTab struct {
	Kind, Label, URL string
	Count            int
	On               bool
}

func (p *Pages) sentMail(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := SentMailFilter{Kind: q.Get("kind"), Address: q.Get("to")}
	switch f.Kind {
	case "", KindCustomer, KindRep, KindManager:
	default:
		f.Kind = ""
	}
	if len(f.Address) > 200 {
		f.Address = f.Address[:200]
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(0, offset)

	mails, perKind := FilterSentMail(p.o.SentMail(), f, p.o.RecipientKind)
	d := sentMailData{Nav: p.nav(r, "Sent mail", "mail"), Filter: f, Total: len(mails), Offset: offset}
	tabs := []struct{ kind, label string }{{"", "All"}, {KindCustomer, "To customers"}, {KindRep, "To reps"}, {KindManager, "To managers"}}
	for _, t := range tabs {
		d.Kinds = append(d.Kinds, kindTab{Kind: t.kind, Label: t.label, Count: perKind[t.kind], On: t.kind == f.Kind, URL: sentMailURL(t.kind, f.Address, 0)})
	}
	if offset > len(mails) {
		offset = len(mails)
	}
	page := mails[offset:]
	if len(page) > sentMailPageSize {
		d.More = len(page) - sentMailPageSize
		d.NextURL = sentMailURL(f.Kind, f.Address, offset+sentMailPageSize)
		page = page[:sentMailPageSize]
	}
	for i, m := range page {
		d.Shown = append(d.Shown, show(m, len(mails)-offset-i, p.o.RecipientKind))
	}
	render(w, sentMailTemplate, d)
}

func sentMailURL(kind, addr string, offset int) string {
	v := make([]string, 0, 3)
	if kind != "" {
		v = append(v, "kind="+kind)
	}
	if addr != "" {
		v = append(v, "to="+urlQueryEscape(addr))
	}
	if offset > 0 {
		v = append(v, "offset="+strconv.Itoa(offset))
	}
	if len(v) == 0 {
		return SentMailPath
	}
	return SentMailPath + "?" + strings.Join(v, "&")
}

// show parses a captured mail for display; what cannot be parsed is shown
// as raw text.
func show(m CapturedMail, n int, kindOf func(string) string) shownMail {
	s := shownMail{N: n, From: m.From}
	for _, to := range m.To {
		s.To = append(s.To, recipient{Addr: to, Kind: kindOf(to)})
	}
	pm, err := mailparse.Parse(m.Data, mailparse.Options{})
	if err != nil {
		s.Subject = "(unreadable message)"
		s.Text = string(m.Data)
		s.Warnings = []string{err.Error()}
		return s
	}
	s.Subject = pm.Subject
	if pm.From.Address != "" {
		s.From = pm.From.String()
	}
	if !pm.Date.IsZero() {
		s.Date = pm.Date.Local().Format("2 Jan 15:04:05")
	}
	s.MessageID = pm.MessageID
	if len(pm.InReplyTo) > 0 {
		s.InReplyTo = pm.InReplyTo[0]
	}
	s.Automated = pm.Headers.Get("Auto-Submitted")
	s.Text = pm.Text
	if pm.HTML != "" {
		s.HTML = template.HTML(SanitizeHTML(pm.HTML))
	}
	for _, a := range pm.Attachments {
		cal := strings.HasPrefix(strings.ToLower(a.ContentType), "text/calendar") || strings.HasSuffix(strings.ToLower(a.Name), ".ics")
		s.Invite = s.Invite || cal
		s.Attachments = append(s.Attachments, shownAttachment{Name: a.Name, Type: a.ContentType, Size: byteSize(a.Size), Calendar: cal})
	}
	// A calendar part inside multipart/alternative is an invitation too,
	// though no file is attached.
	if !s.Invite && bytes.Contains(bytes.ToLower(m.Data), []byte("content-type: text/calendar")) {
		s.Invite = true
		s.Attachments = append(s.Attachments, shownAttachment{Name: "invitation", Type: "text/calendar", Calendar: true})
	}
	s.Warnings = pm.Warnings
	return s
}

func byteSize(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/1024)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

var sentMailTemplate = template.Must(template.New("sent-mail").Parse(headerTemplate + `{{define "css"}}
.tabs{display:flex;gap:.4rem;flex-wrap:wrap;align-items:center;margin-bottom:1rem}
.tabs a{padding:.35rem .8rem;border-radius:999px;background:#fff;border:1px solid #dbe2ea;color:#1d2530}
.tabs a.on{background:#2457c5;border-color:#2457c5;color:#fff}
.tabs form{margin-left:auto;display:flex;gap:.4rem}
.tabs input{padding:.35rem .6rem;border:1px solid #c8d0da;border-radius:6px;font:inherit;width:16rem}
.tabs button{padding:.35rem .8rem;border:0;border-radius:6px;background:#2457c5;color:#fff;font:inherit}
details.mail{background:#fff;border-radius:10px;box-shadow:0 1px 4px rgba(0,0,0,.07);margin-bottom:.6rem}
details.mail>summary{list-style:none;cursor:pointer;padding:.7rem 1rem;display:grid;grid-template-columns:3.5rem 17rem 1fr 8rem;gap:.8rem;align-items:center}
details.mail>summary::-webkit-details-marker{display:none}
details.mail[open]>summary{border-bottom:1px solid #edf0f4}
.to{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.subj{overflow:hidden;text-overflow:ellipsis;white-space:nowrap;font-weight:600}
.meta{padding:.7rem 1rem;font-size:.85rem;color:#4a5565;border-bottom:1px solid #edf0f4}
.meta div{margin:.1rem 0}
.body{padding:1rem;overflow:auto;max-height:36rem}
.body pre{white-space:pre-wrap;font:inherit;margin:0}
.files{padding:.6rem 1rem;border-top:1px solid #edf0f4;font-size:.9rem}
.text{padding:0 1rem 1rem}
.text summary{cursor:pointer;color:#2457c5;font-size:.9rem}
.text pre{white-space:pre-wrap;font:13px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#f7f9fb;padding:.8rem;border-radius:6px}
.warn{color:#9a4a05}
{{end}}{{template "header" .}}
<main>
<h1>Sent mail <span class="muted">· every mail salesdesk sent in this demo, newest first, as the recipient sees it</span></h1>
<div class="tabs">
{{range .Kinds}}<a href="{{.URL}}"{{if .On}} class="on"{{end}} data-kind="{{.Kind}}">{{.Label}} <span class="count">{{.Count}}</span></a>
{{end}}
<form method="get" action="/demo/mail">
{{with .Filter.Kind}}<input type="hidden" name="kind" value="{{.}}">{{end}}
<input type="search" name="to" value="{{.Filter.Address}}" placeholder="recipient address contains…" aria-label="Recipient address">
<button type="submit">Filter</button>
</form>
</div>
{{if not .Shown}}<p class="card muted">No mail{{if or .Filter.Kind .Filter.Address}} matches this filter{{else}} sent yet: acknowledgements and hand-offs appear here as the workers process the inbox{{end}}.</p>{{end}}
{{range $i, $m := .Shown}}<details class="mail"{{if eq $i 0}} open{{end}} data-kinds="{{range .To}}{{.Kind}} {{end}}">
<summary><span class="muted">#{{.N}}</span><span class="to">{{range .To}}<span class="tag {{.Kind}}">{{.Kind}}</span> {{.Addr}} {{end}}</span><span class="subj">{{.Subject}}</span><span class="muted">{{.Date}}</span></summary>
<div class="meta">
<div><b>From</b> {{.From}}</div>
<div><b>To</b> {{range .To}}{{.Addr}} {{end}}</div>
{{with .MessageID}}<div><b>Message-ID</b> &lt;{{.}}&gt;</div>{{end}}
{{with .InReplyTo}}<div><b>In-Reply-To</b> &lt;{{.}}&gt;</div>{{end}}
{{with .Automated}}<div><b>Auto-Submitted</b> {{.}}</div>{{end}}
{{range .Warnings}}<div class="warn">{{.}}</div>{{end}}
</div>
<div class="body">{{if .HTML}}{{.HTML}}{{else}}<pre>{{.Text}}</pre>{{end}}</div>
{{if .Attachments}}<div class="files"><b>Attachments</b>{{range .Attachments}} · {{if .Calendar}}<span class="tag">invite</span> {{end}}{{.Name}} <span class="muted">({{.Type}}{{with .Size}}, {{.}}{{end}})</span>{{end}}</div>{{end}}
{{if .HTML}}<details class="text"><summary>Plain-text part</summary><pre>{{.Text}}</pre></details>{{end}}
</details>
{{end}}
{{if .More}}<p><a href="{{.NextURL}}">Older mail ({{.More}} more) →</a></p>{{end}}
</main>
</body></html>`))

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
