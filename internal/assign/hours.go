package assign

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// WorkingHours are the days and the daily time window in which a rep takes
// leads, read in the rep's timezone. The zero value means always.
type WorkingHours struct {
	Days       [7]bool       // indexed by time.Weekday
	Start, End time.Duration // since local midnight; Start < End
}

var weekdays = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// Always reports whether the hours place no limit.
func (w WorkingHours) Always() bool { return w == WorkingHours{} }

// ParseWorkingHours reads hours as the store keeps them: days, a space and
// a time window, e.g. "mon-fri 09:00-17:00", "mon,wed,fri 08:30-12:00" or
// "sat-sun,wed 10:00-14:00" (day names in any case). "" means always.
func ParseWorkingHours(s string) (WorkingHours, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return WorkingHours{}, nil
	}
	days, window, ok := strings.Cut(s, " ")
	if !ok {
		return WorkingHours{}, fmt.Errorf("working hours %q: want DAYS HH:MM-HH:MM", s)
	}
	var w WorkingHours
	for part := range strings.SplitSeq(strings.ToLower(days), ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, b := dayIndex(from), dayIndex(to)
		if !isRange {
			b = a
		}
		if a < 0 || b < 0 {
			return WorkingHours{}, fmt.Errorf("working hours %q: unknown day in %q", s, part)
		}
		for d := a; ; d = (d + 1) % 7 {
			w.Days[d] = true
			if d == b {
				break
			}
		}
	}
	start, end, ok := strings.Cut(strings.TrimSpace(window), "-")
	if !ok {
		return WorkingHours{}, fmt.Errorf("working hours %q: want a window HH:MM-HH:MM", s)
	}
	var err1, err2 error
	w.Start, err1 = clock(start)
	w.End, err2 = clock(end)
	if err := errors.Join(err1, err2); err != nil {
		return WorkingHours{}, fmt.Errorf("working hours %q: %w", s, err)
	}
	if w.End <= w.Start {
		return WorkingHours{}, fmt.Errorf("working hours %q: end must be after start", s)
	}
	return w, nil
}

// FormatWorkingHours is the inverse of ParseWorkingHours for config-style
// input: day names (mon .. sun) and HH:MM times. No days means always.
func FormatWorkingHours(days []string, start, end string) string {
	if len(days) == 0 {
		return ""
	}
	return strings.ToLower(strings.Join(days, ",")) + " " + start + "-" + end
}

// String returns the hours in the form ParseWorkingHours reads.
func (w WorkingHours) String() string {
	if w.Always() {
		return ""
	}
	var days []string
	for d, on := range w.Days {
		if on {
			days = append(days, weekdays[d])
		}
	}
	return strings.Join(days, ",") + " " + hhmm(w.Start) + "-" + hhmm(w.End)
}

func dayIndex(name string) int {
	name = strings.TrimSpace(name)
	if len(name) > 3 {
		name = name[:3]
	}
	for i, d := range weekdays {
		if d == name {
			return i
		}
	}
	return -1
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

func hhmm(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// window returns the working window of the local day containing t, and
// whether that day is a working day. Dates are built with time.Date in loc,
// so a window on a DST change day is the wall-clock window of that day.
func (w WorkingHours) window(t time.Time, loc *time.Location) (open, close time.Time, ok bool) {
	lt := t.In(loc)
	if !w.Days[lt.Weekday()] {
		return time.Time{}, time.Time{}, false
	}
	y, m, d := lt.Date()
	open = time.Date(y, m, d, int(w.Start/time.Hour), int(w.Start%time.Hour/time.Minute), 0, 0, loc)
	close = time.Date(y, m, d, int(w.End/time.Hour), int(w.End%time.Hour/time.Minute), 0, 0, loc)
	return open, close, true
}

// Contains reports whether t falls within the working hours in loc (nil is
// UTC).
func (w WorkingHours) Contains(t time.Time, loc *time.Location) bool {
	if w.Always() {
		return true
	}
	if loc == nil {
		loc = time.UTC
	}
	open, close, ok := w.window(t, loc)
	return ok && !t.Before(open) && t.Before(close)
}

// maxScanDays bounds the walk over calendar days; hours with at least one
// working day always finish within a week per window.
const maxScanDays = 3660

// AddWorking returns the instant at which d of working time has passed
// since start: time outside the working hours does not count. With no
// limits it is start+d. A deadline that falls exactly at the end of a
// window stays there rather than moving to the next day's opening.
func (w WorkingHours) AddWorking(start time.Time, d time.Duration, loc *time.Location) time.Time {
	if w.Always() || d <= 0 {
		return start.Add(d)
	}
	if loc == nil {
		loc = time.UTC
	}
	cur, left := start, d
	for range maxScanDays {
		open, close, ok := w.window(cur, loc)
		if ok && cur.Before(close) {
			if cur.Before(open) {
				cur = open
			}
			if avail := close.Sub(cur); left <= avail {
				return cur.Add(left)
			} else {
				left -= avail
			}
		}
		cur = nextMidnight(cur, loc)
	}
	return start.Add(d) // no working day at all: fall back to wall time
}

// nextMidnight returns the start of the local day after t's.
func nextMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
}
