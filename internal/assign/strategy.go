package assign

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"sync"
)

// Strategy names how a rep is chosen among the eligible candidates.
type Strategy string

// The strategies.
const (
	RoundRobin  Strategy = "round_robin"  // the candidate picked least recently
	Weighted    Strategy = "weighted"     // smooth weighted round robin
	LeastLoaded Strategy = "least_loaded" // lowest open/capacity, then least recently picked
)

// ParseStrategy checks a strategy name; "" is round_robin.
func ParseStrategy(s string) (Strategy, error) {
	switch st := Strategy(s); st {
	case "":
		return RoundRobin, nil
	case RoundRobin, Weighted, LeastLoaded:
		return st, nil
	}
	return "", fmt.Errorf("assign: unknown strategy %q (want round_robin, weighted or least_loaded)", s)
}

// Candidate is one eligible rep as a strategy sees it.
type Candidate struct {
	ID     int64
	Weight int     // >= 1
	Load   float64 // open/capacity, for least_loaded
}

// FormatLoad renders a load the way rotations compare it, so that every
// implementation sees exactly the same number.
func FormatLoad(l float64) string { return strconv.FormatFloat(l, 'g', 12, 64) }

// loadEpsilon makes loads that differ only by rounding equal.
const loadEpsilon = 1e-9

// State is a strategy's memory for one scope (team): a pick counter, when
// each rep was last picked, and the smooth-weighted current weights.
type State struct {
	Seq     int64
	Last    map[int64]int64
	Current map[int64]int64
}

// Choose picks one of cands (non-empty) by s, updates st and returns the
// chosen id. Ties go to the earlier candidate in cands, so callers shuffle
// cands to break ties fairly. It is the reference every Rotation must
// match.
func Choose(s Strategy, cands []Candidate, st *State) int64 {
	if st.Last == nil {
		st.Last = map[int64]int64{}
	}
	if st.Current == nil {
		st.Current = map[int64]int64{}
	}
	best := -1
	switch s {
	case Weighted:
		// nginx's smooth weighted round robin: every candidate gains its
		// weight, the largest current weight wins and gives back the total.
		var total int64
		for i, c := range cands {
			w := int64(max(c.Weight, 1))
			total += w
			st.Current[c.ID] += w
			if best < 0 || st.Current[c.ID] > st.Current[cands[best].ID] {
				best = i
			}
		}
		st.Current[cands[best].ID] -= total
	default:
		minLoad := math.Inf(1)
		if s == LeastLoaded {
			for _, c := range cands {
				minLoad = min(minLoad, roundLoad(c.Load))
			}
		}
		for i, c := range cands {
			if s == LeastLoaded && roundLoad(c.Load) > minLoad+loadEpsilon {
				continue
			}
			if best < 0 || st.Last[c.ID] < st.Last[cands[best].ID] {
				best = i
			}
		}
	}
	st.Seq++
	st.Last[cands[best].ID] = st.Seq
	return cands[best].ID
}

func roundLoad(l float64) float64 {
	v, _ := strconv.ParseFloat(FormatLoad(l), 64)
	return v
}

// Rotation holds strategy state shared by everyone assigning leads of a
// scope. Pick must be atomic with respect to other Picks on the same
// scope, including ones in other processes when the rotation is shared.
//
// A non-empty key makes Pick idempotent: while a key's earlier pick is
// still among cands, Pick returns it again without moving the rotation, so
// a retried or duplicated assignment of the same lead does not skew the
// shares.
type Rotation interface {
	Pick(ctx context.Context, scope string, s Strategy, key string, cands []Candidate) (int64, error)
}

// maxMemo bounds how many idempotency keys a MemoryRotation remembers.
const maxMemo = 100_000

// MemoryRotation is a Rotation for a single process. The zero value is
// ready to use.
type MemoryRotation struct {
	mu     sync.Mutex
	scopes map[string]*State
	memo   map[string]int64
}

// Pick implements Rotation.
func (m *MemoryRotation) Pick(_ context.Context, scope string, s Strategy, key string, cands []Candidate) (int64, error) {
	if len(cands) == 0 {
		return 0, ErrNoCandidates
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.scopes == nil {
		m.scopes = map[string]*State{}
		m.memo = map[string]int64{}
	}
	if key != "" {
		if id, ok := m.memo[scope+"\x00"+key]; ok {
			for _, c := range cands {
				if c.ID == id {
					return id, nil
				}
			}
		}
	}
	st := m.scopes[scope]
	if st == nil {
		st = &State{}
		m.scopes[scope] = st
	}
	id := Choose(s, cands, st)
	if key != "" {
		if len(m.memo) >= maxMemo { // forget old keys rather than grow forever
			clear(m.memo)
		}
		m.memo[scope+"\x00"+key] = id
	}
	return id, nil
}
