package link

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/intake"
	"salesdesk/internal/lead"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
)

// TriageBy is who a triage decision made through a link is recorded as.
const TriageBy = "link"

// maxFormBytes bounds a POST body: the form holds three short fields.
const maxFormBytes = 8 << 10

// HandlerOptions configure the one-click pages.
type HandlerOptions struct {
	// Signer checks the links' signatures. Required.
	Signer *Signer
	// Triage files an inquiry under a category, e.g.
	// (*intake.Processor).ApplyTriageDecision. Nil answers 404 on /triage/.
	Triage func(ctx context.Context, inquiryID int64, category, by string) error
	// Lead applies a rep's action to a lead, e.g. an adapter around
	// (*lead.Service).ApplyLinkAction. Nil answers 404 on /leads/.
	Lead func(ctx context.Context, leadID int64, action string, repID int64) error
	// Decisions makes triage links single-use: the first decision holds
	// and a later link from the same mail shows it. Nil applies every
	// use (tests of the pages alone).
	Decisions Decisions
	// DecideOrderRequest closes an order request (done or rejected) and
	// tells the customer, first decision only. Nil (or nil
	// OrderRequests) answers 404 on /order-requests/.
	DecideOrderRequest DecideOrderRequestFunc
	// OrderRequests reads a request, to show an earlier decision.
	OrderRequests OrderRequests
	// CloseLead marks a lead won or lost from the rep's lead mail, e.g.
	// (*lead.Service).CloseForRep. Nil (or nil Leads or Decisions)
	// answers 404 on /leads/{id}/won and /leads/{id}/lost.
	CloseLead CloseLeadFunc
	// Leads reads a lead and its rep for the won and lost pages.
	Leads LeadReader
	// Currency is the won page's default currency (the team's, config
	// report.currency), e.g. "EUR".
	Currency string
	// LostReasons are the reasons the lost page offers (config
	// leads.lost_reasons).
	LostReasons []string
	// TeamZone is the team's timezone (config scheduler.timezone), in
	// which a rep without their own reads the won and lost pages' times.
	TeamZone string
	// Now is the clock links expire by; nil means time.Now.
	Now func() time.Time
	// Logger receives applied decisions and failures; nil discards.
	Logger *slog.Logger
}

// handler serves the one-click routes.
type handler struct {
	signer *Signer
	triage func(ctx context.Context, inquiryID int64, category, by string) error
	lead   func(ctx context.Context, leadID int64, action string, repID int64) error
	// decisions makes triage links single-use; nil applies every use.
	decisions Decisions
	// decideRequest and requests serve the order-request links.
	decideRequest DecideOrderRequestFunc
	requests      OrderRequests
	// closeLead, leads, currency and lostReasons serve won and lost links.
	closeLead   CloseLeadFunc
	leads       LeadReader
	currency    string
	lostReasons []string
	teamZone    string
	now         func() time.Time
	log         *slog.Logger
}

// NewHandler returns the handler for GET and POST on /triage/{id}/{category} and
// /leads/{id}/{action}. It panics without a Signer, a wiring mistake.
func NewHandler(o HandlerOptions) http.Handler {
	if o.Signer == nil {
		panic("link: HandlerOptions.Signer is required")
	}
	h := &handler{signer: o.Signer, triage: o.Triage, lead: o.Lead, decisions: o.Decisions, now: o.Now, log: o.Logger,
		decideRequest: o.DecideOrderRequest, requests: o.OrderRequests,
		closeLead: o.CloseLead, leads: o.Leads, currency: o.Currency, lostReasons: o.LostReasons,
		teamZone: o.TeamZone}
	if h.now == nil {
		h.now = time.Now
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	mux := http.NewServeMux()
	mux.Handle("/triage/{id}/{category}", methods(h.serveTriage))
	mux.Handle("/leads/{id}/{action}", methods(h.serveLead))
	mux.Handle("/order-requests/{id}/{status}", methods(h.serveOrderRequest))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { render(w, notFoundPage()) })
	return mux
}

// methods lets through GET and HEAD (which only confirm) and POST (which
// applies).
func methods(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPost:
			next(w, r)
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			render(w, page{Status: http.StatusMethodNotAllowed, Title: "Method not allowed",
				Lines: []string{"Open the link from the mail in a browser."}})
		}
	})
}

// serveTriage confirms (GET) or applies (POST) a triage link.
func (h *handler) serveTriage(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"))
	raw := r.PathValue("category")
	cat, known := routing.ParseCategory(raw)
	if !ok || !known || h.triage == nil {
		render(w, notFoundPage())
		return
	}
	q, ok := h.query(w, r)
	if !ok {
		return
	}
	// The signature covers the category exactly as the link spelled it.
	if err := h.signer.VerifyValues(TriageAction, id, raw, q, h.now()); err != nil {
		h.refuse(w, r, err, "inquiry_id", id)
		return
	}
	label := strings.ReplaceAll(string(cat), "_", " ")
	what := fmt.Sprintf("inquiry #%d", id)
	if h.decisions != nil {
		held, err := h.decisions.LinkDecision(r.Context(), TriageAction, id)
		switch {
		case err == nil && held.Decision != string(cat):
			render(w, decidedPage(what, held))
			return
		case err != nil && !errors.Is(err, store.ErrNotFound):
			h.failed(w, r, err, "inquiry_id", id, "category", string(cat))
			return
		}
	}
	if r.Method != http.MethodPost {
		render(w, confirmPage(r, q, "File "+what,
			fmt.Sprintf("File %s as %s? The inquiry then gets that category's follow-up, and the classifier learns from your decision.", what, label),
			"File as "+label, nil))
		return
	}
	held, won, apply, err := h.claimTriage(r.Context(), id, string(cat), h.now())
	if err != nil {
		h.failed(w, r, err, "inquiry_id", id, "category", string(cat))
		return
	}
	if !apply {
		// Another link of the same mail won between the check and here.
		h.log.InfoContext(r.Context(), "triage link refused: already decided", "inquiry_id", id,
			"category", string(cat), "decided", held.Decision)
		render(w, decidedPage(what, held))
		return
	}
	err = h.triage(r.Context(), id, string(cat), TriageBy)
	if err != nil {
		if won {
			h.releaseTriage(r.Context(), held)
		}
		h.failed(w, r, err, "inquiry_id", id, "category", string(cat))
		return
	}
	h.log.InfoContext(r.Context(), "triage link applied", "inquiry_id", id, "category", string(cat))
	render(w, donePage(fmt.Sprintf("Done: %s filed as %s.", what, label)))
}

// leadActions are the confirmation and result wording per lead action.
var leadActions = map[string]struct{ question, button, done string }{
	lead.ActionAccept: {
		question: "Take lead %s? You will not be reminded about it again.",
		button:   "Accept lead",
		done:     "Done: lead %s is yours.",
	},
	lead.ActionContacted: {
		question: "Mark lead %s as contacted? That meets its response deadline.",
		button:   "Mark contacted",
		done:     "Done: lead %s marked contacted.",
	},
	lead.ActionNotMine: {
		question: "Pass lead %s on? It goes to the next eligible rep, or to the pool.",
		button:   "Not mine, pass it on",
		done:     "Done: lead %s passed on.",
	},
}

// serveLead confirms (GET) or applies (POST) a lead link.
func (h *handler) serveLead(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	if action == store.LeadWon || action == store.LeadLost {
		h.serveLeadOutcome(w, r, action)
		return
	}
	id, ok := parseID(r.PathValue("id"))
	words, known := leadActions[action]
	if !ok || !known || !slices.Contains(lead.Actions, action) || h.lead == nil {
		render(w, notFoundPage())
		return
	}
	q, ok := h.query(w, r)
	if !ok {
		return
	}
	repID, err := h.signer.VerifyLead(action, id, q, h.now())
	if err != nil {
		h.refuse(w, r, err, "lead_id", id)
		return
	}
	if r.Method != http.MethodPost {
		fields := []field{{Name: "rep", Value: strconv.FormatInt(repID, 10)}}
		render(w, confirmPage(r, q, "Lead "+store.LeadRef(id), fmt.Sprintf(words.question, store.LeadRef(id)), words.button, fields))
		return
	}
	if err := h.lead(r.Context(), id, action, repID); err != nil {
		h.failed(w, r, err, "lead_id", id, "action", action, "rep_id", repID)
		return
	}
	h.log.InfoContext(r.Context(), "lead link applied", "lead_id", id, "action", action, "rep_id", repID)
	render(w, donePage(fmt.Sprintf(words.done, store.LeadRef(id))))
}

// query returns the link's parameters: the URL's query for GET, the
// submitted form (falling back to the query) for POST.
func (h *handler) query(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	if r.Method != http.MethodPost {
		return r.URL.Query(), true
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		render(w, page{Status: http.StatusBadRequest, Title: "Bad request",
			Lines: []string{"The form could not be read. Open the link from the mail again."}})
		return nil, false
	}
	return r.Form, true
}

// refuse answers a link that failed verification.
func (h *handler) refuse(w http.ResponseWriter, r *http.Request, err error, args ...any) {
	args = append(args, "path", r.URL.Path, "method", r.Method, "remote", r.RemoteAddr)
	if errors.Is(err, ErrExpired) {
		h.log.InfoContext(r.Context(), "one-click link expired", args...)
		render(w, expiredPage(r.URL.Path))
		return
	}
	h.log.WarnContext(r.Context(), "one-click link refused: bad signature", args...)
	render(w, page{Status: http.StatusForbidden, Title: "Link not valid",
		Lines: []string{
			"This link is not valid: it may have been cut short or changed on its way to you.",
			"Open it again from the original mail, copying the whole address.",
		}})
}

// failed answers an error from applying a verified link.
func (h *handler) failed(w http.ResponseWriter, r *http.Request, err error, args ...any) {
	switch {
	case errors.Is(err, store.ErrNotFound), errors.Is(err, lead.ErrUnknownAction), errors.Is(err, intake.ErrUnknownCategory):
		render(w, notFoundPage())
	case errors.Is(err, lead.ErrNotYours):
		render(w, page{Status: http.StatusConflict, Title: "No longer yours",
			Lines: []string{
				"This lead is no longer yours: it was passed to another rep or closed, so nothing was changed.",
				"Your current leads are in your latest lead mail and daily lead list.",
			}})
	default:
		h.log.ErrorContext(r.Context(), "one-click link failed", append(args, "error", err.Error())...)
		render(w, page{Status: http.StatusInternalServerError, Title: "Something went wrong",
			Lines: []string{
				"Your decision could not be saved because of a problem on our side.",
				"Please try again in a few minutes; if it keeps failing, tell your salesdesk administrator.",
			}})
	}
}

// parseID reads a positive decimal id.
func parseID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0 && strconv.FormatInt(id, 10) == s
}
