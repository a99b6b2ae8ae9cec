package lead

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"salesdesk/internal/assign"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// insertLeads creates n unassigned leads and returns their ids.
func insertLeads(t testing.TB, st *store.Store, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	for i := range n {
		id, _, err := st.CreateLead(ctx, &store.Lead{ContactEmail: fmt.Sprintf("c%d@load.test", i), Source: "bench"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = id
	}
	return ids
}

type loadCase struct {
	name       string
	strategy   assign.Strategy
	weights    []int
	capacities []int
	leads      int
}

// runLoad has workers services (one per simulated worker process, sharing
// the database and the Redis rotation) route every lead, each lead handed
// out twice as a duplicated task would be. It returns the store's DSN.
func runLoad(t testing.TB, d store.Dialect, c loadCase, workers int) (string, []*store.Rep, []int64, time.Duration) {
	t.Helper()
	ctx := context.Background()
	st, dsn := openStoreDSN(t, d)
	rdb := testenv.Redis(t, testenv.RedisDBAssign)
	var reps []*store.Rep
	for i, w := range c.weights {
		r := &store.Rep{Email: fmt.Sprintf("rep%d@desk.test", i), Name: fmt.Sprint(i), Active: true, Weight: w}
		if c.capacities != nil {
			r.Capacity = c.capacities[i]
		}
		if _, err := st.CreateRep(ctx, r); err != nil {
			t.Fatal(err)
		}
		reps = append(reps, r)
	}
	ids := insertLeads(t, st, c.leads)
	rot := NewRedisRotation(rdb, "", 0)
	work := make(chan int64, 2*len(ids))
	for _, id := range ids {
		work <- id
		work <- id // a duplicate delivery of the same lead:assign
	}
	close(work)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	start := time.Now()
	for w := range workers {
		svc, err := New(Deps{Store: st, Enqueuer: &taskSink{}, Rotation: rot, Seed: uint64(w + 1)},
			Options{Assign: assign.Config{Strategy: c.strategy}})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			for id := range work {
				if _, err := svc.Assign(ctx, id, 1, "load"); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return dsn, reps, ids, elapsed
}

// checkExactlyOnce returns assignments per rep after checking that every
// lead was assigned at most once (exactly once unless it is in the pool)
// and its row agrees with its history. It reads the database behind the
// store at dsn directly.
func checkExactlyOnce(t *testing.T, dsn string, ids []int64) (perRep map[int64]int, pooled int) {
	t.Helper()
	ctx := context.Background()
	perRep = map[int64]int{}
	rows, err := testenv.SQL(t, dsn).QueryContext(ctx, `
		SELECT l.id, l.status, COALESCE(l.rep_id, 0),
			(SELECT COUNT(*) FROM lead_events e WHERE e.lead_id = l.id AND e.kind = 'assigned'),
			(SELECT COALESCE(MAX(e.rep_id), 0) FROM lead_events e WHERE e.lead_id = l.id AND e.kind = 'assigned')
		FROM leads l`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := 0
	for rows.Next() {
		var id, rep, evRep int64
		var status string
		var n int
		if err := rows.Scan(&id, &status, &rep, &n, &evRep); err != nil {
			t.Fatal(err)
		}
		seen++
		switch {
		case status == store.LeadAssigned && n == 1 && rep == evRep:
			perRep[rep]++
		case status == store.LeadUnassigned && n == 0 && rep == 0:
			pooled++
		default:
			t.Fatalf("lead %d: status %s rep %d with %d assigned events (rep %d)", id, status, rep, n, evRep)
		}
	}
	if seen != len(ids) {
		t.Fatalf("saw %d leads, want %d", seen, len(ids))
	}
	return perRep, pooled
}

// TestConcurrentAssignment is item 4: 8 workers assign 10,000 leads at
// once against real Redis and each database. Every lead is assigned exactly
// once, round robin counts differ by at most one, weighted shares are
// within 1% of the weights, and capacity is never exceeded.
func TestConcurrentAssignment(t *testing.T) {
	n := 10_000
	if testing.Short() || raceEnabled {
		n = 1_000 // the full run is the default `go test`; see BenchmarkAssign for speed
	}
	k := n / 1000
	cases := []loadCase{
		{name: "round_robin", strategy: assign.RoundRobin, weights: []int{1, 1, 1, 1, 1, 1, 1}, leads: n},
		{name: "weighted", strategy: assign.Weighted, weights: []int{5, 3, 2}, leads: n},
		{name: "capacity", strategy: assign.LeastLoaded, weights: []int{1, 1, 1, 1}, capacities: []int{4 * k, 8 * k, 12 * k, 16 * k}, leads: n / 10},
	}
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				dsn, reps, ids, elapsed := runLoad(t, d, c, 8)
				t.Logf("%s %s: %d leads (each delivered twice) in %s", d, c.name, len(ids), elapsed.Round(time.Millisecond))
				perRep, pooled := checkExactlyOnce(t, dsn, ids)
				switch c.name {
				case "round_robin":
					lo, hi := math.MaxInt, 0
					for _, r := range reps {
						lo, hi = min(lo, perRep[r.ID]), max(hi, perRep[r.ID])
					}
					if hi-lo > 1 || pooled != 0 {
						t.Errorf("round robin counts %v differ by %d (pooled %d)", perRep, hi-lo, pooled)
					}
				case "weighted":
					total := 0
					for _, w := range c.weights {
						total += w
					}
					for i, r := range reps {
						share, want := float64(perRep[r.ID])/float64(len(ids)), float64(c.weights[i])/float64(total)
						if math.Abs(share-want) > 0.01 {
							t.Errorf("rep weight %d: share %.4f, want %.4f ± 0.01", c.weights[i], share, want)
						}
					}
				case "capacity":
					assigned := 0
					for i, r := range reps {
						if perRep[r.ID] > c.capacities[i] {
							t.Errorf("rep capacity %d holds %d", c.capacities[i], perRep[r.ID])
						}
						assigned += perRep[r.ID]
					}
					if capTotal := 40 * k; assigned != min(capTotal, len(ids)) || pooled != len(ids)-assigned {
						t.Errorf("assigned %d pooled %d of %d; want every slot filled and the rest pooled", assigned, pooled, len(ids))
					}
				}
			})
		}
	})
}

// BenchmarkAssign measures assignments per second with the database and
// the Redis rotation: 8 workers, round robin over 5 reps, without a
// capacity and with one (checked atomically per rep; the reps' open leads
// grow to b.N/5, so the count is the worst case).
func BenchmarkAssign(b *testing.B) {
	for _, d := range dialects {
		for _, capacity := range []int{0, 1_000_000} {
			name := string(d) + "/unlimited"
			if capacity > 0 {
				name = string(d) + "/capacity"
			}
			b.Run(name, func(b *testing.B) { benchAssign(b, d, capacity) })
		}
	}
}

func benchAssign(b *testing.B, d store.Dialect, capacity int) {
	ctx := context.Background()
	st := openStore(b, d)
	rdb := testenv.Redis(b, testenv.RedisDBAssign)
	for i := range 5 {
		if _, err := st.CreateRep(ctx, &store.Rep{Email: fmt.Sprintf("r%d@desk.test", i), Active: true, Weight: 1, Capacity: capacity}); err != nil {
			b.Fatal(err)
		}
	}
	ids := insertLeads(b, st, b.N)
	rot := NewRedisRotation(rdb, "", 0)
	work := make(chan int64, len(ids))
	for _, id := range ids {
		work <- id
	}
	close(work)
	b.ResetTimer()
	var wg sync.WaitGroup
	for w := range 8 {
		svc, err := New(Deps{Store: st, Enqueuer: &taskSink{}, Rotation: rot, Seed: uint64(w + 1)}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			for id := range work {
				if _, err := svc.Assign(ctx, id, 1, "bench"); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "assignments/s")
}
