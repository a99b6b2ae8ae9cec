// Package zone decides which timezone a person reads times in: their own
// when their record names one, else the team's. Mail, desk pages and link
// pages all ask it, so a rep without a zone reads the same times
// everywhere.
package zone

import (
	"sync"
	"time"
)

// Of is the timezone a person reads times in: personZone (an IANA name
// from their rep record) when it names a zone, else teamZone (the team's,
// scheduler.timezone), else UTC. An empty or unknown name counts as none.
func Of(personZone, teamZone string) *time.Location {
	if loc, ok := load(personZone); ok {
		return loc
	}
	if loc, ok := load(teamZone); ok {
		return loc
	}
	return time.UTC
}

// loaded caches zones by name: time.LoadLocation reads the zone database
// on every call, and pages and mails ask for every time they show.
var loaded sync.Map // string -> *time.Location

func load(name string) (*time.Location, bool) {
	// "Local" is the machine's zone, which no team means.
	if name == "" || name == "Local" {
		return nil, false
	}
	if loc, ok := loaded.Load(name); ok {
		return loc.(*time.Location), true
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	loaded.Store(name, loc)
	return loc, true
}
