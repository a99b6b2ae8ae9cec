package api

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

func TestContactsMoveBetweenCustomers(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.do("POST", "/api/v1/customers", `{"name":"Acme","external_id":"crm-1"}`).mustStatus(t, 201).idOf(t)
	b := f.do("POST", "/api/v1/customers", `{"name":"Bolt"}`).mustStatus(t, 201).idOf(t)
	ann := f.do("POST", fmt.Sprintf("/api/v1/customers/%d/contacts", a), `{"email":"ann@acme.example"}`).mustStatus(t, 201).idOf(t)
	f.do("POST", fmt.Sprintf("/api/v1/customers/%d/contacts", b), `{"email":"bob@bolt.example"}`).mustStatus(t, 201)

	f.do("PATCH", fmt.Sprintf("/api/v1/contacts/%d", ann), fmt.Sprintf(`{"customer_id":%d}`, b)).mustStatus(t, 200)
	var l list[contactJSON]
	f.do("GET", fmt.Sprintf("/api/v1/customers/%d/contacts", b), nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 2 {
		t.Errorf("contacts of %d = %+v", b, l.Items)
	}
	f.do("GET", fmt.Sprintf("/api/v1/customers/%d/contacts", a), nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 0 {
		t.Errorf("contacts of %d = %+v", a, l.Items)
	}

	tests := []struct {
		name, method, path, body string
		wantStatus               int
	}{
		{"email of another contact", "PATCH", fmt.Sprintf("/api/v1/contacts/%d", ann), `{"email":"BOB@bolt.example"}`, 409},
		{"missing customer", "PATCH", fmt.Sprintf("/api/v1/contacts/%d", ann), `{"customer_id":999999}`, 422},
		{"missing contact", "PATCH", "/api/v1/contacts/999999", `{"name":"x"}`, 404},
		{"external id of another customer", "PATCH", fmt.Sprintf("/api/v1/customers/%d", b), `{"external_id":"crm-1"}`, 409},
		{"contacts of missing customer", "GET", "/api/v1/customers/999999/contacts", "", 404},
		{"domain filter", "GET", "/api/v1/customers?domain=ACME.example", "", 200},
		{"q and name", "GET", "/api/v1/customers?q=a&name=b", "", 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			var body any
			if tt.body != "" {
				body = tt.body
			}
			f.do(tt.method, tt.path, body).mustStatus(t, tt.wantStatus)
		})
	}
}

func TestCreateAnswersLocation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cust := f.do("POST", "/api/v1/customers", `{"name":"Acme"}`).mustStatus(t, 201).idOf(t)
	tests := []struct {
		name, method, path, body string
		wantStatus               int
		wantLocation             string // "{id}" stands for the answered id
	}{
		{"create customer", "POST", "/api/v1/customers", `{"name":"Bolt"}`, 201, "/api/v1/customers/{id}"},
		{"create contact", "POST", fmt.Sprintf("/api/v1/customers/%d/contacts", cust), `{"email":"ann@acme.example"}`, 201, "/api/v1/contacts/{id}"},
		{"create rep", "POST", "/api/v1/reps", `{"email":"rita@example.net","name":"Rita"}`, 201, "/api/v1/reps/{id}"},
		{"update customer", "PATCH", fmt.Sprintf("/api/v1/customers/%d", cust), `{"phone":"+1 555"}`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			res := f.do(tt.method, tt.path, tt.body).mustStatus(t, tt.wantStatus)
			want := strings.ReplaceAll(tt.wantLocation, "{id}", strconv.FormatInt(res.idOf(t), 10))
			if got := res.Header.Get("Location"); got != want {
				t.Errorf("Location = %q, want %q", got, want)
			}
		})
	}
}
