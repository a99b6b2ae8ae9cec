package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runClassifyT(t *testing.T, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runClassify(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &out, err: &errb})
	return out.String(), errb.String(), code
}

func TestClassifyEval(t *testing.T) {
	tsv := "where is my order 55120? it should have arrived monday\torder_status\n" +
		"please cancel my order 4471, we ordered twice by mistake\torder_change\textra column\n" +
		"Hi, where is my invoice for the last delivery? accounting needs it\tbilling\n" +
		"please stop emailing me, take me off your mailing list\tunsubscribe\n"
	path := filepath.Join(t.TempDir(), "eval.tsv")
	if err := os.WriteFile(path, []byte(tsv), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runClassifyT(t, "", "--eval", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	last := lines[len(lines)-1]
	if !regexp.MustCompile(`^accuracy=[01]\.\d{3} n=4$`).MatchString(last) {
		t.Fatalf("last line %q, want accuracy=0.NNN n=4\n%s", last, out)
	}
	if last != "accuracy=1.000 n=4" {
		t.Errorf("the default model misses plain mails: %s\n%s", last, out)
	}
	for _, want := range []string{"confusion matrix", "precision", "recall", "unsubscribe"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestClassifyText(t *testing.T) {
	in := "Could we meet next Tuesday at 3pm?\n\nPlease cancel order SO-48213 asap\\nThanks, Paul\n"
	out, errOut, code := runClassifyT(t, in, "--text")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got []classifyResultJSON
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var r classifyResultJSON
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("output is not JSON lines: %v\n%s", err, out)
		}
		got = append(got, r)
	}
	if len(got) != 2 {
		t.Fatalf("got %d results, want 2:\n%s", len(got), out)
	}
	if got[0].Category != "meeting_request" || got[0].Line != 1 || len(got[0].Entities.RequestedTimes) != 1 {
		t.Errorf("line 1: %+v", got[0])
	}
	if got[1].Category != "order_change" || got[1].Line != 3 || !got[1].Entities.Rush ||
		len(got[1].Entities.OrderNumbers) != 1 || got[1].Entities.OrderNumbers[0] != "SO-48213" {
		t.Errorf("line 3: %+v", got[1])
	}
	for _, r := range got {
		if r.Confidence <= 0 || r.Confidence > 1 {
			t.Errorf("confidence %v", r.Confidence)
		}
	}
}

// classifyResultJSON mirrors the output for decoding in tests.
type classifyResultJSON struct {
	File       string  `json:"file"`
	Line       int     `json:"line"`
	Error      string  `json:"error"`
	Category   string  `json:"category"`
	Confidence float64 `json:"confidence"`
	Triage     bool    `json:"triage"`
	Entities   struct {
		OrderNumbers   []string `json:"order_numbers"`
		Rush           bool     `json:"rush"`
		RequestedTimes []struct {
			Start string `json:"start"`
		} `json:"requested_times"`
		Signature struct {
			Name    string `json:"name"`
			Company string `json:"company"`
			Phone   string `json:"phone"`
		} `json:"signature"`
	} `json:"entities"`
}

const rawMail = "From: Anna Kowalski <anna@balticdrives.example>\r\n" +
	"To: sales@example.com\r\n" +
	"Subject: Re: Order confirmation PO 4500012345\r\n" +
	"Date: Wed, 12 Mar 2025 10:00:00 +0100\r\n" +
	"Message-ID: <a1@balticdrives.example>\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"Hello,\r\n\r\nwhen will PO 4500012345 be delivered? It was due to ship last week and we have no tracking number.\r\n\r\n" +
	"Kind regards\r\nAnna Kowalski\r\nProcurement, Baltic Drives Sp. z o.o.\r\nTel +48 58 123 45 67\r\n\r\n" +
	"On Tue, 4 Mar 2025 at 10:02, Sales <sales@example.com> wrote:\r\n> Please cancel nothing; your invoice is attached.\r\n"

func TestClassifyRawFiles(t *testing.T) {
	dir := t.TempDir()
	mailPath := filepath.Join(dir, "status.eml")
	if err := os.WriteFile(mailPath, []byte(rawMail), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runClassifyT(t, "", mailPath, filepath.Join(dir, "missing.eml"))
	if code != 1 {
		t.Errorf("exit %d with a missing file, want 1 (%s)", code, errOut)
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got:\n%s", out)
	}
	var r classifyResultJSON
	if err := json.Unmarshal([]byte(lines[0]), &r); err != nil {
		t.Fatal(err)
	}
	if r.File != mailPath || r.Category != "order_status" {
		t.Errorf("result %+v, want order_status for %s", r, mailPath)
	}
	// "PO 4500012345" is the customer's own purchase-order reference, not
	// one of our order numbers (routing.order_number_patterns): the answer
	// then covers the sender's recent orders instead of "not found".
	if len(r.Entities.OrderNumbers) != 0 {
		t.Errorf("order numbers %q, want none (a customer PO is not our order number)", r.Entities.OrderNumbers)
	}
	if s := r.Entities.Signature; s.Name != "Anna Kowalski" || s.Company != "Baltic Drives Sp. z o.o." || s.Phone != "+48 58 123 45 67" {
		t.Errorf("signature %+v", s)
	}
	var missing classifyResultJSON
	if err := json.Unmarshal([]byte(lines[1]), &missing); err != nil || missing.Error == "" {
		t.Errorf("missing file: %s (%v)", lines[1], err)
	}

	// stdin when no file.
	out, _, code = runClassifyT(t, rawMail)
	if code != 0 || !strings.Contains(out, `"category":"order_status"`) {
		t.Errorf("stdin: exit %d, %s", code, out)
	}
}

func TestClassifySaveAndLoadModel(t *testing.T) {
	path := filepath.Join(t.TempDir(), "model.gob")
	if _, errOut, code := runClassifyT(t, "", "--save-model", path); code != 0 {
		t.Fatalf("save: exit %d: %s", code, errOut)
	}
	out, errOut, code := runClassifyT(t, "please unsubscribe me from your newsletter\n", "--model", path, "--text")
	if code != 0 || !strings.Contains(out, `"category":"unsubscribe"`) {
		t.Errorf("load: exit %d, %s %s", code, out, errOut)
	}
	if _, _, code := runClassifyT(t, "", "--model", filepath.Join(t.TempDir(), "nope")); code != 1 {
		t.Errorf("missing model: exit %d, want 1", code)
	}
}

func TestClassifyUsage(t *testing.T) {
	if _, _, code := runClassifyT(t, "", "--bogus"); code != 2 {
		t.Errorf("unknown flag: exit %d, want 2", code)
	}
	if _, _, code := runClassifyT(t, "", "--min-confidence", "2"); code != 2 {
		t.Errorf("bad min-confidence: exit %d, want 2", code)
	}
	if _, _, code := runClassifyT(t, "", "-h"); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
}
