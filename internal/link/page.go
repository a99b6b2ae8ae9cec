package link

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// page is what every answer of this package shows: a title, a few
// sentences and, on a confirmation, one form with one button.
type page struct {
	Status  int
	Title   string
	Lines   []string
	Details [][2]string // label and value rows, e.g. a meeting's time and people
	Form    *form
	Forms   []form // further one-button forms, after Form
	Done    bool
	Lang    string // the page's language (ISO 639-1); "" is English
}

// form posts the link back to itself; Fields carry its signature.
type form struct {
	Action string
	Fields []field
	Button string
}

// field is a form value; one with a Label is a text box the reader fills
// in (a one-line box when Line, a choice when Options), the others are
// hidden.
type field struct {
	Name, Value, Label string
	Line               bool
	Options            []string
}

// pageTemplate is deliberately plain: no scripts, no external resources,
// one inline style sheet (the Content-Security-Policy allows nothing else).
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="{{or .Lang "en"}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{.Title}} · salesdesk</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; }
main { max-width: 32rem; margin: 4rem auto; padding: 2rem; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
h1.done { color: #1a7f37; }
button { font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: 6px; background: #0969da; color: #fff; cursor: pointer; }
button:hover { background: #0550ae; }
table { border-collapse: collapse; margin: 1rem 0; }
td { padding: .15rem 1rem .15rem 0; vertical-align: top; }
td.k { color: #656d76; }
footer { margin-top: 2rem; font-size: .85rem; color: #656d76; }
</style>
</head>
<body>
<main>
<h1{{if .Done}} class="done"{{end}} id="title">{{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{with .Details}}<table>{{range .}}<tr><td class="k">{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>
{{end}}{{with .Form}}{{template "form" .}}{{end}}{{range .Forms}}{{template "form" .}}{{end}}<footer>salesdesk</footer>
</main>
</body>
</html>
{{define "form"}}<form method="post" action="{{.Action}}">
{{range .Fields}}{{if .Options}}<p><label>{{.Label}}<br><select name="{{.Name}}" required>{{$v := .Value}}{{range .Options}}<option{{if eq . $v}} selected{{end}}>{{.}}</option>{{end}}</select></label></p>{{else if .Line}}<p><label>{{.Label}}<br><input name="{{.Name}}" value="{{.Value}}" size="20" maxlength="40" required></label></p>{{else if .Label}}<p><label>{{.Label}}<br><textarea name="{{.Name}}" rows="3" cols="50" maxlength="2000">{{.Value}}</textarea></label></p>{{else}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">{{end}}
{{end}}<button type="submit">{{.Button}}</button>
</form>
{{end}}`))

// render writes p with headers that keep the page, and the signed URL it
// came from, out of caches, referrers and frames.
func render(w http.ResponseWriter, p page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	status := p.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// Page is a page another package's signed links answer with, drawn as
// this package's own pages are: a title, sentences, label/value rows and
// one-button forms.
type Page struct {
	Status  int // 0 is 200
	Title   string
	Done    bool
	Lines   []string
	Details [][2]string
	Forms   []PageForm
	Lang    string // the page's language (ISO 639-1); "" is English
}

// PageForm is one button that posts to Action (a signed link, its
// signature in the query). Input adds a text box named Input.Name.
type PageForm struct {
	Action string
	Button string
	Input  *PageInput
}

// PageInput is a text box of a PageForm.
type PageInput struct{ Name, Label, Value string }

// RenderPage writes p like this package's pages, with the same headers.
func RenderPage(w http.ResponseWriter, p Page) {
	out := page{Status: p.Status, Title: p.Title, Done: p.Done, Lines: p.Lines, Details: p.Details, Lang: p.Lang}
	for _, f := range p.Forms {
		pf := form{Action: f.Action, Button: f.Button}
		if f.Input != nil {
			pf.Fields = []field{{Name: f.Input.Name, Label: f.Input.Label, Value: f.Input.Value}}
		}
		out.Forms = append(out.Forms, pf)
	}
	render(w, out)
}

// confirmPage asks before applying a verified link. The form posts to the
// same path with the signature fields (exp, sig and extra, such as rep).
func confirmPage(r *http.Request, q url.Values, title, question, button string, extra []field) page {
	fields := append(slices.Clip(extra), field{Name: ParamExp, Value: q.Get(ParamExp)}, field{Name: ParamSig, Value: q.Get(ParamSig)})
	lines := []string{question}
	if exp, ok := expiry(q); ok {
		lines = append(lines, "This link works until "+exp.UTC().Format("Mon 2 Jan 2006 15:04 MST")+".")
	}
	return page{Title: title, Lines: lines, Form: &form{Action: r.URL.EscapedPath(), Fields: fields, Button: button}}
}

func donePage(message string) page {
	return page{Title: message, Done: true, Lines: []string{"You can close this page."}}
}

func notFoundPage() page {
	return page{Status: http.StatusNotFound, Title: "Not found",
		Lines: []string{"There is nothing here: the link is incomplete, or what it points to no longer exists."}}
}

// expiredPage says the link expired and what to do instead.
func expiredPage(path string) page {
	todo := "Ask your salesdesk administrator for help."
	switch {
	case strings.HasPrefix(path, "/triage/"):
		todo = "If the inquiry still needs a category, ask your salesdesk administrator to set it (the API can relabel it)."
	case strings.HasPrefix(path, "/order-requests/"):
		todo = "If the request is still open, close it on the desk's order-requests page."
	case strings.HasPrefix(path, "/leads/"):
		todo = "If the lead is still yours, use the links in your latest lead mail or daily lead list, or ask your sales manager to update it."
	}
	return page{Status: http.StatusGone, Title: "This link has expired",
		Lines: []string{"Links in salesdesk mails work for a limited time, and this one has run out. Nothing was changed.", todo}}
}

// expiry reads a link's exp parameter.
func expiry(q url.Values) (time.Time, bool) {
	exp, err := strconv.ParseInt(q.Get(ParamExp), 10, 64)
	return time.Unix(exp, 0), err == nil && exp > 0
}
