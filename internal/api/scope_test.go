package api

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"salesdesk/internal/web"
)

// Each token may use only the routes its scopes allow: the contact form's
// token creates leads and nothing else.
func TestTokenScopes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tokens := map[string][]string{
		"form":  {ScopeLeadsWrite},
		"crm":   {ScopeRead},
		"sync":  {ScopeRead, ScopeWrite},
		"ops":   {ScopeAdmin},
		"empty": nil,
	}
	var list []web.Token
	for name, scopes := range tokens {
		list = append(list, web.Token{Name: name, Secret: name + strings.Repeat("s", 32), Scopes: scopes})
	}
	ts := mountInWeb(t, f, list)

	for _, tt := range []struct {
		token, method, path, body string
		want                      int
	}{
		{"form", "POST", "/api/v1/leads", `{"contact_email":"a@b.example"}`, 201},
		{"form", "GET", "/api/v1/orders", "", 403},
		{"form", "GET", "/api/v1/leads", "", 403},
		{"form", "DELETE", "/api/v1/suppressions/x@y.example", "", 403},
		{"form", "PATCH", "/api/v1/orders/1", `{"status":"shipped"}`, 403},
		{"form", "POST", "/api/v1/reps", `{"email":"r@x.example","name":"R"}`, 403},
		{"form", "GET", "/api/v1/", "", 200},
		{"crm", "GET", "/api/v1/orders", "", 200},
		{"crm", "POST", "/api/v1/leads", `{"contact_email":"c@b.example"}`, 403},
		{"sync", "POST", "/api/v1/leads", `{"contact_email":"d@b.example"}`, 201},
		{"sync", "POST", "/api/v1/customers", `{"name":"Acme"}`, 201},
		{"sync", "POST", "/api/v1/reps", `{"email":"r@x.example","name":"R"}`, 403},
		{"sync", "DELETE", "/api/v1/suppressions/x@y.example", "", 403},
		{"ops", "POST", "/api/v1/reps", `{"email":"r@x.example","name":"R"}`, 201},
		{"empty", "GET", "/api/v1/orders", "", 403},
	} {
		t.Run(tt.token+" "+tt.method+" "+tt.path, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, _ := http.NewRequest(tt.method, ts.URL+tt.path, body)
			req.Header.Set("Authorization", "Bearer "+tt.token+strings.Repeat("s", 32))
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.want {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.want, b)
			}
			if tt.want == 403 && !strings.Contains(string(b), "lacks the scope") {
				t.Errorf("403 body %s does not name the scope", b)
			}
		})
	}
}
