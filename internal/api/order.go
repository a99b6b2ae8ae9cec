package api

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"salesdesk/internal/store"
)

// orderStatuses are the statuses an order can be given.
var orderStatuses = []string{store.OrderPending, store.OrderConfirmed, store.OrderProcessing, store.OrderShipped,
	store.OrderDelivered, store.OrderCancelled}

// orderJSON is an order as the API shows it. Lists leave out items and
// history.
type orderJSON struct {
	ID              int64               `json:"id"`
	CustomerID      int64               `json:"customer_id"`
	Number          string              `json:"number"`
	Status          string              `json:"status"`
	Open            bool                `json:"open"`
	Currency        string              `json:"currency"`
	AmountCents     int64               `json:"amount_cents"`
	PromisedDate    *string             `json:"promised_date"`
	TrackingNumber  string              `json:"tracking_number"`
	TrackingURL     string              `json:"tracking_url"`
	Carrier         string              `json:"carrier"`
	Notes           string              `json:"notes"`
	StatusChangedAt time.Time           `json:"status_changed_at"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
	Items           *[]orderItemJSON    `json:"items,omitempty"`
	History         *[]statusChangeJSON `json:"status_history,omitempty"`
	Warnings        []string            `json:"warnings,omitempty"`
}

type orderItemJSON struct {
	SKU            string `json:"sku"`
	Description    string `json:"description"`
	Quantity       int    `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	TotalCents     int64  `json:"total_cents"`
}

type statusChangeJSON struct {
	Status    string    `json:"status"`
	Note      string    `json:"note"`
	Source    string    `json:"source"`
	ChangedAt time.Time `json:"changed_at"`
}

func orderOut(o *store.Order) orderJSON {
	return orderJSON{
		ID: o.ID, CustomerID: o.CustomerID, Number: o.Number, Status: o.Status, Open: store.IsOpenOrderStatus(o.Status),
		Currency: o.Currency, AmountCents: o.AmountCents, PromisedDate: dateOrNull(o.PromisedDate),
		TrackingNumber: o.TrackingNumber, TrackingURL: o.TrackingURL, Carrier: o.Carrier, Notes: o.Notes,
		StatusChangedAt: o.StatusChangedAt, CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt,
	}
}

// orderIn is the body of an order create or update; nil fields are left
// as they are.
type orderIn struct {
	CustomerID     *int64         `json:"customer_id"`
	Number         *string        `json:"number"`
	Status         *string        `json:"status"`
	StatusNote     *string        `json:"status_note"`
	Currency       *string        `json:"currency"`
	AmountCents    *int64         `json:"amount_cents"`
	PromisedDate   *string        `json:"promised_date"`
	TrackingNumber *string        `json:"tracking_number"`
	TrackingURL    *string        `json:"tracking_url"`
	Carrier        *string        `json:"carrier"`
	Notes          *string        `json:"notes"`
	Items          *[]orderItemIn `json:"items"`
}

type orderItemIn struct {
	SKU            string `json:"sku"`
	Description    string `json:"description"`
	Quantity       *int   `json:"quantity"`
	UnitPriceCents int64  `json:"unit_price_cents"`
}

// Bounds of order numbers.
const (
	maxQuantity   = 1_000_000
	maxPriceCents = 1_000_000_000_000 // ten billion in the currency's main unit
)

// applyOrder checks in and copies every field but the status to o.
func (h *handler) applyOrder(ctx context.Context, in *orderIn, o *store.Order, create bool) error {
	f := fieldErrors{}
	if in.CustomerID != nil {
		if err := h.checkCustomer(ctx, f, "customer_id", *in.CustomerID); err != nil {
			return err
		}
		o.CustomerID = *in.CustomerID
	} else if create {
		f.add("customer_id", "required")
	}
	if in.Number != nil {
		f.required("number", *in.Number, 64)
		o.Number = *in.Number
	} else if create {
		f.add("number", "required")
	}
	if in.Status != nil {
		f.oneOf("status", *in.Status, orderStatuses...)
	}
	if in.StatusNote != nil {
		f.text("status_note", *in.StatusNote, maxNotes)
		if in.Status == nil || create {
			f.add("status_note", "only with a status change")
		}
	}
	if in.Currency != nil {
		f.currency("currency", *in.Currency, true)
		o.Currency = *in.Currency
	} else if create {
		f.add("currency", "required")
	}
	if in.PromisedDate != nil {
		o.PromisedDate = f.date("promised_date", *in.PromisedDate)
	}
	if in.TrackingNumber != nil {
		f.line("tracking_number", *in.TrackingNumber, maxLine)
		o.TrackingNumber = *in.TrackingNumber
	}
	if in.TrackingURL != nil {
		f.httpURL("tracking_url", *in.TrackingURL)
		o.TrackingURL = *in.TrackingURL
	}
	if in.Carrier != nil {
		f.line("carrier", *in.Carrier, maxLine)
		o.Carrier = *in.Carrier
	}
	if in.Notes != nil {
		f.text("notes", *in.Notes, maxNotes)
		o.Notes = *in.Notes
	}
	var sum int64
	if in.Items != nil {
		o.Items, sum = orderItems(f, *in.Items)
	}
	switch {
	case in.AmountCents != nil:
		if *in.AmountCents < 0 || *in.AmountCents > math.MaxInt64/2 {
			f.add("amount_cents", "must be a non-negative number of cents")
		}
		o.AmountCents = *in.AmountCents
	case in.Items != nil:
		o.AmountCents = sum
	}
	return f.err()
}

// orderItems checks order lines and returns them with their total.
func orderItems(f fieldErrors, in []orderItemIn) ([]store.OrderItem, int64) {
	if len(in) > maxItems {
		f.add("items", "must have at most %d lines", maxItems)
		return nil, 0
	}
	items := make([]store.OrderItem, 0, len(in))
	var sum int64
	for i, it := range in {
		k := fmt.Sprintf("items[%d]", i)
		if it.SKU == "" && it.Description == "" {
			f.add(k, "needs a sku or a description")
		}
		f.line(k+".sku", it.SKU, 64)
		f.text(k+".description", it.Description, 1000)
		qty := 1
		if it.Quantity != nil {
			qty = *it.Quantity
		}
		if qty < 1 || qty > maxQuantity {
			f.add(k+".quantity", "must be from 1 to %d", maxQuantity)
		}
		if it.UnitPriceCents < 0 || it.UnitPriceCents > maxPriceCents {
			f.add(k+".unit_price_cents", "must be from 0 to %d", int64(maxPriceCents))
		}
		items = append(items, store.OrderItem{SKU: it.SKU, Description: it.Description, Quantity: qty,
			UnitPriceCents: it.UnitPriceCents})
		if qty >= 1 && qty <= maxQuantity && it.UnitPriceCents >= 0 && it.UnitPriceCents <= maxPriceCents {
			// Each line is below 1e18, so only the sum can overflow.
			line := int64(qty) * it.UnitPriceCents
			if sum > math.MaxInt64-line {
				f.add("items", "total is too large")
			} else {
				sum += line
			}
		}
	}
	return items, sum
}

func (h *handler) listOrders(w http.ResponseWriter, r *http.Request, q *query) error {
	f := store.OrderFilter{CustomerID: q.id("customer_id"), Status: q.str("status")}
	if f.Status != "" {
		q.f.oneOf("status", f.Status, orderStatuses...)
	}
	f.OpenOnly, _ = q.boolean("open")
	number := q.str("number")
	p := q.page()
	if err := q.f.err(); err != nil {
		return err
	}
	ctx := r.Context()
	out := list[orderJSON]{Items: []orderJSON{}}
	if number != "" {
		o, err := h.st.OrderByNumber(ctx, number)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return err
		case (f.CustomerID == 0 || o.CustomerID == f.CustomerID) && (f.Status == "" || o.Status == f.Status) &&
			(!f.OpenOnly || store.IsOpenOrderStatus(o.Status)) && p.Offset == 0:
			out.Items = append(out.Items, orderOut(o))
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	return writePage(w, p, true, func(o *store.Order) sortKey { return sortKey{o.CreatedAt, o.ID} },
		func(limit, offset int) ([]store.Order, error) {
			f.Limit, f.Offset = limit, offset
			return h.st.ListOrders(ctx, f)
		}, orderOut)
}

// orderDetail is an order with its items and history.
func (h *handler) orderDetail(ctx context.Context, id int64) (orderJSON, error) {
	o, err := h.st.Order(ctx, id)
	if err != nil {
		return orderJSON{}, orNotFound(err, "order", id)
	}
	hist, err := h.st.OrderHistory(ctx, id)
	if err != nil {
		return orderJSON{}, err
	}
	out := orderOut(o)
	items := make([]orderItemJSON, 0, len(o.Items))
	for _, it := range o.Items {
		items = append(items, orderItemJSON{SKU: it.SKU, Description: it.Description, Quantity: it.Quantity,
			UnitPriceCents: it.UnitPriceCents, TotalCents: int64(it.Quantity) * it.UnitPriceCents})
	}
	history := make([]statusChangeJSON, 0, len(hist))
	for _, c := range hist {
		history = append(history, statusChangeJSON{Status: c.Status, Note: c.Note, Source: c.Source, ChangedAt: c.ChangedAt})
	}
	out.Items, out.History = &items, &history
	return out, nil
}

func (h *handler) getOrder(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "order")
	if err != nil {
		return err
	}
	out, err := h.orderDetail(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) createOrder(w http.ResponseWriter, r *http.Request, q *query) error {
	var in orderIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	var o store.Order
	if err := h.applyOrder(ctx, &in, &o, true); err != nil {
		return err
	}
	if in.Status != nil {
		o.Status = *in.Status
	}
	if _, err := h.st.CreateOrder(ctx, &o); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return conflictErr("an order with number %q exists", o.Number)
		}
		return err
	}
	h.log.InfoContext(ctx, "order created", "order_id", o.ID, "number", o.Number, "by", caller(ctx))
	out, err := h.orderDetail(ctx, o.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", joinPath("orders", strconv.FormatInt(o.ID, 10)))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (h *handler) updateOrder(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "order")
	if err != nil {
		return err
	}
	var in orderIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	o, err := h.st.Order(ctx, id)
	if err != nil {
		return orNotFound(err, "order", id)
	}
	if err := h.applyOrder(ctx, &in, o, false); err != nil {
		return err
	}
	if in.Items == nil {
		o.Items = nil // keep the stored items
	}
	if in.CustomerID != nil || in.Number != nil || in.Currency != nil || in.AmountCents != nil ||
		in.PromisedDate != nil || in.TrackingNumber != nil || in.TrackingURL != nil || in.Carrier != nil || in.Notes != nil || in.Items != nil {
		if err := h.st.UpdateOrder(ctx, o); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return conflictErr("an order with number %q exists", o.Number)
			}
			return orNotFound(err, "order", id)
		}
	}
	var warnings []string
	if in.Status != nil {
		from, to := o.Status, *in.Status
		note := ""
		if in.StatusNote != nil {
			note = *in.StatusNote
		}
		changed, err := h.st.SetOrderStatus(ctx, id, to, note, "api")
		if err != nil {
			return orNotFound(err, "order", id)
		}
		if changed {
			h.log.InfoContext(ctx, "order status changed", "order_id", id, "from", from, "to", to, "by", caller(ctx))
			if h.hooks.OnOrderStatusChanged != nil {
				if err := h.hooks.OnOrderStatusChanged(ctx, id, from, to); err != nil {
					h.log.ErrorContext(ctx, "order status hook failed", "order_id", id, "from", from, "to", to,
						"request_id", w.Header().Get("X-Request-Id"), "err", err)
					warnings = append(warnings, "the status changed, but the customer's status mail could not be queued")
				}
			}
		}
	}
	out, err := h.orderDetail(ctx, id)
	if err != nil {
		return err
	}
	out.Warnings = warnings
	writeJSON(w, http.StatusOK, out)
	return nil
}

// orderRequestJSON is a change or rush request as the API shows it.
type orderRequestJSON struct {
	ID         int64      `json:"id"`
	OrderID    int64      `json:"order_id"`
	InquiryID  *int64     `json:"inquiry_id"`
	Kind       string     `json:"kind"`
	Words      string     `json:"words"`
	Status     string     `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at"`
	Note       string     `json:"note"`
	DecidedBy  string     `json:"decided_by"`
}

func orderRequestOut(x *store.OrderRequest) orderRequestJSON {
	return orderRequestJSON{ID: x.ID, OrderID: x.OrderID, InquiryID: idOrNull(x.InquiryID), Kind: x.Kind,
		Words: x.Words, Status: x.Status, CreatedAt: x.CreatedAt, ResolvedAt: timeOrNull(x.ResolvedAt),
		Note: x.Note, DecidedBy: x.DecidedBy}
}

func (h *handler) listOrderRequests(w http.ResponseWriter, r *http.Request, q *query) error {
	f := store.OrderRequestFilter{Status: q.str("status"), OrderID: q.id("order_id"), CustomerID: q.id("customer_id")}
	if f.Status != "" {
		q.f.oneOf("status", f.Status, store.OrderRequestPending, store.OrderRequestDone, store.OrderRequestRejected)
	}
	p := q.page()
	if err := q.f.err(); err != nil {
		return err
	}
	return writePage(w, p, false, func(x *store.OrderRequest) sortKey { return sortKey{x.CreatedAt, x.ID} },
		func(limit, offset int) ([]store.OrderRequest, error) {
			f.Limit, f.Offset = limit, offset
			return h.st.ListOrderRequests(r.Context(), f)
		}, orderRequestOut)
}
