package routing

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// unseenSet is one evaluation file under testdata that nothing trains on.
type unseenSet struct {
	name     string
	examples []Example
}

// readUnseenSets reads testdata/unseen*.tsv.
func readUnseenSets(t *testing.T) []unseenSet {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "unseen*.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	var out []unseenSet
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		ex, err := ReadExamples(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, unseenSet{name: filepath.Base(p), examples: ex})
	}
	return out
}

// TestUnseenSets reports, for every unseen set, accuracy, per-category
// recall and the share routed automatically at the default threshold and
// how many of those are right, and holds them to the targets of issue 16.
func TestUnseenSets(t *testing.T) {
	clf := DefaultClassifier(nil)
	thr := clf.Model().Threshold()
	t.Logf("default threshold %.2f (temperature %.2f)", thr, clf.Model().temperature)
	acc := map[string]float64{}
	for _, set := range readUnseenSets(t) {
		e := NewEvaluation()
		routed, routedRight := 0, 0
		for _, ex := range set.examples {
			in := TextInput(ex.Subject, ex.Text)
			p := clf.Classify(in.Subject, in.words())
			e.Add(ex.Category, p.Category)
			if p.Confidence >= thr {
				routed++
				if p.Category == ex.Category {
					routedRight++
				}
			}
			if p.Category != ex.Category && testing.Verbose() {
				t.Logf("%s: want %s, got %s (%.2f): %.80q", set.name, ex.Category, p.Category, p.Confidence, ex.Text)
			}
		}
		var recall strings.Builder
		for _, c := range Categories() {
			fmt.Fprintf(&recall, " %s=%.2f", shortName[c.index()], e.Recall(c))
		}
		cov := float64(routed) / float64(e.N)
		prec := float64(routedRight) / float64(max(routed, 1))
		t.Logf("%-16s n=%3d accuracy=%.3f routed=%.3f right-of-routed=%.3f recall:%s", set.name, e.N, e.Accuracy(), cov, prec, recall.String())
		acc[set.name] = e.Accuracy()
		if acc := e.Accuracy(); acc < 0.80 {
			t.Errorf("%s: accuracy %.3f < 0.80", set.name, acc)
		}
		if cov < 0.70 {
			t.Errorf("%s: routed automatically %.3f < 0.70", set.name, cov)
		}
		if prec < 0.90 {
			t.Errorf("%s: right of routed %.3f < 0.90", set.name, prec)
		}
	}
	// Each language within 0.05 of English on sets of the same style.
	en, ok := acc["unseen.en.tsv"]
	if !ok {
		t.Fatal("no unseen.en.tsv")
	}
	for name, a := range acc {
		if strings.Count(name, ".") == 2 && name != "unseen.en.tsv" {
			t.Logf("%s: %.3f, English %.3f, difference %+.3f", name, a, en, a-en)
			if a < en-0.05 {
				t.Errorf("%s: accuracy %.3f more than 0.05 below English %.3f", name, a, en)
			}
		}
	}
}
