package lead

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
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

	// The model last decoded and the id it was stored under (0: the
	// prior), reused while it is the newest: a lead's score input names
	// the newest model's id, so a model saved by any process is used for
	// the next lead, and each lead is not one more read and decode.
	mu      sync.Mutex
	model   *score.Model
	modelID int64
}

// NewScorer returns a Scorer.
func NewScorer(st ScoreStore) *Scorer { return &Scorer{st: st} }

// Model returns the newest stored model, or the prior.
func (s *Scorer) Model(ctx context.Context) (*score.Model, error) {
	m, _, err := s.latest(ctx)
	return m, err
}

// latest reads and decodes the newest stored model, or returns the prior
// (id 0), and keeps it for modelFor.
func (s *Scorer) latest(ctx context.Context) (*score.Model, int64, error) {
	var m *score.Model
	var id int64
	stored, err := s.st.LatestScoreModel(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
		m = score.Prior()
	case err != nil:
		return nil, 0, err
	default:
		if m, err = score.Decode(stored.Model); err != nil {
			return nil, 0, err
		}
		id = stored.ID
	}
	s.mu.Lock()
	s.model, s.modelID = m, id
	s.mu.Unlock()
	return m, id, nil
}

// modelFor returns the model stored as id (0: none stored, the prior):
// the one kept when it is that one, else the newest read anew.
func (s *Scorer) modelFor(ctx context.Context, id int64) (*score.Model, error) {
	s.mu.Lock()
	m, kept := s.model, s.modelID
	s.mu.Unlock()
	if m != nil && kept == id {
		return m, nil
	}
	return s.Model(ctx)
}

// Score rates lead id with the newest model, stores the score and its
// factors and returns them.
func (s *Scorer) Score(ctx context.Context, id int64) (score.Result, error) {
	res, stored, err := s.rate(ctx, id)
	if err != nil {
		return score.Result{}, err
	}
	if err := s.st.SetLeadScore(ctx, id, stored.Score, stored.Factors); err != nil {
		return score.Result{}, err
	}
	return res, nil
}

// rate is Score without storing: the result, and the score and factors
// as the lead keeps them.
func (s *Scorer) rate(ctx context.Context, id int64) (score.Result, store.LeadScore, error) {
	in, err := s.st.LeadScoreInput(ctx, id)
	if err != nil {
		return score.Result{}, store.LeadScore{}, err
	}
	m, err := s.modelFor(ctx, in.ModelID)
	if err != nil {
		return score.Result{}, store.LeadScore{}, err
	}
	res := m.Score(score.Features(scoreInput(in)))
	factors, err := json.Marshal(res.Factors)
	if err != nil {
		return score.Result{}, store.LeadScore{}, fmt.Errorf("lead: encode score factors: %w", err)
	}
	return res, store.LeadScore{Score: res.Score, Factors: string(factors)}, nil
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
