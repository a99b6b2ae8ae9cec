package meeting

import (
	"slices"
	"strconv"
	"time"
)

// Reminder is one reminder of a meeting: Before the start, at At.
type Reminder struct {
	At     time.Time
	Before time.Duration
}

// PlanReminders returns the reminders of a meeting starting at start, one
// per distinct positive offset, latest offset first, leaving out those
// whose moment is not after now (a meeting booked an hour ahead gets no
// 24-hour reminder).
func PlanReminders(start time.Time, offsets []time.Duration, now time.Time) []Reminder {
	offs := slices.Clone(offsets)
	slices.Sort(offs)
	offs = slices.Compact(offs)
	slices.Reverse(offs)
	var out []Reminder
	for _, off := range offs {
		at := start.Add(-off)
		if off <= 0 || !at.After(now) {
			continue
		}
		out = append(out, Reminder{At: at, Before: off})
	}
	return out
}

// When formats an instant for a reader in loc, naming the zone so the
// reader never has to guess: "Tuesday, 10 March 2026, 15:00 (CET, UTC+01:00)".
func When(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	abbr, off := lt.Zone()
	zone := "UTC" + OffsetName(off)
	if abbr != "" && abbr != OffsetName(off) && abbr[0] != '+' && abbr[0] != '-' {
		zone = abbr + ", " + zone
	}
	return lt.Format("Monday, 2 January 2006, 15:04") + " (" + zone + ")"
}

// Lead formats how long before a meeting a reminder is: "24 hours", "1 hour",
// "30 minutes".
func Lead(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		if d == time.Hour {
			return "1 hour"
		}
		return strconv.Itoa(int(d/time.Hour)) + " hours"
	case d == time.Minute:
		return "1 minute"
	case d >= time.Minute:
		return strconv.Itoa(int(d/time.Minute)) + " minutes"
	default:
		return d.String()
	}
}
