package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestInspectMail(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.eml")
	bad := filepath.Join(dir, "bad.eml")
	if err := os.WriteFile(good, []byte("From: a@example.com\nSubject: Quote [SD-7]\n\nPlease quote 40 chairs.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("not mail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.eml")

	var out, errOut bytes.Buffer
	code := runInspectMail(context.Background(), []string{good, missing, bad}, stdio{in: strings.NewReader(""), out: &out, err: &errOut})
	if code != 1 {
		t.Errorf("exit code %d, want 1 (a file could not be read)", code)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), out.String())
	}
	var recs []map[string]any
	for _, l := range lines {
		var r map[string]any
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		recs = append(recs, r)
	}
	if recs[0]["subject"] != "Quote [SD-7]" || recs[0]["kind"] != "human" || recs[0]["new_text"] != "Please quote 40 chairs." {
		t.Errorf("first record: %v", recs[0])
	}
	if recs[1]["file"] != missing || recs[1]["error"] == nil {
		t.Errorf("missing file record: %v", recs[1])
	}
	if recs[2]["file"] != bad || recs[2]["error"] == nil {
		t.Errorf("unparseable record: %v", recs[2])
	}

	// stdin, all good: exit 0
	out.Reset()
	code = runInspectMail(context.Background(), nil, stdio{in: strings.NewReader("From: b@example.com\n\nhi\n"), out: &out, err: &errOut})
	if code != 0 || !strings.Contains(out.String(), `"from":{"address":"b@example.com"}`) {
		t.Errorf("stdin: code %d, output %s", code, out.String())
	}
}
