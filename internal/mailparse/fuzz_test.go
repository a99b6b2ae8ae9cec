package mailparse

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that no input panics Parse and that what it returns
// keeps its invariants. Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add([]byte("From: a@example.com\nSubject: hi\n\nhello\n"))
	f.Add([]byte("From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, Options{MaxBytes: 1 << 20, MaxParts: 100, MaxDepth: 10})
		if err != nil {
			if errors.Is(err, errInternal) {
				t.Fatalf("internal error (a recovered panic): %v", err)
			}
			if !errors.Is(err, ErrNotMail) && !errors.Is(err, ErrTooComplex) {
				t.Fatalf("error %v wraps neither ErrNotMail nor ErrTooComplex", err)
			}
			return
		}
		if !m.Kind.Valid() {
			t.Fatalf("invalid kind %q", m.Kind)
		}
		if m.Kind == KindBounce && m.Bounce == nil {
			t.Fatal("bounce without BounceInfo")
		}
		// the reply split drops nothing and invents nothing
		for _, part := range []string{m.NewText, m.Quoted, m.Signature} {
			for _, line := range strings.Split(part, "\n") {
				if line = strings.TrimSpace(line); line != "" && !strings.Contains(m.Text, line) {
					t.Fatalf("line %q of the split is not in Text %q", line, m.Text)
				}
			}
		}
		if len(m.References) > maxReferences || len(ThreadKeys(m)) > maxReferences {
			t.Fatalf("%d references, %d thread keys", len(m.References), len(ThreadKeys(m)))
		}
		if len(m.Warnings) > maxWarnings {
			t.Fatalf("%d warnings", len(m.Warnings))
		}
		for _, a := range m.Attachments {
			if a.Size < 0 {
				t.Fatalf("attachment %q has size %d", a.Name, a.Size)
			}
		}
	})
}
