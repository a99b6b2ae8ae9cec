package assign

import (
	"slices"
	"strings"
	"time"
)

// Rep is what a decision needs to know about a sales rep.
type Rep struct {
	ID               int64
	Email            string // matches Team.Members
	Active           bool
	Weight           int // share for weighted; < 1 counts as 1
	Capacity         int // max open leads; 0 is unlimited
	Open             int // open leads now
	Territories      []string
	Skills           []string
	Languages        []string       // ISO 639-1 codes; none means English
	Location         *time.Location // nil is UTC
	Hours            WorkingHours
	OutOfOfficeUntil time.Time
}

// Lead is what a decision needs to know about a lead.
type Lead struct {
	ID         int64
	Country    string   // e.g. "DE"
	Region     string   // e.g. "EMEA"
	Domain     string   // the contact's company domain
	Skills     []string // product lines or skills the lead needs
	OwnerRepID int64    // the account owner when the lead is from a customer
	Exclude    []int64  // reps not to give it to (declined it, let its SLA lapse)
	Language   string   // ISO 639-1 code of the customer's language; "" when unknown
}

// territoryKeys are the values a rep's or team's territories are matched
// against, lower-case.
func (l Lead) territoryKeys() []string {
	var keys []string
	for _, k := range []string{l.Country, l.Region, l.Domain} {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// Reason says why a rep cannot take a lead now.
type Reason string

// Reasons a rep is unavailable. Available is the empty reason.
const (
	Available    Reason = ""
	Inactive     Reason = "inactive"
	OutOfOffice  Reason = "out_of_office"
	OutsideHours Reason = "outside_hours"
	AtCapacity   Reason = "at_capacity"
	Excluded     Reason = "excluded"
)

// Availability tells whether r can take a new lead at now; respectHours
// makes working hours count.
func (r Rep) Availability(now time.Time, respectHours bool) Reason {
	switch {
	case !r.Active:
		return Inactive
	case now.Before(r.OutOfOfficeUntil):
		return OutOfOffice
	case respectHours && !r.Hours.Contains(now, r.Location):
		return OutsideHours
	case r.Capacity > 0 && r.Open >= r.Capacity:
		return AtCapacity
	}
	return Available
}

// Load is the rep's open leads relative to capacity. A rep without a
// capacity is measured against ref, the largest capacity among the
// candidates (or 1 when none has one), so unlimited reps neither win nor
// lose every comparison.
func (r Rep) Load(ref int) float64 {
	c := r.Capacity
	if c <= 0 {
		c = max(ref, 1)
	}
	return float64(r.Open) / float64(c)
}

func (r Rep) weight() int { return max(r.Weight, 1) }

func (r Rep) covers(keys []string) bool {
	for _, t := range r.Territories {
		if slices.Contains(keys, strings.ToLower(strings.TrimSpace(t))) {
			return true
		}
	}
	return false
}

// hasSkills reports whether the rep has every skill in need.
func hasSkills(have, need []string) bool {
	for _, n := range need {
		if !slices.ContainsFunc(have, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(n)) }) {
			return false
		}
	}
	return true
}
