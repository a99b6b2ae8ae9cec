package web

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/hibiken/asynqmon"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Defaults for the zero values of Options.
const (
	DefaultCheckTimeout    = 2 * time.Second
	DefaultShutdownTimeout = 10 * time.Second
	DefaultSessionTTL      = 12 * time.Hour
	// PasswordCacheTTL is how long a verified user/password pair is
	// trusted without running bcrypt again.
	PasswordCacheTTL = time.Minute
)

// Options configures a Server.
type Options struct {
	// Listen is the TCP address Run listens on, e.g. "127.0.0.1:8080".
	Listen string

	// Admins get the full dashboard; at least one is required.
	Admins []User
	// Viewers get the dashboard read-only.
	Viewers []User
	// APITokens may call the API at /api/ and read /metrics.
	APITokens []Token

	// RedisConnOpt reaches asynq's Redis, for the dashboard and the queue
	// metrics. Required.
	RedisConnOpt asynq.RedisConnOpt

	// Checks are the readiness checks /readyz runs, by name ("redis",
	// "database", "mailbox:sales"). Each gets a context bounded by
	// CheckTimeout.
	Checks map[string]func(ctx context.Context) error
	// CheckTimeout bounds each check; default DefaultCheckTimeout.
	CheckTimeout time.Duration
	// Status, when set, adds its answer to /readyz for authenticated
	// callers (e.g. each mailbox's poller state). It must be quick.
	Status func() map[string]any

	// Registry receives the asynq queue metrics and the HTTP metrics and
	// is served at /metrics; the caller registers the Go and process
	// collectors and its own metrics there. Nil means a new registry with
	// the Go and process collectors.
	Registry *prometheus.Registry

	// API serves /api/ (it sees the full path) for bearer-token callers.
	// Nil answers 404 there.
	API http.Handler
	// Pages serves every other path (the admin pages) for admins and
	// viewers. Nil redirects / to the dashboard and answers 404 elsewhere.
	Pages http.Handler
	// Public maps ServeMux patterns ("/triage/", "GET /leads/{id}") to
	// handlers served WITHOUT authentication, still behind the security
	// headers, CSRF protection and request log. It is only for handlers
	// that authenticate each request themselves, such as signed one-click
	// links from mails. A pattern must start with a literal path segment
	// and may not overlap the built-in routes (/, /monitoring/, /api/,
	// /metrics, /healthz, /readyz, /login, /logout); New refuses one that
	// does.
	Public map[string]http.Handler

	// SessionKey signs login session cookies; at least 32 bytes. Empty
	// means a random key per process: sessions then end on restart and are
	// not shared between several web processes.
	SessionKey []byte
	// SessionTTL is how long a login lasts; default DefaultSessionTTL.
	SessionTTL time.Duration
	// SecureCookie marks the session cookie Secure even on plain HTTP,
	// for a server behind a TLS-terminating proxy. Requests that arrive
	// over TLS always get a Secure cookie.
	SecureCookie bool

	// LoginThrottle limits failed password checks; zero values take the
	// defaults (5 per account, 20 per client address, in 15 minutes).
	LoginThrottle LoginThrottle

	// TrustedOrigins are other origins ("https://crm.example.com") whose
	// pages may send unsafe (POST, DELETE…) requests here. Cross-origin
	// browser requests from anywhere else are refused with 403.
	TrustedOrigins []string

	// ShutdownTimeout bounds how long Run waits for in-flight requests
	// after its context ends; default DefaultShutdownTimeout.
	ShutdownTimeout time.Duration

	// Logger receives the request log and auth failures; nil discards.
	Logger *slog.Logger
}

// Server is salesdesk's HTTP server. Build it with New.
type Server struct {
	listen          string
	logger          *slog.Logger
	auth            *authenticator
	throttle        *throttle
	sessions        *sessions
	checks          map[string]func(ctx context.Context) error
	checkTimeout    time.Duration
	status          func() map[string]any
	shutdownTimeout time.Duration
	handler         http.Handler

	dashboard         *asynqmon.HTTPHandler
	readOnlyDashboard *asynqmon.HTTPHandler
	closers           []func() error
	closeOnce         sync.Once
	closeErr          error

	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	authFailures *prometheus.CounterVec
}

// New checks o and builds a Server. It refuses to build one that would let
// anybody in: without an admin, with a malformed bcrypt hash, with a short
// token secret or session key. The Server holds Redis connections until
// Close (Run closes them when it returns).
func New(o Options) (*Server, error) {
	if o.RedisConnOpt == nil {
		return nil, errors.New("web: no Redis connection configured (RedisConnOpt)")
	}
	if len(o.SessionKey) > 0 && len(o.SessionKey) < 32 {
		return nil, fmt.Errorf("web: session key is %d bytes; at least 32 are needed", len(o.SessionKey))
	}
	auth, err := newAuthenticator(o.Admins, o.Viewers, o.APITokens, PasswordCacheTTL, time.Now)
	if err != nil {
		return nil, err
	}
	s := &Server{
		listen:          o.Listen,
		logger:          o.Logger,
		auth:            auth,
		throttle:        newThrottle(o.LoginThrottle, time.Now),
		checks:          o.Checks,
		checkTimeout:    o.CheckTimeout,
		status:          o.Status,
		shutdownTimeout: o.ShutdownTimeout,
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.checkTimeout <= 0 {
		s.checkTimeout = DefaultCheckTimeout
	}
	if s.shutdownTimeout <= 0 {
		s.shutdownTimeout = DefaultShutdownTimeout
	}
	key := o.SessionKey
	if len(key) == 0 {
		key = make([]byte, 32)
		rand.Read(key)
	}
	ttl := o.SessionTTL
	if ttl <= 0 {
		ttl = DefaultSessionTTL
	}
	s.sessions = &sessions{key: key, ttl: ttl, secure: o.SecureCookie, auth: auth}

	reg := o.Registry
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if err := s.registerMetrics(reg); err != nil {
		return nil, err
	}

	// asynqmon panics on a RedisConnOpt it cannot use; New reports it.
	if err := func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("web: dashboard: %v", v)
			}
		}()
		s.dashboard = asynqmon.New(asynqmon.Options{RootPath: "/monitoring", RedisConnOpt: o.RedisConnOpt})
		s.closers = append(s.closers, s.dashboard.Close)
		s.readOnlyDashboard = asynqmon.New(asynqmon.Options{RootPath: "/monitoring", RedisConnOpt: o.RedisConnOpt, ReadOnly: true})
		s.closers = append(s.closers, s.readOnlyDashboard.Close)
		return nil
	}(); err != nil {
		s.Close()
		return nil, err
	}
	inspector := asynq.NewInspector(o.RedisConnOpt)
	s.closers = append(s.closers, inspector.Close)
	if _, err := register(reg, &queueCollector{inspector: inspector, logger: s.logger}); err != nil {
		s.Close()
		return nil, fmt.Errorf("web: register queue metrics: %w", err)
	}

	csrf := http.NewCrossOriginProtection()
	for _, origin := range o.TrustedOrigins {
		if err := csrf.AddTrustedOrigin(origin); err != nil {
			s.Close()
			return nil, fmt.Errorf("web: trusted origin: %w", err)
		}
	}
	mux := http.NewServeMux()
	s.handler = s.routes(mux, reg, csrf, o.API, o.Pages)
	// After the built-in routes, so ServeMux reports any conflict with them.
	if err := mountPublic(mux, o.Public); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// builtinPaths are the paths of the built-in routes, which a public
// pattern may not take over; the ones ending in "/" own their subtree.
var builtinPaths = []string{"/monitoring/", "/api/", "/metrics", "/healthz", "/readyz", "/readyz/", "/login", "/logout"}

// mountPublic registers the unauthenticated handlers on mux, refusing
// patterns that would serve a built-in route, the admin pages' root or a
// wildcard first segment (which could shadow any of them).
func mountPublic(mux *http.ServeMux, public map[string]http.Handler) (err error) {
	for pattern, h := range public {
		if h == nil {
			return fmt.Errorf("web: public pattern %q: nil handler", pattern)
		}
		path := pattern
		if _, rest, ok := strings.Cut(strings.TrimSpace(path), " "); ok {
			path = strings.TrimLeft(rest, " \t") // drop the method
		}
		if i := strings.IndexByte(path, '/'); i > 0 {
			path = path[i:] // drop the host
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
		if !strings.HasPrefix(path, "/") || first == "" || strings.Contains(first, "{") {
			return fmt.Errorf("web: public pattern %q must start with a literal path segment", pattern)
		}
		for _, b := range builtinPaths {
			if strings.TrimSuffix(path, "/") == strings.TrimSuffix(b, "/") ||
				strings.HasSuffix(b, "/") && strings.HasPrefix(path, b) {
				return fmt.Errorf("web: public pattern %q collides with the built-in route %s", pattern, b)
			}
		}
		// ServeMux panics on a malformed or conflicting pattern.
		if err := func() (err error) {
			defer func() {
				if v := recover(); v != nil {
					err = fmt.Errorf("web: public pattern %q: %v", pattern, v)
				}
			}()
			mux.Handle(pattern, h)
			return nil
		}(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Server) registerMetrics(reg *prometheus.Registry) error {
	var err error
	if s.requests, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "salesdesk_http_requests_total",
		Help: "HTTP requests answered, by route, method and status code.",
	}, []string{"route", "method", "code"})); err != nil {
		return fmt.Errorf("web: register metrics: %w", err)
	}
	if s.duration, err = register(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "salesdesk_http_request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route.",
		Buckets: prometheus.DefBuckets,
	}, []string{"route"})); err != nil {
		return fmt.Errorf("web: register metrics: %w", err)
	}
	if s.authFailures, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "salesdesk_http_auth_failures_total",
		Help: "Requests refused for missing, invalid or insufficient credentials.",
	}, []string{"reason"})); err != nil {
		return fmt.Errorf("web: register metrics: %w", err)
	}
	return nil
}

// routes adds the built-in routes to mux and wraps it in the middleware.
func (s *Server) routes(mux *http.ServeMux, reg *prometheus.Registry, csrf *http.CrossOriginProtection, api, pages http.Handler) http.Handler {
	people := access{roles: []Role{RoleAdmin, RoleViewer}, challenge: basicChallenge, toLogin: true}
	mux.HandleFunc("GET /healthz", s.handleHealthz)
	mux.HandleFunc("GET /readyz", s.handleReadyz)
	mux.Handle("GET /readyz/details", s.guard(access{
		roles:     []Role{RoleAdmin, RoleViewer, RoleAPI},
		challenge: basicChallenge + ", " + bearerChallenge,
	}, http.HandlerFunc(s.handleReadyzDetails)))
	mux.HandleFunc("/login", s.handleLogin)
	mux.HandleFunc("/logout", s.handleLogout)

	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		ErrorLog:      promLogger{s.logger},
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      reg,
	})
	mux.Handle("GET /metrics", s.guard(access{
		roles:     []Role{RoleAdmin, RoleViewer, RoleAPI},
		challenge: basicChallenge + ", " + bearerChallenge,
	}, metrics))

	mux.Handle("/monitoring/", s.guard(people, http.HandlerFunc(s.serveDashboard)))

	if api == nil {
		api = http.NotFoundHandler()
	}
	mux.Handle("/api/", s.guard(access{roles: []Role{RoleAPI}, challenge: bearerChallenge}, api))

	if pages == nil {
		pages = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/" {
				http.Redirect(w, r, "/monitoring/", http.StatusSeeOther)
				return
			}
			http.NotFound(w, r)
		})
	}
	mux.Handle("/", s.guard(people, pages))

	return s.observe(securityHeaders(csrf.Handler(mux)))
}

// serveDashboard gives admins asynqmon and viewers its read-only mode.
// asynqmon's ReadOnly refuses only non-GET requests to its API, so viewers
// are also held to GET and HEAD here, everywhere under /monitoring/.
func (s *Server) serveDashboard(w http.ResponseWriter, r *http.Request) {
	p, _ := PrincipalFrom(r.Context())
	switch p.Role {
	case RoleAdmin:
		s.dashboard.ServeHTTP(w, r)
	case RoleViewer:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.authFailures.WithLabelValues("forbidden").Inc()
			s.logger.WarnContext(r.Context(), "viewer refused a dashboard change",
				"user", p.Name, "method", r.Method, "path", r.URL.Path)
			http.Error(w, "forbidden: viewers have read-only access", http.StatusForbidden)
			return
		}
		s.readOnlyDashboard.ServeHTTP(w, r)
	default:
		http.Error(w, "forbidden", http.StatusForbidden)
	}
}

// Handler returns the Server's routes with authentication, security
// headers, CSRF protection and request logging, for tests or for mounting
// in another server.
func (s *Server) Handler() http.Handler { return s.handler }

// Run listens on Options.Listen and serves until ctx ends, then shuts down
// gracefully within ShutdownTimeout and closes the Server.
func (s *Server) Run(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.listen)
	if err != nil {
		s.Close()
		return fmt.Errorf("web: listen on %q: %w", s.listen, err)
	}
	return s.Serve(ctx, ln)
}

// Serve is Run on a listener the caller opened (e.g. on port 0). It closes
// ln and the Server when it returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	defer s.Close()
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.logger.InfoContext(ctx, "web listening", "addr", ln.Addr().String())

	select {
	case err := <-errc:
		return fmt.Errorf("web: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if err != nil {
		s.logger.WarnContext(ctx, "web shutdown timed out; closing connections", "err", err)
		srv.Close()
	}
	<-errc
	s.logger.InfoContext(ctx, "web stopped")
	if err != nil {
		return fmt.Errorf("web: shutdown: %w", err)
	}
	return nil
}

// Close releases the Server's Redis connections. It is safe to call more
// than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		for _, c := range s.closers {
			errs = append(errs, c())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}
