package mailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderEveryLanguageBytes renders every golden case in every language
// the renderer has (a template without a language's version falls back to
// English, as RenderIn does), with every renderer option set (team phone
// and hours, a non-UTC time zone), and compares subject, text and HTML
// byte for byte with testdata/render_every_language.txt (-update rewrites
// it). It guards the renderer's speed work: not one rendered byte may
// change.
func TestRenderEveryLanguageBytes(t *testing.T) {
	r, err := NewRenderer(RenderOptions{Team: "Acme Sales Support", TeamPhone: "+49 421 555 0100",
		TeamHours: "Mon-Fri 08:00-17:00 CET", Location: zone("Europe/Berlin")})
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	n := 0
	for _, lang := range r.Languages() {
		for _, tc := range goldenCases() {
			got, used, err := r.RenderIn(tc.template, lang, inLanguage(tc.name, lang, tc.data))
			if err != nil {
				t.Fatalf("%s.%s: %v", tc.name, lang, err)
			}
			n++
			all.WriteString("=== " + tc.name + " in " + lang + " (rendered in " + used + ")\nSubject: " + got.Subject +
				"\n--- text ---\n" + got.Text + "--- html ---\n" + got.HTML + "=== end\n")
		}
	}
	if n < 100 {
		t.Fatalf("only %d renderings", n)
	}
	path := filepath.Join("testdata", "render_every_language.txt")
	if *update {
		if err := os.WriteFile(path, []byte(all.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if got := all.String(); got != string(want) {
		gl, wl := strings.Split(got, "\n"), strings.Split(string(want), "\n")
		for i := range min(len(gl), len(wl)) {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\ngot  %q\nwant %q", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s differs in length: got %d lines, want %d", path, len(gl), len(wl))
	}
}

// benchmarkRender renders golden case name in language lang.
func benchmarkRender(b *testing.B, name, lang string) {
	r, err := NewRenderer(RenderOptions{Team: "Acme Sales Support"})
	if err != nil {
		b.Fatal(err)
	}
	for _, tc := range goldenCases() {
		if tc.name != name {
			continue
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := r.RenderIn(tc.template, lang, tc.data); err != nil {
				b.Fatal(err)
			}
		}
		return
	}
	b.Fatalf("no golden case %s", name)
}

func BenchmarkRenderOrderStatus(b *testing.B)   { benchmarkRender(b, "order_status", "en") }
func BenchmarkRenderOrderStatusDE(b *testing.B) { benchmarkRender(b, "order_status", "de") }
func BenchmarkRenderAck(b *testing.B)           { benchmarkRender(b, "ack", "en") }
func BenchmarkRenderAckDE(b *testing.B)         { benchmarkRender(b, "ack", "de") }
