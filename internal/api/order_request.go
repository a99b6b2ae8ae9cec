package api

import (
	"bytes"
	"net/http"
)

// orderRequestDecisionIn is the optional body of POST
// /order-requests/{id}/done and /rejected.
type orderRequestDecisionIn struct {
	Note *string `json:"note"`
}

// orderRequestDecisionOut is the answer: the request after the call, and
// whether this call decided it (false: it was closed before and nothing
// changed).
type orderRequestDecisionOut struct {
	orderRequestJSON
	Decided  bool     `json:"decided"`
	Warnings []string `json:"warnings,omitempty"`
}

// decideOrderRequest returns the handler that closes a request with
// status. A request closed before is answered 409 with the earlier
// decision.
func (h *handler) decideOrderRequest(status string) func(w http.ResponseWriter, r *http.Request, q *query) error {
	return func(w http.ResponseWriter, r *http.Request, q *query) error {
		id, err := pathID(r, "id", "order request")
		if err != nil {
			return err
		}
		body, err := readBody(w, r)
		if err != nil {
			return err
		}
		var in orderRequestDecisionIn
		if len(bytes.TrimSpace(body)) > 0 {
			if err := decodeJSON(body, &in); err != nil {
				return err
			}
		}
		note := ""
		if in.Note != nil {
			f := fieldErrors{}
			f.text("note", *in.Note, maxNotes)
			if err := f.err(); err != nil {
				return err
			}
			note = *in.Note
		}
		decide := h.hooks.DecideOrderRequest
		if decide == nil {
			decide = h.st.DecideOrderRequest
		}
		ctx := r.Context()
		req, decided, err := decide(ctx, id, status, note, caller(ctx))
		if req == nil {
			return orNotFound(err, "order request", id)
		}
		out := orderRequestDecisionOut{orderRequestJSON: orderRequestOut(req), Decided: decided}
		if err != nil {
			// Decided, but telling the customer failed: the decision holds.
			h.log.ErrorContext(ctx, "order request decided, customer mail failed", "order_request_id", id,
				"request_id", w.Header().Get("X-Request-Id"), "err", err)
			out.Warnings = append(out.Warnings, "the request is closed, but the customer's mail could not be queued")
		}
		if !decided {
			writeJSON(w, http.StatusConflict, out)
			return nil
		}
		h.log.InfoContext(ctx, "order request decided", "order_request_id", id, "status", status, "by", caller(ctx))
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}
