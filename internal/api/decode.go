package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// decode reads the request body into v strictly: at most MaxBodyBytes,
// JSON only, one object, no unknown fields, values of the right type.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &Error{Status: http.StatusUnsupportedMediaType, Message: "request body must be application/json"}
		}
	}
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	return decodeJSON(body, v)
}

// decodeJSON is decode's JSON half, separate so that the fuzz target can
// reach it without HTTP.
func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("request body is empty: a JSON object is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("invalid JSON: more than one value in the request body")
	}
	return nil
}

// jsonError explains a decoding error to the client: unknown fields and
// type mismatches name the field.
func jsonError(err error) error {
	var (
		syntax    *json.SyntaxError
		typeErr   *json.UnmarshalTypeError
		msg       = err.Error()
		unknownAt = strings.Index(msg, "json: unknown field ")
	)
	switch {
	case unknownAt >= 0:
		name, uerr := strconv.Unquote(strings.TrimPrefix(msg[unknownAt:], "json: unknown field "))
		if uerr != nil {
			name = strings.TrimPrefix(msg[unknownAt:], "json: unknown field ")
		}
		return &Error{Status: http.StatusBadRequest, Message: fmt.Sprintf("unknown field %q", name),
			Fields: map[string]string{name: "unknown field"}}
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			return badRequest("invalid JSON: the request body must be a JSON object")
		}
		return invalid(field, "must be %s", jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntax):
		return badRequest("invalid JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return badRequest("invalid JSON: unexpected end of the request body")
	}
	return badRequest("invalid JSON: %s", strings.TrimPrefix(msg, "json: "))
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int64", "int32", "uint", "uint32", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "of another type"
}

// pathID parses the {name} path value strictly: a positive decimal integer
// without sign or leading zeros that fits an int64.
func pathID(r *http.Request, name, what string) (int64, error) {
	s := r.PathValue(name)
	id, ok := parseID(s)
	if !ok {
		return 0, &Error{Status: http.StatusNotFound, Message: fmt.Sprintf("%s %q not found: ids are positive integers", what, truncate(s, 40))}
	}
	return id, nil
}

// parseID accepts only canonical positive decimal integers.
func parseID(s string) (int64, bool) {
	if s == "" || len(s) > 19 || s[0] < '1' || s[0] > '9' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !validCut(s, n) {
		n--
	}
	return s[:n] + "…"
}

// validCut reports whether s may be cut before byte n without splitting a
// UTF-8 sequence.
func validCut(s string, n int) bool {
	return n >= len(s) || s[n]&0xC0 != 0x80
}

// noBody accepts an action request without a body, or with an empty JSON
// object.
func noBody(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	var empty struct{}
	return decodeJSON(body, &empty)
}

// readBody reads at most MaxBodyBytes of the request body.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &Error{Status: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("request body too large: at most %d bytes", MaxBodyBytes)}
		}
		return nil, badRequest("reading the request body failed")
	}
	return body, nil
}
