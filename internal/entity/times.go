package entity

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

const monthAlt = `jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?`

const weekdayAlt = `monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri`

var (
	isoDateRe   = regexp.MustCompile(`\b(\d{4})-(\d{1,2})-(\d{1,2})\b`)
	dayMonthRe  = regexp.MustCompile(`\b(\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+(` + monthAlt + `)\b\.?(?:,?\s+(\d{4})\b)?`)
	monthDayRe  = regexp.MustCompile(`\b(` + monthAlt + `)\b\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?`)
	slashDateRe = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?\b`)
	dotDateRe   = regexp.MustCompile(`\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2})?`)
	relDayRe    = regexp.MustCompile(`\b(?:the\s+)?(day after tomorrow|today|tonight|tomorrow|tmrw|tmr)\b`)
	weekdayRe   = regexp.MustCompile(`\b(?:(next|this|coming)\s+)?(` + weekdayAlt + `)\b\.?`)
	ordinalRe   = regexp.MustCompile(`\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b`)

	timeAlt     = `(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?|h\b|uhr\b)?`
	timeRangeRe = regexp.MustCompile(`\b(?:from\s+|between\s+)?` + timeAlt + `\s*(?:-|–|to|until|till|and)\s*` + timeAlt)
	ampmRe      = regexp.MustCompile(`\b(\d{1,2})(?:[:.](\d{2}))?\s*(a\.?m\.?|p\.?m\.?)`)
	clockRe     = regexp.MustCompile(`\b(\d{1,2})[:h](\d{2})\b(?:\s*(?:h|uhr)\b)?`)
	atHourRe    = regexp.MustCompile(`\b(?:at|@|around|by)\s+(\d{1,2})\b(?:\s*o'clock)?`)
	partOfDayRe = regexp.MustCompile(`\b(noon|midday|morning|afternoon|evening|lunch(?:time)?|eod|end of (?:the )?day)\b`)
)

// dateHit is a date found in the text.
type dateHit struct {
	start, end int
	day        time.Time // midnight in the location
	explicit   bool      // a calendar date rather than a weekday or "tomorrow"
}

// timeHit is a time of day, or a range, found in the text.
type timeHit struct {
	start, end int
	from, to   time.Duration // offsets from midnight; to 0 when open
	weak       bool          // "at 3", "morning": only with a date
	used       bool
}

// requestedTimes finds the dates and times a mail asks for and pairs each
// date with the time named next to it.
func requestedTimes(text string, o Options) []TimeSpan {
	lower := asciiLower(text)
	now := o.Now.In(o.Location)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, o.Location)

	dates := findDates(lower, today, o.DayFirst)
	times := findTimes(lower)

	var out []TimeSpan
	for _, d := range dates {
		best := -1
		bestDist := 1 << 30
		for i, t := range times {
			if t.used {
				continue
			}
			var gap string
			var dist int
			switch {
			case t.start >= d.end:
				gap, dist = lower[d.end:t.start], t.start-d.end
			case t.end <= d.start:
				gap, dist = lower[t.end:d.start], d.start-t.end
			default:
				continue
			}
			if dist > 24 || strings.ContainsAny(gap, ".?!\n;") {
				continue
			}
			if dist < bestDist {
				best, bestDist = i, dist
			}
		}
		if best < 0 {
			out = append(out, TimeSpan{
				Start:  d.day,
				End:    d.day.AddDate(0, 0, 1),
				AllDay: true,
				Text:   strings.TrimSpace(text[d.start:d.end]),
			})
			continue
		}
		t := &times[best]
		t.used = true
		s, e := min(d.start, t.start), max(d.end, t.end)
		out = append(out, span(d.day, *t, strings.TrimSpace(text[s:e])))
	}
	// A time without a date means the next such time from now.
	for _, t := range times {
		if t.used || t.weak {
			continue
		}
		day := today
		if today.Add(t.from).Before(now) {
			day = today.AddDate(0, 0, 1)
		}
		out = append(out, span(day, t, strings.TrimSpace(text[t.start:t.end])))
	}
	return out
}

func span(day time.Time, t timeHit, text string) TimeSpan {
	ts := TimeSpan{Start: addClock(day, t.from), Text: text}
	if t.to > 0 {
		ts.End = addClock(day, t.to)
	}
	return ts
}

// addClock adds a wall-clock offset to a midnight, right across DST changes.
func addClock(day time.Time, d time.Duration) time.Time {
	h := int(d / time.Hour)
	m := int(d % time.Hour / time.Minute)
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, day.Location())
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func monthOf(s string) time.Month {
	for m := time.January; m <= time.December; m++ {
		if strings.HasPrefix(strings.ToLower(m.String()), s[:3]) {
			return m
		}
	}
	return 0
}

func weekdayOf(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.HasPrefix(strings.ToLower(d.String()), s[:3]) {
			return d
		}
	}
	return -1
}

// calendarDate builds a date, inferring a missing year: the next such date
// that is not more than a month in the past.
func calendarDate(today time.Time, year, month, day int) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 || day > 31 {
		return time.Time{}, false
	}
	if year > 0 && year < 100 {
		year += 2000
	}
	y := year
	if y == 0 {
		y = today.Year()
	}
	d := time.Date(y, time.Month(month), day, 0, 0, 0, 0, today.Location())
	if d.Day() != day {
		return time.Time{}, false // 31 April
	}
	if year == 0 && d.Before(today.AddDate(0, -1, 0)) {
		d = d.AddDate(1, 0, 0)
	}
	return d, true
}

func findDates(lower string, today time.Time, dayFirst bool) []dateHit {
	var hits []dateHit
	taken := make([]bool, len(lower)+1)
	add := func(s, e int, d time.Time, explicit bool) {
		for i := s; i < e; i++ {
			if taken[i] {
				return
			}
		}
		for i := s; i < e; i++ {
			taken[i] = true
		}
		hits = append(hits, dateHit{start: s, end: e, day: d, explicit: explicit})
	}
	for _, m := range isoDateRe.FindAllStringSubmatchIndex(lower, -1) {
		if d, ok := calendarDate(today, atoi(lower[m[2]:m[3]]), atoi(lower[m[4]:m[5]]), atoi(lower[m[6]:m[7]])); ok {
			add(m[0], m[1], d, true)
		}
	}
	for _, m := range dayMonthRe.FindAllStringSubmatchIndex(lower, -1) {
		y := 0
		if m[6] >= 0 {
			y = atoi(lower[m[6]:m[7]])
		}
		if d, ok := calendarDate(today, y, int(monthOf(lower[m[4]:m[5]])), atoi(lower[m[2]:m[3]])); ok {
			add(m[0], m[1], d, true)
		}
	}
	for _, m := range monthDayRe.FindAllStringSubmatchIndex(lower, -1) {
		mon := lower[m[2]:m[3]]
		if mon == "may" && m[0] > 0 && !strings.HasSuffix(strings.TrimSpace(lower[:m[0]]), "on") {
			// "you may 2..." is rarely a date; "on May 2" is.
			if m[6] < 0 {
				continue
			}
		}
		y := 0
		if m[6] >= 0 {
			y = atoi(lower[m[6]:m[7]])
		}
		if d, ok := calendarDate(today, y, int(monthOf(mon)), atoi(lower[m[4]:m[5]])); ok {
			add(m[0], m[1], d, true)
		}
	}
	numeric := func(re *regexp.Regexp) {
		for _, m := range re.FindAllStringSubmatchIndex(lower, -1) {
			a, b := atoi(lower[m[2]:m[3]]), atoi(lower[m[4]:m[5]])
			y := 0
			if m[6] >= 0 {
				y = atoi(lower[m[6]:m[7]])
			}
			day, month := b, a
			if dayFirst || a > 12 || re == dotDateRe {
				day, month = a, b
			}
			if d, ok := calendarDate(today, y, month, day); ok {
				add(m[0], m[1], d, true)
			}
		}
	}
	numeric(slashDateRe)
	numeric(dotDateRe)
	for _, m := range relDayRe.FindAllStringSubmatchIndex(lower, -1) {
		d := today
		switch lower[m[2]:m[3]] {
		case "tomorrow", "tmrw", "tmr":
			d = today.AddDate(0, 0, 1)
		case "day after tomorrow":
			d = today.AddDate(0, 0, 2)
		}
		add(m[0], m[1], d, false)
	}
	for _, m := range weekdayRe.FindAllStringSubmatchIndex(lower, -1) {
		wd := weekdayOf(lower[m[4]:m[5]])
		mod := ""
		if m[2] >= 0 {
			mod = lower[m[2]:m[3]]
		}
		// A weekday right before a calendar date ("Tuesday 18 March")
		// only repeats it.
		rest := strings.TrimLeft(lower[m[1]:], " ,")
		if len(rest) > 0 && rest[0] >= '0' && rest[0] <= '9' {
			if dd := dateAt(hits, len(lower)-len(rest)); dd {
				continue
			}
		}
		add(m[0], m[1], weekdayDate(today, wd, mod), false)
	}
	for _, m := range ordinalRe.FindAllStringSubmatchIndex(lower, -1) {
		day := atoi(lower[m[2]:m[3]])
		d := time.Date(today.Year(), today.Month(), day, 0, 0, 0, 0, today.Location())
		if day < today.Day() {
			d = time.Date(today.Year(), today.Month()+1, day, 0, 0, 0, 0, today.Location())
		}
		if d.Day() == day {
			add(m[0], m[1], d, true)
		}
	}
	slicesSortHits(hits)
	return hits
}

func dateAt(hits []dateHit, pos int) bool {
	for _, h := range hits {
		if h.start == pos {
			return true
		}
	}
	return false
}

func slicesSortHits(h []dateHit) {
	for i := 1; i < len(h); i++ {
		for j := i; j > 0 && h[j].start < h[j-1].start; j-- {
			h[j], h[j-1] = h[j-1], h[j]
		}
	}
}

// weekdayDate resolves a weekday name. A bare weekday or "coming" is the
// next one after today; "this" may be today; "next" is the one in the
// following calendar week (Monday-based) when the coming one falls in
// the current week.
func weekdayDate(today time.Time, wd time.Weekday, mod string) time.Time {
	ahead := (int(wd) - int(today.Weekday()) + 7) % 7
	if ahead == 0 && mod != "this" {
		ahead = 7
	}
	if mod == "next" {
		// Monday-based index of today and of the target.
		ti := (int(today.Weekday()) + 6) % 7
		if ti+ahead <= 6 {
			ahead += 7
		}
	}
	return today.AddDate(0, 0, ahead)
}

func clock(h, m int, suffix string) (time.Duration, bool) {
	suffix = strings.ReplaceAll(suffix, ".", "")
	switch suffix {
	case "pm":
		if h < 1 || h > 12 {
			return 0, false
		}
		if h != 12 {
			h += 12
		}
	case "am":
		if h < 1 || h > 12 {
			return 0, false
		}
		if h == 12 {
			h = 0
		}
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, true
}

func findTimes(lower string) []timeHit {
	var hits []timeHit
	taken := make([]bool, len(lower)+1)
	add := func(t timeHit) {
		for i := t.start; i < t.end; i++ {
			if taken[i] {
				return
			}
		}
		for i := t.start; i < t.end; i++ {
			taken[i] = true
		}
		hits = append(hits, t)
	}
	group := func(m []int, i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return lower[m[2*i]:m[2*i+1]]
	}
	for _, m := range timeRangeRe.FindAllStringSubmatchIndex(lower, -1) {
		h1, m1, s1 := atoi(group(m, 1)), atoi(group(m, 2)), group(m, 3)
		h2, m2, s2 := atoi(group(m, 4)), atoi(group(m, 5)), group(m, 6)
		s1 = strings.ReplaceAll(s1, ".", "")
		s2 = strings.ReplaceAll(s2, ".", "")
		anchored := s1 == "am" || s1 == "pm" || s2 == "am" || s2 == "pm" ||
			group(m, 2) != "" && group(m, 5) != ""
		if !anchored {
			continue
		}
		if s1 == "" && (s2 == "am" || s2 == "pm") {
			s1 = s2
			// "11-1pm": the start is the morning.
			if s2 == "pm" && h1 != 12 && h1 > h2 && h2 != 12 {
				s1 = "am"
			}
		}
		if s1 == "h" || s1 == "uhr" {
			s1 = ""
		}
		if s2 == "h" || s2 == "uhr" {
			s2 = ""
		}
		from, ok1 := clock(h1, m1, s1)
		to, ok2 := clock(h2, m2, s2)
		if ok1 && ok2 && to > from {
			add(timeHit{start: m[0], end: m[1], from: from, to: to})
		}
	}
	for _, m := range ampmRe.FindAllStringSubmatchIndex(lower, -1) {
		if from, ok := clock(atoi(group(m, 1)), atoi(group(m, 2)), group(m, 3)); ok {
			add(timeHit{start: m[0], end: m[1], from: from})
		}
	}
	for _, m := range clockRe.FindAllStringSubmatchIndex(lower, -1) {
		if from, ok := clock(atoi(group(m, 1)), atoi(group(m, 2)), ""); ok {
			add(timeHit{start: m[0], end: m[1], from: from})
		}
	}
	for _, m := range atHourRe.FindAllStringSubmatchIndex(lower, -1) {
		h := atoi(group(m, 1))
		if h < 1 || h > 12 {
			continue
		}
		if h < 8 {
			h += 12 // "at 3" in business hours is the afternoon
		}
		add(timeHit{start: m[0], end: m[1], from: time.Duration(h) * time.Hour, weak: true})
	}
	for _, m := range partOfDayRe.FindAllStringSubmatchIndex(lower, -1) {
		var from, to int
		switch w := group(m, 1); {
		case w == "noon" || w == "midday":
			from = 12
		case w == "morning":
			from, to = 9, 12
		case w == "afternoon":
			from, to = 13, 17
		case w == "evening":
			from, to = 17, 20
		case strings.HasPrefix(w, "lunch"):
			from, to = 12, 13
		default: // end of day
			from, to = 17, 0
		}
		add(timeHit{start: m[0], end: m[1], from: time.Duration(from) * time.Hour, to: time.Duration(to) * time.Hour, weak: true})
	}
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].start < hits[j-1].start; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	return hits
}
