package link

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// OrderRequestAction is the action order-request links are signed for.
// The signed id is the request and the extra value the status it sets
// ("done" or "rejected").
const OrderRequestAction = "order_request"

// OrderRequestBy is who a decision made through a link is recorded as.
const OrderRequestBy = "one-click link"

// OrderRequestURL returns the one-click link that closes order request id
// with status: baseURL/order-requests/{id}/{status}?exp=...&sig=...
func (s *Signer) OrderRequestURL(baseURL string, id int64, status string, expires time.Time) string {
	return fmt.Sprintf("%s/order-requests/%d/%s?%s", strings.TrimRight(baseURL, "/"), id, url.PathEscape(status),
		s.Values(OrderRequestAction, id, status, expires).Encode())
}

// OrderRequests reads a request for the pages of its links;
// *store.Store implements it.
type OrderRequests interface {
	OrderRequest(ctx context.Context, id int64) (*store.OrderRequest, error)
}

// DecideOrderRequestFunc closes a request first time only, e.g.
// (*workers.OrderRequestDecider).Decide: decided is false when it was
// closed before, and the request returned shows that decision.
type DecideOrderRequestFunc func(ctx context.Context, id int64, status, note, by string) (*store.OrderRequest, bool, error)

// orderRequestWords are the confirmation and result wording per status.
var orderRequestWords = map[string]struct{ question, button, done string }{
	store.OrderRequestDone: {
		question: "Mark order request #%d as done? The customer is told that it has been done.",
		button:   "Mark done",
		done:     "Done: order request #%d marked done; the customer is told.",
	},
	store.OrderRequestRejected: {
		question: "Reject order request #%d? The customer is told that it could not be done.",
		button:   "Reject",
		done:     "Done: order request #%d rejected; the customer is told.",
	},
}

// orderRequestDecidedPage says what an earlier decision was, by whom and
// when.
func orderRequestDecidedPage(q *store.OrderRequest) page {
	line := fmt.Sprintf("Order request #%d was already marked %s", q.ID, q.Status)
	if q.DecidedBy != "" {
		line += " by " + q.DecidedBy
	}
	if !q.ResolvedAt.IsZero() {
		line += " on " + q.ResolvedAt.UTC().Format("Mon 2 Jan 2006 15:04") + " UTC"
	}
	lines := []string{line + "."}
	if q.Note != "" {
		lines = append(lines, "Note: "+q.Note)
	}
	lines = append(lines, "This link changes nothing now.")
	return page{Title: "Already decided", Done: true, Lines: lines}
}

// serveOrderRequest confirms (GET) or applies (POST) an order-request
// link; the POST form may carry a note for the customer.
func (h *handler) serveOrderRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := parseID(r.PathValue("id"))
	status := r.PathValue("status")
	words, known := orderRequestWords[status]
	if !ok || !known || h.decideRequest == nil || h.requests == nil {
		render(w, notFoundPage())
		return
	}
	q, ok := h.query(w, r)
	if !ok {
		return
	}
	if err := h.signer.VerifyValues(OrderRequestAction, id, status, q, h.now()); err != nil {
		h.refuse(w, r, err, "order_request_id", id)
		return
	}
	req, err := h.requests.OrderRequest(r.Context(), id)
	if err != nil {
		h.failed(w, r, err, "order_request_id", id)
		return
	}
	if req.Status != store.OrderRequestPending {
		render(w, orderRequestDecidedPage(req))
		return
	}
	if r.Method != http.MethodPost {
		render(w, confirmPage(r, q, fmt.Sprintf("Order request #%d", id), fmt.Sprintf(words.question, id), words.button,
			[]field{{Name: "note", Label: "Note to the customer (optional)"}}))
		return
	}
	note := strings.TrimSpace(q.Get("note"))
	req, decided, err := h.decideRequest(r.Context(), id, status, note, OrderRequestBy)
	if err != nil {
		if req == nil || !decided {
			h.failed(w, r, err, "order_request_id", id, "status", status)
			return
		}
		// Decided, but the customer's mail was not queued: say so.
		h.log.ErrorContext(r.Context(), "order request decided, customer mail failed", "order_request_id", id, "error", err.Error())
		render(w, page{Status: http.StatusInternalServerError, Title: "Decided, customer not yet told",
			Lines: []string{fmt.Sprintf("Order request #%d is marked %s, but the mail to the customer could not be queued.", id, status),
				"Tell your salesdesk administrator."}})
		return
	}
	if !decided {
		render(w, orderRequestDecidedPage(req))
		return
	}
	h.log.InfoContext(r.Context(), "order request link applied", "order_request_id", id, "status", status)
	render(w, donePage(fmt.Sprintf(words.done, id)))
}
