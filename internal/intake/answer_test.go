package intake_test

import (
	"context"
	"errors"
	"testing"

	"salesdesk/internal/intake"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// stubAnswer answers order:status_reply with a plain row and an alert
// (workers.OrderStatusHandler renders the real ones) and keeps the
// requests.
type stubAnswer struct {
	err      error
	requests []intake.AnswerRequest
}

func (a *stubAnswer) AnswerMail(_ context.Context, r intake.AnswerRequest) (*intake.Answer, error) {
	a.requests = append(a.requests, r)
	if a.err != nil {
		return nil, a.err
	}
	q := r.Inquiry
	o := &store.OutboundEmail{IdempotencyKey: "order_status:" + q.Reference, Kind: "order_status", InquiryID: q.ID,
		From: "sales@ourco.example", To: []string{q.ContactEmail}, Subject: "Re: [" + q.Reference + "] " + r.Parsed.Subject,
		BodyText: "Your order has shipped.", InReplyTo: r.Parsed.MessageID}
	alert := &store.Alert{DedupeKey: "lookup:" + q.Reference, Kind: "foreign_order_lookup", Subject: "asked"}
	return &intake.Answer{Outbound: []*store.OutboundEmail{o}, Alerts: []*store.Alert{alert}, Answered: true}, nil
}

var statusMail = mail{from: "Ann Buyer <ann@acme.com>", subject: "Where is my order SO-48213?", messageID: "status@acme.com",
	body: orderStatusBody}

// TestAnswerWrittenWithTheOutcome: with an Answerer for order:status_reply
// the answer's row, its alert and the inquiry answered are written in the
// transaction that marks the mail processed, its mail:send is enqueued
// after the commit, and there is no order:status_reply task or outbox row
// and no acknowledgement besides.
func TestAnswerWrittenWithTheOutcome(t *testing.T) {
	t.Parallel()
	answer := &stubAnswer{}
	e := setup(t, setupOpts{followups: allFollowups, ack: &stubAck{},
		answers: map[string]intake.Answerer{tasks.TypeOrderStatusReply: answer}})
	id := e.take(statusMail)
	q := e.inquiryOf(id)
	if len(answer.requests) != 1 {
		t.Fatalf("%d answer requests, want 1", len(answer.requests))
	}
	r := answer.requests[0]
	if r.Inquiry.ID != q.ID || r.Parsed.Subject != statusMail.subject || r.Parsed.MessageID != statusMail.messageID ||
		r.Task.Type() != tasks.TypeOrderStatusReply {
		t.Errorf("answer request = %+v", r)
	}
	if q.Status != store.InquiryAnswered {
		t.Errorf("inquiry status %s, want answered", q.Status)
	}
	rows, err := e.st.ListOutbound(e.ctx, store.OutboundFilter{InquiryID: q.ID})
	if err != nil || len(rows) != 1 || rows[0].Kind != "order_status" || rows[0].Status != store.OutboundQueued || rows[0].MessageID == "" {
		t.Fatalf("rows = %+v, %v; want the one queued answer with a Message-ID", rows, err)
	}
	alerts, err := e.st.ListAlerts(e.ctx, store.AlertFilter{Kind: "foreign_order_lookup"})
	if err != nil || len(alerts) != 1 || alerts[0].Occurrences != 1 {
		t.Errorf("alerts = %+v, %v; want one", alerts, err)
	}
	if n := len(e.q.of(t, tasks.TypeOrderStatusReply)); n != 0 || e.pendingOf(tasks.TypeOrderStatusReply) != 0 {
		t.Errorf("%d order:status_reply tasks, %d outbox rows, want none", n, e.pendingOf(tasks.TypeOrderStatusReply))
	}
	sends := e.q.of(t, tasks.TypeMailSend)
	if len(sends) != 1 || num(sends[0]["outbound_id"]) != rows[0].ID || len(e.q.types()) != 1 {
		t.Errorf("tasks %v, mail:send %v; want only the answer's mail:send (%d)", e.q.types(), sends, rows[0].ID)
	}
	e.wantStatus(id, store.InboundProcessed)
	// The inbound task again: nothing more.
	if err := e.p.Process(e.ctx, id); err != nil {
		t.Fatal(err)
	}
	if len(answer.requests) != 1 || len(e.q.types()) != 1 {
		t.Errorf("after a second run: %d requests, tasks %v", len(answer.requests), e.q.types())
	}
}

// TestAnswerFallsBackToTask: an Answerer that fails leaves the answer to
// order:status_reply, with its outbox row, as without one.
func TestAnswerFallsBackToTask(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{followups: allFollowups, ack: &stubAck{},
		answers: map[string]intake.Answerer{tasks.TypeOrderStatusReply: &stubAnswer{err: errors.New("order: database is locked")}}})
	id := e.take(statusMail)
	q := e.inquiryOf(id)
	got := e.q.of(t, tasks.TypeOrderStatusReply)
	if len(got) != 1 || num(got[0]["inquiry_id"]) != q.ID || e.pendingOf(tasks.TypeOrderStatusReply) != 1 {
		t.Errorf("order:status_reply tasks = %v, outbox rows %d; want one for inquiry %d", got, e.pendingOf(tasks.TypeOrderStatusReply), q.ID)
	}
	if rows, err := e.st.ListOutbound(e.ctx, store.OutboundFilter{InquiryID: q.ID}); err != nil || len(rows) != 0 {
		t.Errorf("rows = %+v, %v; want none (the answer is the task's; no acknowledgement)", rows, err)
	}
	if q.Status != store.InquiryRouted || len(e.q.types()) != 1 {
		t.Errorf("inquiry %s, tasks %v; want routed and the task alone", q.Status, e.q.types())
	}
}
