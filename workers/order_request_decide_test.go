package workers

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/link"
	"salesdesk/internal/order"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
)

// TestOrderRequestLife follows a change request from the customer's mail
// through the one-click link in the operations mail to the customer's
// "done" mail; a second click changes nothing and says who decided, and
// the closed request leaves the account summary of rep mails.
func TestOrderRequestLife(t *testing.T) {
	f := newOrderFixture(t, "")
	ctx := context.Background()
	signer, err := link.New([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		t.Fatal(err)
	}
	f.opts.Links = signer
	_, rh, _, _ := f.handlers(t)
	dec, err := NewOrderRequestDecider(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	o := f.order(t, f.acme, "SO-10042", store.OrderConfirmed, time.Time{})
	q, e := f.mail(t, "ann@acme.com", "Change SO-10042", "Hello,\nplease change order SO-10042 to 12 widgets.\nAnn", routing.OrderChange)
	processOK(t, rh, followup(t, q, e))
	reqs, err := f.st.ListOrderRequests(ctx, store.OrderRequestFilter{OrderID: o.ID})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests = %+v, %v", reqs, err)
	}
	id := reqs[0].ID

	var ops *store.OutboundEmail
	for _, n := range f.outbound(t, KindOrderRequestNotify) {
		if n.To[0] == orderOps {
			ops = &n
		}
	}
	if ops == nil {
		t.Fatal("no operations mail")
	}
	links := regexp.MustCompile(`https://desk\.ourco\.example/order-requests/\d+/(done|rejected)\?\S+`).FindAllString(ops.BodyText, -1)
	if len(links) != 2 || !strings.Contains(ops.BodyHTML, "Mark done") {
		t.Fatalf("operations mail links = %q\n%s", links, ops.BodyText)
	}

	srv := httptest.NewServer(link.NewHandler(link.HandlerOptions{Signer: signer, OrderRequests: f.st,
		DecideOrderRequest: dec.Decide, Now: func() time.Time { return f.now }}))
	defer srv.Close()
	at := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		return srv.URL + u.RequestURI()
	}
	body := func(resp *http.Response, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	done := links[0]
	if !strings.Contains(done, "/done?") {
		done = links[1]
	}
	// GET only asks.
	if page := body(http.Get(at(done))); !strings.Contains(page, "Mark done") || !strings.Contains(page, `name="note"`) {
		t.Fatalf("confirm page:\n%s", page)
	}
	if r, _ := f.st.OrderRequest(ctx, id); r.Status != store.OrderRequestPending {
		t.Fatalf("GET changed the request: %+v", r)
	}
	form := mustQuery(t, done)
	form.Set("note", "Changed to 12 widgets; ships with the same date.")
	if page := body(http.PostForm(srv.URL+mustPath(t, done), form)); !strings.Contains(page, "marked done") {
		t.Fatalf("result page:\n%s", page)
	}
	r, err := f.st.OrderRequest(ctx, id)
	if err != nil || r.Status != store.OrderRequestDone || r.DecidedBy != link.OrderRequestBy || r.ResolvedAt.IsZero() ||
		r.Note != "Changed to 12 widgets; ships with the same date." {
		t.Fatalf("request after the click = %+v, %v", r, err)
	}
	told, err := f.st.OutboundByIdempotencyKey(ctx, OrderRequestDecidedKey(id))
	if err != nil {
		t.Fatal(err)
	}
	if told.To[0] != "ann@acme.com" || told.InReplyTo == "" || !strings.Contains(told.Subject, q.Reference) ||
		!strings.Contains(told.BodyText, "Your request for order SO-10042 has been done") ||
		!strings.Contains(told.BodyText, "Changed to 12 widgets") || !strings.Contains(told.BodyText, "Rita Rep") {
		t.Errorf("customer mail to %v, subject %q, in-reply-to %q:\n%s", told.To, told.Subject, told.InReplyTo, told.BodyText)
	}

	// The reject link of the same mail now only says what was decided.
	for _, l := range links {
		if strings.Contains(l, "/rejected?") {
			for _, page := range []string{body(http.Get(at(l))), body(http.PostForm(srv.URL+mustPath(t, l), mustQuery(t, l)))} {
				if !strings.Contains(page, "already marked done by "+link.OrderRequestBy) {
					t.Errorf("second click:\n%s", page)
				}
			}
		}
	}
	if r, _ := f.st.OrderRequest(ctx, id); r.Status != store.OrderRequestDone {
		t.Errorf("second click changed the request: %+v", r)
	}
	if n := len(f.outbound(t, KindOrderRequestDecided)); n != 1 {
		t.Errorf("%d customer mails, want 1", n)
	}

	// The desk's path: an earlier decision is a conflict naming it.
	err = dec.Resolve(ctx, id, store.OrderRequestRejected, "", "Rita Rep")
	var already *AlreadyDecidedError
	if !errors.As(err, &already) || !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "already marked done") {
		t.Errorf("Resolve again = %v", err)
	}

	// Closed requests leave the account summary of rep mails.
	s, err := order.AccountContext(ctx, f.st, f.acme.ID, []string{"SO-10042"})
	if err != nil {
		t.Fatal(err)
	}
	for _, oc := range s.Orders {
		if len(oc.Requests) != 0 {
			t.Errorf("closed request still listed for %s: %+v", oc.Order.Number, oc.Requests)
		}
	}
	if a := OrderAccountSummary(s); strings.Contains(a.OpenOrders[0].Status, "request") {
		t.Errorf("summary line %q", a.OpenOrders[0].Status)
	}

	t.Run("rejected with a reason", func(t *testing.T) {
		q, e := f.mail(t, "ann@acme.com", "Rush SO-10042", "Please expedite SO-10042, ASAP.", routing.OrderChange)
		processOK(t, rh, followup(t, q, e))
		reqs, _ := f.st.ListOrderRequests(ctx, store.OrderRequestFilter{OrderID: o.ID, Status: store.OrderRequestPending})
		if len(reqs) != 1 {
			t.Fatalf("pending = %+v", reqs)
		}
		if err := dec.Resolve(ctx, reqs[0].ID, store.OrderRequestRejected, "The widgets are made to order; the date cannot move.", "Rita Rep"); err != nil {
			t.Fatal(err)
		}
		told, err := f.st.OutboundByIdempotencyKey(ctx, OrderRequestDecidedKey(reqs[0].ID))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(told.BodyText, "We could not do your request for order SO-10042") ||
			!strings.Contains(told.BodyText, "Why: The widgets are made to order") {
			t.Errorf("rejection mail:\n%s", told.BodyText)
		}
	})
}

func mustPath(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

func mustQuery(t *testing.T, raw string) url.Values {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}
