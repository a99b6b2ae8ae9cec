package meetingweb

import (
	"net/http"

	"salesdesk/internal/link"
)

// page and form are the one-click pages of internal/link: the meeting
// pages look and answer (headers, no scripts) as every other signed link
// does.
type (
	page = link.Page
	form = link.PageForm
)

// noteInput is the rep's note of the next step on an outcome form.
var noteInput = &link.PageInput{Name: "note", Label: "Next step (optional)"}

func render(w http.ResponseWriter, p page) { link.RenderPage(w, p) }
