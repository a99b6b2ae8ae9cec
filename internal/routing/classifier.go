package routing

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Classifier holds the current model and swaps in a retrained one without
// a restart. It is safe for concurrent use: Classify never waits for a
// Reload.
type Classifier struct {
	model atomic.Pointer[Model]
	base  []Example
	opts  TrainOptions
	mu    sync.Mutex // serialises Reload
}

// NewClassifier returns a classifier over m. base are the examples every
// Reload trains on besides the new ones (usually [DefaultTrainingExamples]);
// o are the training options Reload uses.
func NewClassifier(m *Model, base []Example, o TrainOptions) *Classifier {
	c := &Classifier{base: base, opts: o}
	c.model.Store(m)
	return c
}

// DefaultTrainingExamples returns the training split of the embedded
// example set. The held-out split is left out so that its accuracy stays an
// honest measure of the shipped model.
func DefaultTrainingExamples() []Example {
	train, _ := Split(DefaultExamples())
	return train
}

// DefaultClassifier trains a model on [DefaultTrainingExamples] plus extra
// (labels humans gave in triage, for example) and returns a classifier
// that retrains on the same base.
func DefaultClassifier(extra []Example) *Classifier {
	o := DefaultTrainOptions()
	base := DefaultTrainingExamples()
	return NewClassifier(Train(append(base[:len(base):len(base)], extra...), o), base, o)
}

// DefaultTrainOptions are the options of the default model: the defaults
// with calibrated confidences.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{CalibrationFolds: 4}
}

// Classify predicts the category of a mail with the current model; see
// [Model.Classify].
func (c *Classifier) Classify(subject, newText string) Prediction {
	return c.model.Load().Classify(subject, newText)
}

// Model returns the current model.
func (c *Classifier) Model() *Model {
	return c.model.Load()
}

// ErrNoExamples means Reload was given nothing to learn from.
var ErrNoExamples = errors.New("routing: no examples to train on")

// Reload trains a new model on the base examples plus extra and swaps it
// in atomically; classifications in flight finish on the old model.
// Reloads run one at a time.
func (c *Classifier) Reload(extra []Example) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	all := append(c.base[:len(c.base):len(c.base)], extra...)
	valid := 0
	for _, ex := range all {
		if ex.Category.Valid() {
			valid++
		}
	}
	if valid == 0 {
		return ErrNoExamples
	}
	c.model.Store(Train(all, c.opts))
	return nil
}

// Swap replaces the model, for one trained elsewhere or loaded from disk.
func (c *Classifier) Swap(m *Model) {
	c.model.Store(m)
}

// Threshold is the current model's calibrated threshold; see
// [Model.Threshold].
func (c *Classifier) Threshold() float64 {
	return c.model.Load().Threshold()
}
