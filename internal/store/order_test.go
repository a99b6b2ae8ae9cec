package store

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestOrders(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		now := time.Date(2025, 4, 1, 10, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		cust, _ := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		other, _ := s.CreateCustomer(ctx, &Customer{Name: "Other"})
		o := &Order{CustomerID: cust, Number: "SO-1001", Currency: "EUR", AmountCents: 123456,
			PromisedDate: time.Date(2025, 4, 15, 0, 0, 0, 0, time.UTC), TrackingNumber: "1Z", TrackingURL: "https://t/1Z",
			Items: []OrderItem{{SKU: "P-1", Description: "Pump", Quantity: 2, UnitPriceCents: 50000},
				{SKU: "S-9", Description: "Seal kit", Quantity: 1, UnitPriceCents: 23456}}}
		id, err := s.CreateOrder(ctx, o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.OrderByNumber(ctx, " SO-1001 ")
		if err != nil {
			t.Fatal(err)
		}
		want := *o
		want.Status, want.StatusChangedAt, want.CreatedAt, want.UpdatedAt = OrderPending, now, now, now
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", *got, want)
		}
		if _, err := s.CreateOrder(ctx, &Order{CustomerID: other, Number: "SO-1001"}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate number: %v, want ErrConflict", err)
		}
		if _, err := s.CreateOrder(ctx, &Order{CustomerID: 999, Number: "SO-X"}); err == nil {
			t.Error("order of a missing customer created")
		}

		now = now.Add(time.Hour)
		changed, err := s.SetOrderStatus(ctx, id, OrderShipped, "left the warehouse", "api")
		if err != nil || !changed {
			t.Fatalf("set status = %v, %v", changed, err)
		}
		if changed, err := s.SetOrderStatus(ctx, id, OrderShipped, "again", "api"); err != nil || changed {
			t.Errorf("same status again = %v, %v; want no change", changed, err)
		}
		if _, err := s.SetOrderStatus(ctx, 999, OrderShipped, "", ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing order: %v", err)
		}
		hist, err := s.OrderHistory(ctx, id)
		wantHist := []OrderStatusChange{
			{Status: OrderPending, Source: "create", ChangedAt: now.Add(-time.Hour)},
			{Status: OrderShipped, Note: "left the warehouse", Source: "api", ChangedAt: now},
		}
		if err != nil || !reflect.DeepEqual(hist, wantHist) {
			t.Errorf("history = %+v, %v", hist, err)
		}

		got, _ = s.Order(ctx, id)
		got.TrackingNumber, got.PromisedDate = "1Z-NEW", time.Time{}
		got.Items = []OrderItem{{SKU: "P-1", Description: "Pump", Quantity: 3, UnitPriceCents: 50000}}
		if err := s.UpdateOrder(ctx, got); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Order(ctx, id)
		if after.TrackingNumber != "1Z-NEW" || !after.PromisedDate.IsZero() || len(after.Items) != 1 ||
			after.Items[0].Quantity != 3 || after.Status != OrderShipped {
			t.Errorf("after update: %+v", after)
		}
		if err := s.UpdateOrder(ctx, &Order{ID: 999, CustomerID: cust, Number: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}

		// Open orders: delivered and cancelled ones are closed.
		for _, n := range []struct{ number, status string }{{"SO-2", OrderProcessing}, {"SO-3", OrderDelivered}, {"SO-4", OrderCancelled}} {
			now = now.Add(time.Minute)
			oid, err := s.CreateOrder(ctx, &Order{CustomerID: cust, Number: n.number})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SetOrderStatus(ctx, oid, n.status, "", "test"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreateOrder(ctx, &Order{CustomerID: other, Number: "SO-5"}); err != nil {
			t.Fatal(err)
		}
		open, err := s.OpenOrdersForCustomer(ctx, cust)
		if err != nil || len(open) != 2 || open[0].Number != "SO-2" || open[1].Number != "SO-1001" || len(open[1].Items) != 1 {
			t.Errorf("open orders = %+v, %v", open, err)
		}
		if _, err := s.OrderByNumber(ctx, "SO-404"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing number: %v", err)
		}
		all, err := s.ListOrders(ctx, OrderFilter{CustomerID: cust})
		if err != nil || len(all) != 4 {
			t.Errorf("list = %d, %v", len(all), err)
		}
	})
}

func TestOrderRequests(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		cust, _ := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		oid, _ := s.CreateOrder(ctx, &Order{CustomerID: cust, Number: "SO-1"})
		q := &Inquiry{Category: "order_change"}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		r := &OrderRequest{OrderID: oid, InquiryID: q.ID, Kind: OrderRequestRush, Words: "we need it by Friday please"}
		id, created, err := s.CreateOrderRequest(ctx, r)
		if err != nil || !created {
			t.Fatalf("create = %v, %v", created, err)
		}
		if id2, created, err := s.CreateOrderRequest(ctx, &OrderRequest{OrderID: oid, InquiryID: q.ID, Kind: OrderRequestRush}); err != nil || created || id2 != id {
			t.Errorf("same inquiry again = %d, %v, %v", id2, created, err)
		}
		pending, err := s.ListOrderRequests(ctx, OrderRequestFilter{CustomerID: cust, Status: OrderRequestPending})
		if err != nil || len(pending) != 1 || pending[0].Words != r.Words || pending[0].Kind != OrderRequestRush {
			t.Fatalf("pending = %+v, %v", pending, err)
		}
		if err := s.SetOrderRequestStatus(ctx, id, OrderRequestDone); err != nil {
			t.Fatal(err)
		}
		done, _ := s.ListOrderRequests(ctx, OrderRequestFilter{OrderID: oid})
		if len(done) != 1 || done[0].Status != OrderRequestDone || done[0].ResolvedAt.IsZero() {
			t.Errorf("after done: %+v", done)
		}
		if err := s.SetOrderRequestStatus(ctx, 999, OrderRequestDone); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
	})
}

// TestOpenOrdersItems checks that each open order comes with its own
// items, in their order, and (SQLite, which counts statements) that they
// are read in one statement whatever the number of orders, not one per
// order.
func TestOpenOrdersItems(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		cust, _ := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		other, _ := s.CreateCustomer(ctx, &Customer{Name: "Other"})
		want := map[string][]OrderItem{}
		for i := range 5 {
			number := fmt.Sprintf("SO-%d", i)
			items := []OrderItem{}
			for j := range i { // SO-0 has no items, SO-4 four
				items = append(items, OrderItem{SKU: fmt.Sprintf("P-%d-%d", i, j), Description: "part",
					Quantity: j + 1, UnitPriceCents: int64(100 * (i + 1))})
			}
			if _, err := s.CreateOrder(ctx, &Order{CustomerID: cust, Number: number, Items: items}); err != nil {
				t.Fatal(err)
			}
			want[number] = items
		}
		if _, err := s.CreateOrder(ctx, &Order{CustomerID: other, Number: "SO-X",
			Items: []OrderItem{{SKU: "X", Quantity: 1}}}); err != nil {
			t.Fatal(err)
		}
		before := s.SQLiteCounts().Statements
		open, err := s.OpenOrdersForCustomer(ctx, cust)
		if err != nil {
			t.Fatal(err)
		}
		if s.dialect == SQLite {
			if n := s.SQLiteCounts().Statements - before; n != 2 {
				t.Errorf("%d statements for %d open orders, want 2 (the orders, their items)", n, len(open))
			}
		}
		got := map[string][]OrderItem{}
		for _, o := range open {
			got[o.Number] = o.Items
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("items of the open orders:\n got %+v\nwant %+v", got, want)
		}
		for _, number := range []string{"SO-3", "SO-0", "SO-4"} {
			before := s.SQLiteCounts().Statements
			one, err := s.OrderByNumber(ctx, number)
			if err != nil || one.Number != number || one.CustomerID != cust || !reflect.DeepEqual(one.Items, want[number]) {
				t.Errorf("%s alone: %+v, %v; want items %+v", number, one, err, want[number])
			}
			if n := s.SQLiteCounts().Statements - before; s.dialect == SQLite && n != 1 {
				t.Errorf("%d statements for order %s with its items, want 1", n, number)
			}
		}
		if _, err := s.OrderByNumber(ctx, "SO-404"); !errors.Is(err, ErrNotFound) {
			t.Errorf("a missing order: %v, want ErrNotFound", err)
		}
	})
}
