package lead

import (
	"slices"
	"testing"
	"time"

	"salesdesk/internal/store"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDailyTimeAcrossZones drives a scan every five minutes, as the
// scheduler does, through weeks that hold the spring and autumn clock
// changes of America and Europe (and the southern hemisphere's): every
// reader gets one list per local weekday, first seen at 08:00 their time.
func TestDailyTimeAcrossZones(t *testing.T) {
	dt, err := ParseDailyTime("0 8 * * 1-5")
	if err != nil {
		t.Fatal(err)
	}
	zones := []string{"America/Los_Angeles", "Europe/Berlin", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland", "UTC"}
	periods := []struct{ from, to time.Time }{
		{time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 10, 0, 0, 0, 0, time.UTC)},
		{time.Date(2026, 10, 19, 0, 0, 0, 0, time.UTC), time.Date(2026, 11, 10, 0, 0, 0, 0, time.UTC)},
	}
	for _, zone := range zones {
		t.Run(zone, func(t *testing.T) {
			loc := mustZone(t, zone)
			for _, p := range periods {
				first := map[string]time.Time{} // local day -> first scan that saw it due
				for now := p.from; now.Before(p.to); now = now.Add(5 * time.Minute) {
					day, at, ok := dt.Due(loc, now)
					if !ok {
						continue
					}
					if at.After(now) || now.Sub(at) >= DailyCatchUp {
						t.Fatalf("at %s: due fire %s outside the catch-up window", now, at)
					}
					if _, seen := first[day]; !seen {
						first[day] = now
					}
				}
				// Every local weekday whose 08:00 falls inside the period
				// (after the catch-up start) is there, once, at 08:00.
				for d := p.from.In(loc); d.Before(p.to.Add(-24 * time.Hour)); d = d.AddDate(0, 0, 1) {
					eight := time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, loc)
					if eight.Before(p.from) {
						continue
					}
					day := eight.Format(time.DateOnly)
					got, ok := first[day]
					weekday := eight.Weekday() != time.Saturday && eight.Weekday() != time.Sunday
					switch {
					case weekday && !ok:
						t.Errorf("%s: no list", day)
					case !weekday && ok:
						t.Errorf("%s (%s): list on a weekend", day, eight.Weekday())
					case weekday && !got.Equal(eight):
						t.Errorf("%s: first due at %s, want %s (08:00 local)", day, got.In(loc), eight)
					}
					delete(first, day)
				}
			}
		})
	}
}

// The UTC instant of the list moves with the reader's clock change.
func TestDailyTimeDSTChange(t *testing.T) {
	dt, err := ParseDailyTime("0 8 * * 1-5")
	if err != nil {
		t.Fatal(err)
	}
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	tests := []struct {
		name    string
		zone    string
		now     string
		wantDay string // "" when nothing is due
		wantAt  string
	}{
		{"LA before spring forward", "America/Los_Angeles", "2026-03-06T16:00:00Z", "2026-03-06", "2026-03-06T16:00:00Z"},
		{"LA after spring forward", "America/Los_Angeles", "2026-03-09T15:00:00Z", "2026-03-09", "2026-03-09T15:00:00Z"},
		{"LA after spring forward, an hour early by winter time", "America/Los_Angeles", "2026-03-09T14:55:00Z", "", ""},
		{"Berlin the day before spring forward (Friday)", "Europe/Berlin", "2026-03-27T07:00:00Z", "2026-03-27", "2026-03-27T07:00:00Z"},
		{"Berlin after spring forward", "Europe/Berlin", "2026-03-30T06:00:00Z", "2026-03-30", "2026-03-30T06:00:00Z"},
		{"Berlin after fall back", "Europe/Berlin", "2026-10-26T07:00:00Z", "2026-10-26", "2026-10-26T07:00:00Z"},
		{"LA after fall back", "America/Los_Angeles", "2026-11-02T16:00:00Z", "2026-11-02", "2026-11-02T16:00:00Z"},
		{"LA a minute before 08:00", "America/Los_Angeles", "2026-11-03T15:59:00Z", "", ""},
		{"late scan within the catch-up", "Europe/Berlin", "2026-10-26T09:55:00Z", "2026-10-26", "2026-10-26T07:00:00Z"},
		{"scan after the catch-up", "Europe/Berlin", "2026-10-26T10:00:00Z", "", ""},
		{"Auckland Monday while it is Sunday in UTC", "Pacific/Auckland", "2026-11-01T19:00:00Z", "2026-11-02", "2026-11-01T19:00:00Z"},
		{"weekend", "Europe/Berlin", "2026-10-31T07:00:00Z", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			day, at, ok := dt.Due(mustZone(t, tt.zone), utc(tt.now))
			if tt.wantDay == "" {
				if ok {
					t.Fatalf("due %s at %s, want nothing", day, at)
				}
				return
			}
			if !ok || day != tt.wantDay || !at.Equal(utc(tt.wantAt)) {
				t.Fatalf("Due = %q %s %v, want %q %s", day, at, ok, tt.wantDay, tt.wantAt)
			}
		})
	}
}

func TestParseDailyTimeRejects(t *testing.T) {
	for _, spec := range []string{"", "every morning", "@every 1h", "CRON_TZ=Europe/Berlin 0 8 * * *"} {
		if _, err := ParseDailyTime(spec); err == nil {
			t.Errorf("%q: want an error", spec)
		}
	}
	if _, err := ParseDailyTime("@daily"); err != nil {
		t.Errorf("@daily: %v", err)
	}
}

// The daily list is ordered by score, then by SLA due time.
func TestByPriority(t *testing.T) {
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	mk := func(id int64, score int, scored bool, due time.Duration) DigestLead {
		e := DigestLead{Lead: store.Lead{ID: id, Score: score, Scored: scored, CreatedAt: t0.Add(time.Duration(id) * time.Minute)}}
		if due != 0 {
			e.RespondBy = t0.Add(due)
		}
		return e
	}
	list := []DigestLead{
		mk(1, 0, false, time.Hour),   // unscored: after every scored lead
		mk(2, 40, true, 0),           // no due time: after same-score leads with one
		mk(3, 40, true, 3*time.Hour), // same score, later due
		mk(4, 90, true, 5*time.Hour), // highest score
		mk(5, 40, true, time.Hour),   // same score, earliest due
		mk(6, 0, false, 0),           // unscored, no due time: last
		mk(7, 40, true, 3*time.Hour), // same score and due as 3, created later
	}
	slices.SortStableFunc(list, ByPriority)
	var got []int64
	for _, e := range list {
		got = append(got, e.Lead.ID)
	}
	if want := []int64{4, 5, 3, 7, 2, 1, 6}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
