package api

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// route is one endpoint: what the handler serves and what the index and
// the docs say about it.
type route struct {
	method  string
	path    string // below Prefix, with {id} wildcards
	summary string
	query   []string // accepted query parameters
	body    string   // the request body, for the docs
	serve   func(w http.ResponseWriter, r *http.Request, q *query) error
}

// table is every endpoint, in the order the docs list them.
func (h *handler) table() []route {
	paged := func(params ...string) []string { return append(params, pageParams...) }
	return append([]route{
		{method: "GET", path: "/", summary: "This index of endpoints, as JSON.", serve: h.index},
		{method: "GET", path: "/docs", summary: "The endpoints described as plain text.", serve: h.docs},

		{method: "GET", path: "/inquiries", serve: h.listInquiries,
			summary: "List inquiries, newest first.",
			query:   paged("category", "status", "customer_id", "since", "until")},
		{method: "GET", path: "/inquiries/{id}", serve: h.getInquiry,
			summary: "An inquiry with its parsed message, the attachments of that message (id, name, content_type, size, inline, truncated) and its whole thread, oldest first."},
		{method: "POST", path: "/inquiries/{id}/label", serve: h.labelInquiry,
			summary: "Relabel an inquiry: stores a routing example the model learns from and routes the inquiry by the new category.",
			body:    `{"category": "order_status"}`},
		{method: "POST", path: "/inquiries/{id}/close", serve: h.closeInquiry,
			summary: "Close an inquiry; closing a closed one is harmless."},
		{method: "GET", path: "/attachments/{id}", serve: h.getAttachment,
			summary: "Download an attachment of an inquiry's mail. It is served as application/octet-stream unless it is image/png, image/jpeg, application/pdf or text/plain, always with Content-Disposition attachment; 410 when it was larger than the stored limit and only listed."},

		{method: "GET", path: "/customers", serve: h.listCustomers,
			summary: "List customer accounts by name; q (or name) matches part of the name.",
			query:   paged("q", "name", "domain", "owner_rep_id")},
		{method: "POST", path: "/customers", serve: h.createCustomer,
			summary: "Create a customer account.",
			body:    `{"name": "Acme GmbH", "domain": "acme.example", "external_id": "", "country": "DE", "region": "", "phone": "", "notes": "", "owner_rep_id": 3, "opted_out": false}`},
		{method: "GET", path: "/customers/{id}", serve: h.getCustomer, summary: "A customer account."},
		{method: "PATCH", path: "/customers/{id}", serve: h.updateCustomer,
			summary: "Change the fields given of a customer account; owner_rep_id 0 removes the owner.",
			body:    `{"name": "…", "owner_rep_id": 0, …}`},
		{method: "GET", path: "/customers/{id}/contacts", serve: h.listContacts, summary: "A customer's contacts."},
		{method: "POST", path: "/customers/{id}/contacts", serve: h.createContact,
			summary: "Add a contact to a customer; an email can belong to one contact only (409).",
			body:    `{"email": "ann@acme.example", "name": "Ann", "phone": "", "title": ""}`},
		{method: "GET", path: "/contacts/{id}", serve: h.getContact, summary: "A contact."},
		{method: "PATCH", path: "/contacts/{id}", serve: h.updateContact,
			summary: "Change the fields given of a contact (customer_id moves it to another account).",
			body:    `{"email": "…", "name": "…", "phone": "…", "title": "…", "customer_id": 7}`},

		{method: "GET", path: "/orders", serve: h.listOrders,
			summary: "List orders, newest first, without their items; open=true leaves out delivered and cancelled ones.",
			query:   paged("customer_id", "status", "number", "open")},
		{method: "POST", path: "/orders", serve: h.createOrder,
			summary: "Create an order; amount_cents defaults to the sum of the items.",
			body:    `{"customer_id": 7, "number": "SO-10042", "status": "pending", "currency": "EUR", "amount_cents": 12990, "promised_date": "2026-03-01", "tracking_number": "", "tracking_url": "", "notes": "", "items": [{"sku": "B-12", "description": "Bolts", "quantity": 10, "unit_price_cents": 1299}]}`},
		{method: "GET", path: "/orders/{id}", serve: h.getOrder,
			summary: "An order with its items and status history."},
		{method: "PATCH", path: "/orders/{id}", serve: h.updateOrder,
			summary: "Change the fields given of an order; items replace all items; a new status is recorded in the history and the customer is told.",
			body:    `{"status": "shipped", "status_note": "…", "tracking_number": "…", "tracking_url": "https://…", "carrier": "DHL", "promised_date": "", …}`},
		{method: "GET", path: "/order-requests", serve: h.listOrderRequests,
			summary: "Customers' change and rush requests on orders, oldest first; status is pending, done or rejected.",
			query:   paged("status", "order_id", "customer_id")},
		{method: "POST", path: "/order-requests/{id}/done", serve: h.decideOrderRequest("done"),
			summary: "Mark a pending order request done, with an optional note; the customer is told. 409 with the earlier decision when it was closed before.",
			body:    `{"note": "…"}`},
		{method: "POST", path: "/order-requests/{id}/rejected", serve: h.decideOrderRequest("rejected"),
			summary: "Reject a pending order request, with an optional note (the reason, for the customer); the customer is told. 409 with the earlier decision when it was closed before.",
			body:    `{"note": "…"}`},

		{method: "GET", path: "/suppressions", serve: h.listSuppressions,
			summary: "Addresses that get no proactive mail (order follow-ups, status-change mails, digests), newest first. A customer's unsubscribe mail adds its sender (reason unsubscribe); replies to a customer's own mail still go out.",
			query:   paged()},
		{method: "POST", path: "/suppressions", serve: h.createSuppression,
			summary: "Suppress an address (stored lower-case); reason defaults to manual. 201 when new, 200 with the existing entry when it was listed already.",
			body:    `{"email": "ann@acme.example", "reason": "asked by phone"}`},
		{method: "GET", path: "/suppressions/{email}", serve: h.getSuppression,
			summary: "The suppression of one address (any case); 404 when it is not suppressed."},
		{method: "DELETE", path: "/suppressions/{email}", serve: h.deleteSuppression,
			summary: "Re-subscribe an address, e.g. when the customer asks again: it gets proactive mail again (unless its account is opted out). 204; 404 when it was not suppressed."},

		{method: "GET", path: "/reps", serve: h.listReps, summary: "List reps by id; active=true leaves out inactive ones.",
			query: []string{"active"}},
		{method: "POST", path: "/reps", serve: h.createRep,
			summary: "Create a rep.",
			body:    `{"email": "kim@sales.example", "name": "Kim", "active": true, "weight": 1, "capacity": 20, "territories": ["DE"], "skills": ["hydraulics"], "timezone": "Europe/Berlin", "working_hours": "Mon-Fri 09:00-17:00", "out_of_office_until": ""}`},
		{method: "GET", path: "/reps/{id}", serve: h.getRep, summary: "A rep."},
		{method: "PATCH", path: "/reps/{id}", serve: h.updateRep,
			summary: `Change the fields given of a rep; out_of_office_until "" ends an absence.`,
			body:    `{"active": false, "out_of_office_until": "2026-08-17", …}`},

		{method: "GET", path: "/leads", serve: h.listLeads, summary: "List leads, oldest first; the unassigned pool (status=unassigned) highest score first, as it is worked.",
			query: paged("status", "rep_id", "source", "since", "until")},
		{method: "POST", path: "/leads", serve: h.createLead,
			summary: "Submit a lead (web forms, webhooks); it waits unassigned until assignment picks a rep. An external_id seen before returns that lead (200).",
			body:    `{"contact_email": "ann@acme.example", "contact_name": "Ann", "company": "Acme", "country": "DE", "message": "…", "source": "web", "external_id": ""}`},
		{method: "GET", path: "/leads/{id}", serve: h.getLead, summary: "A lead with its history of events."},
		{method: "POST", path: "/leads/{id}/reassign", serve: h.reassignLead,
			summary: "Give a lead to another active rep.",
			body:    `{"rep_id": 4, "note": "…"}`},
		{method: "POST", path: "/leads/{id}/contacted", serve: h.leadContacted,
			summary: "Mark an assigned lead contacted."},
		{method: "POST", path: "/leads/{id}/won", serve: h.leadWon,
			summary: "Mark a lead won, with its value.",
			body:    `{"value_cents": 250000, "currency": "EUR"}`},
		{method: "POST", path: "/leads/{id}/lost", serve: h.leadLost,
			summary: "Mark a lead lost, with a reason from leads.lost_reasons.",
			body:    `{"reason": "competitor"}`},
		{method: "POST", path: "/leads/{id}/reopen", serve: h.leadReopen,
			summary: "Take a won or lost lead back into the pipeline."},
	}, h.meetingRoutes()...)
}

// wrap checks the query parameters against rt's list and answers rt's
// error, if any.
func (h *handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := scopeError(r, rt); err != nil {
			h.fail(w, r, err)
			return
		}
		values, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			h.fail(w, r, badRequest("malformed query string"))
			return
		}
		for name := range values {
			if !slices.Contains(rt.query, name) {
				msg := "accepts no query parameters"
				if len(rt.query) > 0 {
					msg = "accepts only " + strings.Join(rt.query, ", ")
				}
				h.fail(w, r, &Error{Status: http.StatusBadRequest,
					Message: fmt.Sprintf("unknown query parameter %q: %s %s %s", truncate(name, 40), rt.method, Prefix+rt.path, msg),
					Fields:  map[string]string{truncate(name, 40): "unknown query parameter"}})
				return
			}
		}
		q := &query{v: values, now: h.now, f: fieldErrors{}}
		if err := rt.serve(w, r, q); err != nil {
			h.fail(w, r, err)
		}
	})
}

// endpoint is one entry of the index.
type endpoint struct {
	Method  string   `json:"method"`
	Path    string   `json:"path"`
	Summary string   `json:"summary"`
	Query   []string `json:"query,omitempty"`
	Body    string   `json:"body,omitempty"`
}

func (h *handler) index(w http.ResponseWriter, r *http.Request, q *query) error {
	out := struct {
		Name      string     `json:"name"`
		Docs      string     `json:"docs"`
		Endpoints []endpoint `json:"endpoints"`
	}{Name: "salesdesk API v1", Docs: Prefix + "/docs"}
	for _, rt := range h.routes {
		out.Endpoints = append(out.Endpoints, endpoint{Method: rt.method, Path: Prefix + rt.path,
			Summary: rt.summary, Query: rt.query, Body: rt.body})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// docsIntro is the top of GET /api/v1/docs; the endpoints follow from the
// route table.
const docsIntro = `# salesdesk API v1

Every request needs "Authorization: Bearer <token>" (a token from the
web.api_tokens configuration). Bodies are JSON objects of at most 1 MiB
with Content-Type application/json; fields are snake_case.

Errors are JSON: {"error": "…"} and, for validation failures (422) and
unknown fields (400), {"fields": {"email": "must be a valid address"}}
naming each bad field. 404 is an unknown id or path, 409 a conflict with
existing data (a duplicate email, number or external_id, or a lead whose
owner changed meanwhile), 410 an attachment whose content was too large
to keep, 413 a body over 1 MiB, 503 a busy database
(retry after the Retry-After seconds), 500 an internal error whose
request_id the operators can find in the log.

Ids are positive integers. Money is integer cents (amount_cents,
unit_price_cents, value_cents) with an ISO 4217 currency. Times are
RFC 3339 in UTC; calendar dates (promised_date) are YYYY-MM-DD. An id
field of null means none.

Lists answer {"items": […], "next": "…"}. Pass limit (1-500, default 50)
and either offset or cursor=<next of the previous page>; there is no next
on the last page. Filters since and until take an RFC 3339 time, a date
or a duration such as 24h (that long ago); since is inclusive, until
exclusive. Unknown query parameters are refused (400).

PATCH bodies change only the fields they contain.

## Endpoints
`

// Docs returns the plain-text description of the API that GET
// /api/v1/docs serves, for pages that show it under their own
// authentication (the API itself needs a bearer token).
func Docs() string {
	return docsText((&handler{}).table())
}

func docsText(routes []route) string {
	var b strings.Builder
	b.WriteString(docsIntro)
	for _, rt := range routes {
		fmt.Fprintf(&b, "\n### %s %s%s\n\n%s\n", rt.method, Prefix, rt.path, rt.summary)
		if len(rt.query) > 0 {
			fmt.Fprintf(&b, "\nQuery: %s\n", strings.Join(rt.query, ", "))
		}
		if rt.body != "" {
			fmt.Fprintf(&b, "\nBody: %s\n", rt.body)
		}
	}
	return b.String()
}

func (h *handler) docs(w http.ResponseWriter, r *http.Request, q *query) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write([]byte(docsText(h.routes)))
	if err != nil {
		h.log.DebugContext(r.Context(), "api docs write failed", "err", err)
	}
	return nil
}
