package routing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHeldOutAccuracy trains on the training split of the embedded
// examples and evaluates on the held-out split, which nothing trains on.
func TestHeldOutAccuracy(t *testing.T) {
	train, held := Split(DefaultExamples())
	m := testModel() // trained on the training split, DefaultTrainingExamples
	e := NewEvaluation()
	for _, ex := range held {
		in := TextInput(ex.Subject, ex.Text)
		e.Add(ex.Category, m.Classify(in.Subject, in.words()).Category)
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

// unseenFloor is the accuracy TestUnseenAccuracy demands on
// testdata/unseen.tsv: the measured accuracy of the shipped model minus a
// small margin (0.900 measured for the model of this commit; 0.892
// before mailparse became the one splitter and examples were read as the
// router reads mail), so that a change which makes the model generalise
// worse fails here even when the held-out split, written in the same hand
// as the training set, does not notice.
const unseenFloor = 0.85

// TestUnseenAccuracy evaluates the shipped model on testdata/unseen.tsv,
// mails written in styles and industries the training examples do not
// cover (terse mobile replies, long rambling mails, non-native English,
// forwarded chains, order numbers in every category). Nothing trains on
// that file; it measures how well the model generalises, not how well it
// remembers.
func TestUnseenAccuracy(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "unseen.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	unseen, err := ReadExamples(f)
	if err != nil {
		t.Fatal(err)
	}
	clf := testClassifier()
	e := NewEvaluation()
	for _, ex := range unseen {
		in := TextInput(ex.Subject, ex.Text)
		got := clf.Classify(in.Subject, in.words())
		e.Add(ex.Category, got.Category)
		if got.Category != ex.Category {
			t.Logf("want %s, got %s (%.2f): %.90q", ex.Category, got.Category, got.Confidence, ex.Text)
		}
	}
	var b strings.Builder
	if err := e.WriteReport(&b); err != nil {
		t.Fatal(err)
	}
	t.Logf("unseen set:\n%s", b.String())
	if acc := e.Accuracy(); acc < unseenFloor {
		t.Errorf("unseen accuracy %.3f < %.2f", acc, unseenFloor)
	}
}
