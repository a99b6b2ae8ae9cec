package web

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func postLogin(t *testing.T, h http.Handler, form url.Values, edit ...func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, e := range edit {
		e(r)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func sessionCookie(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == SessionCookie {
			return c
		}
	}
	return nil
}

func withCookie(c *http.Cookie) func(*http.Request) {
	return func(r *http.Request) { r.AddCookie(c) }
}

func TestLoginFlow(t *testing.T) {
	f := setup(t)

	w := do(t, f.h, "GET", "/login?next=/monitoring/", nil, nil)
	if w.Code != http.StatusOK {
		t.Fatalf("GET /login = %d", w.Code)
	}
	for _, want := range []string{`<form method="post" action="/login">`, `name="next" value="/monitoring/"`, `type="password"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("login page lacks %q", want)
		}
	}

	w = postLogin(t, f.h, url.Values{"username": {adminName}, "password": {"wrong"}, "next": {"/monitoring/"}})
	if w.Code != http.StatusUnauthorized {
		t.Errorf("wrong password: POST /login = %d, want 401", w.Code)
	}
	if c := sessionCookie(t, w); c != nil {
		t.Errorf("wrong password set a session cookie")
	}
	if !strings.Contains(w.Body.String(), "Wrong username or password") {
		t.Errorf("wrong password page does not say so")
	}

	w = postLogin(t, f.h, url.Values{"username": {adminName}, "password": {adminPass}, "next": {"/monitoring/"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/monitoring/" {
		t.Fatalf("POST /login = %d to %q, want 303 to /monitoring/", w.Code, w.Header().Get("Location"))
	}
	c := sessionCookie(t, w)
	if c == nil {
		t.Fatal("login set no session cookie")
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("cookie HttpOnly=%v SameSite=%v Path=%q, want HttpOnly, Lax, /", c.HttpOnly, c.SameSite, c.Path)
	}
	if c.Secure {
		t.Errorf("cookie is Secure on plain HTTP without SecureCookie")
	}
	if strings.Contains(c.Value, adminPass) {
		t.Errorf("cookie carries the password")
	}

	w = do(t, f.h, "GET", "/monitoring/", nil, withCookie(c))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /monitoring/ with session = %d, want 200", w.Code)
	}
	w = do(t, f.h, "GET", "/", nil, withCookie(c))
	if got, want := w.Body.String(), "page / for ada (admin via session)"; got != want {
		t.Errorf("pages got %q, want %q", got, want)
	}
	// A session is for people: it does not open the API.
	w = do(t, f.h, "GET", "/api/leads", nil, withCookie(c))
	if w.Code != http.StatusForbidden {
		t.Errorf("GET /api/leads with session = %d, want 403", w.Code)
	}

	// A GET (a link, an image on another site) signs nobody out: it shows
	// a button that posts.
	w = do(t, f.h, "GET", "/logout", nil, withCookie(c))
	if w.Code != http.StatusOK || sessionCookie(t, w) != nil || !strings.Contains(w.Body.String(), `<form method="post" action="/logout">`) {
		t.Errorf("GET /logout = %d, cookie %v; want 200 with a sign-out form and the session kept", w.Code, sessionCookie(t, w))
	}
	// A cross-site POST is refused by the CSRF protection.
	w = do(t, f.h, "POST", "/logout", nil, func(r *http.Request) {
		withCookie(c)(r)
		r.Header.Set("Sec-Fetch-Site", "cross-site")
	})
	if w.Code != http.StatusForbidden || sessionCookie(t, w) != nil {
		t.Errorf("cross-site POST /logout = %d, want 403 and the session kept", w.Code)
	}
	w = do(t, f.h, "POST", "/logout", nil, func(r *http.Request) {
		withCookie(c)(r)
		r.Header.Set("Sec-Fetch-Site", "same-origin")
	})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login" {
		t.Errorf("POST /logout = %d to %q, want 303 to /login", w.Code, w.Header().Get("Location"))
	}
	if out := sessionCookie(t, w); out == nil || out.MaxAge >= 0 || out.Value != "" {
		t.Errorf("logout did not clear the cookie: %+v", out)
	}
}

func TestViewerSessionIsReadOnly(t *testing.T) {
	f := setup(t)
	const queue = "web_viewer_session"
	f.enqueue(t, queue)
	w := postLogin(t, f.h, url.Values{"username": {viewerName}, "password": {viewerPass}})
	c := sessionCookie(t, w)
	if w.Code != http.StatusSeeOther || c == nil {
		t.Fatalf("viewer login = %d, cookie %v", w.Code, c)
	}
	if w := do(t, f.h, "GET", "/monitoring/api/queues", nil, withCookie(c)); w.Code != http.StatusOK {
		t.Errorf("viewer session GET queues = %d, want 200", w.Code)
	}
	if w := do(t, f.h, "POST", "/monitoring/api/queues/"+queue+":pause", nil, withCookie(c)); w.Code != http.StatusForbidden {
		t.Errorf("viewer session pause = %d, want 403", w.Code)
	}
	if qi, err := f.inspector.GetQueueInfo(queue); err != nil || qi.Paused {
		t.Errorf("queue paused by a viewer session (err %v)", err)
	}
}

func TestBadSessionCookiesAreRefused(t *testing.T) {
	f := setup(t)
	good := f.srv.sessions.sign(adminName, time.Now().Add(time.Hour))
	p64, m64, _ := strings.Cut(good, ".")
	other := setup(t) // another process: another random session key
	tests := []struct {
		name  string
		value string
	}{
		{"empty", ""},
		{"garbage", "not-a-session"},
		{"no signature", p64},
		{"flipped signature", p64 + "." + flip(m64)},
		{"other payload", encodePayload("v1\x00"+viewerName+"\x00"+"99999999999") + "." + m64},
		{"promoted to another user", encodePayload("v1\x00"+viewerName+"\x00"+strings.Split(decodePayload(t, p64), "\x00")[2]) + "." + m64},
		{"expired", f.srv.sessions.sign(adminName, time.Now().Add(-time.Second))},
		{"other key", other.srv.sessions.sign(adminName, time.Now().Add(time.Hour))},
		{"unknown user", "dW5rbm93bg." + m64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &http.Cookie{Name: SessionCookie, Value: tt.value}
			w := do(t, f.h, "GET", "/monitoring/api/queues", nil, withCookie(c))
			if w.Code != http.StatusUnauthorized {
				t.Errorf("GET with %s cookie = %d, want 401", tt.name, w.Code)
			}
		})
	}
	// The well-formed one works, so the cases above fail for their own
	// reason.
	if w := do(t, f.h, "GET", "/monitoring/api/queues", nil, withCookie(&http.Cookie{Name: SessionCookie, Value: good})); w.Code != http.StatusOK {
		t.Errorf("GET with a good cookie = %d, want 200", w.Code)
	}
}

func TestSessionEndsWhenPasswordChanges(t *testing.T) {
	f := setup(t)
	v := f.srv.sessions.sign(adminName, time.Now().Add(time.Hour))
	if _, ok := f.srv.sessions.verify(v); !ok {
		t.Fatal("fresh session refused")
	}
	f.srv.auth.accounts[adminName].hash = []byte(hashFor()[viewerPass])
	if _, ok := f.srv.sessions.verify(v); ok {
		t.Error("session survived a password change")
	}
}

func TestLoginRefusesCrossSitePost(t *testing.T) {
	f := setup(t)
	w := postLogin(t, f.h, url.Values{"username": {adminName}, "password": {adminPass}}, func(r *http.Request) {
		r.Header.Set("Sec-Fetch-Site", "cross-site")
	})
	if w.Code != http.StatusForbidden || sessionCookie(t, w) != nil {
		t.Errorf("cross-site login = %d, cookie %v; want 403 and none", w.Code, sessionCookie(t, w))
	}
}

func TestLoginNeverRedirectsOffSite(t *testing.T) {
	f := setup(t)
	for _, next := range []string{"//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "/login"} {
		w := postLogin(t, f.h, url.Values{"username": {adminName}, "password": {adminPass}, "next": {next}})
		if got := w.Header().Get("Location"); got != "/" {
			t.Errorf("next=%q redirected to %q, want /", next, got)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ next, want string }{
		{"", "/"},
		{"/", "/"},
		{"/monitoring/", "/monitoring/"},
		{"/monitoring/queues?x=1", "/monitoring/queues?x=1"},
		{"//evil.example", "/"},
		{"/\\evil.example", "/"},
		{"http://evil.example/", "/"},
		{"evil.example", "/"},
		{"/logout", "/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.next); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.next, got, tt.want)
		}
	}
}

func TestLoginSecureCookie(t *testing.T) {
	f := setup(t, func(o *Options) { o.SecureCookie = true })
	w := postLogin(t, f.h, url.Values{"username": {adminName}, "password": {adminPass}})
	if c := sessionCookie(t, w); c == nil || !c.Secure {
		t.Errorf("SecureCookie: cookie %+v, want Secure", c)
	}
}

func encodePayload(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func decodePayload(t *testing.T, s string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// flip changes the first character of a base64url string.
func flip(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}
