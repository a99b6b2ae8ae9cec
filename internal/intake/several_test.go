package intake_test

import (
	"slices"
	"testing"

	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// A mail that asks two things (where an order is, and a price) gets a
// follow-on for each on one inquiry; a re-run adds nothing.
func TestSeveralRequestsTwoFollowons(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{followups: allFollowups})
	id := e.take(mail{from: "Ann Buyer <ann@acme.com>", subject: "Order SO-48213 and a quote",
		body: "Hi, where is my order SO-48213? It should have arrived on Monday.\n\nAlso, could you send me a price for 300 more units of the same item?\n\nThanks, Ann\n"})
	q := e.inquiryOf(id)
	if q.Status != store.InquiryRouted {
		t.Fatalf("inquiry status %s, want routed", q.Status)
	}
	cats := append([]string{q.Category}, q.SecondaryCategories...)
	slices.Sort(cats)
	if !slices.Equal(cats, []string{string(routing.OrderStatus), string(routing.QuoteRequest)}) {
		t.Fatalf("categories %s + %v, want order_status and quote_request", q.Category, q.SecondaryCategories)
	}
	status := e.q.of(t, tasks.TypeOrderStatusReply)
	leads := e.q.of(t, tasks.TypeLeadAssign)
	if len(status) != 1 || num(status[0]["inquiry_id"]) != q.ID || len(leads) != 1 {
		t.Fatalf("tasks = %v, want one order:status_reply for inquiry %d and one lead:assign", e.q.types(), q.ID)
	}
	// The order's status goes out at once and is the acknowledgement: no
	// second mail with the same subject.
	if acks := e.q.of(t, tasks.TypeInquiryAck); len(acks) != 0 {
		t.Errorf("tasks = %v, want no inquiry:ack (the status answer is the acknowledgement)", e.q.types())
	}
	l, err := e.st.Lead(e.ctx, num(leads[0]["lead_id"]))
	if err != nil || l.InquiryID != q.ID {
		t.Fatalf("lead = %+v, %v; want the lead of inquiry %d", l, err, q.ID)
	}
	before := len(e.q.types())
	if err := e.st.SetInboundStatus(e.ctx, id, store.InboundStored, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.p.Process(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if after := len(e.q.types()); after != before {
		t.Errorf("re-run added tasks: %v", e.q.types())
	}
}

// A mail that asks one thing gets one follow-on; an order's status is
// answered at once, so that answer is the acknowledgement.
func TestOneRequestOneFollowon(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{followups: allFollowups})
	id := e.take(mail{from: "ann@acme.com", subject: "Where is my order SO-48213?", body: orderStatusBody})
	if q := e.inquiryOf(id); len(q.SecondaryCategories) != 0 {
		t.Errorf("secondary = %v, want none", q.SecondaryCategories)
	}
	if types := e.q.types(); len(types) != 1 || types[0] != tasks.TypeOrderStatusReply {
		t.Errorf("tasks = %v, want only the order:status_reply (it is the acknowledgement)", types)
	}
}
