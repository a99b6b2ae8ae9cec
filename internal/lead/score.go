package lead

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"salesdesk/internal/score"
	"salesdesk/internal/store"
)

// ScoreStore is what Scorer reads and writes; *store.Store implements it.
type ScoreStore interface {
	LeadScoreInput(ctx context.Context, id int64) (*store.LeadScoreInput, error)
	ClosedLeadScoreInputs(ctx context.Context, since time.Time, limit int) ([]store.LeadScoreInput, error)
	SetLeadScore(ctx context.Context, id int64, score int, factors string) error
	SaveScoreModel(ctx context.Context, m *store.ScoreModel) error
	LatestScoreModel(ctx context.Context) (*store.ScoreModel, error)
}

// MaxTrainingLeads bounds the closed leads one retraining reads (the
// newest).
const MaxTrainingLeads = 20000

// Scorer rates leads with the newest stored model, or the prior before
// one was learned, and retrains the model from the closed leads.
type Scorer struct {
	st ScoreStore
}

// NewScorer returns a Scorer.
func NewScorer(st ScoreStore) *Scorer { return &Scorer{st: st} }

// Model returns the newest stored model, or the prior.
func (s *Scorer) Model(ctx context.Context) (*score.Model, error) {
	m, err := s.st.LatestScoreModel(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return score.Prior(), nil
	}
	if err != nil {
		return nil, err
	}
	return score.Decode(m.Model)
}

// Score rates lead id, stores the score and its factors and returns them.
func (s *Scorer) Score(ctx context.Context, id int64) (score.Result, error) {
	m, err := s.Model(ctx)
	if err != nil {
		return score.Result{}, err
	}
	in, err := s.st.LeadScoreInput(ctx, id)
	if err != nil {
		return score.Result{}, err
	}
	res := m.Score(score.Features(scoreInput(in)))
	factors, err := json.Marshal(res.Factors)
	if err != nil {
		return score.Result{}, fmt.Errorf("lead: encode score factors: %w", err)
	}
	if err := s.st.SetLeadScore(ctx, id, res.Score, string(factors)); err != nil {
		return score.Result{}, err
	}
	return res, nil
}

// Retrain learns a model from the closed leads and stores it. Without
// enough history it stores nothing and returns the prior (learned=false).
func (s *Scorer) Retrain(ctx context.Context) (m *score.Model, learned bool, err error) {
	closed, err := s.st.ClosedLeadScoreInputs(ctx, time.Time{}, MaxTrainingLeads)
	if err != nil {
		return nil, false, err
	}
	examples := make([]score.Example, len(closed))
	for i := range closed {
		examples[i] = score.Example{X: score.Features(scoreInput(&closed[i])), Won: closed[i].Status == store.LeadWon}
	}
	m = score.Train(examples)
	if !m.Learned() {
		return m, false, nil
	}
	b, err := m.MarshalText()
	if err != nil {
		return nil, false, err
	}
	if err := s.st.SaveScoreModel(ctx, &store.ScoreModel{Examples: m.Examples, Won: m.Won, Model: b}); err != nil {
		return nil, false, err
	}
	return m, true, nil
}

func scoreInput(in *store.LeadScoreInput) score.Input {
	return score.Input{Subject: in.Subject, Text: in.Text, Category: in.Category, PastOrders: in.PastOrders,
		RevenueCents: in.RevenueCents, OpenOrders: in.OpenOrders, Replies: in.Replies, MeetingsSet: in.MeetingsSet}
}
