package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// hookRecorder records the hooks' calls and answers with the errors set
// on it.
type hookRecorder struct {
	mu            sync.Mutex
	labels        []labelCall
	statusChanges []statusCall
	leads         []int64
	closed        []int64
	closedLeads   []int64
	movedLeads    []int64

	labelErr, statusErr, leadErr, closeErr error
	// onLabel runs inside the label hook (to relabel like intake does).
	onLabel func(ctx context.Context, id int64, category string) error
}

type labelCall struct {
	InquiryID int64
	Category  string
	By        string
}

type statusCall struct {
	OrderID  int64
	From, To string
}

func (r *hookRecorder) hooks() Hooks {
	return Hooks{
		OnLabel: func(ctx context.Context, id int64, category, by string) error {
			r.mu.Lock()
			r.labels = append(r.labels, labelCall{id, category, by})
			err, fn := r.labelErr, r.onLabel
			r.mu.Unlock()
			if err == nil && fn != nil {
				err = fn(ctx, id, category)
			}
			return err
		},
		OnOrderStatusChanged: func(ctx context.Context, id int64, from, to string) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.statusChanges = append(r.statusChanges, statusCall{id, from, to})
			return r.statusErr
		},
		OnLeadCreated: func(ctx context.Context, id int64) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.leads = append(r.leads, id)
			return r.leadErr
		},
		OnLeadClosed: func(ctx context.Context, id int64) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.closedLeads = append(r.closedLeads, id)
			return nil
		},
		OnLeadReassigned: func(ctx context.Context, id int64) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.movedLeads = append(r.movedLeads, id)
			return nil
		},
		OnInquiryClosed: func(ctx context.Context, id int64) error {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.closed = append(r.closed, id)
			return r.closeErr
		},
	}
}

// syncBuffer is a log sink tests can read while handlers write.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fixture is what the tests need: a store, the handler on it and what
// the hooks saw.
type fixture struct {
	t     testing.TB
	st    *store.Store
	h     http.Handler
	hooks *hookRecorder
	logs  *syncBuffer
}

// setup opens a fresh SQLite store in a temp dir and builds the handler.
func setup(t testing.TB, opts ...store.Option) *fixture {
	t.Helper()
	return setupDSN(t, "sqlite:"+filepath.Join(t.TempDir(), "api.db"), opts...)
}

// setupPostgres is setup on a fresh PostgreSQL schema.
func setupPostgres(t testing.TB) *fixture {
	t.Helper()
	return setupDSN(t, testenv.PostgresDSN(t))
}

func setupDSN(t testing.TB, dsn string, opts ...store.Option) *fixture {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, dsn, opts...)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{t: t, st: st, hooks: &hookRecorder{}, logs: &syncBuffer{}}
	f.h = New(Options{
		Store:    st,
		Logger:   slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Clock:    func() time.Time { return time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC) },
		Hooks:    f.hooks.hooks(),
		Pipeline: Pipeline{LostReasons: []string{"price", "no budget", "competitor"}},
	})
	return f
}

// response is what a request got.
type response struct {
	Code   int
	Header http.Header
	Body   []byte
}

// do sends a request: body is nil, a string sent as it is, or a value
// sent as JSON.
func (f *fixture) do(method, path string, body any) *response {
	f.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatalf("marshal body: %v", err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return &response{Code: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

// json decodes the response body into v.
func (r *response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode response %q: %v", r.Body, err)
	}
}

// object decodes the response body as a JSON object.
func (r *response) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	r.json(t, &m)
	return m
}

// mustStatus fails the test unless the response has the wanted status.
func (r *response) mustStatus(t testing.TB, want int) *response {
	t.Helper()
	if r.Code != want {
		t.Fatalf("status %d, want %d; body %s", r.Code, want, r.Body)
	}
	return r
}

// errorFields is the fields object of an error answer.
func (r *response) errorFields(t testing.TB) map[string]string {
	t.Helper()
	var e struct {
		Error  string            `json:"error"`
		Fields map[string]string `json:"fields"`
	}
	r.json(t, &e)
	return e.Fields
}

// idOf is the id of a created object.
func (r *response) idOf(t testing.TB) int64 {
	t.Helper()
	var v struct {
		ID int64 `json:"id"`
	}
	r.json(t, &v)
	if v.ID == 0 {
		t.Fatalf("no id in %s", r.Body)
	}
	return v.ID
}

// crudStep is one request of the CRUD walk. Paths and bodies may name
// saved ids as {name}.
type crudStep struct {
	name       string
	method     string
	path       string
	body       string
	wantStatus int
	wantField  string // for 4xx: the field the error must name
	save       string // save the answer's id under this name
	check      func(t testing.TB, m map[string]any)
}

// crudSteps walk the main resources: reps, customers, contacts, orders,
// leads and inquiries, with the errors each should give.
var crudSteps = []crudStep{
	{name: "create rep", method: "POST", path: "/api/v1/reps", wantStatus: 201, save: "rep",
		body: `{"email":"Kim@Sales.example","name":"Kim Berg","weight":2,"capacity":10,"territories":["DE","AT"],"skills":["hydraulics"],"timezone":"Europe/Berlin","working_hours":"Mon-Fri 09:00-17:00"}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "email", "kim@sales.example")
			want(t, m, "active", true)
			want(t, m, "weight", 2.0)
			want(t, m, "open_leads", 0.0)
		}},
	{name: "create second rep", method: "POST", path: "/api/v1/reps", wantStatus: 201, save: "rep2",
		body: `{"email":"lea@sales.example","name":"Lea"}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "timezone", "") // the team's
			want(t, m, "weight", 1.0)
		}},
	{name: "rep clears timezone", method: "PATCH", path: "/api/v1/reps/{rep}", wantStatus: 200,
		body: `{"timezone":""}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "timezone", "")
			want(t, m, "name", "Kim Berg")
		}},
	{name: "rep sets timezone", method: "PATCH", path: "/api/v1/reps/{rep}", wantStatus: 200,
		body:  `{"timezone":"Europe/Berlin"}`,
		check: func(t testing.TB, m map[string]any) { want(t, m, "timezone", "Europe/Berlin") }},
	{name: "rep email taken", method: "POST", path: "/api/v1/reps", wantStatus: 409,
		body: `{"email":"kim@sales.example","name":"Kim again"}`},
	{name: "rep bad email", method: "POST", path: "/api/v1/reps", wantStatus: 422, wantField: "email",
		body: `{"email":"kim at sales","name":"Kim"}`},
	{name: "rep out of office", method: "PATCH", path: "/api/v1/reps/{rep2}", wantStatus: 200,
		body: `{"out_of_office_until":"2026-08-17","active":false}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "out_of_office_until", "2026-08-17T00:00:00Z")
			want(t, m, "active", false)
			want(t, m, "name", "Lea")
		}},
	{name: "list active reps", method: "GET", path: "/api/v1/reps?active=true", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 1) }},

	{name: "create customer", method: "POST", path: "/api/v1/customers", wantStatus: 201, save: "cust",
		body: `{"name":"Acme GmbH","domain":"Acme.example","country":"DE","owner_rep_id":{rep}}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "domain", "acme.example")
			want(t, m, "opted_out", false)
		}},
	{name: "customer without name", method: "POST", path: "/api/v1/customers", wantStatus: 422, wantField: "name",
		body: `{"domain":"x.example"}`},
	{name: "customer with unknown owner", method: "POST", path: "/api/v1/customers", wantStatus: 422,
		wantField: "owner_rep_id", body: `{"name":"Y","owner_rep_id":999999}`},
	{name: "get customer", method: "GET", path: "/api/v1/customers/{cust}", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { want(t, m, "name", "Acme GmbH") }},
	{name: "get missing customer", method: "GET", path: "/api/v1/customers/999999", wantStatus: 404},
	{name: "get customer by bad id", method: "GET", path: "/api/v1/customers/abc", wantStatus: 404},
	{name: "rename customer", method: "PATCH", path: "/api/v1/customers/{cust}", wantStatus: 200,
		body: `{"name":"Acme AG","opted_out":true}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "name", "Acme AG")
			want(t, m, "domain", "acme.example") // untouched
			want(t, m, "opted_out", true)
		}},
	{name: "remove owner", method: "PATCH", path: "/api/v1/customers/{cust}", wantStatus: 200,
		body:  `{"owner_rep_id":0}`,
		check: func(t testing.TB, m map[string]any) { want(t, m, "owner_rep_id", nil) }},
	{name: "list customers by name", method: "GET", path: "/api/v1/customers?q=acme", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 1) }},

	{name: "create contact", method: "POST", path: "/api/v1/customers/{cust}/contacts", wantStatus: 201,
		save: "contact", body: `{"email":"Ann@Acme.example","name":"Ann"}`,
		check: func(t testing.TB, m map[string]any) { want(t, m, "email", "ann@acme.example") }},
	{name: "contact email taken", method: "POST", path: "/api/v1/customers/{cust}/contacts", wantStatus: 409,
		body: `{"email":"ANN@acme.example"}`},
	{name: "contact for missing customer", method: "POST", path: "/api/v1/customers/999999/contacts",
		wantStatus: 404, body: `{"email":"bob@acme.example"}`},
	{name: "contact bad email", method: "POST", path: "/api/v1/customers/{cust}/contacts", wantStatus: 422,
		wantField: "email", body: `{"email":"Ann <ann@acme.example>"}`},
	{name: "update contact", method: "PATCH", path: "/api/v1/contacts/{contact}", wantStatus: 200,
		body: `{"title":"Buyer"}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "title", "Buyer")
			want(t, m, "name", "Ann")
		}},
	{name: "list contacts", method: "GET", path: "/api/v1/customers/{cust}/contacts", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 1) }},

	{name: "create order", method: "POST", path: "/api/v1/orders", wantStatus: 201, save: "order",
		body: `{"customer_id":{cust},"number":"SO-1","currency":"EUR","promised_date":"2026-03-10","items":[{"sku":"B-12","description":"Bolts","quantity":10,"unit_price_cents":1299},{"description":"Freight","unit_price_cents":500}]}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "amount_cents", 13490.0)
			want(t, m, "status", "pending")
			want(t, m, "promised_date", "2026-03-10")
			if items := m["items"].([]any); len(items) != 2 || items[1].(map[string]any)["quantity"] != 1.0 {
				t.Errorf("items = %v", items)
			}
			if h := m["status_history"].([]any); len(h) != 1 {
				t.Errorf("history = %v", h)
			}
		}},
	{name: "order number taken", method: "POST", path: "/api/v1/orders", wantStatus: 409,
		body: `{"customer_id":{cust},"number":"SO-1","currency":"EUR"}`},
	{name: "order for missing customer", method: "POST", path: "/api/v1/orders", wantStatus: 422,
		wantField: "customer_id", body: `{"customer_id":999999,"number":"SO-2","currency":"EUR"}`},
	{name: "order bad item", method: "POST", path: "/api/v1/orders", wantStatus: 422,
		wantField: "items[0].quantity", body: `{"customer_id":{cust},"number":"SO-2","currency":"EUR","items":[{"sku":"A","quantity":0}]}`},
	{name: "ship order", method: "PATCH", path: "/api/v1/orders/{order}", wantStatus: 200,
		body: `{"status":"shipped","status_note":"left the warehouse","tracking_number":"1Z999","tracking_url":"https://track.example/1Z999"}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "status", "shipped")
			want(t, m, "tracking_url", "https://track.example/1Z999")
			h := m["status_history"].([]any)
			if len(h) != 2 || h[1].(map[string]any)["note"] != "left the warehouse" || h[1].(map[string]any)["source"] != "api" {
				t.Errorf("history = %v", h)
			}
		}},
	{name: "get order", method: "GET", path: "/api/v1/orders/{order}", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "number", "SO-1")
			want(t, m, "currency", "EUR")
		}},
	{name: "orders of customer", method: "GET", path: "/api/v1/orders?customer_id={cust}&status=shipped", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 1) }},
	{name: "order by number", method: "GET", path: "/api/v1/orders?number=SO-1", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 1) }},
	{name: "order requests", method: "GET", path: "/api/v1/order-requests?status=pending", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 0) }},

	{name: "create lead", method: "POST", path: "/api/v1/leads", wantStatus: 201, save: "lead",
		body: `{"contact_email":"ann@acme.example","contact_name":"Ann","company":"Acme","message":"Need 500 bolts","source":"web"}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "status", "unassigned")
			want(t, m, "domain", "acme.example")
			if m["customer_id"] == nil {
				t.Error("lead from a known contact is not linked to the customer")
			}
		}},
	{name: "lead without email", method: "POST", path: "/api/v1/leads", wantStatus: 422, wantField: "contact_email",
		body: `{"contact_name":"Ann"}`},
	{name: "lead contacted before assignment", method: "POST", path: "/api/v1/leads/{lead}/contacted", wantStatus: 409},
	{name: "reassign lead", method: "POST", path: "/api/v1/leads/{lead}/reassign", wantStatus: 200,
		body: `{"rep_id":{rep}}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "status", "assigned")
			if m["rep_id"] == nil {
				t.Error("no rep_id")
			}
		}},
	{name: "reassign to inactive rep", method: "POST", path: "/api/v1/leads/{lead}/reassign", wantStatus: 422,
		wantField: "rep_id", body: `{"rep_id":{rep2}}`},
	{name: "lead contacted", method: "POST", path: "/api/v1/leads/{lead}/contacted", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { want(t, m, "status", "contacted") }},
	{name: "lead won", method: "POST", path: "/api/v1/leads/{lead}/won", wantStatus: 200,
		body: `{"value_cents":250000,"currency":"EUR"}`,
		check: func(t testing.TB, m map[string]any) {
			want(t, m, "status", "won")
			want(t, m, "value_cents", 250000.0)
		}},
	{name: "won lead cannot be lost", method: "POST", path: "/api/v1/leads/{lead}/lost", wantStatus: 409,
		body: `{"reason":"price"}`},
	{name: "list leads", method: "GET", path: "/api/v1/leads?status=won&rep_id={rep}&source=web", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 1) }},
	{name: "get lead with events", method: "GET", path: "/api/v1/leads/{lead}", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) {
			evs := m["events"].([]any)
			var kinds []string
			for _, e := range evs {
				kinds = append(kinds, e.(map[string]any)["kind"].(string))
			}
			if got := strings.Join(kinds, ","); got != "created,assigned,contacted,status" {
				t.Errorf("event kinds = %s", got)
			}
		}},

	{name: "unknown field", method: "POST", path: "/api/v1/customers", wantStatus: 400, wantField: "nmae",
		body: `{"nmae":"typo"}`},
	{name: "no inquiries yet", method: "GET", path: "/api/v1/inquiries", wantStatus: 200,
		check: func(t testing.TB, m map[string]any) { wantLen(t, m, 0) }},
}

func want(t testing.TB, m map[string]any, key string, v any) {
	t.Helper()
	if got, ok := m[key]; !ok || got != v {
		t.Errorf("%s = %#v, want %#v", key, got, v)
	}
}

func wantLen(t testing.TB, m map[string]any, n int) {
	t.Helper()
	items, ok := m["items"].([]any)
	if !ok || len(items) != n {
		t.Errorf("items = %v, want %d of them", m["items"], n)
	}
}

// runCRUD walks crudSteps against f.
func runCRUD(t *testing.T, f *fixture) {
	ids := map[string]string{}
	expand := func(s string) string {
		for k, v := range ids {
			s = strings.ReplaceAll(s, "{"+k+"}", v)
		}
		return s
	}
	for _, st := range crudSteps {
		ok := t.Run(st.name, func(t *testing.T) {
			f.t = t
			var body any
			if st.body != "" {
				body = expand(st.body)
			}
			res := f.do(st.method, expand(st.path), body).mustStatus(t, st.wantStatus)
			if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			m := res.object(t)
			if st.wantStatus >= 400 {
				if _, ok := m["error"].(string); !ok {
					t.Errorf("error answer without error: %s", res.Body)
				}
				if st.wantField != "" {
					if _, ok := res.errorFields(t)[st.wantField]; !ok {
						t.Errorf("fields do not name %q: %s", st.wantField, res.Body)
					}
				}
			}
			if st.save != "" {
				ids[st.save] = jsonNumber(t, m["id"])
			}
			if st.check != nil {
				st.check(t, m)
			}
		})
		if !ok && st.save != "" {
			t.Fatalf("step %q failed; later steps need its id", st.name)
		}
	}
	f.hooks.mu.Lock()
	defer f.hooks.mu.Unlock()
	if len(f.hooks.statusChanges) != 1 || f.hooks.statusChanges[0].From != "pending" || f.hooks.statusChanges[0].To != "shipped" {
		t.Errorf("status hook calls = %+v, want one pending->shipped", f.hooks.statusChanges)
	}
	if len(f.hooks.leads) != 1 {
		t.Errorf("lead hook calls = %v, want one", f.hooks.leads)
	}
}

func jsonNumber(t testing.TB, v any) string {
	t.Helper()
	n, ok := v.(float64)
	if !ok || n <= 0 {
		t.Fatalf("id %v is not a positive number", v)
	}
	return strconv.FormatInt(int64(n), 10)
}

func TestCRUDSQLite(t *testing.T) {
	t.Parallel()
	runCRUD(t, setup(t))
}

func TestCRUDPostgres(t *testing.T) {
	t.Parallel()
	runCRUD(t, setupPostgres(t))
}
