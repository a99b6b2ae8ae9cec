package bench

import (
	"salesdesk/internal/proc"
)

// benchDomain is the desk's own mail domain in a run.
const benchDomain = "desk.bench.example"

// deskConfig is the configuration of a run: the defaults, except for the
// services of the run and two reps who are always working and never
// full, so that every quote request becomes an assigned lead.
func deskConfig(s proc.Services, concurrency int) (*proc.Config, error) {
	s.Domain = benchDomain
	c, err := proc.NewConfig(s)
	if err != nil {
		return nil, err
	}
	c.Set("web.base_url", "http://"+benchDomain)
	c.Set("smtp.from", "Bench Sales <sales@"+benchDomain+">")
	if concurrency > 0 {
		c.Set("worker.concurrency", concurrency)
	}
	c.Set("leads.reps", []any{
		map[string]any{"name": "Rita Rep", "email": "rita@" + benchDomain, "capacity": 1000000},
		map[string]any{"name": "Sam Rep", "email": "sam@" + benchDomain, "capacity": 1000000},
	})
	return c, nil
}
