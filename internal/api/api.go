package api

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
	"salesdesk/internal/web"
)

// Prefix is the path every endpoint lives under.
const Prefix = "/api/v1"

// Hooks are the side effects of API calls that other packages own. Each
// runs after the API's own change is committed; a nil hook is skipped.
type Hooks struct {
	// OnLabel applies a human's category to an inquiry: relabel it, teach
	// the model and route it (intake's ApplyTriageDecision). by names the
	// caller. The label endpoint has already stored the routing example;
	// it answers with the hook's error, so a client retries the whole,
	// idempotent, call. Without the hook the inquiry is only relabelled.
	OnLabel func(ctx context.Context, inquiryID int64, category, by string) error
	// OnOrderStatusChanged runs once per status change made through the
	// API (the customer's status mail). Its failure cannot undo the change:
	// the answer then carries a warning.
	OnOrderStatusChanged func(ctx context.Context, orderID int64, from, to string) error
	// OnLeadCreated runs once for each lead the API creates (enqueue
	// lead:assign). Its failure leaves the lead unassigned in the pool: the
	// answer then carries a warning.
	OnLeadCreated func(ctx context.Context, leadID int64) error
	// OnLeadClosed runs after a lead is won or lost through the API, so
	// the freed capacity goes to a lead waiting in the pool. Its failure
	// is a warning: the next leads:sla_scan drains the pool anyway.
	OnLeadClosed func(ctx context.Context, leadID int64) error
	// OnLeadReassigned runs after the API moved a lead to another rep, so
	// that rep is mailed and the SLA starts again. Its failure is a
	// warning.
	OnLeadReassigned func(ctx context.Context, leadID int64) error
	// OnInquiryClosed runs after an inquiry is closed; a failure is
	// answered as an error, and closing again is harmless.
	OnInquiryClosed func(ctx context.Context, inquiryID int64) error
	// DecideOrderRequest closes an order request as done or rejected and
	// tells the customer (workers' OrderRequestDecider.Decide), first
	// decision only. Nil only records the decision.
	DecideOrderRequest func(ctx context.Context, id int64, status, note, by string) (*store.OrderRequest, bool, error)
}

// Options configures the handler New builds.
type Options struct {
	// Store holds the data. Required.
	Store *store.Store
	// Logger receives internal errors (with the request id) and hook
	// failures; nil discards.
	Logger *slog.Logger
	// Clock is "now" for relative time filters such as since=24h; nil is
	// time.Now.
	Clock func() time.Time
	// Hooks are the side effects owned by other packages.
	Hooks Hooks
	// Meetings books and changes meetings; nil leaves out /meetings.
	Meetings *meeting.Service
	// Pipeline holds the won/lost rules (lost reasons).
	Pipeline Pipeline
}

// MaxBodyBytes bounds every request body.
const MaxBodyBytes = 1 << 20

// Paging limits.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// handler is the API's http.Handler.
type handler struct {
	st    *store.Store
	log   *slog.Logger
	now   func() time.Time
	hooks Hooks
	pipe  Pipeline
	mux   *http.ServeMux
	// meetings serves /meetings (meeting.go); nil leaves it out.
	meetings *meeting.Service
	routes   []route
}

// New builds the API handler. It serves paths under Prefix and expects
// authentication in front of it (internal/web does that).
func New(o Options) http.Handler {
	if o.Store == nil {
		panic("api: Options.Store is required")
	}
	h := &handler{st: o.Store, log: o.Logger, now: o.Clock, hooks: o.Hooks, pipe: o.Pipeline, mux: http.NewServeMux(), meetings: o.Meetings}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.now == nil {
		h.now = time.Now
	}
	h.routes = h.table()
	for _, rt := range h.routes {
		pattern := rt.method + " " + Prefix + rt.path
		if rt.path == "/" {
			pattern += "{$}"
		}
		h.mux.Handle(pattern, h.wrap(rt))
	}
	return h
}

// ServeHTTP routes the request. Unknown paths and methods are answered
// in JSON like every other error.
func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Request-Id", requestID(r))
	if _, pattern := h.mux.Handler(r); pattern == "" {
		h.noRoute(w, r)
		return
	}
	h.mux.ServeHTTP(w, r)
}

// noRoute answers a request no pattern matched: the mux's redirects are
// passed on, its 404 and 405 answered in JSON (405 with its Allow header).
func (h *handler) noRoute(w http.ResponseWriter, r *http.Request) {
	mh, _ := h.mux.Handler(r)
	rec := &headerRecorder{header: http.Header{}}
	mh.ServeHTTP(rec, r)
	switch {
	case rec.code >= 300 && rec.code < 400:
		http.Redirect(w, r, rec.header.Get("Location"), rec.code)
	case rec.code == http.StatusMethodNotAllowed:
		w.Header().Set("Allow", rec.header.Get("Allow"))
		writeError(w, &Error{Status: http.StatusMethodNotAllowed, Message: "method " + r.Method + " not allowed on " + r.URL.Path})
	default:
		writeError(w, &Error{Status: http.StatusNotFound, Message: "no such endpoint: " + r.URL.Path + " (see " + Prefix + "/)"})
	}
}

// headerRecorder keeps only the status and headers the mux's own
// handlers write.
type headerRecorder struct {
	header http.Header
	code   int
}

func (r *headerRecorder) Header() http.Header         { return r.header }
func (r *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *headerRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

// caller names who made the request, for logs and hooks.
func caller(ctx context.Context) string {
	if p, ok := web.PrincipalFrom(ctx); ok && p.Name != "" {
		return "api:" + p.Name
	}
	return "api"
}

// joinPath is a Prefix-relative path for Location headers and links.
func joinPath(parts ...string) string {
	return Prefix + "/" + strings.Join(parts, "/")
}
