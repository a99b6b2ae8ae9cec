package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SessionCookie is the name of the login session cookie.
const SessionCookie = "salesdesk_session"

const maxLoginForm = 8 << 10

// sessions signs and checks login session cookies. A cookie carries the
// user name and its expiry, signed with HMAC-SHA256 over the session key
// and the user's current password hash: changing a password or removing a
// user ends that user's sessions. Sessions are stateless, so logging out
// removes the cookie from the browser but a copied cookie stays valid
// until it expires.
type sessions struct {
	key    []byte
	ttl    time.Duration
	secure bool
	auth   *authenticator
}

func (s *sessions) sign(name string, expires time.Time) string {
	payload := "v1\x00" + name + "\x00" + strconv.FormatInt(expires.Unix(), 10)
	mac := s.mac(payload, s.auth.accounts[name].hash)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(mac)
}

func (s *sessions) mac(payload string, passwordHash []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	m.Write([]byte{0})
	m.Write(passwordHash)
	return m.Sum(nil)
}

// verify returns the session's user when the cookie value is authentic and
// not expired.
func (s *sessions) verify(value string) (Principal, bool) {
	p64, m64, ok := strings.Cut(value, ".")
	if !ok {
		return Principal{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(p64)
	if err != nil {
		return Principal{}, false
	}
	mac, err := base64.RawURLEncoding.DecodeString(m64)
	if err != nil {
		return Principal{}, false
	}
	parts := strings.Split(string(payload), "\x00")
	if len(parts) != 3 || parts[0] != "v1" {
		return Principal{}, false
	}
	acct := s.auth.accounts[parts[1]]
	if acct == nil {
		return Principal{}, false
	}
	if !hmac.Equal(mac, s.mac(string(payload), acct.hash)) {
		return Principal{}, false
	}
	exp, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || !s.auth.now().Before(time.Unix(exp, 0)) {
		return Principal{}, false
	}
	return Principal{Name: acct.name, Role: acct.role, Method: "session"}, true
}

func (s *sessions) set(w http.ResponseWriter, r *http.Request, name string) {
	expires := s.auth.now().Add(s.ttl)
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    s.sign(name, expires),
		Path:     "/",
		Expires:  expires,
		MaxAge:   int(s.ttl / time.Second),
		HttpOnly: true,
		Secure:   s.secure || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

func (s *sessions) clear(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name:     SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   s.secure || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

// safeNext returns where to go after logging in: a path on this site, never
// another host (no open redirect).
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if strings.HasPrefix(next, "/login") || strings.HasPrefix(next, "/logout") {
		return "/"
	}
	return next
}

type loginPage struct {
	Next  string
	User  string
	Error string
}

var loginTemplate = template.Must(template.New("login").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · salesdesk</title>
<style>
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
  font:16px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f3f5f8;color:#1d2530}
form{background:#fff;padding:2rem 2.25rem;border-radius:10px;box-shadow:0 2px 12px rgba(0,0,0,.08);width:20rem}
h1{margin:0 0 1.25rem;font-size:1.35rem}
label{display:block;margin:.75rem 0 .25rem;font-size:.9rem;color:#4a5565}
input{box-sizing:border-box;width:100%;padding:.55rem .65rem;border:1px solid #c8d0da;border-radius:6px;font:inherit}
button{margin-top:1.25rem;width:100%;padding:.6rem;border:0;border-radius:6px;background:#2457c5;color:#fff;font:inherit;cursor:pointer}
button:hover{background:#1c469f}
.error{margin:0 0 .5rem;padding:.5rem .65rem;border-radius:6px;background:#fdecec;color:#9b1c1c;font-size:.9rem}
</style>
</head>
<body>
<form method="post" action="/login">
<h1>salesdesk</h1>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}
<input type="hidden" name="next" value="{{.Next}}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" value="{{.User}}" required autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</body>
</html>
`))

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'self'")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		next := safeNext(r.URL.Query().Get("next"))
		if c, err := r.Cookie(SessionCookie); err == nil {
			if _, ok := s.sessions.verify(c.Value); ok {
				http.Redirect(w, r, next, http.StatusSeeOther)
				return
			}
		}
		s.renderLogin(w, http.StatusOK, loginPage{Next: next})
	case http.MethodPost:
		r.Body = http.MaxBytesReader(w, r.Body, maxLoginForm)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad login form", http.StatusBadRequest)
			return
		}
		user := r.PostForm.Get("username")
		next := safeNext(r.PostForm.Get("next"))
		if wait, blocked := s.throttled(r, user); blocked {
			msg := s.refuseThrottled(w, r, wait)
			s.renderLogin(w, http.StatusTooManyRequests, loginPage{Next: next, User: user, Error: msg})
			return
		}
		p, ok := s.checkPassword(r, user, r.PostForm.Get("password"), "login")
		if !ok {
			s.renderLogin(w, http.StatusUnauthorized, loginPage{Next: next, User: user, Error: "Wrong username or password."})
			return
		}
		s.sessions.set(w, r, p.Name)
		s.logger.InfoContext(r.Context(), "login", "user", p.Name, "role", p.Role.String(), "remote", r.RemoteAddr)
		http.Redirect(w, r, next, http.StatusSeeOther)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (s *Server) renderLogin(w http.ResponseWriter, code int, page loginPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	if err := loginTemplate.Execute(w, page); err != nil {
		s.logger.Error("render login page", "err", err)
	}
}

var logoutTemplate = template.Must(template.New("logout").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out · salesdesk</title></head>
<body><form method="post" action="/logout"><p>Sign out of salesdesk?</p><button type="submit">Sign out</button></form></body></html>
`))

// handleLogout signs out on POST only: a GET (a link, an image tag on
// another site) shows a button that posts, so nobody is signed out by a
// page they visit. Cross-site POSTs are refused by the CSRF protection in
// front of every route.
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	switch r.Method {
	case http.MethodPost:
		s.sessions.clear(w, r)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
	case http.MethodGet, http.MethodHead:
		w.Header().Set("Content-Security-Policy", "default-src 'none'; form-action 'self'; frame-ancestors 'self'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := logoutTemplate.Execute(w, nil); err != nil {
			s.logger.Error("render logout page", "err", err)
		}
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
