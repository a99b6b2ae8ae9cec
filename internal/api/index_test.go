package api

import (
	"net/http"
	"strings"
	"testing"
)

func TestIndexAndDocsListEveryEndpoint(t *testing.T) {
	t.Parallel()
	f := setup(t)
	var idx struct {
		Docs      string     `json:"docs"`
		Endpoints []endpoint `json:"endpoints"`
	}
	f.do("GET", "/api/v1/", nil).mustStatus(t, 200).json(t, &idx)
	res := f.do("GET", "/api/v1/docs", nil).mustStatus(t, 200)
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("docs Content-Type %q", ct)
	}
	docs := string(res.Body)
	if idx.Docs != "/api/v1/docs" || len(idx.Endpoints) < 25 {
		t.Fatalf("index = %+v", idx)
	}
	want := []string{
		"GET /api/v1/inquiries", "GET /api/v1/inquiries/{id}", "POST /api/v1/inquiries/{id}/label",
		"POST /api/v1/inquiries/{id}/close", "GET /api/v1/attachments/{id}", "GET /api/v1/customers", "POST /api/v1/customers",
		"PATCH /api/v1/customers/{id}", "POST /api/v1/customers/{id}/contacts", "PATCH /api/v1/contacts/{id}",
		"GET /api/v1/orders", "POST /api/v1/orders", "PATCH /api/v1/orders/{id}", "GET /api/v1/order-requests",
		"GET /api/v1/reps", "POST /api/v1/reps", "PATCH /api/v1/reps/{id}", "GET /api/v1/leads", "GET /api/v1/suppressions", "POST /api/v1/suppressions",
		"GET /api/v1/suppressions/{email}", "DELETE /api/v1/suppressions/{email}",
		"POST /api/v1/leads", "GET /api/v1/leads/{id}", "POST /api/v1/leads/{id}/reassign",
		"POST /api/v1/leads/{id}/contacted", "POST /api/v1/leads/{id}/won", "POST /api/v1/leads/{id}/lost",
	}
	listed := map[string]bool{}
	for _, e := range idx.Endpoints {
		listed[e.Method+" "+e.Path] = true
		if e.Summary == "" {
			t.Errorf("%s %s has no summary", e.Method, e.Path)
		}
		if !strings.Contains(docs, "### "+e.Method+" "+e.Path+"\n") {
			t.Errorf("docs do not describe %s %s", e.Method, e.Path)
		}
	}
	for _, w := range want {
		if !listed[w] {
			t.Errorf("index lacks %s", w)
		}
	}
	// Every listed endpoint is served: a request to it is never the
	// router's 404 or 405.
	for _, e := range idx.Endpoints {
		path := strings.ReplaceAll(e.Path, "{id}", "1")
		var body any
		if e.Method != "GET" {
			body = `{}`
		}
		f.t = t
		res := f.do(e.Method, path, body)
		if res.Code == http.StatusMethodNotAllowed || strings.Contains(string(res.Body), "no such endpoint") {
			t.Errorf("%s %s: %d %s", e.Method, path, res.Code, res.Body)
		}
	}
}

func TestDocsWithoutAHandler(t *testing.T) {
	t.Parallel()
	f := setup(t)
	if got := string(f.do("GET", "/api/v1/docs", nil).mustStatus(t, 200).Body); got != Docs() {
		t.Error("Docs() differs from GET /api/v1/docs")
	}
}
