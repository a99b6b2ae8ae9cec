package lead

import (
	"context"
	"math/rand/v2"
	"testing"

	"salesdesk/internal/assign"
	"salesdesk/internal/testenv"
)

// The Lua script must pick exactly what assign.Choose picks, step by step,
// for every strategy and for changing candidate sets.
func TestRedisRotationMatchesChoose(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBAssign)
	ctx := context.Background()
	rot := NewRedisRotation(rdb, "test:", 0)
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, s := range []assign.Strategy{assign.RoundRobin, assign.Weighted, assign.LeastLoaded} {
		var st assign.State
		for step := range 500 {
			var cands []assign.Candidate
			for id := int64(1); id <= 6; id++ {
				if rnd.IntN(4) == 0 {
					continue // unavailable this time
				}
				cands = append(cands, assign.Candidate{ID: id, Weight: 1 + rnd.IntN(5), Load: float64(rnd.IntN(4)) / 3})
			}
			if len(cands) == 0 {
				continue
			}
			rnd.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
			want := assign.Choose(s, cands, &st)
			got, err := rot.Pick(ctx, string(s), s, "", cands)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("%s step %d: redis picked %d, Choose %d (cands %+v)", s, step, got, want, cands)
			}
		}
	}
}

func TestRedisRotationIdempotentKey(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBAssign)
	ctx := context.Background()
	rot := NewRedisRotation(rdb, "", 0)
	cands := []assign.Candidate{{ID: 1}, {ID: 2}}
	a, _ := rot.Pick(ctx, "s", assign.RoundRobin, "lead:1:1:0", cands)
	b, _ := rot.Pick(ctx, "s", assign.RoundRobin, "lead:1:1:0", cands)
	c, _ := rot.Pick(ctx, "s", assign.RoundRobin, "lead:2:1:0", cands)
	if a != b || c == a {
		t.Errorf("picks %d %d %d: a repeated key must return its pick and not move the rotation", a, b, c)
	}
	if err := rot.Reset(ctx, "s"); err != nil {
		t.Fatal(err)
	}
	if _, err := rot.Pick(ctx, "s", assign.RoundRobin, "", nil); err == nil {
		t.Error("no candidates: want error")
	}
}
