package assign

import (
	"context"
	"testing"
	"time"
)

func TestAvailability(t *testing.T) {
	now := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC) // Monday
	hours := WorkingHours{}
	hours, _ = ParseWorkingHours("mon-fri 09:00-17:00")
	tests := []struct {
		name         string
		rep          Rep
		respectHours bool
		want         Reason
	}{
		{"available", Rep{Active: true}, true, Available},
		{"inactive", Rep{Active: false}, true, Inactive},
		{"out of office", Rep{Active: true, OutOfOfficeUntil: now.Add(time.Hour)}, true, OutOfOffice},
		{"back from office", Rep{Active: true, OutOfOfficeUntil: now}, true, Available},
		{"at capacity", Rep{Active: true, Capacity: 3, Open: 3}, true, AtCapacity},
		{"below capacity", Rep{Active: true, Capacity: 3, Open: 2}, true, Available},
		{"unlimited", Rep{Active: true, Capacity: 0, Open: 1000}, true, Available},
		{"outside hours in tokyo", Rep{Active: true, Hours: hours, Location: mustLoc(t, "Asia/Tokyo")}, true, OutsideHours},
		{"hours ignored", Rep{Active: true, Hours: hours, Location: mustLoc(t, "Asia/Tokyo")}, false, Available},
		{"inside hours in london", Rep{Active: true, Hours: hours, Location: mustLoc(t, "Europe/London")}, true, Available},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.rep.Availability(now, tt.respectHours); got != tt.want {
				t.Errorf("Availability = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDecide(t *testing.T) {
	now := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	rep := func(id int64, email string, mod ...func(*Rep)) Rep {
		r := Rep{ID: id, Email: email, Active: true, Weight: 1}
		for _, m := range mod {
			m(&r)
		}
		return r
	}
	terr := func(ts ...string) func(*Rep) { return func(r *Rep) { r.Territories = ts } }
	skills := func(ss ...string) func(*Rep) { return func(r *Rep) { r.Skills = ss } }
	full := func(r *Rep) { r.Capacity, r.Open = 1, 1 }
	off := func(r *Rep) { r.Active = false }
	reps := []Rep{
		rep(1, "ann@x.test", terr("DE", "AT")),
		rep(2, "bob@x.test", terr("FR")),
		rep(3, "cid@x.test"),
		rep(4, "dan@x.test", skills("robotics")),
	}
	teams := []Team{{Name: "dach", Territories: []string{"de", "at", "ch"}, Members: []string{"ann@x.test", "cid@x.test"}}}
	tests := []struct {
		name      string
		cfg       Config
		reps      []Rep
		lead      Lead
		wantOneOf []int64 // empty: the pool
		wantScope string
		wantWhy   string
	}{
		{"owner sticky", Config{OwnerSticky: true}, reps, Lead{OwnerRepID: 2, Country: "DE"}, []int64{2}, DefaultScope, "owner"},
		{"owner not sticky", Config{}, reps, Lead{OwnerRepID: 2, Country: "DE"}, []int64{1}, DefaultScope, "round_robin"},
		{"owner unavailable falls through", Config{OwnerSticky: true}, []Rep{rep(1, "a", terr("DE")), rep(2, "b", off)}, Lead{OwnerRepID: 2, Country: "DE"}, []int64{1}, DefaultScope, "round_robin"},
		{"owner excluded falls through", Config{OwnerSticky: true}, []Rep{rep(1, "a"), rep(2, "b")}, Lead{OwnerRepID: 2, Exclude: []int64{2}}, []int64{1}, DefaultScope, "round_robin"},
		{"territory specialist", Config{}, reps, Lead{Country: "fr"}, []int64{2}, DefaultScope, "round_robin"},
		{"territory by domain", Config{}, []Rep{rep(1, "a", terr("acme.com")), rep(2, "b")}, Lead{Domain: "ACME.com"}, []int64{1}, DefaultScope, "round_robin"},
		{"specialist busy: generalist", Config{}, []Rep{rep(1, "a", terr("FR"), full), rep(2, "b"), rep(3, "c", terr("DE"))}, Lead{Country: "FR"}, []int64{2}, DefaultScope, "round_robin"},
		{"nobody covers: anyone", Config{}, []Rep{rep(1, "a", terr("FR")), rep(2, "b", terr("DE"))}, Lead{Country: "JP"}, []int64{1, 2}, DefaultScope, "round_robin"},
		{"skill", Config{}, reps, Lead{Skills: []string{"Robotics"}}, []int64{4}, DefaultScope, "round_robin"},
		{"skill holder unavailable: pool", Config{}, []Rep{rep(1, "a"), rep(4, "d", skills("robotics"), off)}, Lead{Skills: []string{"robotics"}}, nil, DefaultScope, ""},
		{"team", Config{Teams: teams, Strategy: Weighted}, reps, Lead{Country: "CH"}, []int64{1, 3}, "dach", "weighted"},
		{"team strategy", Config{Teams: []Team{{Name: "t", Strategy: LeastLoaded, Skills: []string{"robotics"}, Members: []string{"dan@x.test"}}}}, reps, Lead{Skills: []string{"robotics"}}, []int64{4}, "t", "least_loaded"},
		{"team prefers its specialist", Config{Teams: teams}, reps, Lead{Country: "DE"}, []int64{1}, "dach", "round_robin"},
		{"everyone unavailable", Config{}, []Rep{rep(1, "a", off), rep(2, "b", full)}, Lead{}, nil, DefaultScope, ""},
		{"excluded", Config{}, []Rep{rep(1, "a"), rep(2, "b")}, Lead{Exclude: []int64{1}}, []int64{2}, DefaultScope, "round_robin"},
		{"no reps", Config{}, nil, Lead{}, nil, DefaultScope, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := New(tt.cfg, &MemoryRotation{}, 1)
			d, err := a.Decide(context.Background(), tt.lead, tt.reps, now, "")
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.wantOneOf) == 0 {
				if d.RepID != 0 {
					t.Errorf("rep = %d, want the pool", d.RepID)
				}
			} else if !contains(tt.wantOneOf, d.RepID) {
				t.Errorf("rep = %d, want one of %v", d.RepID, tt.wantOneOf)
			}
			if d.Scope != tt.wantScope || d.Why != tt.wantWhy {
				t.Errorf("scope, why = %q, %q; want %q, %q", d.Scope, d.Why, tt.wantScope, tt.wantWhy)
			}
		})
	}
}

func contains(ids []int64, id int64) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

// Ties are broken by a seeded shuffle: across many fresh rotations, the
// first lead goes to each of several identical reps about equally often,
// not always to the lowest id or the first listed.
func TestDecideTiesAreFair(t *testing.T) {
	reps := []Rep{{ID: 1, Active: true}, {ID: 2, Active: true}, {ID: 3, Active: true}}
	for _, s := range []Strategy{RoundRobin, Weighted, LeastLoaded} {
		first := map[int64]int{}
		for seed := range uint64(600) {
			a := New(Config{Strategy: s}, &MemoryRotation{}, seed)
			d, err := a.Decide(context.Background(), Lead{}, reps, time.Now(), "")
			if err != nil {
				t.Fatal(err)
			}
			first[d.RepID]++
		}
		for id, n := range first {
			if n < 150 || n > 250 {
				t.Errorf("%s: rep %d got the first lead %d times of 600: %v", s, id, n, first)
			}
		}
	}
}

func TestDecideCapacityAndWeights(t *testing.T) {
	reps := []Rep{
		{ID: 1, Active: true, Weight: 3, Capacity: 30},
		{ID: 2, Active: true, Weight: 1, Capacity: 5},
	}
	a := New(Config{Strategy: Weighted}, &MemoryRotation{}, 7)
	ctx := context.Background()
	for i := 0; ; i++ {
		d, err := a.Decide(ctx, Lead{}, reps, time.Now(), "")
		if err != nil {
			t.Fatal(err)
		}
		if d.RepID == 0 {
			break
		}
		reps[d.RepID-1].Open++
		if i > 100 {
			t.Fatal("never reached the pool")
		}
	}
	if reps[0].Open != 30 || reps[1].Open != 5 {
		t.Errorf("open = %d, %d; want each at its capacity 30, 5", reps[0].Open, reps[1].Open)
	}
}

func TestDecideLeastLoaded(t *testing.T) {
	reps := []Rep{
		{ID: 1, Active: true, Capacity: 10, Open: 5}, // 0.5
		{ID: 2, Active: true, Capacity: 20, Open: 5}, // 0.25
		{ID: 3, Active: true, Capacity: 0, Open: 6},  // 6/20 = 0.3
	}
	a := New(Config{Strategy: LeastLoaded}, &MemoryRotation{}, 1)
	got := map[int64]int{}
	for range 30 {
		d, _ := a.Decide(context.Background(), Lead{}, reps, time.Now(), "")
		got[d.RepID]++
		for i := range reps {
			if reps[i].ID == d.RepID {
				reps[i].Open++
			}
		}
	}
	// 30 leads level the loads: 46 open over 10+20+20 is about 0.92 each
	// (the unlimited rep measured against the largest capacity, 20).
	for _, r := range reps {
		if l := r.Load(20); l < 0.85 || l > 1.0 {
			t.Errorf("rep %d ends at load %.2f (%v)", r.ID, l, got)
		}
	}
}
