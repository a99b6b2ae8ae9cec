package assign

import (
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return loc
}

func mustHours(t *testing.T, s string) WorkingHours {
	t.Helper()
	w, err := ParseWorkingHours(s)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestParseWorkingHours(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{in: "", want: ""},
		{in: "Mon-Fri 09:00-17:00", want: "mon,tue,wed,thu,fri 09:00-17:00"},
		{in: "mon,wed,fri 08:30-12:00", want: "mon,wed,fri 08:30-12:00"},
		{in: "sat-mon 10:00-14:00", want: "sun,mon,sat 10:00-14:00"},
		{in: "monday 10:00-11:00", want: "mon 10:00-11:00"},
		{in: "mon-fri", wantErr: true},
		{in: "mon-fri 17:00-09:00", wantErr: true},
		{in: "xyz 09:00-10:00", wantErr: true},
		{in: "mon 9-10", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			w, err := ParseWorkingHours(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && w.String() != tt.want {
				t.Errorf("String() = %q, want %q", w.String(), tt.want)
			}
		})
	}
	if got := FormatWorkingHours([]string{"Mon", "tue"}, "09:00", "17:00"); got != "mon,tue 09:00-17:00" {
		t.Errorf("FormatWorkingHours = %q", got)
	}
}

func TestWorkingHoursContains(t *testing.T) {
	weekdays := mustHours(t, "mon-fri 09:00-17:00")
	tests := []struct {
		name string
		tz   string
		at   string // RFC 3339, UTC
		want bool
	}{
		{"berlin morning in winter", "Europe/Berlin", "2024-01-15T08:30:00Z", true},   // 09:30 CET
		{"berlin before 9 in winter", "Europe/Berlin", "2024-01-15T07:59:00Z", false}, // 08:59 CET
		{"berlin same UTC time in summer", "Europe/Berlin", "2024-07-15T07:30:00Z", true},
		{"berlin end is exclusive", "Europe/Berlin", "2024-07-15T15:00:00Z", false}, // 17:00 CEST
		{"new york before DST switch", "America/New_York", "2024-03-08T13:30:00Z", false},
		{"new york after DST switch", "America/New_York", "2024-03-11T13:30:00Z", true},
		{"new york after DST end", "America/New_York", "2024-11-04T13:30:00Z", false},
		{"tokyo friday evening is saturday in tokyo", "Asia/Tokyo", "2024-01-19T16:00:00Z", false},
		{"tokyo monday morning is sunday in UTC", "Asia/Tokyo", "2024-01-14T23:30:00Z", false}, // 08:30 JST Mon
		{"tokyo monday 09:30", "Asia/Tokyo", "2024-01-15T00:30:00Z", true},
		{"weekend", "UTC", "2024-01-13T10:00:00Z", false},
		{"auckland across date line", "Pacific/Auckland", "2024-01-14T21:00:00Z", true}, // Mon 10:00 NZDT
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, _ := time.Parse(time.RFC3339, tt.at)
			if got := weekdays.Contains(at, mustLoc(t, tt.tz)); got != tt.want {
				t.Errorf("Contains(%s in %s) = %v, want %v", at.In(mustLoc(t, tt.tz)), tt.tz, got, tt.want)
			}
		})
	}
	if !(WorkingHours{}).Contains(time.Now(), nil) {
		t.Error("zero hours should always contain")
	}
}

func TestAddWorking(t *testing.T) {
	ber := mustLoc(t, "Europe/Berlin")
	ny := mustLoc(t, "America/New_York")
	weekdays := mustHours(t, "mon-fri 09:00-17:00")
	tests := []struct {
		name  string
		hours WorkingHours
		loc   *time.Location
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"always is wall time", WorkingHours{}, ber, time.Date(2024, 1, 13, 22, 0, 0, 0, ber), 4 * time.Hour, time.Date(2024, 1, 14, 2, 0, 0, 0, ber)},
		{"within the day", weekdays, ber, time.Date(2024, 1, 15, 10, 0, 0, 0, ber), 4 * time.Hour, time.Date(2024, 1, 15, 14, 0, 0, 0, ber)},
		{"carries to next morning", weekdays, ber, time.Date(2024, 1, 15, 15, 0, 0, 0, ber), 4 * time.Hour, time.Date(2024, 1, 16, 11, 0, 0, 0, ber)},
		{"friday evening to monday", weekdays, ber, time.Date(2024, 1, 19, 16, 0, 0, 0, ber), 4 * time.Hour, time.Date(2024, 1, 22, 12, 0, 0, 0, ber)},
		{"starts before opening", weekdays, ber, time.Date(2024, 1, 15, 6, 0, 0, 0, ber), time.Hour, time.Date(2024, 1, 15, 10, 0, 0, 0, ber)},
		{"ends exactly at close", weekdays, ber, time.Date(2024, 1, 15, 9, 0, 0, 0, ber), 8 * time.Hour, time.Date(2024, 1, 15, 17, 0, 0, 0, ber)},
		{"saturday start", weekdays, ber, time.Date(2024, 1, 20, 12, 0, 0, 0, ber), 2 * time.Hour, time.Date(2024, 1, 22, 11, 0, 0, 0, ber)},
		// 2024-03-10 is the US spring-forward Sunday: Friday 16:00 EST + 2h
		// working = Monday 10:00 EDT, 65 wall hours minus one.
		{"over DST weekend", weekdays, ny, time.Date(2024, 3, 8, 16, 0, 0, 0, ny), 2 * time.Hour, time.Date(2024, 3, 11, 10, 0, 0, 0, ny)},
		{"nil location is UTC", weekdays, nil, time.Date(2024, 1, 15, 16, 0, 0, 0, time.UTC), 2 * time.Hour, time.Date(2024, 1, 16, 10, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.hours.AddWorking(tt.start, tt.d, tt.loc)
			if !got.Equal(tt.want) {
				t.Errorf("AddWorking = %s, want %s", got, tt.want)
			}
		})
	}
}
