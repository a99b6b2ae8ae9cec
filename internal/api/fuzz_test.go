package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
