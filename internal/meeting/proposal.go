package meeting

import (
	"fmt"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Proposal is a time the customer proposed, read in their timezone: an
// exact start ("Tuesday at 3pm") or a part of a day ("Friday morning"),
// whose Start is the window's opening and End its close.
type Proposal struct {
	Start time.Time
	End   time.Time // after Start for a part of a day; zero for an exact time
	Text  string    // the words it was read from
}

// Exact reports whether the customer named a time of day.
func (p Proposal) Exact() bool { return p.End.IsZero() }

// Parts of a day, in local wall-clock hours.
var dayParts = map[string][2]int{
	"morning":   {9, 12},
	"noon":      {12, 13},
	"lunchtime": {12, 13},
	"afternoon": {13, 17},
	"evening":   {17, 19},
}

var weekdayNames = map[string]time.Weekday{
	"sunday": time.Sunday, "monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday,
	"thursday": time.Thursday, "friday": time.Friday, "saturday": time.Saturday,
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "tues": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// proposalRe finds a day ("tomorrow", "next friday", "on tuesday") followed
// within a few words by a time ("at 3pm", "15:30", "3.30 p.m.") or a part
// of the day ("morning").
var proposalRe = regexp.MustCompile(`(?i)\b(today|tomorrow|(?:next\s+|this\s+|on\s+)?(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?)\b` +
	`(?:[\s,]+(?:the\s+)?(?:\d{1,2}(?:st|nd|rd|th)?\s+)?)?` +
	`(?:[\s,]*(?:at|around|about|@|from)?\s*(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?|h|uhr)?\b|[\s,]*(?:in\s+the\s+|at\s+)?(morning|noon|lunchtime|afternoon|evening))`)

// ParseProposals reads the meeting times a customer proposed in text,
// relative to ref (when they wrote) and in loc (their timezone). A day
// without a time or part of day is not a proposal; times already past at
// ref are dropped. Each time is built with time.Date in loc, so "3pm" is
// 3pm on the customer's wall clock whatever the DST offset that day.
func ParseProposals(text string, ref time.Time, loc *time.Location) []Proposal {
	if loc == nil {
		loc = time.UTC
	}
	var out []Proposal
	for _, m := range proposalRe.FindAllStringSubmatch(text, 10) {
		day, ok := resolveDay(strings.ToLower(m[1]), ref.In(loc))
		if !ok {
			continue
		}
		y, mo, d := day.Date()
		var p Proposal
		switch {
		case m[5] != "":
			hours := dayParts[strings.ToLower(m[5])]
			p.Start = time.Date(y, mo, d, hours[0], 0, 0, 0, loc)
			p.End = time.Date(y, mo, d, hours[1], 0, 0, 0, loc)
		case m[2] != "":
			h, _ := strconv.Atoi(m[2])
			mins := 0
			if m[3] != "" {
				mins, _ = strconv.Atoi(m[3])
			}
			suffix := strings.ToLower(strings.ReplaceAll(m[4], ".", ""))
			switch {
			case suffix == "pm" && h < 12:
				h += 12
			case suffix == "am" && h == 12:
				h = 0
			case suffix == "" && m[3] == "" && h >= 1 && h <= 7:
				h += 12 // "Tuesday at 3": business hours mean the afternoon
			}
			if h > 23 || mins > 59 || (suffix == "" && m[3] == "" && !hasAt(m[0])) {
				continue
			}
			p.Start = time.Date(y, mo, d, h, mins, 0, 0, loc)
		default:
			continue
		}
		if !p.Start.After(ref) {
			continue
		}
		p.Text = strings.TrimSpace(m[0])
		out = append(out, p)
	}
	return out
}

// hasAt reports whether a bare number was introduced as a time ("at 3"),
// not a date ("Friday 13").
func hasAt(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, " at ") || strings.Contains(s, "@") || strings.Contains(s, "around") ||
		strings.Contains(s, "about") || strings.Contains(s, " from ")
}

// resolveDay turns "tomorrow", "friday", "next friday" into a date after
// now (local). A bare weekday is the next such day (today's counts only
// for "this"); "next friday" is the Friday of next week when said before
// Friday in this one, else the coming Friday.
func resolveDay(s string, now time.Time) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	switch s {
	case "today":
		return now, true
	case "tomorrow":
		return now.AddDate(0, 0, 1), true
	}
	next, this := false, false
	switch {
	case strings.HasPrefix(s, "next "):
		next, s = true, strings.TrimPrefix(s, "next ")
	case strings.HasPrefix(s, "this "):
		this, s = true, strings.TrimPrefix(s, "this ")
	case strings.HasPrefix(s, "on "):
		s = strings.TrimPrefix(s, "on ")
	}
	wd, ok := weekdayNames[s]
	if !ok {
		return time.Time{}, false
	}
	ahead := (int(wd) - int(now.Weekday()) + 7) % 7
	if ahead == 0 && !this {
		ahead = 7
	}
	if next && ahead < 7 && int(wd) > int(now.Weekday()) && now.Weekday() != time.Sunday {
		ahead += 7 // "next Friday" said on a Tuesday: Friday of next week
	}
	return now.AddDate(0, 0, ahead), true
}

// CustomerZone is where a customer's times are read: their account's
// timezone when it names a valid one, else the fixed offset of their
// mail's Date header (RFC 5322 carries only an offset), else UTC. The
// returned name is what is stored with the meeting.
func CustomerZone(accountTZ string, dateHeader string) (*time.Location, string) {
	if accountTZ != "" {
		if loc, err := time.LoadLocation(accountTZ); err == nil {
			return loc, accountTZ
		}
	}
	if dateHeader != "" {
		if t, err := mail.ParseDate(dateHeader); err == nil {
			_, off := t.Zone()
			name := OffsetName(off)
			return time.FixedZone(name, off), name
		}
	}
	return time.UTC, "UTC"
}

// OffsetName formats a UTC offset in seconds as "+02:00".
func OffsetName(off int) string {
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("%c%02d:%02d", sign, off/3600, off%3600/60)
}

// LoadZone reads a zone stored with a meeting or attendee: an IANA name or
// a fixed offset written by OffsetName. Anything else is UTC.
func LoadZone(name string) *time.Location {
	if len(name) == 6 && (name[0] == '+' || name[0] == '-') && name[3] == ':' {
		h, err1 := strconv.Atoi(name[1:3])
		m, err2 := strconv.Atoi(name[4:6])
		if err1 == nil && err2 == nil {
			off := h*3600 + m*60
			if name[0] == '-' {
				off = -off
			}
			return time.FixedZone(name, off)
		}
	}
	if loc, err := time.LoadLocation(name); err == nil && name != "" {
		return loc
	}
	return time.UTC
}
