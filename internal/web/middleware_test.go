package web

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestRequestLog(t *testing.T) {
	var buf bytes.Buffer
	f := setup(t, func(o *Options) {
		o.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	})
	do(t, f.h, "GET", "/healthz", nil, nil)
	do(t, f.h, "GET", "/monitoring/api/queues", nil, basic(viewerName, viewerPass))
	do(t, f.h, "POST", "/monitoring/api/queues/default:pause", nil, basic(viewerName, viewerPass))
	do(t, f.h, "GET", "/api/leads", nil, bearer(tokenSecret))
	do(t, f.h, "GET", "/api/leads", nil, bearer("wrong-secret-wrong-secret"))
	log := buf.String()

	if strings.Contains(log, "/healthz") || strings.Contains(log, "path=/monitoring/api/queues ") {
		t.Errorf("routine polling logged at info:\n%s", log)
	}
	for _, want := range []string{
		"method=POST path=/monitoring/api/queues/default:pause status=403",
		"user=vic",
		"path=/api/leads status=200",
		"user=crm-sync",
		"authentication failed",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{tokenSecret, "wrong-secret", viewerPass} {
		if strings.Contains(log, secret) {
			t.Errorf("log contains a secret %q", secret)
		}
	}
}

func TestQuietRequest(t *testing.T) {
	tests := []struct {
		route, method string
		code          int
		want          bool
	}{
		{"healthz", http.MethodGet, 200, true},
		{"readyz", http.MethodGet, 503, false},
		{"metrics", http.MethodGet, 200, true},
		{"monitoring_api", http.MethodGet, 200, true},
		{"monitoring_api", http.MethodPost, 204, false},
		{"monitoring_api", http.MethodGet, 401, false},
		{"api", http.MethodGet, 200, false},
		{"pages", http.MethodGet, 200, false},
	}
	for _, tt := range tests {
		if got := quietRequest(tt.route, tt.method, tt.code); got != tt.want {
			t.Errorf("quietRequest(%s, %s, %d) = %v, want %v", tt.route, tt.method, tt.code, got, tt.want)
		}
	}
}
