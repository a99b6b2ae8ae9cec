package lead

import (
	"context"
	"reflect"
	"testing"

	"salesdesk/internal/score"
	"salesdesk/internal/store"
)

// countingScoreStore counts the reads of the newest score model.
type countingScoreStore struct {
	ScoreStore
	latest int
}

func (c *countingScoreStore) LatestScoreModel(ctx context.Context) (*store.ScoreModel, error) {
	c.latest++
	return c.ScoreStore.LatestScoreModel(ctx)
}

// TestScorerKeepsModel: the model is read and decoded once while it is
// the newest, and a model stored later is used for the next lead.
func TestScorerKeepsModel(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		b := setup(t, d, Options{})
		cs := &countingScoreStore{ScoreStore: b.st}
		sc := NewScorer(cs)
		want := func(m *score.Model, id int64) score.Result {
			t.Helper()
			in, err := b.st.LeadScoreInput(b.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			return m.Score(score.Features(scoreInput(in)))
		}
		check := func(id int64, m *score.Model, reads int) {
			t.Helper()
			got, err := sc.Score(b.ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if w := want(m, id); !reflect.DeepEqual(got, w) {
				t.Errorf("lead %d: score %+v, want %+v", id, got, w)
			}
			if cs.latest != reads {
				t.Errorf("after lead %d: the model read %d times, want %d", id, cs.latest, reads)
			}
			l := b.reload(t, id)
			if !l.Scored || l.Score != got.Score {
				t.Errorf("lead %d stored score %d (scored %v), want %d", id, l.Score, l.Scored, got.Score)
			}
		}
		l1 := b.lead(t, "a@one.example", func(l *store.Lead) { l.Summary = "quote for 500 belts, urgent" })
		l2 := b.lead(t, "b@two.example")
		l3 := b.lead(t, "c@three.example", func(l *store.Lead) { l.Summary = "budget 20000 EUR, meeting next week" })
		check(l1.ID, score.Prior(), 1)
		check(l2.ID, score.Prior(), 1)

		learned := score.Prior()
		learned.Bias, learned.Examples, learned.Won = 1.5, 40, 20
		text, err := learned.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		if err := b.st.SaveScoreModel(b.ctx, &store.ScoreModel{Examples: 40, Won: 20, Model: text}); err != nil {
			t.Fatal(err)
		}
		decoded, err := score.Decode(text)
		if err != nil {
			t.Fatal(err)
		}
		check(l3.ID, decoded, 2)
		check(l1.ID, decoded, 2)
	})
}

// TestAssignStoresScore: with a scorer, Assign stores the lead's score
// with the assignment and returns it; without one it stores none.
func TestAssignStoresScore(t *testing.T) {
	forEachDialect(t, func(t *testing.T, d store.Dialect) {
		b := setup(t, d, Options{})
		b.rep(t, "rita@desk.example")
		svc, err := New(Deps{Store: b.st, Enqueuer: b.sink, Now: b.clock.Now, Seed: 1, Scorer: NewScorer(b.st)}, Options{RepCacheTTL: -1})
		if err != nil {
			t.Fatal(err)
		}
		l := b.lead(t, "a@one.example", func(l *store.Lead) { l.Summary = "quote for 500 belts, urgent" })
		want, stored, err := NewScorer(b.st).rate(b.ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		out, err := svc.Assign(b.ctx, l.ID, 1, "")
		if err != nil || !out.Assigned {
			t.Fatalf("Assign = %+v, %v; want assigned", out, err)
		}
		if out.Score == nil || !reflect.DeepEqual(*out.Score, want) {
			t.Errorf("outcome score %+v, want %+v", out.Score, want)
		}
		got := b.reload(t, l.ID)
		if !got.Scored || got.Score != stored.Score || got.ScoreFactors != stored.Factors || got.RepID == 0 {
			t.Errorf("stored lead: rep %d score %d (scored %v) factors %s; want %d %s", got.RepID, got.Score, got.Scored,
				got.ScoreFactors, stored.Score, stored.Factors)
		}
		if out.Lead.Score != got.Score || !out.Lead.Scored {
			t.Errorf("outcome lead score %d (scored %v), want %d", out.Lead.Score, out.Lead.Scored, got.Score)
		}

		plain := b.lead(t, "b@two.example")
		out, err = b.svc.Assign(b.ctx, plain.ID, 1, "")
		if err != nil || !out.Assigned || out.Score != nil || b.reload(t, plain.ID).Scored {
			t.Errorf("without a scorer: %+v, %v; want assigned and not scored", out, err)
		}
	})
}
