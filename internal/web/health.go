package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
)

// Readiness is the JSON body of /readyz.
type Readiness struct {
	// Status is "ok" or "unavailable".
	Status string `json:"status"`
	// Checks maps each check's name to "ok" or what went wrong: only
	// "failed" or "timeout" at /readyz; the error text with passwords
	// redacted at /readyz/details.
	Checks map[string]string `json:"checks"`
	// Details is Options.Status's answer, at /readyz/details only.
	Details map[string]any `json:"details,omitempty"`
}

func (s *Server) handleHealthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

// handleReadyz runs every check concurrently, each bounded by
// checkTimeout, and answers 503 when any fails. The body is useful to a
// person; load balancers need only the status code.
func (s *Server) handleReadyz(w http.ResponseWriter, r *http.Request) {
	// No credentials are read here: a probe endpoint that checked them
	// would be a password oracle outside the throttle and the log. The
	// details are at /readyz/details, behind the normal guard.
	s.writeReadiness(w, s.readiness(r.Context(), false))
}

// handleReadyzDetails is /readyz with error texts (passwords redacted)
// and Options.Status, for authenticated callers.
func (s *Server) handleReadyzDetails(w http.ResponseWriter, r *http.Request) {
	s.writeReadiness(w, s.readiness(r.Context(), true))
}

func (s *Server) writeReadiness(w http.ResponseWriter, res Readiness) {
	code := http.StatusOK
	if res.Status != "ok" {
		code = http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(res)
}

type checkOutcome struct {
	name string
	err  error
}

var errCheckTimeout = errors.New("check timed out")

func (s *Server) readiness(ctx context.Context, detailed bool) Readiness {
	ctx, cancel := context.WithTimeout(ctx, s.checkTimeout)
	defer cancel()
	// Buffered, so a check that ignores its context can still finish
	// after we stopped waiting for it.
	out := make(chan checkOutcome, len(s.checks))
	for name, check := range s.checks {
		go func() {
			defer func() {
				if v := recover(); v != nil {
					out <- checkOutcome{name, fmt.Errorf("check panicked: %v", v)}
				}
			}()
			out <- checkOutcome{name, check(ctx)}
		}()
	}
	res := Readiness{Status: "ok", Checks: make(map[string]string, len(s.checks))}
	pending := len(s.checks)
wait:
	for pending > 0 {
		select {
		case o := <-out:
			res.Checks[o.name] = s.describeCheck(ctx, o, detailed)
			pending--
		case <-ctx.Done():
			break wait
		}
	}
	for name := range s.checks {
		if _, done := res.Checks[name]; !done {
			res.Checks[name] = s.describeCheck(ctx, checkOutcome{name, errCheckTimeout}, detailed)
		}
	}
	for _, v := range res.Checks {
		if v != "ok" {
			res.Status = "unavailable"
		}
	}
	if detailed && s.status != nil {
		res.Details = s.status()
	}
	return res
}

func (s *Server) describeCheck(ctx context.Context, o checkOutcome, detailed bool) string {
	if o.err == nil {
		return "ok"
	}
	timedOut := errors.Is(o.err, errCheckTimeout) || errors.Is(o.err, context.DeadlineExceeded)
	s.logger.WarnContext(ctx, "readiness check failed", "check", o.name, "err", redact(o.err.Error()))
	switch {
	case detailed:
		return redact(o.err.Error())
	case timedOut:
		return "timeout"
	}
	return "failed"
}

var (
	urlPassword = regexp.MustCompile(`(://[^/@:\s]*):[^@\s]*@`)
	keyPassword = regexp.MustCompile(`(?i)\b(password|passwd|pwd|secret|token)=("[^"]*"|'[^']*'|\S+)`)
)

// redact hides passwords that drivers sometimes put in error messages
// (DSNs in URL or key=value form).
func redact(msg string) string {
	msg = urlPassword.ReplaceAllString(msg, "$1:REDACTED@")
	return keyPassword.ReplaceAllString(msg, "$1=REDACTED")
}
