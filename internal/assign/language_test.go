package assign

import (
	"context"
	"testing"
	"time"
)

func TestSpeaks(t *testing.T) {
	tests := []struct {
		name      string
		languages []string
		language  string
		want      bool
	}{
		{name: "listed", languages: []string{"fr", "en"}, language: "fr", want: true},
		{name: "case", languages: []string{"FR"}, language: "fr", want: true},
		{name: "not listed", languages: []string{"de"}, language: "fr", want: false},
		{name: "none configured speaks english", language: "en", want: true},
		{name: "none configured, french", language: "fr", want: false},
		{name: "unknown language", languages: []string{"de"}, language: "", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Speaks(tt.languages, tt.language); got != tt.want {
				t.Errorf("Speaks(%v, %q) = %v, want %v", tt.languages, tt.language, got, tt.want)
			}
		})
	}
}

func TestDecidePrefersLanguage(t *testing.T) {
	now := time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	reps := []Rep{
		{ID: 1, Email: "ann@x.test", Active: true},
		{ID: 2, Email: "claire@x.test", Active: true, Languages: []string{"fr", "en"}},
		{ID: 3, Email: "dirk@x.test", Active: true, Languages: []string{"de", "nl"}},
		{ID: 4, Email: "off@x.test", Active: false, Languages: []string{"it"}},
	}
	tests := []struct {
		name string
		lead Lead
		cfg  Config
		want []int64 // any of these
	}{
		{name: "french to the french speaker", lead: Lead{ID: 1, Language: "fr"}, want: []int64{2}},
		{name: "dutch to the dutch speaker", lead: Lead{ID: 2, Language: "nl"}, want: []int64{3}},
		{name: "english to english speakers", lead: Lead{ID: 3, Language: "en"}, want: []int64{1, 2}},
		{name: "italian nobody available speaks: anyone", lead: Lead{ID: 4, Language: "it"}, want: []int64{1, 2, 3}},
		{name: "owner who does not speak it yields", lead: Lead{ID: 5, Language: "fr", OwnerRepID: 3},
			cfg: Config{OwnerSticky: true}, want: []int64{2}},
		{name: "owner who speaks it keeps it", lead: Lead{ID: 6, Language: "de", OwnerRepID: 3},
			cfg: Config{OwnerSticky: true}, want: []int64{3}},
		{name: "owner keeps a lead nobody speaks", lead: Lead{ID: 7, Language: "pt", OwnerRepID: 1},
			cfg: Config{OwnerSticky: true}, want: []int64{1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Strategy = RoundRobin
			for i := range 6 {
				a := New(cfg, &MemoryRotation{}, uint64(i))
				d, err := a.Decide(context.Background(), tt.lead, reps, now, "k")
				if err != nil {
					t.Fatal(err)
				}
				ok := false
				for _, w := range tt.want {
					ok = ok || d.RepID == w
				}
				if !ok {
					t.Fatalf("seed %d: rep %d, want one of %v", i, d.RepID, tt.want)
				}
			}
		})
	}
}
