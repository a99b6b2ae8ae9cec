package api

import (
	"context"
	"net/url"
	"testing"
)

func TestSuppressions(t *testing.T) {
	t.Parallel()
	f := setup(t)

	var got suppressionJSON
	res := f.do("POST", "/api/v1/suppressions", `{"email":"Ann@Acme.example","reason":"asked by phone"}`).mustStatus(t, 201)
	res.json(t, &got)
	if got.ID == 0 || got.Email != "ann@acme.example" || got.Reason != "asked by phone" || got.InquiryID != nil || got.CreatedAt.IsZero() {
		t.Errorf("created = %+v", got)
	}
	if loc := res.Header.Get("Location"); loc != "/api/v1/suppressions/ann@acme.example" {
		t.Errorf("Location = %q", loc)
	}
	// The same address again: the existing entry, its first reason kept.
	var again suppressionJSON
	f.do("POST", "/api/v1/suppressions", `{"email":"ann@acme.example","reason":"again"}`).mustStatus(t, 200).json(t, &again)
	if again.ID != got.ID || again.Reason != "asked by phone" {
		t.Errorf("again = %+v, want the entry %d unchanged", again, got.ID)
	}
	var bob suppressionJSON
	f.do("POST", "/api/v1/suppressions", `{"email":"bob@bolt.example"}`).mustStatus(t, 201).json(t, &bob)
	if bob.Reason != DefaultSuppressionReason {
		t.Errorf("default reason = %q", bob.Reason)
	}
	// The store's own suppressions (an unsubscribe mail) show up too.
	if _, err := f.st.Suppress(context.Background(), "cy@corp.example", "unsubscribe", 0); err != nil {
		t.Fatal(err)
	}

	var l list[suppressionJSON]
	f.do("GET", "/api/v1/suppressions", nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 3 || l.Items[0].Email != "cy@corp.example" || l.Items[2].Email != "ann@acme.example" || l.Next != "" {
		t.Errorf("list = %+v", l)
	}
	var page1, page2 list[suppressionJSON]
	f.do("GET", "/api/v1/suppressions?limit=2", nil).mustStatus(t, 200).json(t, &page1)
	if len(page1.Items) != 2 || page1.Items[1].Email != "bob@bolt.example" || page1.Next == "" {
		t.Fatalf("page 1 = %+v", page1)
	}
	f.do("GET", "/api/v1/suppressions?limit=2&cursor="+url.QueryEscape(page1.Next), nil).mustStatus(t, 200).json(t, &page2)
	if len(page2.Items) != 1 || page2.Items[0].Email != "ann@acme.example" || page2.Next != "" {
		t.Errorf("page 2 = %+v", page2)
	}

	f.do("GET", "/api/v1/suppressions/ANN@acme.example", nil).mustStatus(t, 200).json(t, &got)
	if got.Email != "ann@acme.example" {
		t.Errorf("get = %+v", got)
	}

	// Re-subscribe: 204, the address is gone, and a second time is 404.
	res = f.do("DELETE", "/api/v1/suppressions/Ann@acme.example", nil).mustStatus(t, 204)
	if len(res.Body) != 0 {
		t.Errorf("204 with a body: %q", res.Body)
	}
	if ok, err := f.st.IsSuppressed(context.Background(), "ann@acme.example"); err != nil || ok {
		t.Errorf("after DELETE suppressed = %v, %v", ok, err)
	}
	f.do("DELETE", "/api/v1/suppressions/ann@acme.example", nil).mustStatus(t, 404)
	f.do("GET", "/api/v1/suppressions/ann@acme.example", nil).mustStatus(t, 404)
	// An address with characters that need escaping in a path.
	f.do("POST", "/api/v1/suppressions", `{"email":"a/b+c@corp.example"}`).mustStatus(t, 201)
	f.do("DELETE", "/api/v1/suppressions/"+url.PathEscape("a/b+c@corp.example"), nil).mustStatus(t, 204)
}

func TestSuppressionValidationNamesTheField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name      string
		method    string
		path      string
		body      string
		wantCode  int
		wantField string
	}{
		{"email missing", "POST", "/api/v1/suppressions", `{"reason":"x"}`, 422, "email"},
		{"email with name", "POST", "/api/v1/suppressions", `{"email":"Ann <ann@acme.example>"}`, 422, "email"},
		{"email with header injection", "POST", "/api/v1/suppressions", `{"email":"ann@acme.example\r\nBcc: x@evil.example"}`, 422, "email"},
		{"email wrong type", "POST", "/api/v1/suppressions", `{"email":5}`, 422, "email"},
		{"reason with newline", "POST", "/api/v1/suppressions", `{"email":"ann@acme.example","reason":"a\nb"}`, 422, "reason"},
		{"unknown field", "POST", "/api/v1/suppressions", `{"email":"ann@acme.example","why":"x"}`, 400, "why"},
		{"bad limit", "GET", "/api/v1/suppressions?limit=0", "", 422, "limit"},
		{"unknown query", "GET", "/api/v1/suppressions?email=a", "", 400, "email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			var body any
			if tt.body != "" {
				body = tt.body
			}
			var e errorBody
			f.do(tt.method, tt.path, body).mustStatus(t, tt.wantCode).json(t, &e)
			if _, ok := e.Fields[tt.wantField]; !ok {
				t.Errorf("fields = %v, want %q named", e.Fields, tt.wantField)
			}
		})
	}
}

func FuzzCreateSuppressionBody(f *testing.F) {
	for _, s := range []string{
		`{"email":"ann@acme.example","reason":"asked by phone"}`,
		`{"email":"ANN@ACME.EXAMPLE"}`,
		`{"email":"ann@acme.example\r\nBcc: all@example.com"}`,
		`{"email":null}`,
		`{"reason":"x"}`,
	} {
		f.Add([]byte(s))
	}
	fuzzBody(f, "/api/v1/suppressions")
}
