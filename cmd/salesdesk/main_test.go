package main

import (
	"os"
	"sync"
	"testing"

	"salesdesk/internal/routing"
)

// TestMain trains the default model once for the whole test binary: every
// process start (startApp, setupDesk, the classify command) would otherwise
// train the same model from the same embedded examples again, seconds each
// under -race. A start with stored examples (extra) still trains its own.
// The model is immutable after training (a retrain swaps in a new one), so
// the classifiers can share it.
func TestMain(m *testing.M) {
	trained := sync.OnceValue(func() *routing.Model { return routing.DefaultClassifier(nil).Model() })
	defaultClassifier = func(extra []routing.Example) *routing.Classifier {
		if len(extra) > 0 {
			return routing.DefaultClassifier(extra)
		}
		return routing.NewClassifier(trained(), routing.DefaultTrainingExamples(), routing.DefaultTrainOptions())
	}
	os.Exit(m.Run())
}
