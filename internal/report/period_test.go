package report

import (
	"testing"
	"time"
)

func TestNamed(t *testing.T) {
	now := at(25, 14, 30) // a Wednesday
	for _, tc := range []struct {
		name             string
		wantFrom, wantTo time.Time
		wantPrevFrom     time.Time
		wantPrevTo       time.Time
		wantKey          string
	}{
		{Today, at(25, 0, 0), now, at(24, 0, 0), at(24, 14, 30), "20261124T230000Z_20261125T133000Z"},
		{Yesterday, at(24, 0, 0), at(25, 0, 0), at(23, 0, 0), at(24, 0, 0), "2026-11-24"},
		{ThisWeek, at(23, 0, 0), now, at(16, 0, 0), at(18, 14, 30), "20261122T230000Z_20261125T133000Z"},
		{LastWeek, at(16, 0, 0), at(23, 0, 0), at(9, 0, 0), at(16, 0, 0), "2026-W47"},
		{Last7Days, at(19, 0, 0), at(26, 0, 0), at(12, 0, 0), at(19, 0, 0), "2026-11-19_2026-11-25"},
		{Last30Days, time.Date(2026, 10, 27, 0, 0, 0, 0, berlin), at(26, 0, 0), time.Date(2026, 9, 27, 0, 0, 0, 0, berlin),
			time.Date(2026, 10, 27, 0, 0, 0, 0, berlin), "2026-10-27_2026-11-25"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, ok := Named(tc.name, now, berlin)
			if !ok {
				t.Fatal("unknown name")
			}
			if !p.From.Equal(tc.wantFrom) || !p.To.Equal(tc.wantTo) {
				t.Errorf("period %v .. %v; want %v .. %v", p.From, p.To, tc.wantFrom, tc.wantTo)
			}
			prev := p.Previous()
			if !prev.From.Equal(tc.wantPrevFrom) || !prev.To.Equal(tc.wantPrevTo) {
				t.Errorf("previous %v .. %v; want %v .. %v", prev.From, prev.To, tc.wantPrevFrom, tc.wantPrevTo)
			}
			if got := p.Key(); got != tc.wantKey {
				t.Errorf("Key() = %q; want %q", got, tc.wantKey)
			}
		})
	}
	if _, ok := Named("last-year", now, berlin); ok {
		t.Error("unknown name accepted")
	}
}

func TestPreviousAcrossDST(t *testing.T) {
	// The week of 26 October 2026 is 169 hours long in Berlin (clocks go
	// back on the 25th, so the week before is the one that is longer).
	p := Week(time.Date(2026, 10, 28, 12, 0, 0, 0, berlin), berlin)
	prev := p.Previous()
	if want := time.Date(2026, 10, 19, 0, 0, 0, 0, berlin); !prev.From.Equal(want) {
		t.Errorf("previous week starts %v; want %v", prev.From, want)
	}
	if got := len(prev.Days()); got != 7 {
		t.Errorf("previous week has %d days; want 7", got)
	}
	if got := prev.To.Sub(prev.From); got != 169*time.Hour {
		t.Errorf("previous week lasts %v; want 169h", got)
	}
}

func TestParseWeek(t *testing.T) {
	for _, tc := range []struct {
		week     string
		wantFrom time.Time
		wantErr  bool
	}{
		{"2026-W48", at(23, 0, 0), false},
		{"2026-W01", time.Date(2025, 12, 29, 0, 0, 0, 0, berlin), false},
		{"2025-W53", time.Time{}, true}, // 2025 has 52 weeks
		{"2026-W53", time.Date(2026, 12, 28, 0, 0, 0, 0, berlin), false},
		{"2020-W53", time.Date(2020, 12, 28, 0, 0, 0, 0, berlin), false},
		{"2026-48", time.Time{}, true},
		{"2026-W00", time.Time{}, true},
	} {
		t.Run(tc.week, func(t *testing.T) {
			p, err := ParseWeek(tc.week, berlin)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v; want error %v", err, tc.wantErr)
			}
			if err == nil && !p.From.Equal(tc.wantFrom) {
				t.Errorf("from %v; want %v", p.From, tc.wantFrom)
			}
		})
	}
}

func TestLabel(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Period
		want string
	}{
		{"day", Day(at(25, 9, 0), berlin), "Wed 25 Nov 2026"},
		{"week", Week(at(25, 9, 0), berlin), "Mon 23 Nov – Sun 29 Nov 2026"},
		{"across years", Period{From: time.Date(2026, 12, 28, 0, 0, 0, 0, berlin), To: time.Date(2027, 1, 4, 0, 0, 0, 0, berlin), Location: berlin},
			"Mon 28 Dec 2026 – Sun 3 Jan 2027"},
		{"part of a week", Period{From: at(23, 0, 0), To: at(25, 14, 30), Location: berlin}, "Mon 23 Nov – Wed 25 Nov 2026, 14:30"},
		{"part of a day", Period{From: at(25, 0, 0), To: at(25, 14, 30), Location: berlin}, "Wed 25 Nov 2026, 00:00–14:30"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Label(); got != tc.want {
				t.Errorf("Label() = %q; want %q", got, tc.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	now := at(25, 14, 30)
	for _, tc := range []struct {
		name     string
		wantFrom time.Time
		wantOK   bool
	}{
		{"yesterday", at(24, 0, 0), true},
		{"2026-11-20", at(20, 0, 0), true},
		{"2026-W47", at(16, 0, 0), true},
		{"2026-13-01", time.Time{}, false},
		{"../etc", time.Time{}, false},
		{"", time.Time{}, false},
	} {
		p, ok := Parse(tc.name, now, berlin)
		if ok != tc.wantOK || (ok && !p.From.Equal(tc.wantFrom)) {
			t.Errorf("Parse(%q) = %v .. %v, %v; want from %v, %v", tc.name, p.From, p.To, ok, tc.wantFrom, tc.wantOK)
		}
	}
}
