package store

import (
	"errors"
	"testing"
	"time"
)

func TestLeadPipeline(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		rita, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net", Active: true})
		cust, err := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		for i, status := range []string{OrderDelivered, OrderShipped} {
			if _, err := s.CreateOrder(ctx, &Order{CustomerID: cust, Number: []string{"SO-1", "SO-2"}[i], Status: status,
				Currency: "EUR", AmountCents: 10000}); err != nil {
				t.Fatal(err)
			}
		}
		q := &Inquiry{Category: "quote_request", Subject: "500 pumps", CustomerID: cust}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		l := &Lead{InquiryID: q.ID, CustomerID: cust, ContactEmail: "buyer@acme.com", Summary: "We need 500 pumps", RepID: rita}
		id, _, err := s.CreateLead(ctx, l)
		if err != nil {
			t.Fatal(err)
		}

		in, err := s.LeadScoreInput(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if in.Subject != "500 pumps" || in.Text != "We need 500 pumps" || in.Category != "quote_request" ||
			in.PastOrders != 2 || in.RevenueCents != 20000 || in.OpenOrders != 1 {
			t.Errorf("score input = %+v", in)
		}
		if err := s.SetLeadScore(ctx, id, 73, `[{"name":"budget"}]`); err != nil {
			t.Fatal(err)
		}

		// First contact is kept; the lead becomes contacted.
		at := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
		if first, err := s.RecordLeadContact(ctx, id, at, ContactViaReply); err != nil || !first {
			t.Fatalf("first contact = %v, %v", first, err)
		}
		if first, err := s.RecordLeadContact(ctx, id, at.Add(time.Hour), ContactViaClick); err != nil || first {
			t.Errorf("second contact = %v, %v; want not first", first, err)
		}
		got, _ := s.Lead(ctx, id)
		if got.Status != LeadContacted || !got.FirstContactAt.Equal(at) || got.FirstContactVia != ContactViaReply ||
			!got.Scored || got.Score != 73 {
			t.Errorf("after contact: %+v", got)
		}
		if _, err := s.RecordLeadContact(ctx, 9999, at, ContactViaAPI); !errors.Is(err, ErrNotFound) {
			t.Errorf("contact of missing lead: %v", err)
		}

		// Won with currency; again is a no-op; lost now conflicts; reopen; lost.
		won := LeadOutcome{Status: LeadWon, ValueCents: 125000, Currency: "CHF", By: "rita"}
		if ok, err := s.CloseLead(ctx, id, won); err != nil || !ok {
			t.Fatalf("won = %v, %v", ok, err)
		}
		if ok, err := s.CloseLead(ctx, id, won); err != nil || ok {
			t.Errorf("won twice = %v, %v", ok, err)
		}
		if _, err := s.CloseLead(ctx, id, LeadOutcome{Status: LeadLost, Reason: "price"}); !errors.Is(err, ErrConflict) {
			t.Errorf("lost after won: %v, want ErrConflict", err)
		}
		got, _ = s.Lead(ctx, id)
		if got.Status != LeadWon || got.ValueCents != 125000 || got.Currency != "CHF" || got.ClosedAt.IsZero() {
			t.Errorf("after won: %+v", got)
		}
		inputs, err := s.ClosedLeadScoreInputs(ctx, time.Time{}, 100)
		if err != nil || len(inputs) != 1 || inputs[0].Status != LeadWon {
			t.Errorf("closed inputs = %+v, %v", inputs, err)
		}
		if ok, err := s.ReopenLead(ctx, id, "rita"); err != nil || !ok {
			t.Fatalf("reopen = %v, %v", ok, err)
		}
		got, _ = s.Lead(ctx, id)
		if got.Status != LeadContacted || !got.ClosedAt.IsZero() {
			t.Errorf("after reopen: %+v", got)
		}
		if ok, err := s.CloseLead(ctx, id, LeadOutcome{Status: LeadLost, Reason: "price"}); err != nil || !ok {
			t.Fatalf("lost = %v, %v", ok, err)
		}
		got, _ = s.Lead(ctx, id)
		if got.Status != LeadLost || got.LostReason != "price" || got.ValueCents != 0 || got.Currency != "" {
			t.Errorf("after lost: %+v", got)
		}
		if ids, err := s.OpenLeadIDs(ctx, 10); err != nil || len(ids) != 0 {
			t.Errorf("open lead ids = %v, %v", ids, err)
		}

		// Models: the newest is used.
		if _, err := s.LatestScoreModel(ctx); !errors.Is(err, ErrNotFound) {
			t.Errorf("no model yet: %v", err)
		}
		for _, n := range []int{30, 40} {
			if err := s.SaveScoreModel(ctx, &ScoreModel{Examples: n, Won: 10, Model: []byte(`{"bias":1}`)}); err != nil {
				t.Fatal(err)
			}
		}
		m, err := s.LatestScoreModel(ctx)
		if err != nil || m.Examples != 40 || string(m.Model) != `{"bias":1}` {
			t.Errorf("latest model = %+v, %v", m, err)
		}
	})
}
