// Package web is salesdesk's HTTP face: health and readiness probes,
// Prometheus metrics, the asynq dashboard (asynqmon) at /monitoring/, the
// REST API at /api/ and the admin pages at /.
//
// Everything except /healthz, /readyz, /login, /logout and the
// Options.Public routes (which check each request themselves) requires
// authentication; there is no anonymous access to the dashboard, API or
// pages, and no default password:
//
//   - admins and viewers log in with HTTP basic auth (bcrypt-checked
//     passwords) or through the form at /login, which sets a signed,
//     HttpOnly, SameSite=Lax session cookie;
//   - API clients send "Authorization: Bearer <secret>".
//
// Admins get the full dashboard; viewers get asynqmon's read-only mode, and
// this package refuses every non-GET/HEAD request a viewer makes to it.
// Unsafe cross-origin browser requests are refused everywhere (CSRF), since
// browsers attach cached basic-auth credentials to them.
//
// Routes and who may use them:
//
//	/healthz         anyone (the process is up)
//	/readyz          anyone (error details only for authenticated callers)
//	/metrics         admin, viewer, API token
//	/monitoring/     admin (full dashboard), viewer (read-only)
//	/api/            API token
//	/login /logout   anyone
//	/                admin, viewer (Options.Pages)
//	Options.Public   anyone: handlers that check each request themselves
//	                 (signed one-click links such as /triage/ and /leads/)
package web
