package store

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// TestFinishInbound: the parsed form, the outbox rows and the status are
// written together, and a message that is not there writes none of them.
func TestFinishInbound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		id, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "a@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		ack := PendingTask{Type: "inquiry:ack", Payload: []byte(`{"inquiry_id":1}`)}
		parsed := ParsedInbound{From: "a@example.com", Subject: "Where is my order?", Kind: KindHuman,
			Text: "Order 1001, please.", ParsedAt: time.Now()}
		err = s.FinishInbound(ctx, id, InboundOutcome{Parsed: &parsed, Pending: []PendingTask{ack},
			Status: InboundProcessed, Reason: "answered"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.InboundMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Status != InboundProcessed || m.Reason != "answered" {
			t.Errorf("status, reason = %q, %q, want %q, %q", m.Status, m.Reason, InboundProcessed, "answered")
		}
		got, found, err := s.InboundParsed(ctx, id)
		if err != nil || !found {
			t.Fatalf("parsed: found=%v err=%v", found, err)
		}
		if got.Subject != parsed.Subject || got.Text != parsed.Text || got.Kind != KindHuman {
			t.Errorf("parsed = %+v, want %+v", got, parsed)
		}
		rows, err := s.PendingTasks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1 || rows[0].Type != ack.Type || string(rows[0].Payload) != string(ack.Payload) {
			t.Errorf("pending tasks = %+v, want the ack", rows)
		}

		// Without a parsed form only the status and the rows are written.
		other, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 2, "b@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.FinishInbound(ctx, other, InboundOutcome{Status: InboundQuarantined, Reason: "parse"}); err != nil {
			t.Fatal(err)
		}
		if m, err := s.InboundMessage(ctx, other); err != nil || m.Status != InboundQuarantined {
			t.Errorf("status = %+v, %v, want quarantined", m, err)
		}
		if _, found, _ := s.InboundParsed(ctx, other); found {
			t.Error("parsed form written without one")
		}

		// A missing message: ErrNotFound, and its rows are rolled back.
		lost := PendingTask{Type: "inquiry:ack", Payload: []byte(`{"inquiry_id":2}`)}
		err = s.FinishInbound(ctx, other+1000, InboundOutcome{Pending: []PendingTask{lost}, Status: InboundProcessed})
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("missing message: err = %v, want ErrNotFound", err)
		}
		if rows, _ := s.PendingTasks(ctx); len(rows) != 1 {
			t.Errorf("pending tasks after the failed finish = %+v, want only the ack", rows)
		}
		// The same with a parsed form (one statement writes it with the status).
		err = s.FinishInbound(ctx, other+1000, InboundOutcome{Parsed: &parsed, Pending: []PendingTask{lost}, Status: InboundProcessed})
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("missing message with a parsed form: err = %v, want ErrNotFound", err)
		}
		if rows, _ := s.PendingTasks(ctx); len(rows) != 1 {
			t.Errorf("pending tasks after the failed finish with a parsed form = %+v, want only the ack", rows)
		}
	})
}

// TestFinishInboundOutbound: the outcome's outbound rows are written in
// its transaction (IDs set; a row whose key exists is not written again)
// and rolled back with it.
func TestFinishInboundOutbound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		id, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "a@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		ack := func(messageID string) *OutboundEmail {
			return &OutboundEmail{IdempotencyKey: "ack:1", MessageID: messageID, Kind: "ack", From: "sales@ourco.example",
				To: []string{"a@example.com"}, Subject: "Re: Where is my order?", BodyText: "We have your mail."}
		}
		// A missing message: nothing is written.
		if err := s.FinishInbound(ctx, id+1000, InboundOutcome{Outbound: []*OutboundEmail{ack("m1@ourco.example")},
			Status: InboundProcessed}); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing message: err = %v, want ErrNotFound", err)
		}
		if _, err := s.OutboundByIdempotencyKey(ctx, "ack:1"); !errors.Is(err, ErrNotFound) {
			t.Errorf("ack after the failed finish: err = %v, want ErrNotFound", err)
		}

		o := ack("m2@ourco.example")
		if err := s.FinishInbound(ctx, id, InboundOutcome{Outbound: []*OutboundEmail{o}, Status: InboundProcessed}); err != nil {
			t.Fatal(err)
		}
		got, err := s.OutboundByIdempotencyKey(ctx, "ack:1")
		if err != nil {
			t.Fatal(err)
		}
		if o.ID == 0 || got.ID != o.ID || got.Status != OutboundQueued || got.MessageID != "m2@ourco.example" || got.BodyText != o.BodyText {
			t.Errorf("ack = %+v (id %d), want the queued row", got, o.ID)
		}
		// A repeat finds the row and writes no second one.
		again := ack("m3@ourco.example")
		if err := s.FinishInbound(ctx, id, InboundOutcome{Outbound: []*OutboundEmail{again}, Status: InboundProcessed}); err != nil {
			t.Fatal(err)
		}
		if again.ID != o.ID {
			t.Errorf("repeat: id %d, want %d", again.ID, o.ID)
		}
		if got, err := s.OutboundByIdempotencyKey(ctx, "ack:1"); err != nil || got.MessageID != "m2@ourco.example" {
			t.Errorf("after the repeat: %+v, %v, want the first row", got, err)
		}
	})
}

// TestFinishInboundAnswer: the outcome's alerts and answered inquiries
// (an order-status answer written by intake) are written in its
// transaction and rolled back with it; an alert raised again counts one
// more occurrence.
func TestFinishInboundAnswer(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		id, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "eve@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		q := &Inquiry{InboundMessageID: id, ContactEmail: "eve@example.com", Category: "order_status", Status: InquiryRouted}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		alert := func() *Alert {
			return &Alert{DedupeKey: "foreign_order_lookup:1:eve@example.com:2026-03-10", Kind: "foreign_order_lookup",
				Subject: "eve@example.com asked about order SO-1 of another account"}
		}
		// A missing message: nothing is written.
		if err := s.FinishInbound(ctx, id+1000, InboundOutcome{Alerts: []*Alert{alert()}, Answered: []int64{q.ID},
			Status: InboundProcessed}); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing message: err = %v, want ErrNotFound", err)
		}
		alerts, err := s.ListAlerts(ctx, AlertFilter{Kind: "foreign_order_lookup"})
		if err != nil || len(alerts) != 0 {
			t.Errorf("alerts after the failed finish: %+v, %v; want none", alerts, err)
		}
		if got, err := s.Inquiry(ctx, q.ID); err != nil || got.Status != InquiryRouted {
			t.Errorf("inquiry after the failed finish: %+v, %v; want routed", got, err)
		}

		a := alert()
		if err := s.FinishInbound(ctx, id, InboundOutcome{Alerts: []*Alert{a}, Answered: []int64{q.ID},
			Status: InboundProcessed}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Inquiry(ctx, q.ID); err != nil || got.Status != InquiryAnswered {
			t.Errorf("inquiry: %+v, %v; want answered", got, err)
		}
		again := alert()
		if _, created, err := s.CreateAlert(ctx, again); err != nil || created || again.ID != a.ID || a.ID == 0 {
			t.Errorf("alert raised again: id %d (first %d), created %v, %v; want the same alert", again.ID, a.ID, created, err)
		}
		alerts, err = s.ListAlerts(ctx, AlertFilter{Kind: "foreign_order_lookup"})
		if err != nil || len(alerts) != 1 || alerts[0].Occurrences != 2 || alerts[0].Severity != "warning" ||
			alerts[0].Status != AlertOpen {
			t.Errorf("alerts = %+v, %v; want one open warning raised twice", alerts, err)
		}
	})
}

// TestFinishInboundSenderAuth: the sender verdict an outcome was decided
// with is stored with it when the message has none, kept when it is the
// same, and when the message has another one nothing is written and the
// error says so.
func TestFinishInboundSenderAuth(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		parsed := ParsedInbound{From: "a@example.com", Subject: "Unsubscribe", Kind: KindHuman, ParsedAt: time.Now()}
		pass := SenderAuth{Verdict: "pass", Detail: "dmarc: pass"}
		fail := SenderAuth{Verdict: "fail", Detail: "dmarc: fail"}
		finish := func(uid uint32, a *SenderAuth, keep *SenderAuth) (int64, error) {
			t.Helper()
			id, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, uid, fmt.Sprintf("v%d@example.com", uid)))
			if err != nil {
				t.Fatal(err)
			}
			if keep != nil {
				if _, err := s.KeepInboundSenderAuth(ctx, id, *keep); err != nil {
					t.Fatal(err)
				}
			}
			task := PendingTask{Type: "customer:unsubscribe", Payload: []byte(fmt.Sprintf(`{"uid":%d}`, uid))}
			return id, s.FinishInbound(ctx, id, InboundOutcome{Parsed: &parsed, Pending: []PendingTask{task},
				Status: InboundProcessed, SenderAuth: a})
		}
		check := func(name string, id int64, wantAuth SenderAuth, wantStatus string) {
			t.Helper()
			m, err := s.InboundMessage(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if m.SenderAuth != wantAuth || m.Status != wantStatus {
				t.Errorf("%s: verdict %+v, status %q; want %+v, %q", name, m.SenderAuth, m.Status, wantAuth, wantStatus)
			}
		}

		id, err := finish(1, &pass, nil)
		if err != nil {
			t.Fatal(err)
		}
		check("none stored", id, pass, InboundProcessed)

		same := SenderAuth{Verdict: "pass", Detail: "checked by a hook"}
		if id, err = finish(2, &pass, &same); err != nil {
			t.Fatal(err)
		}
		check("the same stored", id, same, InboundProcessed)

		if id, err = finish(3, nil, &fail); err != nil {
			t.Fatal(err)
		}
		check("no verdict in the outcome", id, fail, InboundProcessed)

		id, err = finish(4, &pass, &fail)
		if !errors.Is(err, ErrSenderAuthChanged) {
			t.Fatalf("another verdict stored: err = %v, want ErrSenderAuthChanged", err)
		}
		check("another stored", id, fail, InboundStored)
		if _, found, _ := s.InboundParsed(ctx, id); found {
			t.Error("another verdict stored: parsed form written")
		}
		rows, err := s.PendingTasks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 3 {
			t.Errorf("pending tasks = %d, want 3 (none of the refused outcome)", len(rows))
		}

		if err := s.FinishInbound(ctx, id+1000, InboundOutcome{Parsed: &parsed, Status: InboundProcessed, SenderAuth: &pass}); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing message with a verdict: err = %v, want ErrNotFound", err)
		}
	})
}
