package report

import (
	"fmt"
	"time"
)

// Period is the half-open time range [From, To) a report covers; days
// begin and end in Location.
type Period struct {
	From     time.Time
	To       time.Time
	Location *time.Location // nil means UTC
}

// Period names understood by Named, in the order the reports page lists
// them.
const (
	Today      = "today"
	Yesterday  = "yesterday"
	ThisWeek   = "this-week"
	LastWeek   = "last-week"
	Last7Days  = "last-7-days"
	Last30Days = "last-30-days"
)

// Names lists the named periods.
var Names = []string{Today, Yesterday, ThisWeek, LastWeek, Last7Days, Last30Days}

// loc returns the period's location.
func (p Period) loc() *time.Location {
	if p.Location == nil {
		return time.UTC
	}
	return p.Location
}

// startOfDay returns local midnight of the day containing t in loc.
func startOfDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

// Day is the calendar day containing t in loc.
func Day(t time.Time, loc *time.Location) Period {
	from := startOfDay(t, loc)
	return Period{From: from, To: from.AddDate(0, 0, 1), Location: loc}
}

// Week is the ISO week (Monday to Sunday) containing t in loc.
func Week(t time.Time, loc *time.Location) Period {
	day := startOfDay(t, loc)
	offset := (int(day.Weekday()) + 6) % 7 // days since Monday
	from := day.AddDate(0, 0, -offset)
	return Period{From: from, To: from.AddDate(0, 0, 7), Location: loc}
}

// ParseWeek returns the ISO week named like "2026-W48" in loc.
func ParseWeek(week string, loc *time.Location) (Period, error) {
	var y, w int
	if n, err := fmt.Sscanf(week, "%4d-W%2d", &y, &w); err != nil || n != 2 || len(week) != 8 || w < 1 || w > 53 {
		return Period{}, fmt.Errorf("report: week %q is not YYYY-Www", week)
	}
	// 4 January is always in week 1.
	p := Week(time.Date(y, time.January, 4, 12, 0, 0, 0, loc), loc)
	p.From = p.From.AddDate(0, 0, 7*(w-1))
	p.To = p.From.AddDate(0, 0, 7)
	if gy, gw := p.From.ISOWeek(); gy != y || gw != w {
		return Period{}, fmt.Errorf("report: %d has no week %d", y, w)
	}
	return p, nil
}

// LastDays is the n whole days ending with the day containing now.
func LastDays(now time.Time, n int, loc *time.Location) Period {
	to := startOfDay(now, loc).AddDate(0, 0, 1)
	return Period{From: to.AddDate(0, 0, -n), To: to, Location: loc}
}

// Named returns the period a reports page name stands for at now; ok is
// false for an unknown name. "today" and "this-week" end at now.
func Named(name string, now time.Time, loc *time.Location) (p Period, ok bool) {
	switch name {
	case Today:
		p = Day(now, loc)
		p.To = now
	case Yesterday:
		p = Day(startOfDay(now, loc).AddDate(0, 0, -1), loc)
	case ThisWeek:
		p = Week(now, loc)
		p.To = now
	case LastWeek:
		p = Week(Week(now, loc).From.AddDate(0, 0, -1), loc)
	case Last7Days:
		p = LastDays(now, 7, loc)
	case Last30Days:
		p = LastDays(now, 30, loc)
	default:
		return Period{}, false
	}
	return p, true
}

// wholeDays reports how many days the period spans when it starts and
// ends at local midnight; 0 otherwise.
func (p Period) wholeDays() int {
	loc := p.loc()
	from, to := p.From.In(loc), p.To.In(loc)
	if !from.Equal(startOfDay(from, loc)) || !to.Equal(startOfDay(to, loc)) {
		return 0
	}
	n := 0
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		n++
	}
	return n
}

// Previous is the period of the same length just before p: the same
// number of calendar days when p is made of whole days (so a week across
// a daylight-saving change compares with the week before it), else the
// same duration.
func (p Period) Previous() Period {
	if n := p.wholeDays(); n > 0 {
		return Period{From: p.From.AddDate(0, 0, -n), To: p.From, Location: p.Location}
	}
	// A partial day compares with the same hours of the day before, a
	// partial ISO week with the same stretch of the week before.
	loc := p.loc()
	length := p.To.Sub(p.From)
	if p.From.Equal(startOfDay(p.From, loc)) {
		days := 0
		switch {
		case length < 24*time.Hour:
			days = 1
		case p.From.In(loc).Weekday() == time.Monday && length < 7*24*time.Hour:
			days = 7
		}
		if days > 0 {
			from := p.From.AddDate(0, 0, -days)
			return Period{From: from, To: from.Add(length), Location: p.Location}
		}
	}
	return Period{From: p.From.Add(-length), To: p.From, Location: p.Location}
}

// Days returns local midnight of every day the period touches.
func (p Period) Days() []time.Time {
	loc := p.loc()
	var out []time.Time
	for d := startOfDay(p.From, loc); d.Before(p.To); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// Contains reports whether t is in [From, To).
func (p Period) Contains(t time.Time) bool {
	return !t.IsZero() && !t.Before(p.From) && t.Before(p.To)
}

// Label names the period for people: "Tue 25 Nov 2026",
// "Mon 24 Nov – Sun 30 Nov 2026" or, for a partial day, with the hours.
func (p Period) Label() string {
	loc := p.loc()
	from, to := p.From.In(loc), p.To.In(loc)
	last := to.Add(-time.Nanosecond)
	switch n := p.wholeDays(); {
	case n == 1:
		return from.Format("Mon 2 Jan 2006")
	case n > 1 && from.Year() == last.Year():
		return from.Format("Mon 2 Jan") + " – " + last.Format("Mon 2 Jan 2006")
	case n > 1:
		return from.Format("Mon 2 Jan 2006") + " – " + last.Format("Mon 2 Jan 2006")
	case from.YearDay() == to.YearDay() && from.Year() == to.Year():
		return from.Format("Mon 2 Jan 2006, 15:04") + "–" + to.Format("15:04")
	case from.Equal(startOfDay(from, loc)) && from.Year() == to.Year():
		return from.Format("Mon 2 Jan") + " – " + to.Format("Mon 2 Jan 2006, 15:04")
	}
	return from.Format("Mon 2 Jan 2006 15:04") + " – " + to.Format("Mon 2 Jan 2006 15:04")
}

// Key is a stable name for the period, used in file names and mail
// idempotency keys: "2026-11-25" for a day, "2026-W48" for an ISO week,
// "2026-11-01_2026-11-30" for other whole days, RFC 3339 bounds otherwise.
func (p Period) Key() string {
	loc := p.loc()
	from := p.From.In(loc)
	last := p.To.In(loc).Add(-time.Nanosecond)
	switch n := p.wholeDays(); {
	case n == 1:
		return from.Format(time.DateOnly)
	case n == 7 && from.Weekday() == time.Monday:
		y, w := from.ISOWeek()
		return fmt.Sprintf("%04d-W%02d", y, w)
	case n > 1:
		return from.Format(time.DateOnly) + "_" + last.Format(time.DateOnly)
	}
	return p.From.UTC().Format("20060102T150405Z") + "_" + p.To.UTC().Format("20060102T150405Z")
}

// Parse returns the period a reports URL names at now: one of Names, a
// day ("2026-11-25") or an ISO week ("2026-W48"), in loc.
func Parse(name string, now time.Time, loc *time.Location) (Period, bool) {
	if p, ok := Named(name, now, loc); ok {
		return p, true
	}
	if d, err := time.ParseInLocation(time.DateOnly, name, loc); err == nil {
		return Day(d, loc), true
	}
	if p, err := ParseWeek(name, loc); err == nil {
		return p, true
	}
	return Period{}, false
}
