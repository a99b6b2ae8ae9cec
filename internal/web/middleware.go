package web

import (
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// access is what a route accepts.
type access struct {
	roles []Role
	// challenge is the WWW-Authenticate value sent with a 401.
	challenge string
	// toLogin sends unauthenticated browsers asking for a page to /login
	// instead of answering 401.
	toLogin bool
}

const (
	basicChallenge  = `Basic realm="salesdesk", charset="UTF-8"`
	bearerChallenge = `Bearer realm="salesdesk"`
)

// authenticate finds the caller from the Authorization header or, when
// there is none, the session cookie. A request that presents an
// Authorization header is judged by it alone.
func (s *Server) authenticate(r *http.Request) (p Principal, presented, ok bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, rest, _ := strings.Cut(h, " ")
		switch {
		case strings.EqualFold(scheme, "Bearer"):
			p, ok = s.auth.token(strings.TrimSpace(rest))
			p.Method = "bearer"
			return p, true, ok
		case strings.EqualFold(scheme, "Basic"):
			user, pass, okb := r.BasicAuth()
			if !okb {
				return Principal{}, true, false
			}
			p, ok = s.checkPassword(r, user, pass, "basic")
			p.Method = "basic"
			return p, true, ok
		}
		return Principal{}, true, false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		p, ok = s.sessions.verify(c.Value)
		return p, true, ok
	}
	return Principal{}, false, false
}

// guard lets through only callers that acc accepts, with the caller in the
// request's context.
func (s *Server) guard(acc access, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if user, _, basic := r.BasicAuth(); basic {
			if wait, blocked := s.throttled(r, user); blocked {
				http.Error(w, s.refuseThrottled(w, r, wait), http.StatusTooManyRequests)
				return
			}
		}
		p, presented, ok := s.authenticate(r)
		if !ok {
			_, _, basic := r.BasicAuth()
			switch {
			case !presented:
				s.authFailures.WithLabelValues("missing").Inc()
			case !basic:
				// A bad token or session; a bad password was counted by
				// checkPassword.
				s.authFailures.WithLabelValues("invalid").Inc()
				s.logger.WarnContext(r.Context(), "authentication failed", "path", r.URL.Path, "remote", r.RemoteAddr)
			}
			if acc.toLogin && !presented && wantsHTML(r) {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			w.Header().Set("WWW-Authenticate", acc.challenge)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if !slices.Contains(acc.roles, p.Role) {
			s.authFailures.WithLabelValues("forbidden").Inc()
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if rec, ok := w.(*statusRecorder); ok {
			rec.user = p.Name
		}
		next.ServeHTTP(w, r.WithContext(withPrincipal(r.Context(), p)))
	})
}

func wantsHTML(r *http.Request) bool {
	return (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
		strings.Contains(r.Header.Get("Accept"), "text/html")
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers what a handler answered, for the request log
// and metrics.
type statusRecorder struct {
	http.ResponseWriter
	code  int
	bytes int64
	user  string
}

func (rec *statusRecorder) WriteHeader(code int) {
	if rec.code == 0 {
		rec.code = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *statusRecorder) Write(b []byte) (int, error) {
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(b)
	rec.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (rec *statusRecorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// observe logs each request and counts it by route.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			code := rec.code
			if code == 0 {
				code = http.StatusOK
			}
			elapsed := time.Since(start)
			route := routeOf(r.URL.Path)
			s.requests.WithLabelValues(route, strings.ToLower(r.Method), strconv.Itoa(code)).Inc()
			s.duration.WithLabelValues(route).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if quietRequest(route, r.Method, code) {
				level = slog.LevelDebug
			}
			s.logger.Log(r.Context(), level, "http request",
				"method", r.Method, "path", r.URL.Path, "status", code,
				"bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds())/1000,
				"user", rec.user, "remote", r.RemoteAddr)
		}()
		next.ServeHTTP(rec, r)
	})
}

// quietRequest says whether a request is routine polling (probes,
// scrapes, the dashboard refreshing itself every few seconds), logged at
// debug level so that it does not drown what people did.
func quietRequest(route, method string, code int) bool {
	switch route {
	case "healthz", "readyz", "metrics":
		return code < 400
	case "monitoring_api":
		return (method == http.MethodGet || method == http.MethodHead) && code < 400
	}
	return false
}

// routeOf names the route of a path, for metric labels of bounded
// cardinality.
func routeOf(path string) string {
	switch {
	case path == "/healthz":
		return "healthz"
	case path == "/readyz":
		return "readyz"
	case path == "/metrics":
		return "metrics"
	case path == "/login" || path == "/logout":
		return "login"
	case strings.HasPrefix(path, "/monitoring/api/"):
		return "monitoring_api"
	case strings.HasPrefix(path, "/monitoring"):
		return "monitoring"
	case strings.HasPrefix(path, "/api/"):
		return "api"
	}
	return "pages"
}
