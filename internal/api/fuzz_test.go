package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"salesdesk/internal/store"
)

// fuzzBody sends body to path on a fresh handler and checks the answer:
// never a 5xx, always JSON, and a created object only for a body that is
// a JSON object.
func fuzzBody(f *testing.F, path string) {
	fx := setup(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("POST", path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("answer is not a JSON object: %q", rec.Body)
		}
		switch {
		case rec.Code == http.StatusCreated || rec.Code == http.StatusOK:
			var v map[string]any
			if err := json.Unmarshal(body, &v); err != nil && string(body) != "null" {
				t.Fatalf("created from a body that is not an object: %q", body)
			}
			if _, ok := answer["id"].(float64); !ok {
				t.Fatalf("created without an id: %s", rec.Body)
			}
		case rec.Code >= 400 && rec.Code < 500:
			if _, ok := answer["error"].(string); !ok {
				t.Fatalf("error answer without error: %s", rec.Body)
			}
		default:
			t.Fatalf("status %d", rec.Code)
		}
	})
}

func FuzzCreateCustomerBody(f *testing.F) {
	for _, s := range []string{
		`{"name":"Acme GmbH","domain":"acme.example","country":"DE","opted_out":false}`,
		`{"name":"Acme","owner_rep_id":1}`,
		`{"name":"Ac\u0000me"}`,
		`{"name":"x","nmae":"y"}`,
		`{"name":"a","domain":"xn--bcher-kva.example"}`,
		`[]`,
		`{"name":1e309}`,
	} {
		f.Add([]byte(s))
	}
	fuzzBody(f, "/api/v1/customers")
}

func FuzzCreateLeadBody(f *testing.F) {
	for _, s := range []string{
		`{"contact_email":"ann@acme.example","contact_name":"Ann","company":"Acme","message":"Quote for 500 bolts","source":"web"}`,
		`{"contact_email":"ann@acme.example","external_id":"hook-1"}`,
		`{"contact_email":"\"quoted local\"@acme.example"}`,
		`{"contact_email":"ann@acme.example\r\nBcc: all@example.com"}`,
		`{"contact_email":null}`,
		`{"contact_email":"a@b.example","source":"WEB"}`,
	} {
		f.Add([]byte(s))
	}
	fuzzBody(f, "/api/v1/leads")
}

// writeRoutes are every route that reads a JSON body, with the ids of the
// records fuzzWriteFixture makes.
var writeRoutes = []struct{ method, path string }{
	{"POST", "/api/v1/inquiries/1/label"},
	{"POST", "/api/v1/inquiries/1/close"},
	{"POST", "/api/v1/customers"},
	{"PATCH", "/api/v1/customers/1"},
	{"POST", "/api/v1/customers/1/contacts"},
	{"PATCH", "/api/v1/contacts/1"},
	{"POST", "/api/v1/orders"},
	{"PATCH", "/api/v1/orders/1"},
	{"POST", "/api/v1/order-requests/1/done"},
	{"POST", "/api/v1/order-requests/1/rejected"},
	{"POST", "/api/v1/suppressions"},
	{"POST", "/api/v1/reps"},
	{"PATCH", "/api/v1/reps/1"},
	{"POST", "/api/v1/leads"},
	{"POST", "/api/v1/leads/1/reassign"},
	{"POST", "/api/v1/leads/1/contacted"},
	{"POST", "/api/v1/leads/1/won"},
	{"POST", "/api/v1/leads/1/lost"},
	{"POST", "/api/v1/leads/1/reopen"},
}

// fuzzWriteFixture stores one record of each kind a write route names.
func fuzzWriteFixture(f *testing.F) *fixture {
	fx := setup(f)
	ctx := context.Background()
	rep := &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true}
	if _, err := fx.st.CreateRep(ctx, rep); err != nil {
		f.Fatal(err)
	}
	cust := &store.Customer{Name: "Acme", Domain: "acme.example", OwnerRepID: rep.ID}
	if _, err := fx.st.CreateCustomer(ctx, cust); err != nil {
		f.Fatal(err)
	}
	if _, err := fx.st.CreateContact(ctx, &store.Contact{CustomerID: cust.ID, Email: "ann@acme.example"}); err != nil {
		f.Fatal(err)
	}
	if _, err := fx.st.CreateOrder(ctx, &store.Order{CustomerID: cust.ID, Number: "SO-1001", Status: store.OrderShipped, Currency: "EUR"}); err != nil {
		f.Fatal(err)
	}
	if _, _, err := fx.st.CreateInquiry(ctx, &store.Inquiry{CustomerID: cust.ID, ContactEmail: "ann@acme.example",
		Subject: "Where is SO-1001?", Category: "order_status", Status: store.InquiryRouted}); err != nil {
		f.Fatal(err)
	}
	if _, _, err := fx.st.CreateLead(ctx, &store.Lead{CustomerID: cust.ID, ContactEmail: "ann@acme.example", Source: "email"}); err != nil {
		f.Fatal(err)
	}
	return fx
}

// FuzzWriteBodies sends arbitrary bodies to every route that reads JSON
// (issue 15, "What to build" 9: every parser of outside input has a fuzz
// target): whatever the body, the answer is a JSON object, never a 5xx,
// and an error answer says what was wrong.
func FuzzWriteBodies(f *testing.F) {
	for i := range writeRoutes {
		for _, s := range []string{`{}`, `{"category":"billing"}`, `{"status":"shipped","tracking_url":"https://t.example/1"}`,
			`{"name":"A\u0000","email":"x@y.example"}`, `{"rep_id":1,"reason":"x"}`, `[]`, `null`, `{"x":1e309}`, "{\"note\":\"a\r\nBcc: b\"}"} {
			f.Add(uint8(i), []byte(s))
		}
	}
	fx := fuzzWriteFixture(f)
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := writeRoutes[int(route)%len(writeRoutes)]
		req := httptest.NewRequest(r.method, r.path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		fx.h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: status %d for %q: %s", r.method, r.path, rec.Code, body, rec.Body)
		}
		var answer map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("%s %s: answer is not a JSON object: %q", r.method, r.path, rec.Body)
		}
		if rec.Code >= 400 {
			if _, ok := answer["error"].(string); !ok {
				t.Fatalf("%s %s: error answer without error: %s", r.method, r.path, rec.Body)
			}
		}
	})
}
