package workers

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/link"
	"salesdesk/internal/order"
	"salesdesk/internal/store"
)

// TestOrderRequestLife follows a change request from the customer's mail
// through the whole worker side (real Redis, the outbox, an SMTP sink):
// the operations mail read at the sink carries one-click links; the done
// link's confirmation page changes nothing, its POST closes the request
// and the customer receives one "done" mail in their thread; a second
// click changes nothing and says who decided, and the closed request
// leaves the account summary of rep mails. A rejection tells the
// customer why.
func TestOrderRequestLife(t *testing.T) {
	d := newConversationDesk(t)
	ctx := d.ctx
	dec := d.workers.OrderRequestDecider()
	change := convMail{id: "change@acme.com", from: "Ann <ann@acme.com>", subject: "Change delivery address for SO-18812",
		body: "Hello,\n\nplease change the delivery address of order SO-18812 to our warehouse in Bremen, Hafenstrasse 12.\n\nAnn\n"}
	d.push(t, change)
	d.settle(t)
	o, err := d.st.OrderByNumber(ctx, "SO-18812")
	if err != nil {
		t.Fatal(err)
	}
	reqs, err := d.st.ListOrderRequests(ctx, store.OrderRequestFilter{OrderID: o.ID})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests = %+v, %v", reqs, err)
	}
	id := reqs[0].ID

	var links []string
	linkRe := regexp.MustCompile(`https://desk\.ourco\.example/order-requests/\d+/(done|rejected)\?\S+`)
	for _, s := range d.sent(t) {
		if slices.Contains(s.to, "ops@ourco.example") {
			links = append(links, linkRe.FindAllString(s.text, -1)...)
		}
	}
	if len(links) != 2 {
		t.Fatalf("operations mail links at the sink = %q", links)
	}

	srv := httptest.NewServer(link.NewHandler(link.HandlerOptions{Signer: d.links, OrderRequests: d.st,
		DecideOrderRequest: dec.Decide, Now: time.Now}))
	t.Cleanup(srv.Close)
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
	done, reject := links[0], links[1]
	if !strings.Contains(done, "/done?") {
		done, reject = reject, done
	}
	// GET only asks.
	if page := body(http.Get(at(done))); !strings.Contains(page, "Mark done") || !strings.Contains(page, `name="note"`) {
		t.Fatalf("confirm page:\n%s", page)
	}
	if r, _ := d.st.OrderRequest(ctx, id); r.Status != store.OrderRequestPending {
		t.Fatalf("GET changed the request: %+v", r)
	}
	form := mustQuery(t, done)
	form.Set("note", "Delivered to Hafenstrasse 12 from now on.")
	if page := body(http.PostForm(srv.URL+mustPath(t, done), form)); !strings.Contains(page, "marked done") {
		t.Fatalf("result page:\n%s", page)
	}
	r, err := d.st.OrderRequest(ctx, id)
	if err != nil || r.Status != store.OrderRequestDone || r.DecidedBy != link.OrderRequestBy || r.ResolvedAt.IsZero() ||
		r.Note != "Delivered to Hafenstrasse 12 from now on." {
		t.Fatalf("request after the click = %+v, %v", r, err)
	}

	// The reject link of the same mail now only says what was decided.
	for _, page := range []string{body(http.Get(at(reject))), body(http.PostForm(srv.URL+mustPath(t, reject), mustQuery(t, reject)))} {
		if !strings.Contains(page, "already marked done by "+link.OrderRequestBy) {
			t.Errorf("second click:\n%s", page)
		}
	}
	if r, _ := d.st.OrderRequest(ctx, id); r.Status != store.OrderRequestDone {
		t.Errorf("second click changed the request: %+v", r)
	}
	// The desk's path: an earlier decision is a conflict naming it.
	err = dec.Resolve(ctx, id, store.OrderRequestRejected, "", "Rita Rep")
	var already *AlreadyDecidedError
	if !errors.As(err, &already) || !errors.Is(err, store.ErrConflict) || !strings.Contains(err.Error(), "already marked done") {
		t.Errorf("Resolve again = %v", err)
	}
	d.settle(t)

	// The customer hears once, in the thread of their mail, at the sink.
	all := d.sent(t)
	token := tokenRe.FindString(repliesTo(all, change.id, true)[0].subject)
	var told []sent
	for _, s := range repliesTo(all, change.id, true) {
		if strings.Contains(s.text, "has been done") {
			told = append(told, s)
		}
	}
	if len(told) != 1 {
		t.Fatalf("%d done mails to the customer, want 1", len(told))
	}
	if s := told[0]; !slices.Equal(s.to, []string{"ann@acme.com"}) || token == "" || !strings.Contains(s.subject, token) ||
		!strings.Contains(s.text, "Your request for order SO-18812 has been done") ||
		!strings.Contains(s.text, "Delivered to Hafenstrasse 12") || !strings.Contains(s.text, "Rita Rep") {
		t.Errorf("customer mail to %v, subject %q (thread %s):\n%s", s.to, s.subject, token, s.text)
	}

	// Closed requests leave the account summary of rep mails.
	sum, err := order.AccountContext(ctx, d.st, d.acme.ID, []string{"SO-18812"})
	if err != nil {
		t.Fatal(err)
	}
	for _, oc := range sum.Orders {
		if len(oc.Requests) != 0 {
			t.Errorf("closed request still listed for %s: %+v", oc.Order.Number, oc.Requests)
		}
	}
	if a := OrderAccountSummary(sum); len(a.OpenOrders) == 0 || strings.Contains(a.OpenOrders[0].Status, "request") {
		t.Errorf("summary = %+v", a.OpenOrders)
	}

	t.Run("rejected with a reason", func(t *testing.T) {
		rush := convMail{id: "rush-again@acme.com", from: "Ann <ann@acme.com>", subject: "Rush SO-18812",
			body: "Hello,\n\nplease rush order SO-18812, we need it by Friday. Can you expedite the shipment?\n\nAnn\n"}
		d.push(t, rush)
		d.settle(t)
		reqs, _ := d.st.ListOrderRequests(ctx, store.OrderRequestFilter{OrderID: o.ID, Status: store.OrderRequestPending})
		if len(reqs) != 1 {
			t.Fatalf("pending = %+v", reqs)
		}
		if err := dec.Resolve(ctx, reqs[0].ID, store.OrderRequestRejected, "The shelving is made to order; the date cannot move.", "Rita Rep"); err != nil {
			t.Fatal(err)
		}
		d.settle(t)
		var got []string
		for _, s := range repliesTo(d.sent(t), rush.id, true) {
			if strings.Contains(s.text, "We could not do your request for order SO-18812") {
				got = append(got, s.text)
			}
		}
		if len(got) != 1 || !strings.Contains(got[0], "Why: The shelving is made to order") {
			t.Errorf("rejection mails at the sink: %q", got)
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
