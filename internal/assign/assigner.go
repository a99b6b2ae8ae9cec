package assign

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"
)

// ErrNoCandidates is returned by a Rotation given no candidates.
var ErrNoCandidates = errors.New("assign: no candidates")

// DefaultScope names the rotation of reps in no matching team.
const DefaultScope = "default"

// Team routes the leads of some territories or skills to its members with
// its own strategy.
type Team struct {
	Name        string
	Strategy    Strategy // "" is the Config's
	Territories []string // countries, regions or domains; any one matches
	Skills      []string // any one matches
	Members     []string // rep emails
}

// Config is how leads are assigned.
type Config struct {
	Strategy            Strategy // default for leads in no team; "" is round_robin
	Teams               []Team   // first match wins
	OwnerSticky         bool     // the account owner gets leads of their customers
	RespectWorkingHours bool     // reps outside their hours are unavailable
}

// Decision is the outcome of Assigner.Decide. RepID 0 means nobody is
// eligible: the lead waits in the pool.
type Decision struct {
	RepID    int64
	Scope    string   // team name, or DefaultScope
	Strategy Strategy // the strategy used; "" for the account owner
	Why      string   // short, for the lead's history: "owner", "round_robin", ...
	// Skipped counts the reps left out, by reason, for logs.
	Skipped map[Reason]int
}

// Assigner decides who gets a lead. It is safe for concurrent use.
type Assigner struct {
	cfg Config
	rot Rotation

	mu  sync.Mutex
	rnd *rand.Rand
}

// New returns an Assigner over rot; seed feeds the tie-breaking shuffle, so
// a test can repeat a run exactly.
func New(cfg Config, rot Rotation, seed uint64) *Assigner {
	if cfg.Strategy == "" {
		cfg.Strategy = RoundRobin
	}
	return &Assigner{cfg: cfg, rot: rot, rnd: rand.New(rand.NewPCG(seed, seed^0x5eed))}
}

// Config returns the configuration the Assigner was built with.
func (a *Assigner) Config() Config { return a.cfg }

// Team returns the team a lead belongs to, or nil for the default scope.
// A team matches when one of its territories equals the lead's country,
// region or domain, or one of its skills is among the lead's.
func (c Config) Team(l Lead) *Team {
	keys := l.territoryKeys()
	for i := range c.Teams {
		t := &c.Teams[i]
		for _, tt := range t.Territories {
			if slices.Contains(keys, strings.ToLower(strings.TrimSpace(tt))) {
				return t
			}
		}
		for _, s := range t.Skills {
			if hasSkills(l.Skills, []string{s}) && len(l.Skills) > 0 {
				return t
			}
		}
	}
	return nil
}

// Decide chooses a rep for l among reps at now. key makes the strategy's
// pick idempotent (see Rotation); pass the lead id and assignment round.
//
// Order of rules: the account owner when sticky and available; else the
// lead's team (or every rep when no team matches), narrowed to the reps
// covering the lead's territory and having its skills when any rep of the
// team does (reps with no territories are generalists and stand in when no
// specialist is available); then the strategy.
func (a *Assigner) Decide(ctx context.Context, l Lead, reps []Rep, now time.Time, key string) (Decision, error) {
	d := Decision{Scope: DefaultScope, Strategy: a.cfg.Strategy, Skipped: map[Reason]int{}}
	avail := func(r Rep) bool {
		why := r.Availability(now, a.cfg.RespectWorkingHours)
		if why == Available && slices.Contains(l.Exclude, r.ID) {
			why = Excluded
		}
		if why != Available {
			d.Skipped[why]++
		}
		return why == Available
	}

	if a.cfg.OwnerSticky && l.OwnerRepID != 0 {
		i := slices.IndexFunc(reps, func(r Rep) bool { return r.ID == l.OwnerRepID })
		if i >= 0 && reps[i].Availability(now, a.cfg.RespectWorkingHours) == Available && !slices.Contains(l.Exclude, l.OwnerRepID) &&
			ownerSpeaks(reps, reps[i], l) {
			d.RepID, d.Strategy, d.Why = l.OwnerRepID, "", "owner"
			return d, nil
		}
	}

	pool := reps
	if t := a.cfg.Team(l); t != nil {
		d.Scope = t.Name
		if t.Strategy != "" {
			d.Strategy = t.Strategy
		}
		pool = slices.DeleteFunc(slices.Clone(reps), func(r Rep) bool {
			return !slices.ContainsFunc(t.Members, func(m string) bool { return strings.EqualFold(m, r.Email) })
		})
	}
	pool = narrow(pool, l)

	var cands []Rep
	for _, r := range pool {
		if avail(r) {
			cands = append(cands, r)
		}
	}
	cands = preferSpecialists(cands, l)
	cands = preferLanguage(cands, l)
	if len(cands) == 0 {
		return d, nil
	}
	d.Why = string(d.Strategy)

	ref := 0
	for _, r := range cands {
		ref = max(ref, r.Capacity)
	}
	cs := make([]Candidate, len(cands))
	for i, r := range cands {
		cs[i] = Candidate{ID: r.ID, Weight: r.weight(), Load: r.Load(ref)}
	}
	a.mu.Lock()
	a.rnd.Shuffle(len(cs), func(i, j int) { cs[i], cs[j] = cs[j], cs[i] })
	a.mu.Unlock()
	id, err := a.rot.Pick(ctx, d.Scope, d.Strategy, key, cs)
	if err != nil {
		return d, err
	}
	d.RepID = id
	return d, nil
}

// narrow keeps the reps that can serve the lead's territory and skills:
// when some rep of the pool covers the territory, the specialists and the
// generalists (no territories); when some have all the lead's skills,
// those. A rule nobody in the pool could satisfy is ignored, so a lead
// from an uncovered country still reaches someone.
func narrow(pool []Rep, l Lead) []Rep {
	if keys := l.territoryKeys(); len(keys) > 0 && slices.ContainsFunc(pool, func(r Rep) bool { return r.covers(keys) }) {
		pool = slices.DeleteFunc(slices.Clone(pool), func(r Rep) bool { return len(r.Territories) > 0 && !r.covers(keys) })
	}
	if len(l.Skills) > 0 && slices.ContainsFunc(pool, func(r Rep) bool { return hasSkills(r.Skills, l.Skills) }) {
		pool = slices.DeleteFunc(slices.Clone(pool), func(r Rep) bool { return !hasSkills(r.Skills, l.Skills) })
	}
	return pool
}

// preferSpecialists keeps only the available reps covering the lead's
// territory when there is one; generalists stand in otherwise.
func preferSpecialists(cands []Rep, l Lead) []Rep {
	keys := l.territoryKeys()
	if len(keys) == 0 {
		return cands
	}
	if slices.ContainsFunc(cands, func(r Rep) bool { return r.covers(keys) }) {
		return slices.DeleteFunc(cands, func(r Rep) bool { return !r.covers(keys) })
	}
	return cands
}
