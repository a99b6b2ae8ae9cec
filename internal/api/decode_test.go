package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestValidationNamesTheField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cust := f.do("POST", "/api/v1/customers", `{"name":"Acme"}`).mustStatus(t, 201).idOf(t)
	tests := []struct {
		name      string
		path      string
		body      string
		wantField string
		wantMsg   string
	}{
		{"customer blank name", "/api/v1/customers", `{"name":"  "}`, "name", "required"},
		{"customer name with newline", "/api/v1/customers", `{"name":"Acme\r\nBcc: x@evil.example"}`, "name", "one line"},
		{"customer long name", "/api/v1/customers", `{"name":"` + strings.Repeat("a", 201) + `"}`, "name", "at most 200"},
		{"customer bad domain", "/api/v1/customers", `{"name":"A","domain":"not a domain"}`, "domain", "mail domain"},
		{"customer domain with @", "/api/v1/customers", `{"name":"A","domain":"@acme.example"}`, "domain", "mail domain"},
		{"customer negative owner", "/api/v1/customers", `{"name":"A","owner_rep_id":-1}`, "owner_rep_id", "rep id"},
		{"customer name wrong type", "/api/v1/customers", `{"name":5}`, "name", "must be a string"},
		{"customer opted_out wrong type", "/api/v1/customers", `{"name":"A","opted_out":"yes"}`, "opted_out", "true or false"},
		{"contact email missing", "/api/v1/customers/{cust}/contacts", `{"name":"Ann"}`, "email", "required"},
		{"contact email with name", "/api/v1/customers/{cust}/contacts", `{"email":"Ann <a@b.example>"}`, "email", "valid address"},
		{"contact email no domain dot", "/api/v1/customers/{cust}/contacts", `{"email":"a@localhost"}`, "email", "valid address"},
		{"contact other customer", "/api/v1/customers/{cust}/contacts", `{"email":"a@b.example","customer_id":999}`, "customer_id", "customer of the path"},
		{"order without number", "/api/v1/orders", `{"customer_id":{cust},"currency":"EUR"}`, "number", "required"},
		{"order lower-case currency", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"eur"}`, "currency", "ISO 4217"},
		{"order bad status", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","status":"lost"}`, "status", "must be one of"},
		{"order bad date", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","promised_date":"03/10/2026"}`, "promised_date", "YYYY-MM-DD"},
		{"order javascript url", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","tracking_url":"javascript:alert(1)"}`, "tracking_url", "http or https"},
		{"order negative amount", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","amount_cents":-5}`, "amount_cents", "non-negative"},
		{"order fractional amount", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","amount_cents":12.5}`, "amount_cents", "integer"},
		{"order item without sku", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","items":[{"quantity":1}]}`, "items[0]", "sku or a description"},
		{"order item price", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","items":[{"sku":"A"},{"sku":"B","unit_price_cents":-1}]}`, "items[1].unit_price_cents", "from 0"},
		{"order status note at create", "/api/v1/orders", `{"customer_id":{cust},"number":"X","currency":"EUR","status_note":"x"}`, "status_note", "only with a status change"},
		{"rep weight", "/api/v1/reps", `{"email":"r@s.example","name":"R","weight":0}`, "weight", "from 1"},
		{"rep timezone", "/api/v1/reps", `{"email":"r@s.example","name":"R","timezone":"Mars/Olympus"}`, "timezone", "IANA"},
		{"rep working hours", "/api/v1/reps", `{"email":"r@s.example","name":"R","working_hours":"weekdays 9-5"}`, "working_hours", "Mon-Fri"},
		{"rep working hours reversed", "/api/v1/reps", `{"email":"r@s.example","name":"R","working_hours":"Mon-Fri 17:00-09:00"}`, "working_hours", "after it starts"},
		{"rep out of office", "/api/v1/reps", `{"email":"r@s.example","name":"R","out_of_office_until":"next week"}`, "out_of_office_until", "RFC 3339"},
		{"rep empty territory", "/api/v1/reps", `{"email":"r@s.example","name":"R","territories":["DE",""]}`, "territories", "empty"},
		{"lead bad email", "/api/v1/leads", `{"contact_email":"nobody"}`, "contact_email", "valid address"},
		{"lead bad source", "/api/v1/leads", `{"contact_email":"a@b.example","source":"Web Form!"}`, "source", "lower-case"},
		{"lead huge message", "/api/v1/leads", `{"contact_email":"a@b.example","message":"` + strings.Repeat("x", maxText+1) + `"}`, "message", "at most"},
		{"label without category", "/api/v1/inquiries/1/label", `{}`, "category", "required"},
		{"label unknown category", "/api/v1/inquiries/1/label", `{"category":"gossip"}`, "category", "order_status"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := strings.ReplaceAll(tt.path, "{cust}", jsonNumber(t, float64(cust)))
			body := strings.ReplaceAll(tt.body, "{cust}", jsonNumber(t, float64(cust)))
			f.t = t
			res := f.do("POST", path, body).mustStatus(t, http.StatusUnprocessableEntity)
			var e errorBody
			res.json(t, &e)
			if e.Error != "validation failed" {
				t.Errorf("error = %q", e.Error)
			}
			if msg, ok := e.Fields[tt.wantField]; !ok || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("fields = %v, want %s containing %q", e.Fields, tt.wantField, tt.wantMsg)
			}
		})
	}
}

func TestValidationReportsEveryBadField(t *testing.T) {
	t.Parallel()
	f := setup(t)
	res := f.do("POST", "/api/v1/reps", `{"email":"x","name":"","weight":-1,"capacity":-1}`).mustStatus(t, 422)
	fields := res.errorFields(t)
	for _, k := range []string{"email", "name", "weight", "capacity"} {
		if _, ok := fields[k]; !ok {
			t.Errorf("fields %v do not name %s", fields, k)
		}
	}
}

func TestUnknownFieldIsRejected(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		method, path, body, field string
	}{
		{"POST", "/api/v1/customers", `{"name":"A","is_admin":true}`, "is_admin"},
		{"PATCH", "/api/v1/customers/1", `{"nam":"A"}`, "nam"},
		{"POST", "/api/v1/leads", `{"contact_email":"a@b.example","email":"a@b.example"}`, "email"},
		{"POST", "/api/v1/orders", `{"customer_id":1,"number":"X","currency":"EUR","items":[{"sku":"A","price":3}]}`, "price"},
		{"POST", "/api/v1/reps", `{"Email":"r@s.example","name":"R","role":"admin"}`, "role"},
		{"POST", "/api/v1/inquiries/1/close", `{"force":true}`, "force"},
		{"POST", "/api/v1/leads/1/contacted", `{"by":"me"}`, "by"},
	}
	for _, tt := range tests {
		t.Run(tt.path+" "+tt.field, func(t *testing.T) {
			f.t = t
			res := f.do(tt.method, tt.path, tt.body).mustStatus(t, http.StatusBadRequest)
			var e errorBody
			res.json(t, &e)
			if e.Fields[tt.field] != "unknown field" || !strings.Contains(e.Error, tt.field) {
				t.Errorf("answer %s does not name %q", res.Body, tt.field)
			}
		})
	}
}

func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		name        string
		contentType string
		body        string
		wantStatus  int
	}{
		{"empty", "application/json", "", 400},
		{"not json", "application/json", "name=Acme", 400},
		{"truncated", "application/json", `{"name":"Acme"`, 400},
		{"array", "application/json", `[{"name":"Acme"}]`, 400},
		{"string", "application/json", `"Acme"`, 400},
		{"null", "application/json", `null`, 422}, // a valid document that sets nothing: name is required
		{"two objects", "application/json", `{"name":"A"}{"name":"B"}`, 400},
		{"trailing garbage", "application/json", `{"name":"A"} x`, 400},
		{"form post", "application/x-www-form-urlencoded", `name=Acme`, 415},
		{"bad content type", "application/json; charset", `{"name":"A"}`, 415},
		{"json with charset", "application/json; charset=utf-8", `{"name":"A"}`, 201},
		{"no content type", "", `{"name":"B"}`, 201},
		{"duplicate key", "application/json", `{"name":"A","name":"C"}`, 201},
		{"huge number", "application/json", `{"name":"A","owner_rep_id":1e400}`, 422},
		{"deep nesting", "application/json", `{"name":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/api/v1/customers", strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body)
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
			}
		})
	}
}

func TestOversizedBodyIsRejected(t *testing.T) {
	t.Parallel()
	f := setup(t)
	// A valid JSON document just over the limit: the size alone refuses it.
	big := `{"name":"A","notes":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	for _, path := range []string{"/api/v1/customers", "/api/v1/leads", "/api/v1/inquiries/1/close"} {
		t.Run(path, func(t *testing.T) {
			f.t = t
			res := f.do("POST", path, big).mustStatus(t, http.StatusRequestEntityTooLarge)
			if !strings.Contains(string(res.Body), "too large") {
				t.Errorf("body %s", res.Body)
			}
		})
	}
	// Exactly at the limit is read (and then judged on its content).
	atLimit := `{"name":"A","notes":"` + strings.Repeat("x", MaxBodyBytes-len(`{"name":"A","notes":""}`)) + `"}`
	if len(atLimit) != MaxBodyBytes {
		t.Fatalf("test body is %d bytes", len(atLimit))
	}
	res := f.do("POST", "/api/v1/customers", atLimit).mustStatus(t, http.StatusUnprocessableEntity)
	if _, ok := res.errorFields(t)["notes"]; !ok {
		t.Errorf("want notes too long, got %s", res.Body)
	}
}

func TestIDsAreParsedStrictly(t *testing.T) {
	t.Parallel()
	f := setup(t)
	f.do("POST", "/api/v1/customers", `{"name":"Acme"}`).mustStatus(t, 201)
	tests := []struct {
		id         string
		wantStatus int
	}{
		{"1", 200},
		{"01", 404},
		{"+1", 404},
		{"-1", 404},
		{"0", 404},
		{"1.0", 404},
		{"1e0", 404},
		{"0x1", 404},
		{"%201", 404},
		{"9223372036854775807", 404},  // fits, no such customer
		{"9223372036854775808", 404},  // overflows
		{"99999999999999999999", 404}, // overflows
		{"１", 404},                    // a full-width digit
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			f.t = t
			res := f.do("GET", "/api/v1/customers/"+tt.id, nil).mustStatus(t, tt.wantStatus)
			if tt.wantStatus == 404 {
				var e errorBody
				res.json(t, &e)
				if !strings.Contains(e.Error, "not found") {
					t.Errorf("error %q", e.Error)
				}
			}
		})
	}
	// Ids in query strings and bodies are checked the same way.
	f.do("GET", "/api/v1/orders?customer_id=01", nil).mustStatus(t, 422)
	f.do("POST", "/api/v1/orders", `{"customer_id":"1","number":"X","currency":"EUR"}`).mustStatus(t, 422)
}

func TestQueryParameters(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		path       string
		wantStatus int
		wantField  string
	}{
		{"/api/v1/inquiries?limit=500", 200, ""},
		{"/api/v1/inquiries?limit=501", 422, "limit"},
		{"/api/v1/inquiries?limit=0", 422, "limit"},
		{"/api/v1/inquiries?limit=ten", 422, "limit"},
		{"/api/v1/inquiries?offset=-1", 422, "offset"},
		{"/api/v1/inquiries?offset=5&cursor=abc", 422, "cursor"},
		{"/api/v1/inquiries?cursor=not-a-cursor", 422, "cursor"},
		{"/api/v1/inquiries?since=yesterday", 422, "since"},
		{"/api/v1/inquiries?since=2026-03-02&until=2026-03-01", 422, "until"},
		{"/api/v1/inquiries?since=24h", 200, ""},
		{"/api/v1/inquiries?category=gossip", 422, "category"},
		{"/api/v1/inquiries?status=new&status=closed", 422, "status"},
		{"/api/v1/inquiries?categroy=support", 400, "categroy"},
		{"/api/v1/customers/1?expand=all", 400, "expand"},
		{"/api/v1/leads?status=maybe", 422, "status"},
		{"/api/v1/orders?open=perhaps", 422, "open"},
		{"/api/v1/reps?active=true", 200, ""},
		{"/api/v1/inquiries?x=%zz", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			f.t = t
			res := f.do("GET", tt.path, nil).mustStatus(t, tt.wantStatus)
			if tt.wantField != "" {
				if _, ok := res.errorFields(t)[tt.wantField]; !ok {
					t.Errorf("answer %s does not name %q", res.Body, tt.wantField)
				}
			}
		})
	}
}

func TestUnknownRoutesAnswerJSON(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		method, path string
		wantStatus   int
		wantAllow    string
	}{
		{"GET", "/api/v1/nothing", 404, ""},
		{"GET", "/api/v2/customers", 404, ""},
		{"DELETE", "/api/v1/customers/1", 405, "GET, HEAD, PATCH"},
		{"PUT", "/api/v1/leads", 405, "GET, HEAD, POST"},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			f.t = t
			res := f.do(tt.method, tt.path, nil).mustStatus(t, tt.wantStatus)
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
				t.Errorf("Content-Type %q", res.Header.Get("Content-Type"))
			}
			if got := res.Header.Get("Allow"); got != tt.wantAllow {
				t.Errorf("Allow %q, want %q", got, tt.wantAllow)
			}
			res.object(t)
		})
	}
	res := f.do("GET", "/api/v1", nil).mustStatus(t, http.StatusTemporaryRedirect)
	if loc := res.Header.Get("Location"); loc != "/api/v1/" {
		t.Errorf("Location %q", loc)
	}
}

func TestRequestID(t *testing.T) {
	t.Parallel()
	f := setup(t)
	req := httptest.NewRequest("GET", "/api/v1/reps", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("X-Request-Id %q, want the client's", got)
	}
	req.Header.Set("X-Request-Id", "evil\r\nvalue")
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-Id"); len(got) != 16 || !isToken(got) {
		t.Errorf("X-Request-Id %q, want a fresh one", got)
	}
}

func TestParseID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   int64
		wantOK bool
	}{
		{"1", 1, true},
		{"42", 42, true},
		{"9223372036854775807", 9223372036854775807, true},
		{"9223372036854775808", 0, false},
		{"", 0, false},
		{"0", 0, false},
		{"007", 0, false},
		{"-3", 0, false},
		{"3 ", 0, false},
		{"٣", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseID(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseID(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}
