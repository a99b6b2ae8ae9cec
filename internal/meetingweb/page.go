package meetingweb

import (
	"bytes"
	"html/template"
	"net/http"
)

// page is what every answer shows: a title, a few lines, details and
// forms, each with one button that posts a signed link back.
type page struct {
	Status  int
	Title   string
	Done    bool
	Lines   []string
	Details [][2]string
	Forms   []form
}

// form posts to a signed link; the signature travels in Action's query.
type form struct {
	Action string
	Button string
	Note   bool // a text field for the rep's note (outcome)
}

// pageTemplate is plain: no scripts, no external resources.
var pageTemplate = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{{.Title}} · salesdesk</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; color: #1f2328; background: #f6f8fa; margin: 0; }
main { max-width: 34rem; margin: 4rem auto; padding: 2rem; background: #fff; border: 1px solid #d0d7de; border-radius: 8px; }
h1 { font-size: 1.35rem; margin: 0 0 1rem; }
h1.done { color: #1a7f37; }
table { border-collapse: collapse; margin: 1rem 0; }
td { padding: .15rem 1rem .15rem 0; vertical-align: top; }
td.k { color: #656d76; }
form { display: inline-block; margin: .5rem .5rem 0 0; }
button { font: inherit; padding: .6rem 1.2rem; border: 0; border-radius: 6px; background: #0969da; color: #fff; cursor: pointer; }
input[type=text] { font: inherit; padding: .5rem; width: 16rem; }
footer { margin-top: 2rem; font-size: .85rem; color: #656d76; }
</style>
</head>
<body>
<main>
<h1{{if .Done}} class="done"{{end}} id="title">{{.Title}}</h1>
{{range .Lines}}<p>{{.}}</p>
{{end}}{{with .Details}}<table>{{range .}}<tr><td class="k">{{index . 0}}</td><td>{{index . 1}}</td></tr>{{end}}</table>
{{end}}{{range .Forms}}<form method="post" action="{{.Action}}">{{if .Note}}<input type="text" name="note" placeholder="Next step (optional)" maxlength="500"> {{end}}<button type="submit">{{.Button}}</button></form>
{{end}}<footer>salesdesk</footer>
</main>
</body>
</html>
`))

func render(w http.ResponseWriter, p page) {
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		http.Error(w, "page failed", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	w.WriteHeader(p.Status)
	w.Write(buf.Bytes())
}
