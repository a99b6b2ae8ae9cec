package routing

import (
	"strings"
	"testing"
)

// TestHeldOutAccuracy trains on the training split of the embedded
// examples and evaluates on the held-out split, which nothing trains on.
func TestHeldOutAccuracy(t *testing.T) {
	train, held := Split(DefaultExamples())
	m := Train(train, TrainOptions{})
	e := NewEvaluation()
	for _, ex := range held {
		e.Add(ex.Category, m.Classify(ex.Subject, ex.Text).Category)
	}
	var b strings.Builder
	if err := e.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("held-out split (%d train, %d held out):\n%s", len(train), len(held), b.String())
	if acc := e.Accuracy(); acc < 0.90 {
		t.Errorf("held-out accuracy %.3f < 0.90", acc)
	}
	for _, c := range Categories() {
		if r := e.Recall(c); r < 0.80 {
			t.Errorf("recall of %s %.3f < 0.80", c, r)
		}
	}
}
