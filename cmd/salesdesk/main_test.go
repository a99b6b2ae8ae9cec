package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"

	"salesdesk/internal/proc"
	"salesdesk/internal/routing"
)

// TestMain trains the default model once for the whole test binary: every
// process start (startApp, setupDesk, the classify command) would otherwise
// train the same model from the same embedded examples again, seconds each
// under -race. A start with stored examples (extra) still trains its own.
// The model is immutable after training (a retrain swaps in a new one), so
// the classifiers can share it. It also owns the directory the salesdesk
// binary is built into, once, for the tests that run it as a process.
func TestMain(m *testing.M) {
	trained := sync.OnceValue(func() *routing.Model { return routing.DefaultClassifier(nil).Model() })
	defaultClassifier = func(extra []routing.Example) *routing.Classifier {
		if len(extra) > 0 {
			return routing.DefaultClassifier(extra)
		}
		return routing.NewClassifier(trained(), routing.DefaultTrainingExamples(), routing.DefaultTrainOptions())
	}
	dir, err := os.MkdirTemp("", "salesdesk-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// binDir holds the salesdesk binary that salesdeskBinary builds.
var binDir string

var buildBinary = sync.OnceValues(func() (string, error) { return proc.Build(context.Background(), binDir) })

// salesdeskBinary returns the salesdesk binary of this module, built on
// the first call of the test binary: the tests that run `salesdesk run`
// as a process share it instead of each linking their own.
func salesdeskBinary(t *testing.T) string {
	t.Helper()
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}
