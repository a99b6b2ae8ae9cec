package mailparse

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// corpusDir is the shared corpus of real-world mail, used in place.
var corpusDir = filepath.Join("..", "..", "..", "shared", "testdata", "mail")

type corpusMessage struct {
	name string // path under corpusDir, with "#n" for mbox members
	raw  []byte
}

var (
	corpusOnce sync.Once
	corpus     []corpusMessage
	corpusErr  error
)

// loadCorpus reads every message under corpusDir once, splitting mbox
// files on their "From " separator lines.
func loadCorpus(tb testing.TB) []corpusMessage {
	tb.Helper()
	corpusOnce.Do(func() {
		corpusErr = filepath.WalkDir(corpusDir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(corpusDir, path)
			if rel == "PROVENANCE.tsv" || rel == "README.md" || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			if isMbox(rel) {
				for i, m := range splitMbox(raw) {
					corpus = append(corpus, corpusMessage{name: rel + "#" + itoa(i), raw: m})
				}
				return nil
			}
			corpus = append(corpus, corpusMessage{name: rel, raw: raw})
			return nil
		})
	})
	if corpusErr != nil {
		if errors.Is(corpusErr, os.ErrNotExist) && os.Getenv("CI") == "" {
			tb.Skipf("shared corpus not found at %s", corpusDir)
		}
		tb.Fatalf("load corpus: %v", corpusErr)
	}
	if len(corpus) == 0 {
		tb.Fatalf("no messages under %s", corpusDir)
	}
	return corpus
}

func isMbox(rel string) bool {
	base := filepath.Base(rel)
	return strings.HasSuffix(base, ".mbox.txt") || strings.HasPrefix(base, "mbox-")
}

var mboxSeparator = regexp.MustCompile(`(?m)^(\x{FEFF})?From \S.*\n[A-Za-z-]+:`)

// splitMbox splits an mbox on "From " lines that start a message (a line
// after a blank line, or the first line).
func splitMbox(raw []byte) [][]byte {
	var starts []int
	for _, loc := range mboxSeparator.FindAllIndex(raw, -1) {
		at := loc[0]
		if at == 0 || bytes.HasSuffix(raw[:at], []byte("\n\n")) || bytes.HasSuffix(raw[:at], []byte("\r\n\r\n")) {
			starts = append(starts, at)
		}
	}
	if len(starts) == 0 {
		return [][]byte{raw}
	}
	var out [][]byte
	for i, s := range starts {
		end := len(raw)
		if i+1 < len(starts) {
			end = starts[i+1]
		}
		out = append(out, raw[s:end])
	}
	return out
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestCorpusParses parses every shared message: each parses or returns a
// clean error, and never panics.
func TestCorpusParses(t *testing.T) {
	msgs := loadCorpus(t)
	kinds := map[Kind]int{}
	var failed, warned int
	for _, cm := range msgs {
		m, err := Parse(cm.raw, Options{})
		if err != nil {
			if errors.Is(err, errInternal) {
				t.Errorf("%s: %v", cm.name, err)
			}
			if !errors.Is(err, ErrNotMail) && !errors.Is(err, ErrTooComplex) {
				t.Errorf("%s: error not wrapping ErrNotMail or ErrTooComplex: %v", cm.name, err)
			}
			failed++
			t.Logf("%s: %v", cm.name, err)
			continue
		}
		if !m.Kind.Valid() {
			t.Errorf("%s: invalid kind %q", cm.name, m.Kind)
		}
		kinds[m.Kind]++
		if len(m.Warnings) > 0 {
			warned++
		}
		if testing.Verbose() && os.Getenv("MAILPARSE_DUMP") != "" {
			t.Logf("%s: kind=%s from=%q subj=%q text=%d att=%d warn=%q", cm.name, m.Kind, m.From.Address, m.Subject, len(m.Text), len(m.Attachments), m.Warnings)
		}
	}
	var ks []string
	for k, n := range kinds {
		ks = append(ks, string(k)+"="+itoa(n))
	}
	sort.Strings(ks)
	t.Logf("%d messages: %d errors, %d with warnings, kinds %s", len(msgs), failed, warned, strings.Join(ks, " "))
}
