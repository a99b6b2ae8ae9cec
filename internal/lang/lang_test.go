package lang

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDetectShortMails measures detection on the one-to-three-sentence
// mails of the routing package's unseen sets, one file per language
// (unseen.<lang>.tsv), and holds it to 0.95 overall and 0.90 per language.
func TestDetectShortMails(t *testing.T) {
	d, err := NewDetector(nil)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := filepath.Glob(filepath.Join("..", "routing", "testdata", "unseen.*.tsv"))
	if err != nil || len(paths) < len(Supported) {
		t.Fatalf("want an unseen set per language, got %v (%v)", paths, err)
	}
	n, right := 0, 0
	for _, p := range paths {
		want := strings.Split(filepath.Base(p), ".")[1]
		texts := readTexts(t, p)
		r := 0
		for _, text := range texts {
			if got := d.Detect(text); got == want {
				r++
			} else {
				t.Logf("%s: got %s: %q", want, got, text)
			}
		}
		acc := float64(r) / float64(len(texts))
		t.Logf("%s: %d mails, accuracy %.3f", want, len(texts), acc)
		if acc < 0.90 {
			t.Errorf("%s: accuracy %.3f < 0.90", want, acc)
		}
		n += len(texts)
		right += r
	}
	acc := float64(right) / float64(n)
	t.Logf("all: %d mails, accuracy %.3f", n, acc)
	// The routing examples per language (lang_<code>.tsv) are a second,
	// larger sample of short mails in the same languages.
	ex, err := filepath.Glob(filepath.Join("..", "routing", "examples", "lang_*.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	en, exRight := 0, 0
	for _, p := range ex {
		want := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(p), "lang_"), ".tsv")
		for _, text := range readTexts(t, p) {
			en++
			if d.Detect(text) == want {
				exRight++
			}
		}
	}
	if en > 0 {
		t.Logf("routing examples in %d languages: %d mails, accuracy %.3f", len(ex), en, float64(exRight)/float64(en))
	}
	if acc < 0.95 {
		t.Errorf("accuracy %.3f < 0.95", acc)
	}
}

func readTexts(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		text, _, _ := strings.Cut(line, "\t")
		out = append(out, strings.ReplaceAll(text, `\n`, "\n"))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDetect(t *testing.T) {
	tests := []struct {
		name  string
		langs []string
		text  string
		want  string
	}{
		{name: "german", text: "Wo bleibt meine Bestellung? Sie sollte gestern ankommen.", want: "de"},
		{name: "french", text: "Bonjour, pouvez-vous m'envoyer un devis pour 200 pièces ?", want: "fr"},
		{name: "no letters", text: "12345 !!!", want: "en"},
		{name: "empty", text: "", want: "en"},
		{name: "restricted", langs: []string{"de", "en"}, text: "Bonjour, merci beaucoup", want: "de"},
		{name: "only one", langs: []string{"fr"}, text: "Where is my order?", want: "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := NewDetector(tt.langs)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "restricted" {
				// Only the configured languages are ever chosen.
				if got := d.Detect(tt.text); got != "de" && got != "en" {
					t.Errorf("Detect = %s, want de or en", got)
				}
				return
			}
			if got := d.Detect(tt.text); got != tt.want {
				t.Errorf("Detect(%q) = %s, want %s", tt.text, got, tt.want)
			}
		})
	}
}

func TestNewDetectorRejectsUnknown(t *testing.T) {
	if _, err := NewDetector([]string{"en", "xx"}); err == nil {
		t.Error("NewDetector accepted xx")
	}
	d, err := NewDetector([]string{"PT-br", "en"})
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Languages(); len(got) != 2 || got[0] != "pt" {
		t.Errorf("Languages = %v", got)
	}
}

func BenchmarkDetect(b *testing.B) {
	d, err := NewDetector(nil)
	if err != nil {
		b.Fatal(err)
	}
	text := "Guten Tag, laut Sendungsverfolgung ist das Paket seit Freitag im Verteilzentrum. Wann wird es zugestellt?"
	for b.Loop() {
		d.Detect(text)
	}
}

func TestName(t *testing.T) {
	for _, tc := range []struct{ code, name, foreign string }{
		{"de", "German", "German"},
		{"pt-BR", "Portuguese", "Portuguese"},
		{"FR", "French", "French"},
		{"en", "English", ""},
		{"", "", ""},
		{"sv", "sv", "sv"},
	} {
		if got := Name(tc.code); got != tc.name {
			t.Errorf("Name(%q) = %q, want %q", tc.code, got, tc.name)
		}
		if got := Foreign(tc.code); got != tc.foreign {
			t.Errorf("Foreign(%q) = %q, want %q", tc.code, got, tc.foreign)
		}
	}
	for _, code := range Supported {
		if Name(code) == code {
			t.Errorf("supported language %q has no name", code)
		}
	}
}
