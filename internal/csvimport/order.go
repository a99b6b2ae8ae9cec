package csvimport

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// Orders is the kind "orders": orders upserted by number. With item
// columns (sku, description, quantity, unit_price) each row is one line of
// its order and rows with the same number make one order; the order's own
// columns may repeat on those rows but must not disagree. A status that
// differs from the stored one is a status change, recorded in the order's
// history (source "import") and reported in Report.StatusChanges. An
// order number that belongs to another account is a bad row: an import
// does not move orders between accounts.
func Orders() Kind { return ordersKind{} }

type ordersKind struct{}

func (ordersKind) Name() string { return "orders" }

// orderFields are the order's own columns, compared across the rows of
// one order.
var orderFields = []string{"customer_ref", "status", "currency", "amount", "promised_date", "tracking_number", "tracking_url", "notes"}

// itemFields are the columns of an order line.
var itemFields = []string{"sku", "description", "quantity", "unit_price"}

func (ordersKind) Columns() []Column {
	return []Column{
		{Name: "number", Required: true, Aliases: []string{"order_number", "order_no", "order_nr", "order", "order_id", "so_number", "sales_order"}},
		{Name: "customer_ref", Required: true, Aliases: customerRefAliases},
		{Name: "status", Aliases: []string{"order_status", "state"}},
		{Name: "currency", Aliases: []string{"currency_code", "ccy"}},
		{Name: "amount", Aliases: []string{"total", "amount_total", "order_total", "value", "order_value", "net_amount"}},
		{Name: "promised_date", Aliases: []string{"promised", "due_date", "delivery_date", "expected_date", "expected_delivery", "eta", "ship_date"}},
		{Name: "tracking_number", Aliases: []string{"tracking", "tracking_no", "tracking_id"}},
		{Name: "tracking_url", Aliases: []string{"tracking_link", "tracking_href"}},
		{Name: "notes", Aliases: []string{"note", "comment", "comments"}},
		{Name: "sku", Aliases: []string{"item_sku", "product_code", "article", "article_number", "part_number", "item_number"}},
		{Name: "description", Aliases: []string{"item", "item_description", "product", "product_name"}},
		{Name: "quantity", Aliases: []string{"qty", "item_quantity"}},
		{Name: "unit_price", Aliases: []string{"price", "item_price", "unit_cost"}},
	}
}

var orderStatuses = []string{store.OrderPending, store.OrderConfirmed, store.OrderProcessing, store.OrderShipped,
	store.OrderDelivered, store.OrderCancelled}

type orderRecord struct {
	number, customer, status, currency string
	amount                             int64
	promised                           time.Time
	trackingNumber, trackingURL, notes string
	items                              []store.OrderItem
	has                                map[string]bool // optional columns the file has
	values                             map[string]string
	rows                               map[string]int // the row each order field's value came from
}

func (r *orderRecord) Key() string { return "order " + r.number }

func (ordersKind) Parse(row Row) (Record, error) {
	r := &orderRecord{has: map[string]bool{}, values: map[string]string{}, rows: map[string]int{}}
	for _, c := range append(slices.Clone(orderFields), itemFields...) {
		r.has[c] = row.Has(c)
	}
	var err error
	if r.number = row.Get("number"); r.number == "" {
		return nil, errors.New("number: required")
	}
	if r.number, err = text("number", r.number, 100); err != nil {
		return nil, err
	}
	// The customer may be left out on the further lines of an order;
	// Apply checks that one of its rows names it.
	r.customer = row.Get("customer_ref")
	if v := strings.ToLower(row.Get("status")); v != "" {
		if !slices.Contains(orderStatuses, v) {
			return nil, fmt.Errorf("status: %q is not one of %s", row.Get("status"), strings.Join(orderStatuses, ", "))
		}
		r.status = v
	}
	if v := strings.ToUpper(row.Get("currency")); v != "" {
		if len(v) != 3 || strings.ContainsFunc(v, func(c rune) bool { return c < 'A' || c > 'Z' }) {
			return nil, fmt.Errorf("currency: %q is not a three-letter code such as EUR", row.Get("currency"))
		}
		r.currency = v
	}
	if r.amount, err = parseCents("amount", row.Get("amount")); err != nil {
		return nil, err
	}
	if r.promised, err = parseDate("promised_date", row.Get("promised_date")); err != nil {
		return nil, err
	}
	if r.trackingNumber, err = text("tracking_number", row.Get("tracking_number"), 200); err != nil {
		return nil, err
	}
	if v := row.Get("tracking_url"); v != "" {
		if !strings.HasPrefix(strings.ToLower(v), "https://") && !strings.HasPrefix(strings.ToLower(v), "http://") {
			return nil, fmt.Errorf("tracking_url: %q is not an http(s) link", v)
		}
		if r.trackingURL, err = text("tracking_url", v, 2000); err != nil {
			return nil, err
		}
	}
	if r.notes, err = text("notes", row.Get("notes"), maxNotes); err != nil {
		return nil, err
	}
	for _, c := range orderFields {
		if v := row.Get(c); v != "" {
			r.values[c], r.rows[c] = v, row.Num
		}
	}
	if r.has["sku"] || r.has["description"] || r.has["quantity"] || r.has["unit_price"] {
		it := store.OrderItem{SKU: row.Get("sku"), Description: row.Get("description"), Quantity: 1}
		if it.SKU, err = text("sku", it.SKU, 200); err != nil {
			return nil, err
		}
		if it.Description, err = text("description", it.Description, maxText); err != nil {
			return nil, err
		}
		if v := row.Get("quantity"); v != "" {
			q, err := strconv.Atoi(v)
			if err != nil || q < 1 || q > 1_000_000 {
				return nil, fmt.Errorf("quantity: %q is not a whole number from 1", v)
			}
			it.Quantity = q
		}
		if it.UnitPriceCents, err = parseCents("unit_price", row.Get("unit_price")); err != nil {
			return nil, err
		}
		if it.SKU != "" || it.Description != "" {
			r.items = append(r.items, it)
		} else if row.Get("quantity") != "" || row.Get("unit_price") != "" {
			return nil, errors.New("sku or description: required for an order line")
		}
	}
	return r, nil
}

// Merge adds a further line of the same order. Its order columns must be
// empty or agree with the earlier rows.
func (ordersKind) Merge(prev, next Record) (Record, error) {
	p, n := prev.(*orderRecord), next.(*orderRecord)
	for _, c := range orderFields {
		nv, ok := n.values[c]
		if !ok {
			continue
		}
		pv, had := p.values[c]
		if had && !strings.EqualFold(pv, nv) {
			return nil, fmt.Errorf("%s: %q disagrees with %q on row %d for order %s", c, nv, pv, p.rows[c], p.number)
		}
		if !had {
			p.values[c], p.rows[c] = nv, n.rows[c]
			switch c {
			case "customer_ref":
				p.customer = n.customer
			case "status":
				p.status = n.status
			case "currency":
				p.currency = n.currency
			case "amount":
				p.amount = n.amount
			case "promised_date":
				p.promised = n.promised
			case "tracking_number":
				p.trackingNumber = n.trackingNumber
			case "tracking_url":
				p.trackingURL = n.trackingURL
			case "notes":
				p.notes = n.notes
			}
		}
	}
	p.items = append(p.items, n.items...)
	return p, nil
}

func (k ordersKind) Apply(ctx context.Context, tx *Tx, rec Record) (Change, error) {
	changes, errs, err := k.ApplyBatch(ctx, tx, []Record{rec})
	if err != nil {
		return 0, err
	}
	return changes[0], errs[0]
}

// ApplyBatch looks the orders up together and creates the new ones with a
// few multi-row statements; orders already stored are updated one by one.
func (ordersKind) ApplyBatch(ctx context.Context, tx *Tx, recs []Record) ([]Change, []error, error) {
	changes, errs := make([]Change, len(recs)), make([]error, len(recs))
	numbers := make([]string, len(recs))
	for i, rec := range recs {
		numbers[i] = rec.(*orderRecord).number
	}
	stored, err := tx.OrdersByNumbers(ctx, numbers)
	if err != nil {
		return nil, nil, err
	}
	var (
		news   []*store.Order
		newIdx []int
	)
	for i, rec := range recs {
		r := rec.(*orderRecord)
		if r.customer == "" {
			errs[i] = rowErr("customer: required")
			continue
		}
		customerID, err := customerRef(ctx, tx, r.customer)
		if err == nil {
			if o := stored[r.number]; o != nil {
				changes[i], err = updateOrder(ctx, tx, r, customerID, o)
			} else {
				news = append(news, &store.Order{CustomerID: customerID, Number: r.number, Status: r.status, Currency: r.currency,
					AmountCents: r.amount, PromisedDate: r.promised, TrackingNumber: r.trackingNumber, TrackingURL: r.trackingURL,
					Notes: r.notes, Items: r.items})
				newIdx = append(newIdx, i)
			}
		}
		var re *RowError
		if err != nil && !errors.As(err, &re) {
			return nil, nil, err
		}
		errs[i] = err
	}
	if err := tx.CreateOrders(ctx, news); err != nil {
		return nil, nil, fmt.Errorf("insert orders: %w", err)
	}
	for _, i := range newIdx {
		changes[i] = Created
	}
	return changes, errs, nil
}

// updateOrder brings a stored order in line with its record.
func updateOrder(ctx context.Context, tx *Tx, r *orderRecord, customerID int64, stored *store.Order) (Change, error) {
	if stored.CustomerID != customerID {
		return 0, rowErr("number: order %s belongs to another account", r.number)
	}
	s, want := orderStateOf(stored), orderStateOf(stored)
	if r.status != "" {
		want.status = r.status
	}
	setIf(r.has, "currency", &want.currency, r.currency)
	if r.has["amount"] {
		want.amount = r.amount
	}
	setIf(r.has, "promised_date", &want.promised, dateString(r.promised))
	setIf(r.has, "tracking_number", &want.trackingNumber, r.trackingNumber)
	setIf(r.has, "tracking_url", &want.trackingURL, r.trackingURL)
	setIf(r.has, "notes", &want.notes, r.notes)
	itemsChanged := r.items != nil && !slices.Equal(stored.Items, r.items)
	if want == s && !itemsChanged {
		return Unchanged, nil
	}
	if want != s {
		o := *stored
		o.Currency, o.AmountCents = want.currency, want.amount
		o.PromisedDate, _ = time.Parse(time.DateOnly, want.promised) // "" is the zero time: no date
		o.TrackingNumber, o.TrackingURL, o.Notes = want.trackingNumber, want.trackingURL, want.notes
		if err := tx.UpdateOrder(ctx, &o); err != nil {
			return 0, fmt.Errorf("update order %s: %w", r.number, err)
		}
	}
	if want.status != s.status {
		if err := tx.SetOrderStatus(ctx, stored.ID, want.status); err != nil {
			return 0, fmt.Errorf("update order %s status: %w", r.number, err)
		}
		tx.changes = append(tx.changes, StatusChange{OrderID: stored.ID, Number: r.number, From: s.status, To: want.status})
	}
	if itemsChanged {
		if err := tx.ReplaceOrderItems(ctx, stored.ID, r.items); err != nil {
			return 0, fmt.Errorf("order %s items: %w", r.number, err)
		}
	}
	return Updated, nil
}

// orderState is what an import compares of an order.
type orderState struct {
	status, currency                   string
	amount                             int64
	promised                           string // "2006-01-02"; "" when none
	trackingNumber, trackingURL, notes string
}

func orderStateOf(o *store.Order) orderState {
	return orderState{status: o.Status, currency: o.Currency, amount: o.AmountCents, promised: dateString(o.PromisedDate),
		trackingNumber: o.TrackingNumber, trackingURL: o.TrackingURL, notes: o.Notes}
}

// dateString formats a calendar date; zero is "".
func dateString(d time.Time) string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}
