package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"salesdesk/internal/store"
)

func newOrder(t *testing.T, f *fixture) (customerID, orderID int64) {
	t.Helper()
	customerID = f.do("POST", "/api/v1/customers", `{"name":"Acme"}`).mustStatus(t, 201).idOf(t)
	orderID = f.do("POST", "/api/v1/orders", fmt.Sprintf(
		`{"customer_id":%d,"number":"SO-7","currency":"EUR","items":[{"sku":"A","quantity":2,"unit_price_cents":150}]}`,
		customerID)).mustStatus(t, 201).idOf(t)
	return customerID, orderID
}

func TestOrderStatusChangeRecordsHistoryAndCallsHookOnce(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, id := newOrder(t, f)
	path := fmt.Sprintf("/api/v1/orders/%d", id)

	f.do("PATCH", path, `{"status":"confirmed","status_note":"stock reserved"}`).mustStatus(t, 200)
	// The same status again is no change: no history entry, no mail.
	f.do("PATCH", path, `{"status":"confirmed"}`).mustStatus(t, 200)
	// Other fields alone change no status.
	f.do("PATCH", path, `{"tracking_number":"1Z"}`).mustStatus(t, 200)

	var got orderJSON
	f.do("GET", path, nil).mustStatus(t, 200).json(t, &got)
	if got.History == nil || len(*got.History) != 2 {
		t.Fatalf("history = %+v", got.History)
	}
	h := *got.History
	if h[0].Status != "pending" || h[0].Source != "create" || h[1].Status != "confirmed" ||
		h[1].Note != "stock reserved" || h[1].Source != "api" {
		t.Errorf("history = %+v", h)
	}
	if got.TrackingNumber != "1Z" || got.Status != "confirmed" {
		t.Errorf("order = %+v", got)
	}
	if want := []statusCall{{id, "pending", "confirmed"}}; fmt.Sprint(f.hooks.statusChanges) != fmt.Sprint(want) {
		t.Errorf("hook calls = %+v, want %+v", f.hooks.statusChanges, want)
	}
	stored, err := f.st.OrderHistory(context.Background(), id)
	if err != nil || len(stored) != 2 {
		t.Errorf("stored history = %+v, %v", stored, err)
	}
}

func TestOrderStatusHookFailureIsAWarning(t *testing.T) {
	t.Parallel()
	f := setup(t)
	_, id := newOrder(t, f)
	f.hooks.statusErr = errors.New("smtp relay refused")
	var got orderJSON
	res := f.do("PATCH", fmt.Sprintf("/api/v1/orders/%d", id), `{"status":"shipped"}`).mustStatus(t, 200)
	res.json(t, &got)
	if got.Status != "shipped" || len(got.Warnings) != 1 {
		t.Errorf("order = %+v", got)
	}
	if strings.Contains(string(res.Body), "smtp relay") {
		t.Errorf("answer leaks the hook's error: %s", res.Body)
	}
	if !strings.Contains(f.logs.String(), "smtp relay refused") {
		t.Error("hook failure not logged")
	}
}

func TestOrderUpdates(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cust, id := newOrder(t, f)
	path := fmt.Sprintf("/api/v1/orders/%d", id)
	tests := []struct {
		name       string
		body       string
		wantStatus int
		check      func(t *testing.T, o orderJSON)
	}{
		{"replace items recomputes the amount", `{"items":[{"sku":"B","quantity":3,"unit_price_cents":1000}]}`, 200,
			func(t *testing.T, o orderJSON) {
				if o.AmountCents != 3000 || len(*o.Items) != 1 || (*o.Items)[0].TotalCents != 3000 {
					t.Errorf("order = %+v items %+v", o, o.Items)
				}
			}},
		{"explicit amount wins", `{"amount_cents":2500}`, 200,
			func(t *testing.T, o orderJSON) {
				if o.AmountCents != 2500 || len(*o.Items) != 1 {
					t.Errorf("order = %+v", o)
				}
			}},
		{"clear promised date", `{"promised_date":"2026-04-01"}`, 200,
			func(t *testing.T, o orderJSON) {
				if o.PromisedDate == nil || *o.PromisedDate != "2026-04-01" {
					t.Errorf("promised_date = %v", o.PromisedDate)
				}
			}},
		{"clear it again", `{"promised_date":""}`, 200,
			func(t *testing.T, o orderJSON) {
				if o.PromisedDate != nil {
					t.Errorf("promised_date = %v", *o.PromisedDate)
				}
			}},
		{"status note without status", `{"status_note":"x"}`, 422, nil},
		{"number of another order", `{"number":"SO-8"}`, 409, nil},
		{"move to missing customer", `{"customer_id":999999}`, 422, nil},
		{"items overflow", `{"items":[` + strings.TrimSuffix(strings.Repeat(`{"sku":"X","quantity":1000000,"unit_price_cents":1000000000000},`, 10), ",") + `]}`, 422, nil},
	}
	if _, err := f.st.CreateOrder(context.Background(), &store.Order{CustomerID: cust, Number: "SO-8", Currency: "EUR"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.t = t
			res := f.do("PATCH", path, tt.body).mustStatus(t, tt.wantStatus)
			if tt.check != nil {
				var o orderJSON
				res.json(t, &o)
				tt.check(t, o)
			}
		})
	}
	f.do("PATCH", "/api/v1/orders/999999", `{"status":"shipped"}`).mustStatus(t, 404)
	if len(f.hooks.statusChanges) != 0 {
		t.Errorf("hook calls = %+v", f.hooks.statusChanges)
	}
}

func TestListOrdersAndRequests(t *testing.T) {
	t.Parallel()
	f := setup(t, tickingClock())
	ctx := context.Background()
	cust := newCustomers(t, f.st, "Acme", "Bolt Ltd")
	mk := func(customer int64, number, status string) int64 {
		o := &store.Order{CustomerID: customer, Number: number, Status: status, Currency: "EUR"}
		if _, err := f.st.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	a := mk(cust[0], "SO-1", "pending")
	b := mk(cust[0], "SO-2", "delivered")
	c := mk(cust[1], "SO-3", "shipped")
	tests := []struct {
		query string
		want  []int64
	}{
		{"", []int64{c, b, a}},
		{fmt.Sprintf("customer_id=%d", cust[0]), []int64{b, a}},
		{"open=true", []int64{c, a}},
		{"status=delivered", []int64{b}},
		{"number=SO-3", []int64{c}},
		{"number=SO-3&status=pending", nil},
		{"number=SO-404", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			f.t = t
			var l list[orderJSON]
			f.do("GET", "/api/v1/orders?"+tt.query, nil).mustStatus(t, 200).json(t, &l)
			var got []int64
			for _, o := range l.Items {
				got = append(got, o.ID)
				if o.Items != nil || o.History != nil {
					t.Errorf("list entry with items or history: %+v", o)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}

	r1 := &store.OrderRequest{OrderID: a, Kind: store.OrderRequestRush, Words: "Need it by Friday!"}
	r2 := &store.OrderRequest{OrderID: c, Kind: store.OrderRequestChange, Words: "Make it 20"}
	for _, r := range []*store.OrderRequest{r1, r2} {
		if _, _, err := f.st.CreateOrderRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.st.SetOrderRequestStatus(ctx, r2.ID, store.OrderRequestDone); err != nil {
		t.Fatal(err)
	}
	var l list[orderRequestJSON]
	f.t = t
	f.do("GET", "/api/v1/order-requests?status=pending", nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 1 || l.Items[0].ID != r1.ID || l.Items[0].Words != "Need it by Friday!" || l.Items[0].Kind != "rush" {
		t.Errorf("pending requests = %+v", l.Items)
	}
	f.do("GET", fmt.Sprintf("/api/v1/order-requests?customer_id=%d", cust[1]), nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 1 || l.Items[0].ID != r2.ID || l.Items[0].ResolvedAt == nil {
		t.Errorf("requests of customer = %+v", l.Items)
	}
	f.do("GET", "/api/v1/order-requests?status=open", nil).mustStatus(t, 422)

	// Closing: with a note, once; a second decision is 409 with the first.
	var d orderRequestDecisionOut
	f.do("POST", fmt.Sprintf("/api/v1/order-requests/%d/rejected", r1.ID), map[string]any{"note": "Cannot ship before Monday."}).
		mustStatus(t, 200).json(t, &d)
	if !d.Decided || d.Status != store.OrderRequestRejected || d.Note != "Cannot ship before Monday." || d.DecidedBy == "" || d.ResolvedAt == nil {
		t.Errorf("rejected = %+v", d)
	}
	f.do("POST", fmt.Sprintf("/api/v1/order-requests/%d/done", r1.ID), nil).mustStatus(t, 409).json(t, &d)
	if d.Decided || d.Status != store.OrderRequestRejected {
		t.Errorf("second decision = %+v", d)
	}
	f.do("POST", "/api/v1/order-requests/99999/done", nil).mustStatus(t, 404)

	// The carrier is accepted and kept.
	var oj orderJSON
	f.do("PATCH", fmt.Sprintf("/api/v1/orders/%d", a), map[string]any{"carrier": "DHL Express", "tracking_url": "https://track.example/1"}).
		mustStatus(t, 200).json(t, &oj)
	if oj.Carrier != "DHL Express" || oj.TrackingURL != "https://track.example/1" {
		t.Errorf("after carrier patch = %+v", oj)
	}
}
