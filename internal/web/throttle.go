package web

import (
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Defaults of LoginThrottle's zero values.
const (
	DefaultMaxLoginFailures          = 5
	DefaultMaxLoginFailuresPerClient = 20
	DefaultLoginFailureWindow        = 15 * time.Minute
	// maxThrottleKeys bounds the tracked accounts and clients; when full
	// of live entries the oldest windows are forgotten first.
	maxThrottleKeys = 10000
)

// LoginThrottle limits failed password checks (login form and Basic
// auth): after MaxFailures failures for one account, or
// MaxFailuresPerClient from one client address, within Window, further
// attempts are refused without checking the password until the window
// that started with the first failure has passed.
type LoginThrottle struct {
	MaxFailures          int
	MaxFailuresPerClient int
	Window               time.Duration
}

type failureWindow struct {
	n     int
	start time.Time
}

// throttle counts failed password checks per account and per client.
type throttle struct {
	cfg     LoginThrottle
	now     func() time.Time
	mu      sync.Mutex
	users   map[string]*failureWindow
	clients map[string]*failureWindow
}

func newThrottle(c LoginThrottle, now func() time.Time) *throttle {
	if c.MaxFailures <= 0 {
		c.MaxFailures = DefaultMaxLoginFailures
	}
	if c.MaxFailuresPerClient <= 0 {
		c.MaxFailuresPerClient = DefaultMaxLoginFailuresPerClient
	}
	if c.Window <= 0 {
		c.Window = DefaultLoginFailureWindow
	}
	return &throttle{cfg: c, now: now, users: map[string]*failureWindow{}, clients: map[string]*failureWindow{}}
}

// clientOf is the address a request comes from, without its port.
func clientOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// blocked reports whether attempts for user (an account name, "" for an
// unknown one) from client are refused now, and for how long.
func (t *throttle) blocked(user, client string) (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	wait := time.Duration(0)
	check := func(m map[string]*failureWindow, key string, limit int) {
		w := m[key]
		if key == "" || w == nil {
			return
		}
		if !now.Before(w.start.Add(t.cfg.Window)) {
			delete(m, key)
			return
		}
		if w.n >= limit {
			wait = max(wait, w.start.Add(t.cfg.Window).Sub(now))
		}
	}
	check(t.users, user, t.cfg.MaxFailures)
	check(t.clients, client, t.cfg.MaxFailuresPerClient)
	return wait, wait > 0
}

// fail counts one failed attempt for user ("" for an unknown account) and
// client.
func (t *throttle) fail(user, client string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	count := func(m map[string]*failureWindow, key string) {
		if key == "" {
			return
		}
		w := m[key]
		if w == nil || !now.Before(w.start.Add(t.cfg.Window)) {
			if len(m) >= maxThrottleKeys {
				t.prune(m, now)
			}
			w = &failureWindow{start: now}
			m[key] = w
		}
		w.n++
	}
	count(t.users, user)
	count(t.clients, client)
}

// prune drops expired windows, and when none expired the whole map: a
// flood of addresses must not grow memory without bound.
func (t *throttle) prune(m map[string]*failureWindow, now time.Time) {
	for k, w := range m {
		if !now.Before(w.start.Add(t.cfg.Window)) {
			delete(m, k)
		}
	}
	if len(m) >= maxThrottleKeys {
		clear(m)
	}
}

// succeed forgets the account's failures after a correct password.
func (t *throttle) succeed(user string) {
	t.mu.Lock()
	delete(t.users, user)
	t.mu.Unlock()
}

// knownAccount is user when it names a configured account, else "": only
// real accounts get a per-account count, so guessed names cannot fill
// memory or lock anyone out.
func (s *Server) knownAccount(user string) string {
	if s.auth.accounts[user] != nil {
		return user
	}
	return ""
}

// throttled reports whether a password attempt for user from r's client
// is refused now, and for how long.
func (s *Server) throttled(r *http.Request, user string) (time.Duration, bool) {
	return s.throttle.blocked(s.knownAccount(user), clientOf(r))
}

// checkPassword checks a password typed by a person (login form or Basic
// auth) and counts the outcome for the throttle. A failure is logged
// without the typed name or password: people type passwords into the
// name field.
func (s *Server) checkPassword(r *http.Request, user, pass, via string) (Principal, bool) {
	p, ok := s.auth.password(r.Context(), user, pass)
	if ok {
		s.throttle.succeed(user)
		return p, true
	}
	known := s.knownAccount(user)
	s.throttle.fail(known, clientOf(r))
	s.authFailures.WithLabelValues("invalid").Inc()
	s.logger.WarnContext(r.Context(), "password check failed", "via", via, "path", r.URL.Path,
		"remote", r.RemoteAddr, "account_exists", known != "")
	return Principal{}, false
}

// refuseThrottled answers an attempt the throttle refused: 429 with the
// time to wait, counted in salesdesk_http_auth_failures_total{reason="throttled"}.
func (s *Server) refuseThrottled(w http.ResponseWriter, r *http.Request, wait time.Duration) string {
	s.authFailures.WithLabelValues("throttled").Inc()
	s.logger.WarnContext(r.Context(), "password attempt refused: too many failures", "path", r.URL.Path,
		"remote", r.RemoteAddr, "retry_after_s", int(wait.Seconds()+0.5))
	mins := int((wait + time.Minute - 1) / time.Minute)
	w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
	return fmt.Sprintf("Too many failed sign-in attempts. Try again in %d minute%s.", mins, plural(mins))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
