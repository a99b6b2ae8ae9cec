package meeting

import (
	"slices"
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
