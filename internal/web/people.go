package web

import "net/http"

// Caller returns the dashboard login (an admin or a viewer, by session
// cookie or basic auth) that made a request, for pages mounted as Public
// that admit those logins besides their own (the desk). API tokens are
// not people and are refused.
func (s *Server) Caller(r *http.Request) (Principal, bool) {
	p, _, ok := s.authenticate(r)
	if !ok || (p.Role != RoleAdmin && p.Role != RoleViewer) {
		return Principal{}, false
	}
	return p, true
}
