package meeting

import (
	"fmt"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
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

const (
	maxProposals = 10 // caps what one mail proposes
	maxDayLen    = 80 // the longest day read: "am nächsten Dienstag, den 10. September 2026"
)

// ParseProposals reads the meeting times a customer proposed in text,
// relative to ref (when they wrote) and in loc (their timezone), in any of
// the languages salesdesk answers in: "Tuesday at 3pm", "am Dienstag um
// 15 Uhr", "jeudi à 10h", "mañana por la tarde", "3 maart om 15.00 uur".
// A day without a time or part of day is not a proposal; a number is a
// time only when it looks like one (15:00, 3pm, 15 Uhr, 15h) or follows
// a word that introduces one (at, um, à, a las, alle, om, às), and never
// when a quantity follows ("15 Stück"); times already past at ref are
// dropped. language, when given, is the mail's (ISO 639-1): any but "en"
// reads 3/4 as 3 April; without it a mail whose day words are not
// English does, and an English one reads only dates that cannot be
// misread (3/3, 3/14, 14/3). Each time is built with time.Date in loc, so
// "3pm" is 3pm on the customer's wall clock whatever the DST offset that
// day.
func ParseProposals(text string, ref time.Time, loc *time.Location, language ...string) []Proposal {
	if loc == nil {
		loc = time.UTC
	}
	f, orig := fold(text)
	anchors := findDays(f)
	european := false
	if len(language) > 0 && strings.TrimSpace(language[0]) != "" {
		european = !strings.EqualFold(strings.TrimSpace(language[0]), "en")
	} else {
		for _, a := range anchors {
			european = european || a.foreign
		}
	}
	now := ref.In(loc)
	// The time after each day, read first: whether the next day has one
	// tells whose a time between two days is.
	type after struct {
		p      Proposal
		n      int
		ok     bool
		exact  bool
		onTime bool // resolved, and read in the text after the day
	}
	afters := make([]after, len(anchors))
	days := make([]time.Time, len(anchors))
	for i, a := range anchors {
		limit := len(f)
		if i+1 < len(anchors) {
			limit = anchors[i+1].start
		}
		day, ok := a.resolve(now, european)
		if !ok {
			continue
		}
		days[i] = day
		p, n, ok := readTime(f[a.end:limit], day, loc)
		afters[i] = after{p: p, n: n, ok: ok, exact: ok && p.Exact(), onTime: true}
	}
	var out []Proposal
	read := 0 // where the text not yet read as some day's time begins
	for i, a := range anchors {
		w := afters[i]
		if !w.onTime {
			read = max(read, a.end)
			continue
		}
		// "Monday, at 3pm on Tuesday": a time followed by nothing but
		// spaces and the next day, which has no time after it, is that
		// day's, written before it.
		if w.exact && i+1 < len(anchors) && !afters[i+1].exact &&
			strings.TrimSpace(f[a.end+w.n:anchors[i+1].start]) == "" {
			w = after{}
		}
		var p Proposal
		var from, to int
		switch b, at, ok := readTimeBefore(f, max(read, a.start-maxTimeBefore), a.start, days[i], loc); {
		case w.exact:
			p, from, to = w.p, a.start, a.end+w.n
		case ok:
			p, from, to = b, at, a.end
		case w.ok:
			p, from, to = w.p, a.start, a.end+w.n
		default:
			read = max(read, a.end)
			continue
		}
		read = max(read, to)
		if !p.Start.After(ref) {
			continue
		}
		p.Text = strings.TrimSpace(text[orig[from]:orig[to]])
		out = append(out, p)
		if len(out) == maxProposals {
			break
		}
	}
	return out
}

// maxTimeBefore is how far before a day a time written before it is
// looked for: "um 15:30 Uhr am" and a little slack.
const maxTimeBefore = 40

// readTimeBefore reads a time of day written right before the day at
// f[dayStart:], in f[lo:dayStart] ("at 3pm on Tuesday", "um 15 Uhr am
// Dienstag", "à 15h mardi", "a las 15 el martes"): an introducing word
// or none, a time that reads as one (as readClock reads it), and nothing
// but spaces, commas and small words between it and the day. at is where
// the time's words begin: its introducing word, else the time itself.
func readTimeBefore(f string, lo, dayStart int, on time.Time, loc *time.Location) (p Proposal, at int, ok bool) {
	if lo < 0 || lo >= dayStart || dayStart > len(f) {
		return p, 0, false
	}
	y, mo, d := on.Date()
	s := f[:dayStart]
	for i := lo; i < dayStart; i++ {
		if !(isWordByte(s[i]) || s[i] == '@') || (i > 0 && isWordByte(s[i-1])) {
			continue
		}
		n, connector, first := i, false, -1
		for steps := 0; steps < 3; steps++ {
			m := fillerRe.FindStringSubmatchIndex(s[n:])
			if m == nil || m[1] == 0 {
				break
			}
			if m[2] >= 0 && !connector {
				connector, first = true, n+m[2]
			}
			n += m[1]
		}
		k := n + len(s[n:]) - len(strings.TrimLeft(s[n:], " \t\r\n,"))
		if first < 0 {
			first = k // the words start with the time: "bitte 15:00 am Dienstag"
		}
		h, mins, end, ok := readClock(s[k:], connector, "")
		if !ok {
			continue
		}
		rest := k + end
		for steps := 0; steps < 2; steps++ {
			m := fillerRe.FindStringSubmatchIndex(s[rest:])
			if m == nil || m[1] == 0 || m[2] >= 0 {
				break // a word that introduces a time introduces another
			}
			rest += m[1]
		}
		if strings.Trim(s[rest:], " \t\r\n,") != "" {
			continue
		}
		return Proposal{Start: time.Date(y, mo, d, h, mins, 0, 0, loc)}, first, true
	}
	return p, 0, false
}

// day is a day named in a mail, at [start, end) of the folded text.
type day struct {
	start, end int
	rel        int          // days from today, when relative
	weekday    time.Weekday // when a weekday
	isWeekday  bool
	next, this bool // "next Friday", "this Friday"
	nextEN     bool // English "next": see resolve
	d, m, y    int  // a date; y zero when not written
	slash      bool // d/m or m/d, by the mail's language
	isDate     bool
	foreign    bool // named in words that are not English
}

// findDays finds the days named in folded text, in order, a weekday and
// the date right after it ("Dienstag, den 10. März") counting as one.
func findDays(f string) []day {
	var out []day
	for i := 0; i < len(f) && len(out) < 100; {
		if !isWordByte(f[i]) || (i > 0 && isWordByte(f[i-1])) {
			i++
			continue
		}
		j := i
		for j < len(f) && (isWordByte(f[j]) || f[j] == '-' || f[j] == '\'') {
			j++
		}
		var m []int
		if mayStartDay(f[i:j]) {
			m = dayRe.FindStringSubmatchIndex(f[i:min(len(f), i+maxDayLen)])
		}
		if m == nil {
			i = j
			continue
		}
		for k := range m {
			if m[k] >= 0 {
				m[k] += i
			}
		}
		i = m[1]
		g := func(name string) string {
			i := dayRe.SubexpIndex(name)
			if m[2*i] < 0 {
				return ""
			}
			return f[m[2*i]:m[2*i+1]]
		}
		a := day{start: m[0], end: m[1]}
		switch {
		case g("wd") != "":
			w := g("wd")
			a.isWeekday, a.weekday, a.foreign = true, weekdayWords[w], !englishWords[w]
			for _, p := range strings.Fields(g("pre")) {
				a.next = a.next || nextWords[p]
				a.nextEN = a.nextEN || p == "next"
				a.this = a.this || thisWords[p]
			}
			if g("suf") != "" {
				a.next = true
			}
		case g("rel") != "":
			w := strings.Join(strings.Fields(g("rel")), " ")
			if (w == "morgen" || w == "manana") && notTomorrowRe.MatchString(f[max(0, a.start-24):a.start]) {
				continue // a morning: read as a part of the day before it
			}
			a.rel, a.foreign = relativeWords[w], !englishWords[w]
		default:
			a.isDate = true
			for _, set := range [][3]string{{"d1", "m1", "y1"}, {"d2", "m2", "y2"}, {"d3", "m3", "y3"}, {"d4", "m4", "y4"}} {
				if g(set[0]) == "" {
					continue
				}
				a.d, _ = strconv.Atoi(g(set[0]))
				a.y, _ = strconv.Atoi(g(set[2]))
				if mo, ok := monthWords[g(set[1])]; ok {
					a.m, a.foreign = int(mo), !englishWords[g(set[1])]
				} else {
					a.m, _ = strconv.Atoi(g(set[1]))
				}
				a.slash = set[0] == "d4"
				a.foreign = a.foreign || set[0] == "d3"
			}
			// A number glued to what comes before is not a date: "Nr.3/4", "#12".
			if a.start > 0 && strings.ContainsRune("0123456789./#-:,", rune(f[a.start-1])) {
				continue
			}
		}
		if n := len(out); n > 0 && a.isDate && out[n-1].isWeekday && mergeGapRe.MatchString(f[out[n-1].end:a.start]) {
			a.start, a.foreign = out[n-1].start, a.foreign || out[n-1].foreign
			out[n-1] = a
			continue
		}
		out = append(out, a)
	}
	return out
}

// resolve is the date a day names, seen from now (local), european
// telling how d/m is read. A weekday is the next such day (today's counts
// only for "this"); English "next Friday" is the Friday of next week when
// said before Friday in this one, else the coming Friday; in the other
// languages "nächsten Dienstag" is the coming one. A date without a year
// is the next such date.
func (a day) resolve(now time.Time, european bool) (time.Time, bool) {
	switch {
	case a.isWeekday:
		ahead := (int(a.weekday) - int(now.Weekday()) + 7) % 7
		if ahead == 0 && !a.this {
			ahead = 7
		}
		if a.nextEN && ahead < 7 && int(a.weekday) > int(now.Weekday()) && now.Weekday() != time.Sunday {
			ahead += 7
		}
		return now.AddDate(0, 0, ahead), true
	case a.isDate:
		d, m, y := a.d, a.m, a.y
		if a.slash && !european {
			switch {
			case d == m || d > 12:
			case m > 12:
				d, m = m, d
			default:
				return time.Time{}, false // 3/4: March or April?
			}
		}
		if y > 0 && y < 100 {
			y += 2000
		}
		if m < 1 || m > 12 || d < 1 || d > 31 || (y != 0 && (y < now.Year() || y > now.Year()+5)) {
			return time.Time{}, false
		}
		if y == 0 {
			y = now.Year()
			if ny, nm, nd := now.Date(); m < int(nm) || (m == int(nm) && d < nd) {
				y = ny + 1
			}
		}
		t := time.Date(y, time.Month(m), d, 12, 0, 0, 0, now.Location())
		if t.Day() != d {
			return time.Time{}, false // 31 April
		}
		return t, true
	}
	return now.AddDate(0, 0, a.rel), true
}

// readTime reads the time or part of day in s, the text after a day and
// before the next, on that day in loc; n is how much of s it read.
func readTime(s string, on time.Time, loc *time.Location) (p Proposal, n int, ok bool) {
	y, mo, d := on.Date()
	part := ""
	if s != "" && isWordByte(s[0]) {
		m := gluedPartRe.FindString(s)
		if m == "" || (len(m) < len(s) && isWordByte(s[len(m)])) {
			return p, 0, false // "Montags", "morgens", "3 mais": not this day
		}
		part, n = partWords[m], len(m)
	}
	connector := false
	for steps := 0; steps < 6; steps++ {
		if part == "" {
			if m := partRe.FindStringSubmatchIndex(s[n:]); m != nil && !wordAt(s, n+m[1]) {
				part, n = partWords[strings.Join(strings.Fields(s[n+m[2]:n+m[3]]), " ")], n+m[1]
				continue
			}
		}
		m := fillerRe.FindStringSubmatchIndex(s[n:])
		if m == nil || m[1] == 0 {
			break
		}
		connector = connector || m[2] >= 0
		n += m[1]
	}
	k := len(s) - len(strings.TrimLeft(s[n:], " \t\r\n,"))
	if h, mins, end, ok := readClock(s[k:], connector, part); ok {
		return Proposal{Start: time.Date(y, mo, d, h, mins, 0, 0, loc)}, k + end, true
	}
	if part == "" {
		return p, 0, false
	}
	for n > 0 && !isWordByte(s[n-1]) && s[n-1] != '\'' {
		n-- // trailing fillers' spaces
	}
	hours := dayParts[part]
	return Proposal{Start: time.Date(y, mo, d, hours[0], 0, 0, 0, loc), End: time.Date(y, mo, d, hours[1], 0, 0, 0, loc)}, n, true
}

// readClock reads a time of day at the start of s: connector tells that
// a word introducing a time came before, part the part of day named
// before it; a part named after it ("3 de la tarde") counts too.
func readClock(s string, connector bool, part string) (h, mins, n int, ok bool) {
	m := clockRe.FindStringSubmatchIndex(s)
	if m == nil {
		return 0, 0, 0, false
	}
	n = max(m[3], m[5], m[7]) // not the spaces before a suffix that is not there
	if wordAt(s, n) || (n < len(s) && strings.ContainsRune(".,:", rune(s[n])) && n+1 < len(s) && s[n+1] >= '0' && s[n+1] <= '9') {
		return 0, 0, 0, false // "3 hours", "15,50", "1.5"
	}
	h, _ = strconv.Atoi(s[m[2]:m[3]])
	hasMins := m[4] >= 0
	if hasMins {
		mins, _ = strconv.Atoi(s[m[4]:m[5]])
	}
	suffix := ""
	if m[6] >= 0 {
		suffix = strings.ReplaceAll(s[m[6]:m[7]], ".", "")
	}
	if !hasMins && suffix == "" && (!connector || unitRe.MatchString(s[n:])) {
		return 0, 0, 0, false // "Friday 13", "um 15 Stück"
	}
	if t := trailingPartRe.FindStringSubmatchIndex(s[n:]); t != nil && !wordAt(s, n+t[1]) {
		part, n = partWords[strings.Join(strings.Fields(s[n+t[2]:n+t[3]]), " ")], n+t[1]
	}
	switch {
	case suffix == "pm" && h < 12:
		h += 12
	case suffix == "am" && h == 12:
		h = 0
	case suffix == "am" || suffix == "pm":
	case (part == "afternoon" || part == "evening") && h >= 1 && h < 12:
		h += 12 // "3 de la tarde"
	case part == "" && !hasMins && h >= 1 && h <= 7:
		h += 12 // "Tuesday at 3", "um 3 Uhr": business hours mean the afternoon
	}
	if h > 23 || mins > 59 {
		return 0, 0, 0, false
	}
	return h, mins, n, true
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b >= 0x80
}

// wordAt reports whether s has a word character at i: a match ending
// there ends inside a word.
func wordAt(s string, i int) bool { return i < len(s) && isWordByte(s[i]) }

// fold lowers text and strips the accents of the languages salesdesk
// reads ("Mañana" -> "manana", "März" -> "marz"), so one ASCII pattern
// matches every spelling; orig maps each byte of the result, and its
// end, to where it came from in text.
func fold(text string) (string, []int) {
	var b strings.Builder
	orig := make([]int, 0, len(text)+1)
	for i, r := range text {
		r = unicode.ToLower(r)
		rep, ok := foldRunes[r]
		if !ok {
			rep = string(r)
		}
		for range len(rep) {
			orig = append(orig, i)
		}
		b.WriteString(rep)
	}
	return b.String(), append(orig, len(text))
}

var foldRunes = func() map[rune]string {
	m := map[rune]string{'ß': "ss", 'œ': "oe", 'æ': "ae", '’': "'", '‘': "'", '`': "'", '\u00a0': " ", '\u202f': " "}
	for _, g := range []struct{ from, to string }{{"àáâãäå", "a"}, {"ç", "c"}, {"èéêë", "e"}, {"ìíîï", "i"},
		{"ñ", "n"}, {"òóôõö", "o"}, {"ùúûü", "u"}, {"ýÿ", "y"}} {
		for _, r := range g.from {
			m[r] = g.to
		}
	}
	return m
}()

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
