package assign

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestChooseWeightedIsSmooth(t *testing.T) {
	// nginx's documented sequence for weights {5, 1, 1}: a a b a c a a.
	cands := []Candidate{{ID: 1, Weight: 5}, {ID: 2, Weight: 1}, {ID: 3, Weight: 1}}
	var st State
	var got []int64
	for range 7 {
		got = append(got, Choose(Weighted, cands, &st))
	}
	want := []int64{1, 1, 2, 1, 3, 1, 1}
	if !slices.Equal(got, want) {
		t.Errorf("picks = %v, want %v", got, want)
	}
}

func TestChooseShares(t *testing.T) {
	tests := []struct {
		name     string
		strategy Strategy
		weights  []int
		n        int
		want     []int // exact counts
	}{
		{"round robin even", RoundRobin, []int{1, 1, 1, 1}, 1000, []int{250, 250, 250, 250}},
		{"round robin ignores weights", RoundRobin, []int{5, 1, 1}, 9, []int{3, 3, 3}},
		{"weighted 5:3:2", Weighted, []int{5, 3, 2}, 1000, []int{500, 300, 200}},
		{"weighted 1:1", Weighted, []int{1, 1}, 10, []int{5, 5}},
		{"weighted zero counts as one", Weighted, []int{0, 1}, 10, []int{5, 5}},
		{"least loaded equal loads rotates", LeastLoaded, []int{1, 1, 1}, 30, []int{10, 10, 10}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cands := make([]Candidate, len(tt.weights))
			for i, w := range tt.weights {
				cands[i] = Candidate{ID: int64(i + 1), Weight: w}
			}
			var st State
			got := make([]int, len(cands))
			for range tt.n {
				got[Choose(tt.strategy, cands, &st)-1]++
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("counts = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChooseLeastLoaded(t *testing.T) {
	cands := []Candidate{{ID: 1, Load: 0.5}, {ID: 2, Load: 0.2}, {ID: 3, Load: 0.2 + 1e-15}}
	st := State{Seq: 5, Last: map[int64]int64{2: 5}}
	if got := Choose(LeastLoaded, cands, &st); got != 3 {
		t.Errorf("pick = %d, want 3 (equal load, picked less recently than 2)", got)
	}
	if got := Choose(LeastLoaded, cands, &st); got != 2 {
		t.Errorf("second pick = %d, want 2", got)
	}
}

func TestRoundRobinAcrossChangingCandidates(t *testing.T) {
	// A rep who was unavailable for a while rejoins at the back of the
	// line rather than being flooded or starved.
	var st State
	all := []Candidate{{ID: 1}, {ID: 2}, {ID: 3}}
	counts := map[int64]int{}
	for i := range 300 {
		c := all
		if i%3 == 0 {
			c = all[:2] // rep 3 unavailable every third lead
		}
		counts[Choose(RoundRobin, c, &st)]++
	}
	for id, n := range counts {
		if n < 99 || n > 101 {
			t.Errorf("rep %d got %d of 300, want about 100 (%v)", id, n, counts)
		}
	}
}

func TestMemoryRotationIdempotentKey(t *testing.T) {
	var r MemoryRotation
	ctx := context.Background()
	cands := []Candidate{{ID: 1}, {ID: 2}}
	a, _ := r.Pick(ctx, "s", RoundRobin, "lead:1:1", cands)
	b, _ := r.Pick(ctx, "s", RoundRobin, "lead:1:1", cands)
	if a != b {
		t.Fatalf("same key picked %d then %d", a, b)
	}
	c, _ := r.Pick(ctx, "s", RoundRobin, "lead:2:1", cands)
	if c == a {
		t.Errorf("next lead got the same rep %d: the repeated key moved the rotation", c)
	}
	// The remembered rep is no longer a candidate: pick afresh.
	d, _ := r.Pick(ctx, "s", RoundRobin, "lead:1:1", []Candidate{{ID: 3}})
	if d != 3 {
		t.Errorf("pick = %d, want 3", d)
	}
	if _, err := r.Pick(ctx, "s", RoundRobin, "", nil); err == nil {
		t.Error("no candidates: want error")
	}
}

func TestParseStrategy(t *testing.T) {
	for _, s := range []string{"", "round_robin", "weighted", "least_loaded"} {
		if _, err := ParseStrategy(s); err != nil {
			t.Errorf("ParseStrategy(%q): %v", s, err)
		}
	}
	if _, err := ParseStrategy("seniority"); err == nil {
		t.Error("ParseStrategy(seniority): want error")
	}
}

func BenchmarkChooseWeighted(b *testing.B) {
	cands := make([]Candidate, 20)
	for i := range cands {
		cands[i] = Candidate{ID: int64(i + 1), Weight: rand.IntN(5) + 1}
	}
	var st State
	for b.Loop() {
		Choose(Weighted, cands, &st)
	}
}
