package routing

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSeveralRequests routes mails that ask two things and counts how
// often both requests are found: the first as the category and the second
// among the secondary categories.
func TestSeveralRequests(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "multi.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRouter(RouterOptions{Classifier: testClassifier()})
	if err != nil {
		t.Fatal(err)
	}
	n, both, either := 0, 0, 0
	for _, line := range strings.Split(string(b), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		want := map[Category]bool{Category(cols[1]): true, Category(cols[2]): true}
		d := r.Route(TextInput("", Unescape(cols[0])))
		got := map[Category]bool{d.Category: true}
		for _, c := range d.Secondary {
			got[c] = true
		}
		n++
		found := 0
		for c := range want {
			if got[c] {
				found++
			}
		}
		if found == 2 {
			both++
		}
		if found >= 1 {
			either++
		}
		t.Logf("want %s+%s, got %s (%.2f) + %v triage=%v", cols[1], cols[2], d.Category, d.Confidence, d.Secondary, d.Triage)
	}
	t.Logf("several requests: %d mails, both found in %d, at least one in %d", n, both, either)
	if float64(both)/float64(n) < 0.6 {
		t.Errorf("both requests found in %d of %d mails, want at least 60%%", both, n)
	}
	// Mails that ask one thing should rarely gain a second request.
	extra, total := 0, 0
	for _, set := range readUnseenSets(t) {
		for _, ex := range set.examples {
			total++
			if d := r.Route(TextInput(ex.Subject, ex.Text)); len(d.Secondary) > 0 {
				extra++
			}
		}
	}
	t.Logf("single-request mails with a secondary request: %d of %d (%.3f)", extra, total, float64(extra)/float64(total))
	if float64(extra)/float64(total) > 0.15 {
		t.Errorf("%d of %d single-request mails got a secondary request, want at most 15%%", extra, total)
	}
}
