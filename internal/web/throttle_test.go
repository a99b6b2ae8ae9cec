package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"salesdesk/internal/testenv"
)

func TestLoginThrottle(t *testing.T) {
	var logs bytes.Buffer
	reg := prometheus.NewRegistry()
	f := setup(t, func(o *Options) {
		o.Registry = reg
		o.LoginThrottle = LoginThrottle{MaxFailures: 3, MaxFailuresPerClient: 5}
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	from := func(addr string) func(*http.Request) { return func(r *http.Request) { r.RemoteAddr = addr } }
	const typedSecret = "correct-horse-typed-as-name"
	for i := range 3 {
		w := postLogin(t, f.h, url.Values{"username": {adminName}, "password": {"wrong"}}, from("192.0.2.1:1000"))
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: POST /login = %d, want 401", i+1, w.Code)
		}
	}
	// The right password is refused too once the account is throttled,
	// from any address, and the page says why.
	w := postLogin(t, f.h, url.Values{"username": {adminName}, "password": {adminPass}}, from("198.51.100.7:2000"))
	if w.Code != http.StatusTooManyRequests || sessionCookie(t, w) != nil {
		t.Fatalf("throttled login = %d, want 429 without a session", w.Code)
	}
	if !strings.Contains(w.Body.String(), "Too many failed sign-in attempts. Try again in 15 minutes.") || w.Header().Get("Retry-After") == "" {
		t.Errorf("throttled page = %q (Retry-After %q), want a clear message", w.Body.String(), w.Header().Get("Retry-After"))
	}
	// Basic auth is throttled with the same count.
	if w := do(t, f.h, "GET", "/monitoring/", nil, basic(adminName, adminPass)); w.Code != http.StatusTooManyRequests {
		t.Errorf("throttled basic auth = %d, want 429", w.Code)
	}
	// The viewer account is not locked by the admin's failures.
	if w := do(t, f.h, "GET", "/monitoring/", nil, basic(viewerName, viewerPass)); w.Code != http.StatusOK {
		t.Errorf("viewer = %d, want 200", w.Code)
	}

	// Per client: guessed names from one address run out too.
	for range 5 {
		postLogin(t, f.h, url.Values{"username": {typedSecret}, "password": {"x"}}, from("203.0.113.9:3000"))
	}
	w = postLogin(t, f.h, url.Values{"username": {viewerName}, "password": {viewerPass}}, from("203.0.113.9:3001"))
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("login from a throttled client = %d, want 429", w.Code)
	}
	if got, _ := testenv.Metric(t, reg, "salesdesk_http_auth_failures_total", map[string]string{"reason": "throttled"}); got < 3 {
		t.Errorf("throttled metric = %v, want >= 3", got)
	}
	if strings.Contains(logs.String(), typedSecret) || strings.Contains(logs.String(), "wrong") {
		t.Errorf("the log holds what was typed: %s", logs.String())
	}
}
