package store

import (
	"errors"
	"testing"
)

// TestMergeLead: a merged lead records the lead it went into, in a
// column rather than a note, and reads back as merged and closed.
func TestMergeLead(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		held := &Lead{ContactEmail: "ann@acme.example", Source: "email", Summary: "40 racks"}
		again := &Lead{ContactEmail: "ann@acme.example", Source: "email", Summary: "10 door kits"}
		for _, l := range []*Lead{held, again} {
			if _, _, err := s.CreateLead(ctx, l); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.MergeLead(ctx, again.ID, held.ID); err != nil {
			t.Fatal(err)
		}
		if into, err := s.MergedInto(ctx, again.ID); err != nil || into != held.ID {
			t.Errorf("MergedInto(merged) = %d, %v; want %d", into, err, held.ID)
		}
		if into, err := s.MergedInto(ctx, held.ID); err != nil || into != 0 {
			t.Errorf("MergedInto(held) = %d, %v; want 0", into, err)
		}
		if _, err := s.MergedInto(ctx, again.ID+100); !errors.Is(err, ErrNotFound) {
			t.Errorf("MergedInto(missing) = %v, want ErrNotFound", err)
		}
		got, err := s.Lead(ctx, again.ID)
		if err != nil || got.Status != LeadMerged || got.ClosedAt.IsZero() {
			t.Errorf("merged lead = %+v, %v", got, err)
		}
		if err := s.MergeLead(ctx, again.ID+100, held.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("MergeLead(missing) = %v, want ErrNotFound", err)
		}
	})
}
