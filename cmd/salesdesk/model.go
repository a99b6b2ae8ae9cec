package main

import (
	"context"
	"sync"
	"time"
)

// exampleClock tells when the stored routing examples last changed;
// *store.Store implements it.
type exampleClock interface {
	RoutingExamplesUpdatedAt(ctx context.Context) (time.Time, error)
}

// modelTrainer retrains the classifier and remembers the state of the
// stored examples it learned, so a change the routing:retrain task has
// already trained on is not trained on again by followExamples.
type modelTrainer struct {
	st      exampleClock
	reload  func(context.Context) error
	mu      sync.Mutex // one training at a time
	learned time.Time  // the examples' change time the model has learned
}

func newModelTrainer(st exampleClock, reload func(context.Context) error, learned time.Time) *modelTrainer {
	return &modelTrainer{st: st, reload: reload, learned: learned}
}

// retrain trains on the stored examples: the routing:retrain handler.
func (m *modelTrainer) retrain(ctx context.Context) error {
	_, err := m.train(ctx, true)
	return err
}

// retrainIfNew trains only when the examples changed after what the model
// learned, and reports whether it trained.
func (m *modelTrainer) retrainIfNew(ctx context.Context) (bool, error) {
	return m.train(ctx, false)
}

func (m *modelTrainer) train(ctx context.Context, always bool) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Read before training: an example stored during the training is
	// newer than this and is learned next time.
	changed, err := m.st.RoutingExamplesUpdatedAt(ctx)
	if err != nil {
		return false, err
	}
	if !always && !changed.After(m.learned) {
		return false, nil
	}
	if err := m.reload(ctx); err != nil {
		return false, err
	}
	if changed.After(m.learned) {
		m.learned = changed
	}
	return true, nil
}
