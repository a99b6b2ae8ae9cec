package store

import (
	"errors"
	"testing"
)

func TestAlerts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		a := &Alert{DedupeKey: "stranger:SO-1:2025-04-01", Kind: "order_info_stranger", Subject: "stranger asked for SO-1"}
		id, created, err := s.CreateAlert(ctx, a)
		if err != nil || !created {
			t.Fatalf("create = %v, %v", created, err)
		}
		id2, created, err := s.CreateAlert(ctx, &Alert{DedupeKey: a.DedupeKey, Kind: a.Kind})
		if err != nil || created || id2 != id {
			t.Fatalf("same key = %d, %v, %v; want existing %d", id2, created, err, id)
		}
		got, err := s.Alert(ctx, id)
		if err != nil || got.Occurrences != 2 || got.Severity != "warning" || got.Status != AlertOpen || got.Subject != a.Subject {
			t.Errorf("alert = %+v, %v", got, err)
		}
		if _, _, err := s.CreateAlert(ctx, &Alert{Kind: "x"}); err == nil {
			t.Error("alert without dedupe key created")
		}
		if _, _, err := s.CreateAlert(ctx, &Alert{DedupeKey: "other", Kind: "complaints"}); err != nil {
			t.Fatal(err)
		}
		if err := s.CloseAlert(ctx, id); err != nil {
			t.Fatal(err)
		}
		open, err := s.ListAlerts(ctx, AlertFilter{Status: AlertOpen})
		if err != nil || len(open) != 1 || open[0].DedupeKey != "other" {
			t.Errorf("open alerts = %+v, %v", open, err)
		}
		if err := s.CloseAlert(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("close missing: %v", err)
		}
	})
}

func TestRoutingExamples(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		if at, err := s.RoutingExamplesUpdatedAt(ctx); err != nil || !at.IsZero() {
			t.Fatalf("empty set updated at %v, %v", at, err)
		}
		if _, err := s.AddRoutingExample(ctx, &RoutingExample{Text: "where is my order", Category: "order_status", Source: ExampleSeed}); err != nil {
			t.Fatal(err)
		}
		q := &Inquiry{}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		e := &RoutingExample{InquiryID: q.ID, Subject: "invoice", Text: "the invoice is wrong", Category: "complaint", Source: ExampleTriage}
		id, err := s.AddRoutingExample(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		// Relabelling the same inquiry replaces its example.
		id2, err := s.AddRoutingExample(ctx, &RoutingExample{InquiryID: q.ID, Text: "the invoice is wrong", Category: "billing", Source: ExampleLabel})
		if err != nil || id2 != id {
			t.Fatalf("relabel = %d, %v; want %d", id2, err, id)
		}
		list, err := s.RoutingExamples(ctx)
		if err != nil || len(list) != 2 || list[1].Category != "billing" || list[1].Source != ExampleLabel || list[1].InquiryID != q.ID {
			t.Errorf("examples = %+v, %v", list, err)
		}
		if at, err := s.RoutingExamplesUpdatedAt(ctx); err != nil || at.IsZero() {
			t.Errorf("updated at %v, %v", at, err)
		}
		if _, err := s.AddRoutingExample(ctx, &RoutingExample{Text: "x"}); err == nil {
			t.Error("example without category added")
		}
	})
}
