package meeting

import (
	"sort"
	"time"

	"salesdesk/internal/assign"
)

// Interval is a span of time [Start, End).
type Interval struct {
	Start, End time.Time
}

// Overlaps reports whether i and o share any instant.
func (i Interval) Overlaps(o Interval) bool {
	return i.Start.Before(o.End) && o.Start.Before(i.End)
}

// Availability is when one rep can meet: their working hours in their
// timezone, whole days off (dates in that timezone), away until an
// instant, and the meetings they already have.
type Availability struct {
	Hours     assign.WorkingHours
	Location  *time.Location // nil is UTC
	DaysOff   []time.Time    // any instant of each day off, read in Location
	AwayUntil time.Time      // out of office until; zero is not away
	Busy      []Interval
}

func (a Availability) loc() *time.Location {
	if a.Location == nil {
		return time.UTC
	}
	return a.Location
}

// Free reports whether the rep can meet for the whole of iv: every
// instant within working hours of one working day, not on a day off, not
// while away and clear of every busy interval.
func (a Availability) Free(iv Interval) bool {
	loc := a.loc()
	if iv.Start.Before(a.AwayUntil) {
		return false
	}
	for _, d := range a.DaysOff {
		if sameDay(d, iv.Start, loc) || sameDay(d, iv.End.Add(-time.Nanosecond), loc) {
			return false
		}
	}
	if !a.Hours.Always() {
		last := iv.End.Add(-time.Nanosecond)
		if !a.Hours.Contains(iv.Start, loc) || !a.Hours.Contains(last, loc) || !sameDay(iv.Start, last, loc) {
			return false
		}
	}
	for _, b := range a.Busy {
		if iv.Overlaps(b) {
			return false
		}
	}
	return true
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}

// SlotQuery says which slots FindSlots looks for.
type SlotQuery struct {
	From     time.Time     // no slot starts before this (now plus the minimum notice)
	Duration time.Duration // length of the meeting
	Step     time.Duration // slots start on multiples of Step in the first rep's zone (default 30m)
	Count    int           // how many slots (default 3)
	Horizon  time.Duration // how far ahead to look (default 14 days)
	// PerDay caps the slots offered on one day so that the customer gets
	// a choice of days (default 2; negative is no cap).
	PerDay int
}

// FindSlots returns up to q.Count free slots at which every rep in reps is
// available, in time order. Slot starts are aligned to q.Step in the wall
// clock of the first rep's zone, so they read as round times.
func FindSlots(reps []Availability, q SlotQuery) []Interval {
	if q.Step <= 0 {
		q.Step = 30 * time.Minute
	}
	if q.Count <= 0 {
		q.Count = 3
	}
	if q.Horizon <= 0 {
		q.Horizon = 14 * 24 * time.Hour
	}
	if q.PerDay == 0 {
		q.PerDay = 2
	}
	if q.Duration <= 0 || len(reps) == 0 {
		return nil
	}
	loc := reps[0].loc()
	t := alignUp(q.From, q.Step, loc)
	end := q.From.Add(q.Horizon)
	var out []Interval
	perDay := map[string]int{}
	for ; t.Before(end) && len(out) < q.Count; t = t.Add(q.Step) {
		iv := Interval{Start: t, End: t.Add(q.Duration)}
		day := t.In(loc).Format(time.DateOnly)
		if q.PerDay > 0 && perDay[day] >= q.PerDay {
			continue
		}
		if allFree(reps, iv) {
			out = append(out, iv)
			perDay[day]++
		}
	}
	return out
}

func allFree(reps []Availability, iv Interval) bool {
	for _, a := range reps {
		if !a.Free(iv) {
			return false
		}
	}
	return true
}

// alignUp returns the first instant at or after t whose wall clock in loc
// is a multiple of step since local midnight.
func alignUp(t time.Time, step time.Duration, loc *time.Location) time.Time {
	lt := t.In(loc)
	y, m, d := lt.Date()
	midnight := time.Date(y, m, d, 0, 0, 0, 0, loc)
	since := lt.Sub(midnight)
	n := (since + step - 1) / step
	return midnight.Add(n * step)
}

// SortIntervals orders intervals by start.
func SortIntervals(ivs []Interval) {
	sort.Slice(ivs, func(i, j int) bool { return ivs[i].Start.Before(ivs[j].Start) })
}
