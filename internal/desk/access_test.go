package desk

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// personas are everyone who may knock: "rep" owns the lead, the account
// and the inquiry; "other rep" does not.
var personas = []string{"anonymous", "rep", "other rep", "manager", "operations", "viewer", "admin"}

// TestAccessTable opens every page as every persona and checks the
// answer, and for pages everyone may read, whether they may change it.
func TestAccessTable(t *testing.T) {
	f := setup(t)
	const (
		see      = http.StatusOK
		redirect = http.StatusSeeOther
		no       = http.StatusForbidden
		unauth   = http.StatusUnauthorized
	)
	type want map[string]int
	all := func(code int) want {
		return want{"anonymous": redirect, "rep": code, "other rep": code, "manager": code, "operations": code, "viewer": code, "admin": code}
	}
	teamOnly := want{"anonymous": redirect, "rep": no, "other rep": no, "manager": see, "operations": see, "viewer": see, "admin": see}
	ownerWrites := want{"anonymous": unauth, "rep": redirect, "other rep": no, "manager": redirect, "operations": redirect, "viewer": no, "admin": redirect}
	teamWrites := want{"anonymous": unauth, "rep": no, "other rep": no, "manager": redirect, "operations": redirect, "viewer": no, "admin": redirect}
	tests := []struct {
		name   string
		method string
		path   string
		want   want
		// readOnly lists the personas who see the page without its forms.
		readOnly []string
		marker   string // text only the writable page shows
	}{
		{name: "my work", method: "GET", path: "/desk/", want: all(see)},
		{name: "lead", method: "GET", path: fmt.Sprintf("/desk/leads/%d", f.ritaLead.ID), want: all(see),
			readOnly: []string{"other rep", "viewer"}, marker: `id="lead-contacted"`},
		{name: "inquiry", method: "GET", path: fmt.Sprintf("/desk/inquiries/%d", f.inquiry.ID), want: all(see),
			readOnly: []string{"other rep", "viewer"}, marker: "Re-label"},
		{name: "account", method: "GET", path: fmt.Sprintf("/desk/accounts/%d", f.customer.ID), want: all(see)},
		{name: "search", method: "GET", path: "/desk/search?q=SO-48213", want: all(see)},
		{name: "team", method: "GET", path: "/desk/team", want: teamOnly},
		{name: "order requests", method: "GET", path: "/desk/order-requests", want: teamOnly,
			readOnly: []string{"viewer"}, marker: `name="note"`},
		{name: "alerts", method: "GET", path: "/desk/alerts", want: teamOnly,
			readOnly: []string{"viewer"}, marker: "Acknowledge"},
		{name: "alert", method: "GET", path: fmt.Sprintf("/desk/alerts/%d", f.alert.ID), want: teamOnly,
			readOnly: []string{"viewer"}, marker: fmt.Sprintf(`id="ack-%d"`, f.alert.ID)},
		{name: "reports", method: "GET", path: "/desk/reports", want: teamOnly},
		{name: "report", method: "GET", path: "/desk/reports/last-7-days", want: teamOnly},
		{name: "report csv", method: "GET", path: "/desk/reports/2026-W48?format=csv&table=daily", want: teamOnly},
		{name: "missing report", method: "GET", path: "/desk/reports/last-year", want: want{"anonymous": redirect,
			"rep": no, "other rep": no, "manager": http.StatusNotFound, "operations": http.StatusNotFound,
			"viewer": http.StatusNotFound, "admin": http.StatusNotFound}},
		{name: "accept lead", method: "POST", path: fmt.Sprintf("/desk/leads/%d/accept", f.ritaLead.ID), want: ownerWrites},
		{name: "relabel inquiry", method: "POST", path: fmt.Sprintf("/desk/inquiries/%d/label?category=quote_request", f.inquiry.ID), want: ownerWrites},
		{name: "acknowledge alert", method: "POST", path: fmt.Sprintf("/desk/alerts/%d/acknowledge", f.alert.ID), want: teamWrites},
		{name: "missing lead", method: "GET", path: "/desk/leads/999999", want: all(http.StatusNotFound)},
	}
	for _, tt := range tests {
		for _, who := range personas {
			t.Run(tt.name+"/"+who, func(t *testing.T) {
				c := f.persona(who)
				var code int
				var body string
				if tt.method == "GET" {
					code, body, _ = c.get(tt.path)
				} else {
					path, query, _ := strings.Cut(tt.path, "?")
					form := map[string][]string{}
					for _, kv := range strings.Split(query, "&") {
						if k, v, ok := strings.Cut(kv, "="); ok {
							form[k] = []string{v}
						}
					}
					code, body, _ = c.post(path, form)
				}
				if code != tt.want[who] {
					t.Fatalf("%s %s as %s: %d, want %d\n%s", tt.method, tt.path, who, code, tt.want[who], body)
				}
				if tt.marker == "" || code != http.StatusOK {
					return
				}
				wantForms := true
				for _, ro := range tt.readOnly {
					wantForms = wantForms && ro != who
				}
				if got := strings.Contains(body, tt.marker); got != wantForms {
					t.Errorf("%s as %s: page shows %q = %v, want %v", tt.path, who, tt.marker, got, wantForms)
				}
			})
		}
	}
}
