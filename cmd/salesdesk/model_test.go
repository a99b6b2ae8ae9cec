package main

import (
	"context"
	"testing"
	"time"
)

// fakeExampleClock is a store whose examples last changed at at.
type fakeExampleClock struct{ at time.Time }

func (f *fakeExampleClock) RoutingExamplesUpdatedAt(context.Context) (time.Time, error) {
	return f.at, nil
}

// TestModelTrainer: the routing:retrain task always trains; the periodic
// check trains only on a change the model has not learned, so a label the
// task trained on is not trained on twice in the same worker.
func TestModelTrainer(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	clock := &fakeExampleClock{at: t0}
	builds := 0
	m := newModelTrainer(clock, func(context.Context) error { builds++; return nil }, t0)

	if trained, err := m.retrainIfNew(ctx); err != nil || trained || builds != 0 {
		t.Fatalf("nothing new: trained %v, %v, builds %d", trained, err, builds)
	}
	clock.at = t0.Add(time.Second) // a label
	if err := m.retrain(ctx); err != nil || builds != 1 {
		t.Fatalf("retrain task: %v, builds %d, want 1", err, builds)
	}
	if trained, err := m.retrainIfNew(ctx); err != nil || trained || builds != 1 {
		t.Errorf("periodic check after the task: trained %v, %v, builds %d, want no second build", trained, err, builds)
	}
	clock.at = t0.Add(2 * time.Second) // a label in another process, no task here
	if trained, err := m.retrainIfNew(ctx); err != nil || !trained || builds != 2 {
		t.Errorf("periodic check after a new label: trained %v, %v, builds %d, want 2", trained, err, builds)
	}
}
