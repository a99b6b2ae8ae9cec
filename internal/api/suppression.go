package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// DefaultSuppressionReason is the reason of suppressions posted without
// one.
const DefaultSuppressionReason = "manual"

// suppressionJSON is a suppressed address as the API shows it.
type suppressionJSON struct {
	ID        int64     `json:"id"`
	Email     string    `json:"email"`
	Reason    string    `json:"reason"`
	InquiryID *int64    `json:"inquiry_id"`
	CreatedAt time.Time `json:"created_at"`
}

func suppressionOut(s *store.Suppression) suppressionJSON {
	return suppressionJSON{ID: s.ID, Email: s.Email, Reason: s.Reason, InquiryID: idOrNull(s.InquiryID), CreatedAt: s.CreatedAt}
}

// suppressionIn is the body of POST /suppressions.
type suppressionIn struct {
	Email  string `json:"email"`
	Reason string `json:"reason"`
}

func (in *suppressionIn) check() error {
	f := fieldErrors{}
	f.email("email", in.Email, true)
	f.line("reason", in.Reason, maxLine)
	return f.err()
}

// suppressionPath is where the suppression of email lives.
func suppressionPath(email string) string {
	return joinPath("suppressions", url.PathEscape(email))
}

func (h *handler) listSuppressions(w http.ResponseWriter, r *http.Request, q *query) error {
	p := q.page()
	if err := q.f.err(); err != nil {
		return err
	}
	return writePage(w, p, true, func(s *store.Suppression) sortKey { return sortKey{s.CreatedAt, s.ID} },
		func(limit, offset int) ([]store.Suppression, error) {
			return h.st.ListSuppressions(r.Context(), limit, offset)
		}, suppressionOut)
}

// createSuppression suppresses an address: 201 when it is new, 200 with
// the existing entry (and its first reason) when it was listed already.
func (h *handler) createSuppression(w http.ResponseWriter, r *http.Request, q *query) error {
	var in suppressionIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		reason = DefaultSuppressionReason
	}
	ctx := r.Context()
	created, err := h.st.Suppress(ctx, in.Email, reason, 0)
	if err != nil {
		return err
	}
	s, err := h.st.Suppression(ctx, in.Email)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		h.log.InfoContext(ctx, "address suppressed", "suppression_id", s.ID, "reason", reason, "by", caller(ctx))
	}
	w.Header().Set("Location", suppressionPath(s.Email))
	writeJSON(w, status, suppressionOut(s))
	return nil
}

// suppressionNotFound is the 404 for an address that is not suppressed.
func suppressionNotFound(email string) error {
	return &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("%q is not on the suppression list", truncate(email, 254))}
}

func (h *handler) getSuppression(w http.ResponseWriter, r *http.Request, q *query) error {
	email := r.PathValue("email")
	s, err := h.st.Suppression(r.Context(), email)
	if errors.Is(err, store.ErrNotFound) {
		return suppressionNotFound(email)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, suppressionOut(s))
	return nil
}

// deleteSuppression re-subscribes an address: it gets follow-ups again.
// The account's own opt-out, if any, is a separate switch (PATCH
// /customers/{id} opted_out).
func (h *handler) deleteSuppression(w http.ResponseWriter, r *http.Request, q *query) error {
	if err := noBody(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	email := r.PathValue("email")
	err := h.st.Unsuppress(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return suppressionNotFound(email)
	}
	if err != nil {
		return err
	}
	h.log.InfoContext(ctx, "address re-subscribed", "by", caller(ctx))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}
