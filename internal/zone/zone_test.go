package zone

import (
	"fmt"
	"testing"
	"time"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name           string
		person, team   string
		wantZoneAt1200 string // the zone's abbreviation at 12:00 UTC on 2 Dec 2026
	}{
		{name: "own zone", person: "America/Los_Angeles", team: "Europe/Berlin", wantZoneAt1200: "PST"},
		{name: "no own zone reads the team's", person: "", team: "Europe/Berlin", wantZoneAt1200: "CET"},
		{name: "unknown own zone reads the team's", person: "Mars/Olympus", team: "Europe/Berlin", wantZoneAt1200: "CET"},
		{name: "machine zone is not a person's", person: "Local", team: "Asia/Tokyo", wantZoneAt1200: "JST"},
		{name: "no zone at all", person: "", team: "", wantZoneAt1200: "UTC"},
		{name: "unknown team zone", person: "", team: "CEST", wantZoneAt1200: "UTC"},
		{name: "UTC named", person: "UTC", team: "Europe/Berlin", wantZoneAt1200: "UTC"},
	}
	at := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 2 { // the second answer comes from the cache
				if got := at.In(Of(tt.person, tt.team)).Format("MST"); got != tt.wantZoneAt1200 {
					t.Errorf("Of(%q, %q) reads 12:00 UTC in %s, want %s", tt.person, tt.team, got, tt.wantZoneAt1200)
				}
			}
		})
	}
}

func ExampleOf() {
	due := time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)
	// Rita set her own zone; Mia did not and reads the team's.
	fmt.Println(due.In(Of("America/Los_Angeles", "Europe/Berlin")).Format("Mon 2 Jan 2006 15:04 MST"))
	fmt.Println(due.In(Of("", "Europe/Berlin")).Format("Mon 2 Jan 2006 15:04 MST"))
	// Output:
	// Wed 2 Dec 2026 12:00 PST
	// Wed 2 Dec 2026 21:00 CET
}

func BenchmarkOf(b *testing.B) {
	for b.Loop() {
		Of("", "Europe/Berlin")
	}
}
