package api

import (
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Length limits of text fields, in characters.
const (
	maxLine  = 200    // names, companies, phone numbers, titles
	maxNotes = 10000  // notes, reasons
	maxText  = 100000 // a lead's message
	maxList  = 100    // territories, skills
	maxItems = 1000   // order lines
)

// text checks a free-text field: valid length, no control characters
// other than newlines and tabs.
func (f fieldErrors) text(field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		f.add(field, "must be at most %d characters", max)
		return
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			f.add(field, "must not contain control characters")
			return
		}
	}
}

// line checks a one-line field: at most max characters, no line breaks
// or other control characters (such values end up in mail headers and
// subjects).
func (f fieldErrors) line(field, v string, max int) {
	if utf8.RuneCountInString(v) > max {
		f.add(field, "must be at most %d characters", max)
		return
	}
	for _, r := range v {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			f.add(field, "must be one line without control characters")
			return
		}
	}
}

// required checks a one-line field that must not be blank.
func (f fieldErrors) required(field, v string, max int) {
	if strings.TrimSpace(v) == "" {
		f.add(field, "required")
		return
	}
	f.line(field, v, max)
}

// email checks a bare address such as "ann@example.com"; required says
// whether an empty value is an error.
func (f fieldErrors) email(field, v string, required bool) {
	if v == "" {
		if required {
			f.add(field, "required")
		}
		return
	}
	if !validEmail(v) {
		f.add(field, "must be a valid address")
	}
}

func validEmail(v string) bool {
	if len(v) > 254 || strings.TrimSpace(v) != v {
		return false
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v {
		return false
	}
	at := strings.LastIndexByte(v, '@')
	return at > 0 && validDomain(strings.ToLower(v[at+1:]))
}

var domainLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// validDomain accepts lower-case DNS names with at least two labels, such
// as "acme.com".
func validDomain(d string) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if !domainLabel.MatchString(l) {
			return false
		}
	}
	return true
}

var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

// currency checks an ISO 4217 code such as "EUR".
func (f fieldErrors) currency(field, v string, required bool) {
	if v == "" {
		if required {
			f.add(field, "required")
		}
		return
	}
	if !currencyCode.MatchString(v) {
		f.add(field, "must be a three-letter ISO 4217 code such as EUR")
	}
}

// httpURL checks an optional http or https link.
func (f fieldErrors) httpURL(field, v string) {
	if v == "" {
		return
	}
	u, err := url.Parse(v)
	if err != nil || len(v) > 2048 || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		f.add(field, "must be an http or https URL")
		return
	}
	f.line(field, v, 2048)
}

// date parses an optional calendar date YYYY-MM-DD; "" is the zero time.
func (f fieldErrors) date(field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		f.add(field, "must be a date YYYY-MM-DD")
		return time.Time{}
	}
	return t
}

// timestamp parses an optional RFC 3339 time (or a date, meaning its
// midnight UTC); "" is the zero time.
func (f fieldErrors) timestamp(field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t
	}
	f.add(field, "must be an RFC 3339 time such as 2026-03-01T09:00:00Z or a date YYYY-MM-DD")
	return time.Time{}
}

// oneOf checks that v is one of allowed.
func (f fieldErrors) oneOf(field, v string, allowed ...string) {
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	f.add(field, "must be one of %s", strings.Join(allowed, ", "))
}

// list checks a list of short one-line values such as territories.
func (f fieldErrors) list(field string, v []string) {
	if len(v) > maxList {
		f.add(field, "must have at most %d entries", maxList)
		return
	}
	for _, s := range v {
		if strings.TrimSpace(s) == "" {
			f.add(field, "must not contain empty entries")
			return
		}
		f.line(field, s, 100)
	}
}

var weekday = `(mon|tue|wed|thu|fri|sat|sun)`

// workingHoursRe accepts what the store documents, e.g. "Mon-Fri
// 09:00-17:00" or "mon,tue,thu 08:30-16:30": day names or ranges, a space,
// and a time span in the rep's timezone.
var workingHoursRe = regexp.MustCompile(`(?i)^` + weekday + `(-` + weekday + `)?(,` + weekday + `(-` + weekday + `)?)* ([01][0-9]|2[0-3]):[0-5][0-9]-([01][0-9]|2[0-4]):[0-5][0-9]$`)

// workingHours checks a rep's working hours; "" means always.
func (f fieldErrors) workingHours(field, v string) {
	if v == "" {
		return
	}
	if !workingHoursRe.MatchString(v) {
		f.add(field, `must be days and hours such as "Mon-Fri 09:00-17:00", or empty for always`)
		return
	}
	span := v[strings.LastIndexByte(v, ' ')+1:]
	start, end, _ := strings.Cut(span, "-")
	if end <= start {
		f.add(field, "must end after it starts")
	}
}

// timezone checks an IANA timezone name.
func (f fieldErrors) timezone(field, v string) {
	if v == "" {
		return
	}
	if _, err := time.LoadLocation(v); err != nil || strings.EqualFold(v, "local") {
		f.add(field, "must be an IANA timezone such as Europe/Berlin")
	}
}

var sourceRe = regexp.MustCompile(`^[a-z0-9][a-z0-9_.:-]{0,39}$`)
