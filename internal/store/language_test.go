package store

import (
	"slices"
	"testing"
)

// TestLanguages stores a rep's languages and an inquiry's language and
// secondary requests, and reads them back (migration 0012).
func TestLanguages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		r := &Rep{Email: "claire@example.com", Name: "Claire", Active: true, Languages: []string{"fr", "en"}}
		if _, err := s.CreateRep(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := s.Rep(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Languages, []string{"fr", "en"}) {
			t.Errorf("rep languages = %v, want [fr en]", got.Languages)
		}
		got.Languages = []string{"de"}
		if err := s.UpdateRep(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.Rep(ctx, r.ID); !slices.Equal(got.Languages, []string{"de"}) {
			t.Errorf("updated rep languages = %v, want [de]", got.Languages)
		}
		plain := &Rep{Email: "plain@example.com", Active: true}
		if _, err := s.CreateRep(ctx, plain); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.Rep(ctx, plain.ID); len(got.Languages) != 0 {
			t.Errorf("rep without languages = %v", got.Languages)
		}

		msgID, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "lang@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		q := &Inquiry{InboundMessageID: msgID, ContactEmail: "kunde@example.de", Category: "order_status",
			Language: "de", SecondaryCategories: []string{"quote_request"}}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		back, err := s.Inquiry(ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if back.Language != "de" || !slices.Equal(back.SecondaryCategories, []string{"quote_request"}) {
			t.Errorf("inquiry language %q secondary %v, want de [quote_request]", back.Language, back.SecondaryCategories)
		}
	})
}
