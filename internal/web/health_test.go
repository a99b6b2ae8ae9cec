package web

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"salesdesk/internal/testenv"
)

// closedPortClient is a Redis client pointed at a loopback port nobody
// listens on.
func closedPortClient(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { c.Close() })
	return c
}

func redisPing(c *redis.Client) func(context.Context) error {
	return func(ctx context.Context) error { return c.Ping(ctx).Err() }
}

func readiness(t *testing.T, h http.Handler, auth func(*http.Request)) (int, Readiness) {
	t.Helper()
	w := do(t, h, "GET", "/readyz", nil, auth)
	var res Readiness
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil {
		t.Fatalf("/readyz body %q: %v", w.Body.String(), err)
	}
	if ct := w.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	return w.Code, res
}

func TestReadyzAllChecksPass(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBWeb)
	f := setup(t, func(o *Options) {
		o.Checks = map[string]func(context.Context) error{
			"redis":    redisPing(rdb),
			"database": func(context.Context) error { return nil },
		}
		o.Status = func() map[string]any { return map[string]any{"mailbox:sales": "idle"} }
	})
	code, res := readiness(t, f.h, nil)
	if code != http.StatusOK || res.Status != "ok" {
		t.Fatalf("/readyz = %d %+v, want 200 ok", code, res)
	}
	if res.Checks["redis"] != "ok" || res.Checks["database"] != "ok" {
		t.Errorf("checks = %v, want both ok", res.Checks)
	}
	if res.Details != nil {
		t.Errorf("anonymous caller got details %v", res.Details)
	}
	if _, res = readiness(t, f.h, basic(viewerName, viewerPass)); res.Details != nil {
		t.Errorf("/readyz with credentials gave details %v", res.Details)
	}
	// The details are behind authentication at /readyz/details.
	if w := do(t, f.h, "GET", "/readyz/details", nil, nil); w.Code != http.StatusUnauthorized {
		t.Errorf("anonymous /readyz/details = %d, want 401", w.Code)
	}
	w := do(t, f.h, "GET", "/readyz/details", nil, basic(viewerName, viewerPass))
	var detailed Readiness
	if err := json.Unmarshal(w.Body.Bytes(), &detailed); err != nil || detailed.Details["mailbox:sales"] != "idle" {
		t.Errorf("/readyz/details = %d %s, want the mailbox state", w.Code, w.Body.String())
	}
}

func TestReadyzFailingCheck(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBWeb)
	f := setup(t, func(o *Options) {
		o.Checks = map[string]func(context.Context) error{
			"redis":    redisPing(rdb),
			"database": redisPing(closedPortClient(t)),
			"postgres": func(context.Context) error {
				return errors.New(`connect postgres://sales:hunter2@db.internal/sales: password=hunter2 refused`)
			},
		}
	})
	code, res := readiness(t, f.h, nil)
	if code != http.StatusServiceUnavailable || res.Status != "unavailable" {
		t.Fatalf("/readyz = %d %+v, want 503 unavailable", code, res)
	}
	if res.Checks["redis"] != "ok" {
		t.Errorf("redis check = %q, want ok", res.Checks["redis"])
	}
	// Anonymous callers learn that it failed, not why.
	if res.Checks["database"] != "failed" || res.Checks["postgres"] != "failed" {
		t.Errorf("anonymous checks = %v, want failed without detail", res.Checks)
	}

	// /readyz reads no credentials: with them it answers the same, so it
	// is no password oracle.
	w := do(t, f.h, "GET", "/readyz", nil, basic(adminName, adminPass))
	if w.Code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz with credentials = %d, want 503", w.Code)
	}
	var withCreds Readiness
	json.Unmarshal(w.Body.Bytes(), &withCreds)
	if withCreds.Checks["database"] != "failed" || withCreds.Checks["postgres"] != "failed" || withCreds.Details != nil {
		t.Errorf("/readyz with credentials = %+v, want the anonymous answer", withCreds)
	}
	w = do(t, f.h, "GET", "/readyz/details", nil, basic(adminName, adminPass))
	if strings.Contains(w.Body.String(), "hunter2") {
		t.Errorf("/readyz/details leaks a password: %s", w.Body.String())
	}
	var detailed Readiness
	json.Unmarshal(w.Body.Bytes(), &detailed)
	if !strings.Contains(detailed.Checks["postgres"], "sales:REDACTED@db.internal") {
		t.Errorf("detailed postgres check = %q, want the redacted error", detailed.Checks["postgres"])
	}
}

func TestReadyzCheckTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	f := setup(t, func(o *Options) {
		o.CheckTimeout = 50 * time.Millisecond
		o.Checks = map[string]func(context.Context) error{
			"honest":  func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() },
			"ignores": func(context.Context) error { <-release; return nil },
			"quick":   func(context.Context) error { return nil },
		}
	})
	code, res := readiness(t, f.h, nil)
	if code != http.StatusServiceUnavailable {
		t.Fatalf("/readyz = %d, want 503", code)
	}
	want := map[string]string{"honest": "timeout", "ignores": "timeout", "quick": "ok"}
	for name, w := range want {
		if res.Checks[name] != w {
			t.Errorf("check %s = %q, want %q", name, res.Checks[name], w)
		}
	}
}

func TestReadyzPanickingCheck(t *testing.T) {
	f := setup(t, func(o *Options) {
		o.Checks = map[string]func(context.Context) error{"broken": func(context.Context) error { panic("boom") }}
	})
	code, res := readiness(t, f.h, nil)
	if code != http.StatusServiceUnavailable || res.Checks["broken"] != "failed" {
		t.Errorf("/readyz = %d %v, want 503 with broken failed", code, res.Checks)
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"dial tcp 127.0.0.1:6379: connection refused", "dial tcp 127.0.0.1:6379: connection refused"},
		{"postgres://u:p4ss@h:5432/db failed", "postgres://u:REDACTED@h:5432/db failed"},
		{"redis://:secret@h:6379", "redis://:REDACTED@h:6379"},
		{"host=h user=u password=s3cret dbname=d", "host=h user=u password=REDACTED dbname=d"},
		{`password="a b c" x`, "password=REDACTED x"},
		{"token=abc", "token=REDACTED"},
	}
	for _, tt := range tests {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
