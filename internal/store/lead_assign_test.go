package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"
)

// leadKinds returns the kinds of a lead's events, oldest first.
func leadKinds(t *testing.T, ctx context.Context, s *Store, id int64) []string {
	t.Helper()
	evs, err := s.LeadEvents(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, e.Kind)
	}
	return out
}

func TestAssignLeadWithin(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		at := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
		rita, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net", Active: true})
		sam, _ := s.CreateRep(ctx, &Rep{Email: "sam@example.net", Active: true})
		id, _, err := s.CreateLead(ctx, &Lead{ContactEmail: "a@acme.example", Source: "email"})
		if err != nil {
			t.Fatal(err)
		}
		if r, err := s.LeadRound(ctx, id); err != nil || r != 0 {
			t.Fatalf("round of a new lead = %d, %v", r, err)
		}

		tests := []struct {
			name      string
			a         LeadAssignment
			wantRound int
			wantLost  bool
			wantRep   int64
		}{
			{"from the pool", LeadAssignment{FromPool: true, ToRepID: rita, Note: "round robin"}, 1, false, rita},
			{"from the pool again loses", LeadAssignment{FromPool: true, ToRepID: sam}, 0, true, rita},
			{"from the wrong rep loses", LeadAssignment{FromRepID: sam, ToRepID: sam}, 0, true, rita},
			{"reassign", LeadAssignment{FromRepID: rita, ToRepID: sam, Note: "sla"}, 2, false, sam},
		}
		for _, tt := range tests {
			tt.a.LeadID, tt.a.At = id, at
			round, err := s.AssignLeadWithin(ctx, tt.a)
			if tt.wantLost {
				if !errors.Is(err, ErrAssignmentLost) {
					t.Errorf("%s: err = %v, want ErrAssignmentLost", tt.name, err)
				}
			} else if err != nil || round != tt.wantRound {
				t.Errorf("%s: round %d, %v; want %d", tt.name, round, err, tt.wantRound)
			}
			l, _ := s.Lead(ctx, id)
			if l.RepID != tt.wantRep || l.Status != LeadAssigned {
				t.Errorf("%s: lead rep %d status %s, want rep %d assigned", tt.name, l.RepID, l.Status, tt.wantRep)
			}
		}
		l, _ := s.Lead(ctx, id)
		if !l.AssignedAt.Equal(at) {
			t.Errorf("assigned_at = %v, want %v", l.AssignedAt, at)
		}
		evs, _ := s.LeadEvents(ctx, id)
		last := evs[len(evs)-1]
		if last.Kind != LeadEventReassigned || last.RepID != sam || last.FromRepID != rita || last.Note != "sla" || !last.CreatedAt.Equal(at) {
			t.Errorf("last event = %+v", last)
		}

		// Back to the pool, then again from the pool with its stale rep.
		if _, err := s.UnassignLead(ctx, id, rita, "declined", at); !errors.Is(err, ErrAssignmentLost) {
			t.Errorf("unassign from the wrong rep: %v", err)
		}
		if r, err := s.UnassignLead(ctx, id, sam, "declined", at); err != nil || r != 3 {
			t.Errorf("unassign = %d, %v; want round 3", r, err)
		}
		l, _ = s.Lead(ctx, id)
		if l.RepID != 0 || l.Status != LeadUnassigned {
			t.Errorf("after unassign: rep %d status %s", l.RepID, l.Status)
		}
		if r, err := s.AssignLeadWithin(ctx, LeadAssignment{LeadID: id, FromPool: true, ToRepID: rita, At: at}); err != nil || r != 4 {
			t.Errorf("assign from the pool after unassign = %d, %v", r, err)
		}
		want := []string{LeadEventCreated, LeadEventAssigned, LeadEventReassigned, LeadEventPooled, LeadEventAssigned}
		if got := leadKinds(t, ctx, s, id); !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
		// A closed lead cannot be taken.
		if err := s.SetLeadStatus(ctx, id, LeadWon, 0, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AssignLeadWithin(ctx, LeadAssignment{LeadID: id, FromRepID: rita, ToRepID: sam, At: at}); !errors.Is(err, ErrAssignmentLost) {
			t.Errorf("reassign a won lead: %v", err)
		}
	})
}

func TestAssignLeadWithinCapacity(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		rep, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net", Active: true, Capacity: 3})
		var ids []int64
		for i := range 10 {
			id, _, err := s.CreateLead(ctx, &Lead{ExternalID: string(rune('a' + i)), Source: "api"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		var (
			wg         sync.WaitGroup
			mu         sync.Mutex
			won, lost  int
			unexpected []error
			assignOnce = func(id int64) {
				_, err := s.AssignLeadWithin(context.Background(), LeadAssignment{LeadID: id, FromPool: true, ToRepID: rep, Capacity: 3, At: time.Now()})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					won++
				case errors.Is(err, ErrAssignmentLost):
					lost++
				default:
					unexpected = append(unexpected, err)
				}
			}
		)
		for _, id := range ids {
			wg.Go(func() { assignOnce(id) })
		}
		wg.Wait()
		if len(unexpected) > 0 || won != 3 || lost != 7 {
			t.Errorf("won %d lost %d errors %v; want 3 won, 7 lost to capacity", won, lost, unexpected)
		}
		counts, err := s.OpenLeadCounts(ctx, []int64{rep, rep + 100})
		if err != nil || len(counts) != 1 || counts[rep] != 3 {
			t.Errorf("open counts = %v, %v; want {%d: 3}", counts, err, rep)
		}
		if counts, err := s.OpenLeadCounts(ctx, nil); err != nil || len(counts) != 0 {
			t.Errorf("open counts of nobody = %v, %v", counts, err)
		}
	})
}

func TestPoolNewLead(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		at := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
		id, _, _ := s.CreateLead(ctx, &Lead{ContactEmail: "a@acme.example", Source: "email"})
		for range 2 { // once only
			if err := s.PoolNewLead(ctx, id, "nobody eligible", at); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := leadKinds(t, ctx, s, id), []string{LeadEventCreated, LeadEventPooled}; !slices.Equal(got, want) {
			t.Errorf("events %v, want %v", got, want)
		}
		if r, _ := s.LeadRound(ctx, id); r != 1 {
			t.Errorf("round = %d, want 1", r)
		}
		// Not for a lead that was assigned before.
		rep, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net", Active: true})
		other, _, _ := s.CreateLead(ctx, &Lead{ContactEmail: "b@acme.example", Source: "email"})
		if _, err := s.AssignLeadWithin(ctx, LeadAssignment{LeadID: other, FromPool: true, ToRepID: rep, At: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.UnassignLead(ctx, other, rep, "", at); err != nil {
			t.Fatal(err)
		}
		if err := s.PoolNewLead(ctx, other, "nobody eligible", at); err != nil {
			t.Fatal(err)
		}
		if r, _ := s.LeadRound(ctx, other); r != 2 {
			t.Errorf("round after a second pooling attempt = %d, want 2", r)
		}
	})
}

func TestDuplicateLead(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		now := time.Now()
		create := func(email, domain string) *Lead {
			l := &Lead{ContactEmail: email, Domain: domain, Source: "email"}
			if _, _, err := s.CreateLead(ctx, l); err != nil {
				t.Fatal(err)
			}
			return l
		}
		first := create("ann@acme.example", "acme.example")
		closed := create("bob@beta.example", "beta.example")
		if err := s.SetLeadStatus(ctx, closed.ID, LeadLost, 0, "no budget"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			lead   *Lead
			domain string
			since  time.Time
			want   int64
		}{
			{"same email, any case", create("ANN@acme.example", ""), "", now.Add(-time.Hour), first.ID},
			{"same domain", create("cid@acme.example", ""), "acme.example", now.Add(-time.Hour), first.ID},
			{"same domain, domain not given", create("dee@acme.example", ""), "", now.Add(-time.Hour), 0},
			{"no email, same domain", create("", ""), "acme.example", now.Add(-time.Hour), first.ID},
			{"no email, no domain", create("", ""), "", now.Add(-time.Hour), 0},
			{"outside the window", create("ann@acme.example", ""), "", now.Add(time.Hour), 0},
			{"only a closed one", create("bob@beta.example", ""), "beta.example", now.Add(-time.Hour), 0},
			{"the oldest wins", create("eve@acme.example", "acme.example"), "acme.example", now.Add(-time.Hour), first.ID},
		}
		for _, tt := range tests {
			got, err := s.DuplicateLead(ctx, tt.lead, tt.domain, tt.since)
			if err != nil || got != tt.want {
				t.Errorf("%s: %d, %v; want %d", tt.name, got, err, tt.want)
			}
		}
		// Only older leads count.
		if got, err := s.DuplicateLead(ctx, first, "acme.example", now.Add(-time.Hour)); err != nil || got != 0 {
			t.Errorf("duplicate of the oldest = %d, %v", got, err)
		}
	})
}

// TestLeadWithRound: the lead and its round in one statement, as Lead
// and LeadRound read them.
func TestLeadWithRound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		at := time.Date(2026, 3, 10, 9, 30, 0, 0, time.UTC)
		rita, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net", Active: true})
		id, _, err := s.CreateLead(ctx, &Lead{ContactEmail: "a@acme.example", Source: "email"})
		if err != nil {
			t.Fatal(err)
		}
		check := func(wantRound int) {
			t.Helper()
			before := s.SQLiteCounts().Statements
			l, round, err := s.LeadWithRound(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if n := s.SQLiteCounts().Statements - before; s.dialect == SQLite && n != 1 {
				t.Errorf("%d statements, want 1", n)
			}
			want, _ := s.Lead(ctx, id)
			if !reflect.DeepEqual(l, want) || round != wantRound {
				t.Errorf("LeadWithRound = %+v, round %d\nwant %+v, round %d", l, round, want, wantRound)
			}
		}
		check(0)
		if _, err := s.AssignLeadWithin(ctx, LeadAssignment{LeadID: id, FromPool: true, ToRepID: rita, At: at}); err != nil {
			t.Fatal(err)
		}
		check(1)
		if _, err := s.UnassignLead(ctx, id, rita, "declined", at); err != nil {
			t.Fatal(err)
		}
		if err := s.AddLeadEvent(ctx, &LeadEvent{LeadID: id, Kind: "note", Note: "not a round"}); err != nil {
			t.Fatal(err)
		}
		check(2)
		if _, _, err := s.LeadWithRound(ctx, id+100); !errors.Is(err, ErrNotFound) {
			t.Errorf("a missing lead: %v, want ErrNotFound", err)
		}
	})
}
