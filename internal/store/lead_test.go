package store

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

func TestLeads(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		rita, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net", Active: true})
		sam, _ := s.CreateRep(ctx, &Rep{Email: "sam@example.net", Active: true})
		q := &Inquiry{Category: "quote_request"}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		l := &Lead{InquiryID: q.ID, ContactEmail: "Buyer@Acme.com", Company: "Acme", Domain: "acme.com", Source: "email",
			Summary: "100 pumps"}
		id, created, err := s.CreateLead(ctx, l)
		if err != nil || !created || l.Status != LeadUnassigned || l.ContactEmail != "buyer@acme.com" {
			t.Fatalf("create = %+v, %v, %v", l, created, err)
		}
		// Unique per inquiry and per external id.
		if id2, created, err := s.CreateLead(ctx, &Lead{InquiryID: q.ID}); err != nil || created || id2 != id {
			t.Errorf("same inquiry = %d, %v, %v", id2, created, err)
		}
		ext := &Lead{ExternalID: "web-1", Source: "api"}
		if _, created, err := s.CreateLead(ctx, ext); err != nil || !created {
			t.Fatal(created, err)
		}
		if id3, created, err := s.CreateLead(ctx, &Lead{ExternalID: "web-1"}); err != nil || created || id3 != ext.ID {
			t.Errorf("same external id = %d, %v, %v", id3, created, err)
		}

		// Compare-and-set assignment.
		if ok, err := s.AssignLead(ctx, id, 0, rita, "round robin"); err != nil || !ok {
			t.Fatalf("assign = %v, %v", ok, err)
		}
		if ok, err := s.AssignLead(ctx, id, 0, sam, "late"); err != nil || ok {
			t.Errorf("second assign from unassigned = %v, %v; want lost race", ok, err)
		}
		if ok, err := s.AssignLead(ctx, id, rita, sam, "sla"); err != nil || !ok {
			t.Errorf("reassign = %v, %v", ok, err)
		}
		if _, err := s.AssignLead(ctx, 999, 0, sam, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("assign missing: %v", err)
		}
		if n, err := s.OpenLeadCount(ctx, sam); err != nil || n != 1 {
			t.Errorf("open leads of sam = %d, %v", n, err)
		}
		if err := s.SetLeadStatus(ctx, id, LeadWon, 990000, ""); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Lead(ctx, id)
		if got.Status != LeadWon || got.RepID != sam || got.ValueCents != 990000 || got.ClosedAt.IsZero() || got.AssignedAt.IsZero() {
			t.Errorf("after won: %+v", got)
		}
		if n, _ := s.OpenLeadCount(ctx, sam); n != 0 {
			t.Errorf("won lead still counts as open: %d", n)
		}
		events, err := s.LeadEvents(ctx, id)
		var kinds []string
		for _, e := range events {
			kinds = append(kinds, e.Kind)
		}
		if err != nil || fmt.Sprint(kinds) != "[created assigned reassigned status]" || events[2].FromRepID != rita || events[2].RepID != sam {
			t.Errorf("events = %+v, %v", events, err)
		}
		if err := s.SetLeadStatus(ctx, 999, LeadLost, 0, "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("status of missing: %v", err)
		}
		pool, err := s.ListLeads(ctx, LeadFilter{Status: LeadUnassigned})
		if err != nil || len(pool) != 1 || pool[0].ID != ext.ID {
			t.Errorf("pool = %+v, %v", pool, err)
		}
	})
}

func TestAssignLeadConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		var reps []int64
		for i := range 8 {
			id, err := s.CreateRep(ctx, &Rep{Email: fmt.Sprintf("r%d@example.net", i), Active: true})
			if err != nil {
				t.Fatal(err)
			}
			reps = append(reps, id)
		}
		lead := &Lead{Source: "api"}
		if _, _, err := s.CreateLead(ctx, lead); err != nil {
			t.Fatal(err)
		}
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			wins int
		)
		for _, rep := range reps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := s.AssignLead(ctx, lead.ID, 0, rep, "")
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Errorf("%d workers won the same lead, want exactly 1", wins)
		}
	})
}

// TestListLeadsByScore: the pool is listed highest score first, unscored
// last, ties oldest first; the default order stays oldest first.
func TestListLeadsByScore(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		scores := []int{-1, 40, 90, 40, -1, 10} // -1: never scored
		var ids []int64
		for i, sc := range scores {
			id, _, err := s.CreateLead(ctx, &Lead{ExternalID: fmt.Sprintf("pool-%d", i), Source: "api"})
			if err != nil {
				t.Fatal(err)
			}
			if sc >= 0 {
				if err := s.SetLeadScore(ctx, id, sc, "[]"); err != nil {
					t.Fatal(err)
				}
			}
			ids = append(ids, id)
		}
		order := func(f LeadFilter) []int64 {
			t.Helper()
			ls, err := s.ListLeads(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, l := range ls {
				out = append(out, l.ID)
			}
			return out
		}
		want := []int64{ids[2], ids[1], ids[3], ids[5], ids[0], ids[4]}
		if got := order(LeadFilter{Status: LeadUnassigned, ByScore: true}); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("by score = %v, want %v", got, want)
		}
		if got := order(LeadFilter{Status: LeadUnassigned, ByScore: true, Limit: 2, Offset: 2}); fmt.Sprint(got) != fmt.Sprint(want[2:4]) {
			t.Errorf("by score, second page = %v, want %v", got, want[2:4])
		}
		if got := order(LeadFilter{Status: LeadUnassigned}); fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("default order = %v, want %v", got, ids)
		}
	})
}
