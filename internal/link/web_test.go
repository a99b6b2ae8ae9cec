package link_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/internal/lead"
	"salesdesk/internal/web"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// closedAddr is a loopback address nothing listens on: web.New connects
// to Redis lazily, and these requests never reach it.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// The links work through the web server without a login, behind its CSRF
// protection; the rest of the server still wants one.
func TestThroughWebServer(t *testing.T) {
	f := setup(t)
	hash, err := bcrypt.GenerateFromPassword([]byte("admin password 123"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := web.New(web.Options{
		Admins:       []web.User{{Username: "ada", PasswordHash: string(hash)}},
		RedisConnOpt: asynq.RedisClientOpt{Addr: closedAddr(t)},
		Public:       map[string]http.Handler{"/triage/": f.h, "/leads/": f.h},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := srv.Handler()

	target := f.leadURL(31, lead.ActionContacted, 4)
	r := httptest.NewRequest(http.MethodGet, target, nil)
	r.Header.Set("Accept", "text/html")
	w := serve(h, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Mark contacted") {
		t.Fatalf("GET %s without login = %d, want the confirmation page:\n%s", target, w.Code, w.Body)
	}
	if got := w.Header().Get("X-Frame-Options"); got == "" {
		t.Errorf("public page lacks the server's security headers")
	}
	action, form := confirmForm(t, w.Body.String())

	// A form on another site cannot make the decision for the rep.
	r = httptest.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	if w := serve(h, r); w.Code != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", w.Code)
	}
	if got := f.rec.got(); len(got) != 0 {
		t.Fatalf("cross-site POST applied %v", got)
	}

	// The button on our own page can.
	r = httptest.NewRequest(http.MethodPost, action, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if w := serve(h, r); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Done: lead L-31 marked contacted.") {
		t.Fatalf("same-origin POST = %d:\n%s", w.Code, w.Body)
	}
	if got := f.rec.got(); len(got) != 1 || got[0] != (call{kind: "lead", id: 31, what: "contacted", repID: 4}) {
		t.Fatalf("calls = %v, want the one contacted", got)
	}

	if w := serve(h, httptest.NewRequest(http.MethodGet, f.triageURL(12, "billing"), nil)); w.Code != http.StatusOK {
		t.Errorf("GET triage link without login = %d, want 200", w.Code)
	}
	for _, path := range []string{"/", "/monitoring/", "/api/leads", "/metrics", "/inquiries/12"} {
		if w := serve(h, httptest.NewRequest(http.MethodGet, path, nil)); w.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without login = %d, want 401", path, w.Code)
		}
	}
}
