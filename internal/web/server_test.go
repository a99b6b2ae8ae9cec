package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/goleak"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const (
	adminName   = "ada"
	adminPass   = "correct horse battery staple"
	viewerName  = "vic"
	viewerPass  = "viewer password 123"
	tokenName   = "crm-sync"
	tokenSecret = "0123456789abcdef0123456789abcdef"
)

var hashFor = sync.OnceValue(func() map[string]string {
	out := make(map[string]string)
	for _, p := range []string{adminPass, viewerPass} {
		// MinCost keeps tests fast; production hashes use cost 10+.
		h, err := bcrypt.GenerateFromPassword([]byte(p), bcrypt.MinCost)
		if err != nil {
			panic(err)
		}
		out[p] = string(h)
	}
	return out
})

// fixture is what most tests need: a Server on the package's Redis DB and
// an asynq client and inspector on the same DB.
type fixture struct {
	srv       *Server
	h         http.Handler
	redisOpt  asynq.RedisClientOpt
	client    *asynq.Client
	inspector *asynq.Inspector
}

func testOptions(t testing.TB) Options {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return Options{
		Listen:       "127.0.0.1:0",
		Admins:       []User{{Username: adminName, PasswordHash: hashFor()[adminPass]}},
		Viewers:      []User{{Username: viewerName, PasswordHash: hashFor()[viewerPass]}},
		APITokens:    []Token{{Name: tokenName, Secret: tokenSecret}},
		RedisConnOpt: asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWeb},
		Registry:     reg,
		API: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := PrincipalFrom(r.Context())
			fmt.Fprintf(w, "api %s %s as %s", r.Method, r.URL.Path, p.Name)
		}),
		Pages: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, _ := PrincipalFrom(r.Context())
			fmt.Fprintf(w, "page %s for %s (%s via %s)", r.URL.Path, p.Name, p.Role, p.Method)
		}),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func setup(t *testing.T, edit ...func(*Options)) fixture {
	t.Helper()
	testenv.Redis(t, testenv.RedisDBWeb) // flushes the DB; skips without Redis
	o := testOptions(t)
	for _, e := range edit {
		e(&o)
	}
	srv, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	redisOpt := o.RedisConnOpt.(asynq.RedisClientOpt)
	client := asynq.NewClient(redisOpt)
	t.Cleanup(func() { client.Close() })
	inspector := asynq.NewInspector(redisOpt)
	t.Cleanup(func() { inspector.Close() })
	return fixture{srv: srv, h: srv.Handler(), redisOpt: redisOpt, client: client, inspector: inspector}
}

// do sends a request through the handler, with the given credentials
// applied by auth (nil for none).
func do(t testing.TB, h http.Handler, method, target string, body io.Reader, auth func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, body)
	if auth != nil {
		auth(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func basic(user, pass string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, pass) }
}

func bearer(secret string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+secret) }
}

func (f fixture) enqueue(t *testing.T, queue string) *asynq.TaskInfo {
	t.Helper()
	info, err := f.client.Enqueue(asynq.NewTask("web:test", []byte(`{"n":1}`)), asynq.Queue(queue))
	if err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return info
}

func TestHealthzNeedsNoAuth(t *testing.T) {
	f := setup(t)
	w := do(t, f.h, "GET", "/healthz", nil, nil)
	if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "ok" {
		t.Fatalf("GET /healthz = %d %q, want 200 ok", w.Code, w.Body.String())
	}
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"X-Frame-Options":        "SAMEORIGIN",
		"Referrer-Policy":        "same-origin",
	} {
		if got := w.Header().Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
}

func TestEverythingElseNeedsAuth(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name, method, path string
		wantChallenge      string
	}{
		{"dashboard", "GET", "/monitoring/", "Basic"},
		{"dashboard api", "GET", "/monitoring/api/queues", "Basic"},
		{"dashboard change", "POST", "/monitoring/api/queues/default:pause", "Basic"},
		{"metrics", "GET", "/metrics", "Bearer"},
		{"api", "GET", "/api/leads", "Bearer"},
		{"api change", "POST", "/api/leads", "Bearer"},
		{"pages", "GET", "/", "Basic"},
		{"unknown page", "GET", "/nowhere", "Basic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, f.h, tt.method, tt.path, nil, nil)
			if w.Code != http.StatusUnauthorized {
				t.Fatalf("%s %s = %d, want 401", tt.method, tt.path, w.Code)
			}
			if got := w.Header().Get("WWW-Authenticate"); !strings.Contains(got, tt.wantChallenge) {
				t.Errorf("WWW-Authenticate = %q, want it to offer %s", got, tt.wantChallenge)
			}
			if strings.Contains(w.Body.String(), "web:test") || strings.Contains(w.Body.String(), "<html") {
				t.Errorf("401 body leaks content: %q", w.Body.String())
			}
		})
	}
}

// Public routes answer without credentials, behind the same middleware;
// every other route still wants them.
func TestPublicRoutesNeedNoAuth(t *testing.T) {
	f := setup(t, func(o *Options) {
		o.Public = map[string]http.Handler{
			"/triage/": http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, authed := PrincipalFrom(r.Context())
				fmt.Fprintf(w, "public %s %s authed=%t", r.Method, r.URL.Path, authed)
			}),
		}
	})
	w := do(t, f.h, "GET", "/triage/12/billing?exp=1&sig=x", nil, nil)
	if w.Code != http.StatusOK || w.Body.String() != "public GET /triage/12/billing authed=false" {
		t.Fatalf("GET /triage/12/billing = %d %q, want 200 from the public handler", w.Code, w.Body.String())
	}
	if got := w.Header().Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("public route lacks security headers: X-Content-Type-Options = %q", got)
	}
	r := httptest.NewRequest("POST", "/triage/12/billing", nil)
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	w = httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Errorf("same-origin POST /triage/12/billing = %d, want 200", w.Code)
	}
	r = httptest.NewRequest("POST", "/triage/12/billing", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w = httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("cross-site POST /triage/12/billing = %d, want 403 (CSRF protection)", w.Code)
	}
	for _, path := range []string{"/", "/leads/1/accept", "/triagex", "/monitoring/", "/api/leads", "/metrics"} {
		if w := do(t, f.h, "GET", path, nil, nil); w.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials = %d, want 401", path, w.Code)
		}
	}
}

func TestBrowserIsSentToLogin(t *testing.T) {
	f := setup(t)
	r := httptest.NewRequest("GET", "/monitoring/queues?x=1", nil)
	r.Header.Set("Accept", "text/html,application/xhtml+xml")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("browser GET /monitoring/queues = %d, want 303", w.Code)
	}
	if got, want := w.Header().Get("Location"), "/login?next=%2Fmonitoring%2Fqueues%3Fx%3D1"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}

	// The API never redirects: programs want a 401.
	r = httptest.NewRequest("GET", "/api/leads", nil)
	r.Header.Set("Accept", "text/html")
	w = httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized {
		t.Errorf("browser GET /api/leads = %d, want 401", w.Code)
	}
}

func TestAdminBasicAuth(t *testing.T) {
	f := setup(t)
	f.enqueue(t, "web_admin")
	for _, path := range []string{"/monitoring/", "/monitoring/api/queues", "/metrics", "/"} {
		w := do(t, f.h, "GET", path, nil, basic(adminName, adminPass))
		if w.Code != http.StatusOK {
			t.Errorf("admin GET %s = %d, want 200: %s", path, w.Code, w.Body.String())
		}
	}
	w := do(t, f.h, "GET", "/monitoring/", nil, basic(adminName, adminPass))
	if !strings.Contains(w.Body.String(), "<html") {
		t.Errorf("dashboard did not serve its page: %.200q", w.Body.String())
	}
	w = do(t, f.h, "GET", "/monitoring/api/queues", nil, basic(adminName, adminPass))
	if !strings.Contains(w.Body.String(), `"web_admin"`) {
		t.Errorf("queue list lacks web_admin: %s", w.Body.String())
	}
	w = do(t, f.h, "GET", "/", nil, basic(adminName, adminPass))
	if got, want := w.Body.String(), "page / for ada (admin via basic)"; got != want {
		t.Errorf("pages got %q, want %q", got, want)
	}
}

func TestWrongCredentialsAreRefused(t *testing.T) {
	f := setup(t)
	tests := []struct {
		name string
		path string
		auth func(*http.Request)
		want int
	}{
		{"wrong password", "/monitoring/", basic(adminName, "wrong"), http.StatusUnauthorized},
		{"unknown user", "/monitoring/", basic("mallory", adminPass), http.StatusUnauthorized},
		{"viewer password for admin", "/monitoring/", basic(adminName, viewerPass), http.StatusUnauthorized},
		{"empty password", "/metrics", basic(adminName, ""), http.StatusUnauthorized},
		{"unknown scheme", "/metrics", func(r *http.Request) { r.Header.Set("Authorization", "Digest x") }, http.StatusUnauthorized},
		{"malformed basic", "/metrics", func(r *http.Request) { r.Header.Set("Authorization", "Basic !!!") }, http.StatusUnauthorized},
		{"token on dashboard", "/monitoring/", bearer(tokenSecret), http.StatusForbidden},
		{"admin on api", "/api/leads", basic(adminName, adminPass), http.StatusForbidden},
		{"token on pages", "/", bearer(tokenSecret), http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, f.h, "GET", tt.path, nil, tt.auth)
			if w.Code != tt.want {
				t.Errorf("GET %s = %d, want %d", tt.path, w.Code, tt.want)
			}
		})
	}
}

func TestViewerDashboardIsReadOnly(t *testing.T) {
	f := setup(t)
	const queue = "web_viewer"
	task := f.enqueue(t, queue)
	viewer := basic(viewerName, viewerPass)

	w := do(t, f.h, "GET", "/monitoring/api/queues", nil, viewer)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"`+queue+`"`) {
		t.Fatalf("viewer GET queues = %d %s, want 200 listing %s", w.Code, w.Body.String(), queue)
	}
	w = do(t, f.h, "GET", "/monitoring/api/queues/"+queue+"/pending_tasks", nil, viewer)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), task.ID) {
		t.Fatalf("viewer GET pending tasks = %d %s, want 200 listing %s", w.Code, w.Body.String(), task.ID)
	}
	w = do(t, f.h, "HEAD", "/monitoring/", nil, viewer)
	if w.Code != http.StatusOK {
		t.Errorf("viewer HEAD /monitoring/ = %d, want 200", w.Code)
	}

	changes := []struct{ method, path string }{
		{"POST", "/monitoring/api/queues/" + queue + ":pause"},
		{"DELETE", "/monitoring/api/queues/" + queue + "/pending_tasks/" + task.ID},
		{"POST", "/monitoring/api/queues/" + queue + "/pending_tasks/" + task.ID + ":archive"},
		{"DELETE", "/monitoring/api/queues/" + queue + "/pending_tasks:delete_all"},
		{"DELETE", "/monitoring/api/queues/" + queue + "?force=true"},
		{"PUT", "/monitoring/api/queues/" + queue},
		{"POST", "/monitoring/"},
	}
	for _, c := range changes {
		w := do(t, f.h, c.method, c.path, nil, viewer)
		// 403 from our guard; asynqmon's own read-only mode would say 405.
		if w.Code != http.StatusForbidden {
			t.Errorf("viewer %s %s = %d, want 403", c.method, c.path, w.Code)
		}
	}

	qi, err := f.inspector.GetQueueInfo(queue)
	if err != nil {
		t.Fatalf("GetQueueInfo: %v", err)
	}
	if qi.Paused {
		t.Error("queue was paused by a viewer")
	}
	got, err := f.inspector.GetTaskInfo(queue, task.ID)
	if err != nil {
		t.Fatalf("task %s is gone after viewer requests: %v", task.ID, err)
	}
	if got.State != asynq.TaskStatePending {
		t.Errorf("task state = %v, want pending", got.State)
	}

	// The same request from an admin does change things: the guard is
	// what stopped the viewer.
	w = do(t, f.h, "POST", "/monitoring/api/queues/"+queue+":pause", nil, basic(adminName, adminPass))
	if w.Code != http.StatusNoContent {
		t.Fatalf("admin pause = %d %s, want 204", w.Code, w.Body.String())
	}
	if qi, err := f.inspector.GetQueueInfo(queue); err != nil || !qi.Paused {
		t.Errorf("after admin pause: paused=%v err=%v, want paused", qi != nil && qi.Paused, err)
	}
}

func TestViewerSeesReadOnlyUI(t *testing.T) {
	f := setup(t)
	// asynqmon's index page tells its UI whether to offer buttons that
	// change things.
	for _, tt := range []struct {
		name string
		auth func(*http.Request)
		want string
	}{
		{"viewer", basic(viewerName, viewerPass), `FLAG_READ_ONLY="true"`},
		{"admin", basic(adminName, adminPass), `FLAG_READ_ONLY="false"`},
	} {
		w := do(t, f.h, "GET", "/monitoring/", nil, tt.auth)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("%s GET /monitoring/ = %d without %s", tt.name, w.Code, tt.want)
		}
	}
}

func TestAPIBearerToken(t *testing.T) {
	f := setup(t)
	w := do(t, f.h, "POST", "/api/leads", nil, bearer(tokenSecret))
	if w.Code != http.StatusOK {
		t.Fatalf("POST /api/leads with token = %d, want 200", w.Code)
	}
	if got, want := w.Body.String(), "api POST /api/leads as "+tokenName; got != want {
		t.Errorf("API saw %q, want %q", got, want)
	}
	for name, secret := range map[string]string{
		"wrong":  "0123456789abcdef0123456789abcdeX",
		"prefix": tokenSecret[:16],
		"longer": tokenSecret + "0",
		"empty":  "",
	} {
		w := do(t, f.h, "GET", "/api/leads", nil, bearer(secret))
		if w.Code != http.StatusUnauthorized {
			t.Errorf("%s token: GET /api/leads = %d, want 401", name, w.Code)
		}
		if got := w.Header().Get("WWW-Authenticate"); !strings.HasPrefix(got, "Bearer") {
			t.Errorf("%s token: WWW-Authenticate = %q, want Bearer", name, got)
		}
	}
	w = do(t, f.h, "GET", "/metrics", nil, bearer(tokenSecret))
	if w.Code != http.StatusOK {
		t.Errorf("GET /metrics with token = %d, want 200", w.Code)
	}
}

func TestCrossOriginChangesAreRefused(t *testing.T) {
	f := setup(t)
	const queue = "web_csrf"
	f.enqueue(t, queue)
	// A browser on another site posting with the admin's cached basic
	// credentials.
	r := httptest.NewRequest("POST", "/monitoring/api/queues/"+queue+":pause", nil)
	r.SetBasicAuth(adminName, adminPass)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Fatalf("cross-site pause = %d, want 403", w.Code)
	}
	if qi, err := f.inspector.GetQueueInfo(queue); err != nil || qi.Paused {
		t.Errorf("queue paused by a cross-site request (err %v)", err)
	}
}

func TestTrustedOrigin(t *testing.T) {
	f := setup(t, func(o *Options) { o.TrustedOrigins = []string{"https://crm.example.com"} })
	for _, tt := range []struct {
		origin string
		want   int
	}{
		{"https://crm.example.com", http.StatusOK},
		{"https://evil.example.com", http.StatusForbidden},
	} {
		w := do(t, f.h, "POST", "/api/leads", nil, func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer "+tokenSecret)
			r.Header.Set("Origin", tt.origin)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		})
		if w.Code != tt.want {
			t.Errorf("POST from %s = %d, want %d", tt.origin, w.Code, tt.want)
		}
	}
	if _, err := New(Options{
		Admins:         testOptions(t).Admins,
		RedisConnOpt:   testOptions(t).RedisConnOpt,
		TrustedOrigins: []string{"not an origin"},
	}); err == nil || !strings.Contains(err.Error(), "web: trusted origin") {
		t.Errorf("New with a bad origin = %v, want a trusted origin error", err)
	}
}

func TestNoPagesRedirectsHomeToDashboard(t *testing.T) {
	f := setup(t, func(o *Options) { o.Pages = nil; o.API = nil })
	w := do(t, f.h, "GET", "/", nil, basic(viewerName, viewerPass))
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/monitoring/" {
		t.Errorf("GET / = %d to %q, want 303 to /monitoring/", w.Code, w.Header().Get("Location"))
	}
	w = do(t, f.h, "GET", "/api/leads", nil, bearer(tokenSecret))
	if w.Code != http.StatusNotFound {
		t.Errorf("GET /api/leads without API = %d, want 404", w.Code)
	}
}

func TestServeAndShutdown(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBWeb)
	srv, err := New(testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatalf("GET /healthz: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/monitoring/api/queues", nil)
	req.SetBasicAuth(adminName, adminPass)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET queues: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET queues = %d", resp.StatusCode)
	}
	http.DefaultClient.CloseIdleConnections()

	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Serve after cancel: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("server still answers after shutdown")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestRunReportsListenError(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBWeb)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	o := testOptions(t)
	o.Listen = busy.Addr().String()
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	err = srv.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "listen") {
		t.Fatalf("Run on a busy port = %v, want a listen error", err)
	}
}

func TestShutdownLetsRequestsFinish(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBWeb)
	started, release := make(chan struct{}), make(chan struct{})
	o := testOptions(t)
	o.Pages = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		<-release
		io.WriteString(w, "finished")
	})
	srv, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	type result struct {
		code int
		body string
		err  error
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", "http://"+addr+"/slow", nil)
		req.SetBasicAuth(adminName, adminPass)
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		got <- result{resp.StatusCode, string(b), err}
	}()
	<-started
	cancel()
	// Shutdown closes the listener first; wait for that, so the request
	// is provably in flight during shutdown.
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			break
		}
		c.Close()
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	r := <-got
	if r.err != nil || r.code != http.StatusOK || r.body != "finished" {
		t.Errorf("in-flight request = %d %q %v, want 200 finished", r.code, r.body, r.err)
	}
	if err := <-done; err != nil {
		t.Errorf("Serve = %v, want nil after a graceful shutdown", err)
	}
}
