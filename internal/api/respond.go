package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"salesdesk/internal/store"
)

// Error is an answer other than success: a status, a message the client
// may read and, for validation failures, the bad fields.
type Error struct {
	Status  int
	Message string
	// Fields maps each bad field (JSON name, dotted for nested values) to
	// what is wrong with it.
	Fields map[string]string
}

func (e *Error) Error() string { return fmt.Sprintf("%d %s", e.Status, e.Message) }

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error     string            `json:"error"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

// Field errors are collected by validators and answered together.
type fieldErrors map[string]string

// add records the first problem of a field.
func (f fieldErrors) add(field, format string, args ...any) {
	if _, ok := f[field]; !ok {
		f[field] = fmt.Sprintf(format, args...)
	}
}

// err is the 422 for the collected problems, or nil when there are none.
func (f fieldErrors) err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Status: http.StatusUnprocessableEntity, Message: "validation failed", Fields: f}
}

// invalid is a 422 for one field.
func invalid(field, format string, args ...any) error {
	f := fieldErrors{}
	f.add(field, format, args...)
	return f.err()
}

func notFound(what string, id int64) error {
	return &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("%s %d not found", what, id)}
}

func conflictErr(format string, args ...any) error {
	return &Error{Status: http.StatusConflict, Message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) error {
	return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// orNotFound turns store.ErrNotFound into the 404 for what and id and
// leaves other errors alone.
func orNotFound(err error, what string, id int64) error {
	if errors.Is(err, store.ErrNotFound) {
		return notFound(what, id)
	}
	return err
}

// retryAfterSeconds is the Retry-After of a 503 for a busy database.
const retryAfterSeconds = 2

// fail answers err: an *Error as it is, store conflicts as 409, transient
// database trouble as 503 with Retry-After, and anything else as a 500
// that names only the request id (the error itself goes to the log).
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var apiErr *Error
	switch {
	case errors.As(err, &apiErr):
	case errors.Is(err, store.ErrNotFound):
		apiErr = &Error{Status: http.StatusNotFound, Message: "not found"}
	case errors.Is(err, store.ErrConflict):
		apiErr = &Error{Status: http.StatusConflict, Message: "conflict with an existing record"}
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads the answer.
		h.log.DebugContext(r.Context(), "api request cancelled", "request_id", w.Header().Get("X-Request-Id"),
			"method", r.Method, "path", r.URL.Path)
		apiErr = &Error{Status: 499, Message: "request cancelled"}
	case store.IsRetryable(err):
		h.log.WarnContext(r.Context(), "api request hit a busy database", "request_id", w.Header().Get("X-Request-Id"),
			"method", r.Method, "path", r.URL.Path, "err", err)
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
		apiErr = &Error{Status: http.StatusServiceUnavailable, Message: "temporarily unavailable, retry later"}
	default:
		h.log.ErrorContext(r.Context(), "api request failed", "request_id", w.Header().Get("X-Request-Id"),
			"method", r.Method, "path", r.URL.Path, "err", err)
		apiErr = &Error{Status: http.StatusInternalServerError, Message: "internal error"}
	}
	if apiErr.Status >= 500 {
		writeJSON(w, apiErr.Status, errorBody{Error: apiErr.Message, RequestID: w.Header().Get("X-Request-Id")})
		return
	}
	writeError(w, apiErr)
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status, errorBody{Error: e.Message, Fields: e.Fields})
}

// writeRow answers one row of a collection; a 201 also names, in
// Location, where the new row lives.
func writeRow(w http.ResponseWriter, status int, collection string, id int64, v any) {
	if status == http.StatusCreated {
		w.Header().Set("Location", joinPath(collection, strconv.FormatInt(id, 10)))
	}
	writeJSON(w, status, v)
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own response types are marshalled; this is a bug.
		status = http.StatusInternalServerError
		b = []byte(`{"error":"internal error"}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// requestID is the request's id: a sane X-Request-Id from the client (or a
// proxy) or a new random one.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 && isToken(id) {
		return id
	}
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// idOrNull shows an optional id: 0 is null.
func idOrNull(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// timeOrNull shows an optional time: the zero time is null.
func timeOrNull(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// dateOrNull shows an optional calendar date as YYYY-MM-DD.
func dateOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

// nonNil shows a missing list as [].
func nonNil[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
