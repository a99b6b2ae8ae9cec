package api

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/internal/testenv"
	"salesdesk/internal/web"
)

// mountInWeb serves f's API inside the web server with tokens and one
// admin, ada (password "admin password 123"), on a test HTTP server.
func mountInWeb(t *testing.T, f *fixture, tokens []web.Token) *httptest.Server {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte("admin password 123"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{
		Admins:    []web.User{{Username: "ada", PasswordHash: string(hash)}},
		APITokens: tokens,
		// The dashboard is not used here; it connects lazily.
		RedisConnOpt: asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBAPI},
		API:          f.h,
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// The API is mounted in the web server behind bearer-token auth: no token
// or a wrong one is 401, the configured one gets through and is the
// caller the hooks are told about.
func TestMountedInWebNeedsTheToken(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const secret = "0123456789abcdef0123456789abcdef"
	ts := mountInWeb(t, f, []web.Token{{Name: "crm", Secret: secret, Scopes: []string{ScopeWrite, ScopeRead}}})

	q := mailInquiry(t, f.st, 1, "ann@acme.example", "Quote", "A quote for 5 pumps please", 0)
	tests := []struct {
		name       string
		method     string
		path       string
		auth       string
		body       string
		wantStatus int
	}{
		{"no token", "GET", "/api/v1/reps", "", "", 401},
		{"wrong token", "GET", "/api/v1/reps", "Bearer " + strings.Repeat("x", 32), "", 401},
		{"basic auth of an admin", "GET", "/api/v1/reps", "Basic YWRhOmFkbWluIHBhc3N3b3JkIDEyMw==", "", 403},
		{"no token on a write", "POST", "/api/v1/leads", "", `{"contact_email":"a@b.example"}`, 401},
		{"token", "GET", "/api/v1/reps", "Bearer " + secret, "", 200},
		{"token on the index", "GET", "/api/v1/", "Bearer " + secret, "", 200},
		{"token on a write", "POST", "/api/v1/leads", "Bearer " + secret, `{"contact_email":"a@b.example"}`, 201},
		{"token labels", "POST", fmt.Sprintf("/api/v1/inquiries/%d/label", q.ID), "Bearer " + secret, `{"category":"quote_request"}`, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequest(tt.method, ts.URL+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			if body != nil {
				req.Header.Set("Content-Type", "application/json")
			}
			res, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", res.StatusCode, tt.wantStatus, b)
			}
			if tt.wantStatus == 401 && !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("WWW-Authenticate %q", res.Header.Get("WWW-Authenticate"))
			}
		})
	}
	if len(f.hooks.labels) != 1 || f.hooks.labels[0].By != "api:crm" {
		t.Errorf("label hook calls = %+v, want one by api:crm", f.hooks.labels)
	}
	if len(f.hooks.leads) != 1 {
		t.Errorf("lead hook calls = %v, want one (the unauthenticated post must not reach the store)", f.hooks.leads)
	}
}

// A database busy past its timeout is a 503 with Retry-After, not a 500.
func TestBusyDatabaseIsRetryable(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "busy.db")
	f := setupDSN(t, "sqlite:"+path)
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	// The store waits out its busy timeout (5 s) for the write lock.
	res := f.do("POST", "/api/v1/customers", `{"name":"Acme"}`).mustStatus(t, http.StatusServiceUnavailable)
	if res.Header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	var e errorBody
	res.json(t, &e)
	if e.RequestID == "" || strings.Contains(e.Error, "SQLITE") || strings.Contains(e.Error, "locked") {
		t.Errorf("answer %s", res.Body)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	f.do("POST", "/api/v1/customers", `{"name":"Acme"}`).mustStatus(t, http.StatusCreated)
}
