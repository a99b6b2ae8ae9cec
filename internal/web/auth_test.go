package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/internal/testenv"
)

func TestNewRefusesUnsafeOptions(t *testing.T) {
	good := func() Options {
		return Options{
			Admins:       []User{{Username: adminName, PasswordHash: hashFor()[adminPass]}},
			RedisConnOpt: asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWeb},
		}
	}
	tests := []struct {
		name    string
		edit    func(*Options)
		wantErr string
	}{
		{"no admin", func(o *Options) { o.Admins = nil },
			"web: no admin user configured (web.admin.username and web.admin.password_hash); refusing to start without authentication"},
		{"only viewers", func(o *Options) {
			o.Viewers = o.Admins
			o.Admins = nil
		}, "web: no admin user configured"},
		{"plain password as hash", func(o *Options) { o.Admins[0].PasswordHash = "hunter2" },
			`web: admin user "ada": password hash is not a valid bcrypt hash`},
		{"empty hash", func(o *Options) { o.Admins[0].PasswordHash = "" },
			`web: admin user "ada": no password hash configured`},
		{"bad viewer hash", func(o *Options) {
			o.Viewers = []User{{Username: "vic", PasswordHash: "$2a$10$short"}}
		}, `web: viewer user "vic": password hash is not a valid bcrypt hash`},
		{"empty username", func(o *Options) { o.Admins[0].Username = "" }, "web: admin user 1: username is empty"},
		{"colon in username", func(o *Options) { o.Admins[0].Username = "a:b" }, "contains a colon"},
		{"user twice", func(o *Options) { o.Viewers = o.Admins }, `web: user "ada" configured twice`},
		{"short token", func(o *Options) { o.APITokens = []Token{{Name: "crm", Secret: "short"}} },
			`web: api token "crm": secret is shorter than 16 characters`},
		{"unnamed token", func(o *Options) { o.APITokens = []Token{{Secret: tokenSecret}} }, "web: api token 1: name is empty"},
		{"token twice", func(o *Options) {
			o.APITokens = []Token{{Name: "crm", Secret: tokenSecret}, {Name: "crm", Secret: tokenSecret + "x"}}
		}, `web: api token "crm" configured twice`},
		{"no redis", func(o *Options) { o.RedisConnOpt = nil }, "web: no Redis connection configured"},
		{"short session key", func(o *Options) { o.SessionKey = []byte("0123456789") }, "web: session key is 10 bytes; at least 32 are needed"},
		{"public root", publicAt("/"), `web: public pattern "/" must start with a literal path segment`},
		{"public wildcard first segment", publicAt("GET /{x}/"), "must start with a literal path segment"},
		{"public dashboard", publicAt("/monitoring/"), "collides with the built-in route /monitoring/"},
		{"public under dashboard", publicAt("GET /monitoring/api/queues"), "collides with the built-in route /monitoring/"},
		{"public api", publicAt("POST /api/leads"), "collides with the built-in route /api/"},
		{"public api root", publicAt("/api"), "collides with the built-in route /api/"},
		{"public metrics", publicAt("/metrics"), "collides with the built-in route /metrics"},
		{"public healthz subtree", publicAt("/healthz/"), "collides with the built-in route /healthz"},
		{"public login on a host", publicAt("desk.example.com/login"), "collides with the built-in route /login"},
		{"public logout", publicAt("POST /logout"), "collides with the built-in route /logout"},
		{"public readyz", publicAt("/readyz"), "collides with the built-in route /readyz"},
		{"public malformed", publicAt("/triage/{id"), `web: public pattern "/triage/{id"`},
		{"public nil handler", func(o *Options) { o.Public = map[string]http.Handler{"/triage/": nil} }, "nil handler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good()
			tt.edit(&o)
			srv, err := New(o)
			if err == nil {
				srv.Close()
				t.Fatalf("New succeeded, want error %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("New error = %q, want it to contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error echoes the configured secret: %q", err)
			}
		})
	}
}

func publicAt(pattern string) func(*Options) {
	return func(o *Options) { o.Public = map[string]http.Handler{pattern: http.NotFoundHandler()} }
}

// fakeClock is a settable clock for cache and session expiry.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func TestPasswordCacheExpires(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	a, err := newAuthenticator([]User{{Username: adminName, PasswordHash: hashFor()[adminPass]}}, nil, nil, time.Minute, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if p, ok := a.password(ctx, adminName, adminPass); !ok || p.Role != RoleAdmin || p.Name != adminName {
		t.Fatalf("password(admin) = %+v, %v; want admin", p, ok)
	}

	// Swap the stored hash for one the password does not match: only a
	// cached verification can still let the password in.
	other, err := bcrypt.GenerateFromPassword([]byte("a new password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	a.accounts[adminName].hash = other

	clock.t = clock.t.Add(59 * time.Second)
	if _, ok := a.password(ctx, adminName, adminPass); !ok {
		t.Error("within the cache TTL the verified password was checked again")
	}
	if _, ok := a.password(ctx, adminName, "wrong"); ok {
		t.Error("a wrong password was accepted from the cache")
	}
	clock.t = clock.t.Add(2 * time.Second)
	if _, ok := a.password(ctx, adminName, adminPass); ok {
		t.Error("after the cache TTL the old password is still accepted")
	}
	if _, ok := a.password(ctx, adminName, "a new password"); !ok {
		t.Error("the new password is refused")
	}
}

func TestPasswordCacheIsBounded(t *testing.T) {
	clock := &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
	a, err := newAuthenticator([]User{{Username: adminName, PasswordHash: hashFor()[adminPass]}}, nil, nil, time.Minute, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	// Fill the cache with live entries under other keys.
	for i := range passwordCacheSize {
		var k [32]byte
		k[0], k[1] = byte(i), byte(i>>8)
		a.cache[k] = cachedLogin{name: adminName, expires: clock.t.Add(time.Minute)}
	}
	if _, ok := a.password(context.Background(), adminName, adminPass); !ok {
		t.Fatal("password refused")
	}
	if n := len(a.cache); n > passwordCacheSize {
		t.Errorf("cache holds %d entries, want at most %d", n, passwordCacheSize)
	}
}

func TestTokenMatchesExactly(t *testing.T) {
	a, err := newAuthenticator(
		[]User{{Username: adminName, PasswordHash: hashFor()[adminPass]}}, nil,
		[]Token{{Name: "crm", Secret: tokenSecret}, {Name: "bi", Secret: "another-secret-of-enough-length"}},
		time.Minute, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		secret   string
		wantName string
		wantOK   bool
	}{
		{tokenSecret, "crm", true},
		{"another-secret-of-enough-length", "bi", true},
		{strings.ToUpper(tokenSecret), "", false},
		{tokenSecret + " ", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		p, ok := a.token(tt.secret)
		if ok != tt.wantOK || p.Name != tt.wantName {
			t.Errorf("token(%q) = %q, %v; want %q, %v", tt.secret, p.Name, ok, tt.wantName, tt.wantOK)
		}
		if ok && p.Role != RoleAPI {
			t.Errorf("token role = %v, want api", p.Role)
		}
	}
}

// benchAuth measures the whole middleware chain (logging, headers, CSRF
// check, authentication) in front of a handler that writes nothing.
func benchAuth(b *testing.B, path string, auth func(*Server, *http.Request)) {
	testenv.Redis(b, testenv.RedisDBWeb)
	o := testOptions(b)
	hash, err := bcrypt.GenerateFromPassword([]byte(adminPass), bcrypt.DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	o.Admins[0].PasswordHash = string(hash)
	o.Pages = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})
	o.API = o.Pages
	srv, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	req := httptest.NewRequest("GET", path, nil)
	auth(srv, req)
	// The first basic-auth request pays for bcrypt; the benchmark is about
	// the ones after it.
	h.ServeHTTP(httptest.NewRecorder(), req)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// BenchmarkAuthBasicCached is every request after the first from a
// basic-auth client (bcrypt cost 10 behind the cache).
func BenchmarkAuthBasicCached(b *testing.B) {
	benchAuth(b, "/", func(_ *Server, r *http.Request) { r.SetBasicAuth(adminName, adminPass) })
}

// BenchmarkAuthBasicUncached is what each of those requests would cost
// without the cache: one bcrypt comparison at DefaultCost.
func BenchmarkAuthBasicUncached(b *testing.B) {
	hash, err := bcrypt.GenerateFromPassword([]byte(adminPass), bcrypt.DefaultCost)
	if err != nil {
		b.Fatal(err)
	}
	// A zero TTL caches nothing.
	a, err := newAuthenticator([]User{{Username: adminName, PasswordHash: string(hash)}}, nil, nil, 0, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, ok := a.password(context.Background(), adminName, adminPass); !ok {
			b.Fatal("refused")
		}
	}
}

func BenchmarkAuthSession(b *testing.B) {
	benchAuth(b, "/", func(s *Server, r *http.Request) {
		r.AddCookie(&http.Cookie{Name: SessionCookie, Value: s.sessions.sign(adminName, time.Now().Add(time.Hour))})
	})
}

func BenchmarkAuthBearer(b *testing.B) {
	benchAuth(b, "/api/leads", func(_ *Server, r *http.Request) { r.Header.Set("Authorization", "Bearer "+tokenSecret) })
}
