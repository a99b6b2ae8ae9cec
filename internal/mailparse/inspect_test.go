package mailparse

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestInspectGolden renders the synthetic messages in testdata/inspect as
// inspect JSON lines and compares them with testdata/inspect.golden.
func TestInspectGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "inspect", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no inspect samples: %v", err)
	}
	var out bytes.Buffer
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := Inspect(&out, filepath.Base(f), bytes.NewReader(raw), Options{}); err != nil {
			t.Fatalf("Inspect %s: %v", f, err)
		}
	}
	golden := filepath.Join("testdata", "inspect.golden")
	if *update {
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("read golden file (run with -update to create it): %v", err)
	}
	if !bytes.Equal(out.Bytes(), want) {
		t.Errorf("inspect output differs from %s (run with -update after checking):\n got: %s\nwant: %s", golden, out.Bytes(), want)
	}
	// every line is one JSON object
	for i, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Errorf("line %d is not JSON: %v", i+1, err)
		}
	}
}

func TestInspectMboxAndErrors(t *testing.T) {
	mbox := "From a@example.com Mon Mar  4 10:00:00 2024\nFrom: a@example.com\nSubject: one\n\nFrom Russia with love\n\n" +
		"From b@example.com Mon Mar  4 11:00:00 2024\nFrom: b@example.com\nSubject: two\n\nsecond\n"
	var out bytes.Buffer
	if err := Inspect(&out, "box", strings.NewReader(mbox), Options{}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"subject":"one"`) || !strings.Contains(lines[0], "From Russia with love") || !strings.Contains(lines[1], `"subject":"two"`) {
		t.Errorf("mbox output:\n%s", out.String())
	}

	out.Reset()
	err := Inspect(&out, "broken", iotest.ErrReader(errors.New("disk gone")), Options{})
	if err == nil || !strings.Contains(out.String(), `"error":"read: disk gone"`) {
		t.Errorf("read failure: err %v, output %s", err, out.String())
	}
}

func TestInspectTextLimit(t *testing.T) {
	raw := "From: a@example.com\nSubject: long\n\n" + strings.Repeat("ä", 5000) + "\n"
	rec := NewInspectRecord("f", mustParse(t, raw), nil)
	if n := len([]rune(rec.Text)); n != 2000 {
		t.Errorf("text has %d characters, want 2000", n)
	}
}
