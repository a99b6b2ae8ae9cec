package api

import (
	"net/http"
	"slices"
	"strings"

	"salesdesk/internal/web"
)

// Token scopes. A token holds one or more; each route needs one.
const (
	// ScopeRead reads everything (every GET).
	ScopeRead = "read"
	// ScopeLeadsWrite creates leads only: a website contact form.
	ScopeLeadsWrite = "leads:write"
	// ScopeWrite changes customers, contacts, orders, inquiries, leads and
	// suppressions (and so may create leads).
	ScopeWrite = "write"
	// ScopeAdmin may do everything, including reps and lifting a
	// suppression.
	ScopeAdmin = "admin"
)

// Scopes lists every scope, for config checks and docs.
func Scopes() []string { return []string{ScopeRead, ScopeLeadsWrite, ScopeWrite, ScopeAdmin} }

// scopeFor is the scope a route needs. The index and docs need none
// beyond a valid token.
func scopeFor(rt route) string {
	switch {
	case rt.path == "/" || rt.path == "/docs":
		return ""
	case rt.method == http.MethodGet:
		return ScopeRead
	case rt.method == http.MethodPost && rt.path == "/leads":
		return ScopeLeadsWrite
	case strings.HasPrefix(rt.path, "/reps"),
		rt.method == http.MethodDelete && strings.HasPrefix(rt.path, "/suppressions"):
		return ScopeAdmin
	}
	return ScopeWrite
}

// granted reports whether a token with scopes may use a route that needs
// need: admin may do all, write includes leads:write.
func granted(scopes []string, need string) bool {
	switch {
	case need == "" || slices.Contains(scopes, ScopeAdmin) || slices.Contains(scopes, need):
		return true
	case need == ScopeLeadsWrite:
		return slices.Contains(scopes, ScopeWrite)
	}
	return false
}

// scopeError is the 403 of a token without the route's scope; nil when
// the caller may go on. Callers other than API tokens (tests that mount
// the handler alone) are not held to scopes: web only lets tokens in.
func scopeError(r *http.Request, rt route) error {
	p, ok := web.PrincipalFrom(r.Context())
	if !ok || p.Role != web.RoleAPI {
		return nil
	}
	need := scopeFor(rt)
	if granted(p.Scopes, need) {
		return nil
	}
	return &Error{Status: http.StatusForbidden, Message: "this token lacks the scope " + need + " that " + rt.method + " " + Prefix + rt.path + " needs"}
}
