// Package api is salesdesk's REST API under /api/v1/: inquiries and the
// attachments of their mail, customers and their contacts, orders and
// order requests, reps and leads, and the suppression list of addresses
// that get no proactive mail, as JSON.
//
// The handler built by New does no authentication of its own; internal/web
// mounts it behind bearer-token auth (web.Options.API) and the caller is
// read from web.PrincipalFrom.
//
// Everything a client sends is treated as hostile: request bodies are
// bounded (MaxBodyBytes), JSON is decoded strictly (an unknown field is a
// 400 naming it), query parameters are checked against each endpoint's
// list, ids must be positive decimal integers, and validation failures are
// a 422 whose "fields" object names every bad field:
//
//	{"error":"validation failed","fields":{"email":"must be a valid address"}}
//
// Internal errors are logged with a request id and answered with a generic
// 500 carrying the same id; a busy database is a 503 with Retry-After.
// Money is integer cents with an ISO 4217 currency, times are RFC 3339,
// calendar dates YYYY-MM-DD.
//
// Attachments of customer mail are served as downloads only
// (Content-Disposition attachment with a sanitised file name, nosniff, a
// sandboxing Content-Security-Policy), with their own content type only
// when it is one a browser cannot run (PNG, JPEG, PDF, plain text) and
// application/octet-stream otherwise.
//
// # Paging
//
// Lists take limit (default 50, at most 500) and either offset or the
// opaque cursor from the previous page's "next". A cursor remembers the
// last row it delivered, so walking the pages of a list while rows are
// being added neither repeats nor skips a row.
//
// # Side effects owned elsewhere
//
// Relabelling an inquiry, an order's status change, a new lead and a
// closed inquiry call the functions in Hooks (routing and training, the
// customer's status mail, lead assignment…); nil hooks are skipped.
//
// GET /api/v1/ lists the endpoints as JSON and GET /api/v1/docs describes
// them as plain text; both come from the same route table the handler
// serves, so they cannot drift apart.
package api
