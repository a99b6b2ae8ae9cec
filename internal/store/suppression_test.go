package store

import (
	"errors"
	"testing"
)

func TestSuppressions(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		q := &Inquiry{}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		created, err := s.Suppress(ctx, " Buyer@Acme.Example ", "unsubscribe", q.ID)
		if err != nil || !created {
			t.Fatalf("suppress = %v, %v; want created", created, err)
		}
		// Idempotent: the same address in another case changes nothing.
		created, err = s.Suppress(ctx, "buyer@acme.example", "manual", 0)
		if err != nil || created {
			t.Fatalf("suppress again = %v, %v; want existing", created, err)
		}
		got, err := s.Suppression(ctx, "BUYER@acme.example")
		if err != nil || got.Email != "buyer@acme.example" || got.Reason != "unsubscribe" || got.InquiryID != q.ID || got.CreatedAt.IsZero() {
			t.Errorf("suppression = %+v, %v", got, err)
		}
		for _, tt := range []struct {
			email string
			want  bool
		}{
			{"buyer@acme.example", true},
			{"BUYER@ACME.EXAMPLE", true},
			{"other@acme.example", false},
			{"", false},
		} {
			if got, err := s.IsSuppressed(ctx, tt.email); err != nil || got != tt.want {
				t.Errorf("IsSuppressed(%q) = %v, %v; want %v", tt.email, got, err, tt.want)
			}
		}
		if _, err := s.Suppress(ctx, "  ", "manual", 0); err == nil {
			t.Error("empty address suppressed")
		}
		if created, err := s.Suppress(ctx, "second@acme.example", "manual", 0); err != nil || !created {
			t.Fatalf("suppress second = %v, %v", created, err)
		}
		list, err := s.ListSuppressions(ctx, 0, 0)
		if err != nil || len(list) != 2 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if list[0].Email != "second@acme.example" || list[0].InquiryID != 0 || list[1].Email != "buyer@acme.example" {
			t.Errorf("list not newest first: %+v", list)
		}
		if page, err := s.ListSuppressions(ctx, 1, 1); err != nil || len(page) != 1 || page[0].Email != "buyer@acme.example" {
			t.Errorf("page 2 = %+v, %v", page, err)
		}

		// Re-subscribing takes the address off the list; doing it again is
		// ErrNotFound.
		if err := s.Unsuppress(ctx, "Buyer@acme.example"); err != nil {
			t.Fatal(err)
		}
		if got, err := s.IsSuppressed(ctx, "buyer@acme.example"); err != nil || got {
			t.Errorf("after unsuppress IsSuppressed = %v, %v", got, err)
		}
		if err := s.Unsuppress(ctx, "buyer@acme.example"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unsuppress twice: %v, want ErrNotFound", err)
		}
		if _, err := s.Suppression(ctx, "buyer@acme.example"); !errors.Is(err, ErrNotFound) {
			t.Errorf("suppression after unsuppress: %v", err)
		}
		// And it can be suppressed again.
		if created, err := s.Suppress(ctx, "buyer@acme.example", "unsubscribe", 0); err != nil || !created {
			t.Errorf("suppress after unsuppress = %v, %v", created, err)
		}
	})
}
