package api

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// query reads a request's query parameters strictly, collecting problems
// by parameter name.
type query struct {
	v   url.Values
	now func() time.Time
	f   fieldErrors
}

func (q *query) one(name string) string {
	vs := q.v[name]
	if len(vs) > 1 {
		q.f.add(name, "must be given once")
	}
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// str is a one-line text parameter.
func (q *query) str(name string) string {
	s := q.one(name)
	q.f.line(name, s, maxLine)
	return s
}

// id is an optional id parameter; 0 when absent.
func (q *query) id(name string) int64 {
	s := q.one(name)
	if s == "" {
		return 0
	}
	id, ok := parseID(s)
	if !ok {
		q.f.add(name, "must be a positive integer")
	}
	return id
}

// time is an optional time parameter: RFC 3339, a date (its midnight UTC)
// or a duration such as 24h meaning that long before now.
func (q *query) time(name string) time.Time {
	s := q.one(name)
	if s == "" {
		return time.Time{}
	}
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return q.now().Add(-d).UTC()
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC()
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t
	}
	q.f.add(name, "must be an RFC 3339 time, a date YYYY-MM-DD or a duration such as 24h")
	return time.Time{}
}

// boolean is an optional true/false parameter.
func (q *query) boolean(name string) (v, set bool) {
	s := q.one(name)
	switch s {
	case "":
		return false, false
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	q.f.add(name, "must be true or false")
	return false, false
}

// page reads limit and offset or cursor.
func (q *query) page() page {
	p := page{Limit: DefaultLimit}
	if s := q.one("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxLimit || strings.HasPrefix(s, "+") {
			q.f.add("limit", "must be an integer from 1 to %d", MaxLimit)
		} else {
			p.Limit = n
		}
	}
	off, cur := q.one("offset"), q.one("cursor")
	switch {
	case off != "" && cur != "":
		q.f.add("cursor", "give either offset or cursor, not both")
	case off != "":
		n, err := strconv.Atoi(off)
		if err != nil || n < 0 || n > 1_000_000_000 || strings.HasPrefix(off, "+") {
			q.f.add("offset", "must be a non-negative integer")
		} else {
			p.Offset = n
		}
	case cur != "":
		c, ok := parseCursor(cur)
		if !ok {
			q.f.add("cursor", "must be the next value of a previous page")
		} else {
			p.Offset, p.After = c.Offset, c
		}
	}
	return p
}

// pageParams are the query parameters of every paged list.
var pageParams = []string{"limit", "offset", "cursor"}

// since/until check that a time window is not reversed.
func (q *query) window(since, until time.Time) {
	if !since.IsZero() && !until.IsZero() && !until.After(since) {
		q.f.add("until", "must be after since")
	}
}
