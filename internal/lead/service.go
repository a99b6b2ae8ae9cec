package lead

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"salesdesk/internal/assign"
	"salesdesk/internal/queue"
	"salesdesk/internal/score"
	"salesdesk/internal/store"
	"salesdesk/internal/zone"
	"salesdesk/tasks"
)

// Options configure a Service.
type Options struct {
	// DedupeWindow: a new lead with the contact email, or company domain,
	// of an open lead created within the window merges into it. 0
	// disables dedupe.
	DedupeWindow time.Duration
	// FreeMailDomains never count as a company domain (gmail.com, ...).
	FreeMailDomains []string
	// SLAContact is the working time a rep has to mark a lead contacted
	// before a reminder; SLAReassign the further working time before it
	// is reassigned. Zero disables that stage.
	SLAContact, SLAReassign time.Duration
	// Assign is the assignment configuration.
	Assign assign.Config
	// TeamZone is the team's timezone (config scheduler.timezone): a rep
	// without their own works their hours in it. Empty means UTC.
	TeamZone string
	// RepCacheTTL is how long the rep list is reused between decisions
	// (default 2s; negative disables the cache).
	RepCacheTTL time.Duration
	// MaxPlaceTries bounds how often one assignment retries after losing
	// a rep to capacity (default 8).
	MaxPlaceTries int
}

// Deps are a Service's collaborators.
type Deps struct {
	Store    Store           // required; *store.Store
	Rotation assign.Rotation // nil: a MemoryRotation (one process only)
	Enqueuer queue.Enqueuer  // required: pool assignments and reassignments enqueue lead:assign
	// Scorer, when set, scores a lead that lead:assign places and stores
	// the score with the assignment (Outcome.Score), one write fewer
	// than scoring it afterwards.
	Scorer *Scorer
	Logger *slog.Logger // nil discards
	Now    func() time.Time
	Seed   uint64 // tie-break seed; 0 picks a random one
}

// Service is the lead domain. It is safe for concurrent use.
type Service struct {
	st       Store
	assigner *assign.Assigner
	scorer   *Scorer
	enq      queue.Enqueuer
	log      *slog.Logger
	now      func() time.Time
	opts     Options
	free     map[string]bool

	mu        sync.Mutex
	reps      []store.Rep
	repsUntil time.Time
}

// New returns a Service.
func New(d Deps, o Options) (*Service, error) {
	if d.Store == nil || d.Enqueuer == nil {
		return nil, errors.New("lead: a store and an enqueuer are required")
	}
	if o.Assign.Strategy == "" {
		o.Assign.Strategy = assign.RoundRobin
	}
	if _, err := assign.ParseStrategy(string(o.Assign.Strategy)); err != nil {
		return nil, err
	}
	for _, t := range o.Assign.Teams {
		if _, err := assign.ParseStrategy(string(t.Strategy)); err != nil {
			return nil, fmt.Errorf("team %s: %w", t.Name, err)
		}
	}
	if d.Rotation == nil {
		d.Rotation = &assign.MemoryRotation{}
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Seed == 0 {
		var b [8]byte
		rand.Read(b[:])
		d.Seed = binary.LittleEndian.Uint64(b[:])
	}
	if o.RepCacheTTL == 0 {
		o.RepCacheTTL = 2 * time.Second
	}
	if o.MaxPlaceTries <= 0 {
		o.MaxPlaceTries = 8
	}
	free := map[string]bool{}
	for _, f := range o.FreeMailDomains {
		free[strings.ToLower(strings.TrimSpace(f))] = true
	}
	return &Service{
		st:       d.Store,
		assigner: assign.New(o.Assign, d.Rotation, d.Seed), scorer: d.Scorer,
		enq: d.Enqueuer, log: d.Logger, now: d.Now, opts: o, free: free,
	}, nil
}

// Options returns the options the Service runs with.
func (s *Service) Options() Options { return s.opts }

// Now returns the Service's clock.
func (s *Service) Now() time.Time { return s.now() }

// RepsChanged drops the cached rep list, so the next decision sees a
// change at once (SeedReps and rep edits call it).
func (s *Service) RepsChanged() {
	s.mu.Lock()
	s.reps, s.repsUntil = nil, time.Time{}
	s.mu.Unlock()
}

// listReps returns every rep, cached for RepCacheTTL of wall time.
func (s *Service) listReps(ctx context.Context) ([]store.Rep, error) {
	s.mu.Lock()
	if s.reps != nil && time.Now().Before(s.repsUntil) {
		r := s.reps
		s.mu.Unlock()
		return r, nil
	}
	s.mu.Unlock()
	reps, err := s.st.ListReps(ctx, false)
	if err != nil {
		return nil, err
	}
	if s.opts.RepCacheTTL > 0 {
		s.mu.Lock()
		s.reps, s.repsUntil = reps, time.Now().Add(s.opts.RepCacheTTL)
		s.mu.Unlock()
	}
	return reps, nil
}

// Outcome is what a step did to a lead.
type Outcome struct {
	Lead     *store.Lead // the lead after the step
	Round    int         // its assignment round after the step (>= 1 once assigned)
	Assigned bool        // Lead.RepID holds it in Round: make sure they were told
	Pooled   bool        // it waits in the pool
	Stale    bool        // nothing to do: closed, or the step was for an older round
	Decision assign.Decision
	// Inquiry and Customer are the lead's inquiry and account as the
	// decision read them (nil: none, or not read by this step), so that
	// the rep's mail need not read them again.
	Inquiry  *store.Inquiry
	Customer *store.Customer
	// Score is the score stored with the assignment (nil: none stored by
	// this step).
	Score *score.Result
}

// open reports whether a lead status is still in play.
func open(status string) bool {
	return status == store.LeadUnassigned || status == store.LeadAssigned || status == store.LeadContacted
}

// Assign runs assignment round attempt of a lead (the lead:assign task):
// an unassigned lead that has not been through that round yet gets a rep
// or goes to the pool; a lead already held in that round (or a later one)
// reports Assigned so its rep is (re)notified idempotently; anything else
// is stale.
func (s *Service) Assign(ctx context.Context, leadID int64, attempt int, reason string) (Outcome, error) {
	l, round, err := s.leadInRound(ctx, leadID)
	if err != nil {
		return Outcome{}, err
	}
	switch {
	case !open(l.Status):
		return Outcome{Lead: l, Round: round, Stale: true}, nil
	case l.Status != store.LeadUnassigned:
		cur := max(round, 1)
		if attempt >= cur {
			return Outcome{Lead: l, Round: cur, Assigned: l.Status == store.LeadAssigned || l.Status == store.LeadContacted}, nil
		}
		return Outcome{Lead: l, Round: round, Stale: true}, nil
	case attempt <= round:
		return Outcome{Lead: l, Round: round, Pooled: true}, nil
	}
	return s.place(ctx, l, round, reason, nil, true)
}

// rate scores a lead for its assignment; without a scorer, or when the
// score cannot be computed (logged: it must never hold up a lead), it
// returns nil and the rep's mail scores the lead itself.
func (s *Service) rate(ctx context.Context, leadID int64) (*score.Result, *store.LeadScore) {
	if s.scorer == nil {
		return nil, nil
	}
	res, stored, err := s.scorer.rate(ctx, leadID)
	if err != nil {
		s.log.WarnContext(ctx, "lead not scored before its assignment", "lead_id", leadID, "err", err)
		return nil, nil
	}
	return &res, &stored
}

// place finds a rep for an unassigned lead and assigns it with the
// capacity-checked compare-and-set. A rep lost to capacity meanwhile is
// left out and the decision taken again. With markPool (lead:assign), a
// lead nobody can take gets its pooled event (first round only), and a
// lead placed gets its score with the assignment.
func (s *Service) place(ctx context.Context, l *store.Lead, round int, reason string, exclude []int64, markPool bool) (Outcome, error) {
	al, read, err := s.assignLead(ctx, l, exclude)
	if err != nil {
		return Outcome{}, err
	}
	var scored *score.Result
	var stored *store.LeadScore
	rated := !markPool // only lead:assign stores a score with the assignment
	for try := range s.opts.MaxPlaceTries {
		reps, err := s.candidates(ctx)
		if err != nil {
			return Outcome{}, err
		}
		key := fmt.Sprintf("lead:%d:%d:%d", l.ID, round+1, try)
		d, err := s.assigner.Decide(ctx, al, reps, s.now(), key)
		if err != nil {
			return Outcome{}, err
		}
		if d.RepID == 0 {
			if markPool {
				if err := s.st.PoolNewLead(ctx, l.ID, "nobody eligible: "+skipped(d.Skipped), s.now()); err != nil {
					return Outcome{}, err
				}
			}
			s.log.InfoContext(ctx, "lead waits in the pool", "lead_id", l.ID, "scope", d.Scope, "skipped", skipped(d.Skipped))
			r, err := s.st.LeadRound(ctx, l.ID)
			return Outcome{Lead: l, Round: r, Pooled: true, Decision: d}, err
		}
		if !rated {
			// Scored once a rep is chosen: a lead left in the pool is not.
			scored, stored = s.rate(ctx, l.ID)
			rated = true
		}
		capacity := 0
		if i := slices.IndexFunc(reps, func(r assign.Rep) bool { return r.ID == d.RepID }); i >= 0 {
			capacity = reps[i].Capacity
		}
		note := strings.TrimSpace(d.Why + " " + reason)
		at := s.now().UTC().Truncate(time.Microsecond) // what both databases keep
		newRound, err := s.st.AssignLeadWithin(ctx, store.LeadAssignment{LeadID: l.ID, FromPool: true, FromRepID: l.RepID, ToRepID: d.RepID,
			Capacity: capacity, Note: note, At: at, Score: stored})
		if errors.Is(err, store.ErrAssignmentLost) {
			cur, err := s.st.Lead(ctx, l.ID)
			if err != nil {
				return Outcome{}, err
			}
			if cur.Status != store.LeadUnassigned || cur.RepID != l.RepID {
				// Someone else placed it: report the lead as it is now.
				r, err := s.st.LeadRound(ctx, l.ID)
				return Outcome{Lead: cur, Round: max(r, 1), Assigned: cur.RepID != 0 && open(cur.Status), Stale: !open(cur.Status)}, err
			}
			al.Exclude = append(al.Exclude, d.RepID) // full meanwhile
			continue
		}
		if err != nil {
			return Outcome{}, err
		}
		cur := *l // as the compare-and-set left it, without reading it back
		cur.RepID, cur.Status, cur.AssignedAt, cur.ContactedAt, cur.UpdatedAt = d.RepID, store.LeadAssigned, at, time.Time{}, at
		if stored != nil {
			cur.Score, cur.ScoreFactors, cur.Scored = min(max(stored.Score, 0), 100), stored.Factors, true
		}
		s.log.InfoContext(ctx, "lead assigned", "lead_id", l.ID, "rep_id", d.RepID, "scope", d.Scope, "why", d.Why, "round", newRound)
		return Outcome{Lead: &cur, Round: newRound, Assigned: true, Decision: d, Inquiry: read.Inquiry, Customer: read.Customer,
			Score: scored}, nil
	}
	return Outcome{}, fmt.Errorf("lead: lead %d: every chosen rep filled up meanwhile, %d tries", l.ID, s.opts.MaxPlaceTries)
}

func skipped(m map[assign.Reason]int) string {
	var parts []string
	for r, n := range m {
		parts = append(parts, fmt.Sprintf("%s=%d", r, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, " ")
}

// candidates returns every rep as the assigner sees it, with open lead
// counts for the reps that need them (a capacity, or least_loaded).
func (s *Service) candidates(ctx context.Context) ([]assign.Rep, error) {
	reps, err := s.listReps(ctx)
	if err != nil {
		return nil, err
	}
	needAll := s.opts.Assign.Strategy == assign.LeastLoaded || slices.ContainsFunc(s.opts.Assign.Teams,
		func(t assign.Team) bool { return t.Strategy == assign.LeastLoaded })
	var ids []int64
	for _, r := range reps {
		if r.Active && (r.Capacity > 0 || needAll) {
			ids = append(ids, r.ID)
		}
	}
	counts, err := s.st.OpenLeadCounts(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]assign.Rep, 0, len(reps))
	for _, r := range reps {
		out = append(out, s.toAssignRep(r, counts[r.ID]))
	}
	return out, nil
}

// toAssignRep is a rep as assignment sees them, in their own timezone or
// the team's.
func (s *Service) toAssignRep(r store.Rep, open int) assign.Rep {
	loc := zone.Of(r.Timezone, s.opts.TeamZone)
	hours, err := assign.ParseWorkingHours(r.WorkingHours)
	if err != nil {
		hours = assign.WorkingHours{} // unreadable hours must not hide a rep
	}
	return assign.Rep{
		ID: r.ID, Email: r.Email, Active: r.Active, Weight: r.Weight, Capacity: r.Capacity, Open: open,
		Territories: r.Territories, Skills: r.Skills, Languages: r.Languages, Location: loc, Hours: hours, OutOfOfficeUntil: r.OutOfOfficeUntil,
	}
}

// assignLead describes a stored lead to the assigner: its territory from
// the lead and its customer account, the account owner, and the skills
// (product lines) of the reps and teams that its summary names. The
// inquiry and account it read (nil: none) come back in read.
func (s *Service) assignLead(ctx context.Context, l *store.Lead, exclude []int64) (al assign.Lead, read Outcome, err error) {
	al = assign.Lead{ID: l.ID, Country: l.Country, Domain: s.companyDomain(l), Exclude: exclude}
	if l.InquiryID != 0 {
		q, err := s.st.Inquiry(ctx, l.InquiryID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return al, read, err
		}
		if q != nil {
			al.Language = q.Language
			read.Inquiry = q
		}
	}
	if l.CustomerID != 0 {
		c, err := s.st.Customer(ctx, l.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return al, read, err
		}
		if c != nil {
			read.Customer = c
			al.OwnerRepID, al.Region = c.OwnerRepID, c.Region
			if al.Country == "" {
				al.Country = c.Country
			}
			if al.Domain == "" {
				al.Domain = c.Domain
			}
		}
	}
	reps, err := s.listReps(ctx)
	if err != nil {
		return al, read, err
	}
	known := map[string]bool{}
	for _, r := range reps {
		for _, sk := range r.Skills {
			known[strings.ToLower(sk)] = true
		}
	}
	for _, t := range s.opts.Assign.Teams {
		for _, sk := range t.Skills {
			known[strings.ToLower(sk)] = true
		}
	}
	words := strings.ToLower(l.Summary)
	for sk := range known {
		if sk != "" && regexp.MustCompile(`\b`+regexp.QuoteMeta(sk)+`\b`).MatchString(words) {
			al.Skills = append(al.Skills, sk)
		}
	}
	slices.Sort(al.Skills)
	return al, read, nil
}

// companyDomain is the lead's company domain for dedupe and territory:
// its Domain, else its contact's, unless that is a free-mail domain.
func (s *Service) companyDomain(l *store.Lead) string {
	d := strings.ToLower(strings.TrimSpace(l.Domain))
	if d == "" {
		if _, after, ok := strings.Cut(l.ContactEmail, "@"); ok {
			d = strings.ToLower(strings.TrimSpace(after))
		}
	}
	if s.free[d] {
		return ""
	}
	return d
}

// Reassign takes a lead from fromRep (who declined it or let the SLA
// lapse) and gives it to the next eligible rep, or the pool. A lead no
// longer with fromRep is left alone (Stale). A new owner is told through
// lead:assign for the new round.
func (s *Service) Reassign(ctx context.Context, leadID, fromRep int64, reason string) (Outcome, error) {
	l, err := s.st.Lead(ctx, leadID)
	if err != nil {
		return Outcome{}, err
	}
	if l.RepID != fromRep || (l.Status != store.LeadAssigned && l.Status != store.LeadContacted) {
		r, err := s.st.LeadRound(ctx, leadID)
		return Outcome{Lead: l, Round: r, Stale: true}, err
	}
	al, _, err := s.assignLead(ctx, l, []int64{fromRep})
	if err != nil {
		return Outcome{}, err
	}
	for try := range s.opts.MaxPlaceTries {
		round, err := s.st.LeadRound(ctx, leadID)
		if err != nil {
			return Outcome{}, err
		}
		reps, err := s.candidates(ctx)
		if err != nil {
			return Outcome{}, err
		}
		d, err := s.assigner.Decide(ctx, al, reps, s.now(), fmt.Sprintf("lead:%d:%d:%d", leadID, round+1, try))
		if err != nil {
			return Outcome{}, err
		}
		var newRound int
		if d.RepID == 0 {
			newRound, err = s.st.UnassignLead(ctx, leadID, fromRep, reason, s.now())
		} else {
			capacity := 0
			if i := slices.IndexFunc(reps, func(r assign.Rep) bool { return r.ID == d.RepID }); i >= 0 {
				capacity = reps[i].Capacity
			}
			newRound, err = s.st.AssignLeadWithin(ctx, store.LeadAssignment{LeadID: leadID, FromRepID: fromRep, ToRepID: d.RepID,
				Capacity: capacity, Note: strings.TrimSpace(d.Why + " " + reason), At: s.now()})
		}
		if errors.Is(err, store.ErrAssignmentLost) {
			cur, err := s.st.Lead(ctx, leadID)
			if err != nil {
				return Outcome{}, err
			}
			if cur.RepID != fromRep || !open(cur.Status) || cur.Status == store.LeadUnassigned {
				r, err := s.st.LeadRound(ctx, leadID)
				return Outcome{Lead: cur, Round: r, Stale: true}, err
			}
			al.Exclude = append(al.Exclude, d.RepID)
			continue
		}
		if err != nil {
			return Outcome{}, err
		}
		cur, err := s.st.Lead(ctx, leadID)
		if err != nil {
			return Outcome{}, err
		}
		out := Outcome{Lead: cur, Round: newRound, Decision: d, Assigned: d.RepID != 0, Pooled: d.RepID == 0}
		s.log.InfoContext(ctx, "lead reassigned", "lead_id", leadID, "from_rep_id", fromRep, "rep_id", d.RepID, "reason", reason, "round", newRound)
		if out.Assigned {
			if err := s.enqueueAssign(ctx, leadID, newRound, reason); err != nil {
				return out, err
			}
		}
		return out, nil
	}
	return Outcome{}, fmt.Errorf("lead: reassign lead %d: every chosen rep filled up meanwhile", leadID)
}

// enqueueAssign starts lead:assign for a round; an existing task for it
// means it is already on its way.
func (s *Service) enqueueAssign(ctx context.Context, leadID int64, round int, reason string) error {
	t, err := tasks.NewLeadAssignTask(tasks.LeadAssignPayload{LeadID: leadID, Attempt: round, Reason: reason})
	if err != nil {
		return err
	}
	if _, _, err := queue.Enqueue(ctx, s.enq, t); err != nil {
		return fmt.Errorf("lead: enqueue lead:assign for lead %d round %d: %w", leadID, round, err)
	}
	return nil
}

// DrainPool offers the pool's leads, oldest first, to the reps available
// now. A lead does not go back to the rep it last left (who declined it or
// let it lapse) unless everyone is ignoring exclusions (the daily digest
// delegating). Each lead placed gets lead:assign for its new round.
func (s *Service) DrainPool(ctx context.Context, ignoreExclusions bool) ([]Outcome, error) {
	reps, err := s.candidates(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !slices.ContainsFunc(reps, func(r assign.Rep) bool {
		return r.Availability(now, s.opts.Assign.RespectWorkingHours) == assign.Available
	}) {
		return nil, nil // nobody can take anything now
	}
	const pageSize = 500
	var out []Outcome
	stayed := 0 // leads looked at that are still in the pool, ahead of the rest in list order
	for {
		page, err := s.st.ListLeads(ctx, store.LeadFilter{Status: store.LeadUnassigned, Limit: pageSize, Offset: stayed, ByScore: true})
		if err != nil {
			return out, err
		}
		for i := range page {
			l := &page[i]
			var exclude []int64
			if !ignoreExclusions {
				if exclude, err = s.lastLeft(ctx, l.ID); err != nil {
					return out, err
				}
			}
			round, err := s.st.LeadRound(ctx, l.ID)
			if err != nil {
				return out, err
			}
			o, err := s.place(ctx, l, round, "from the pool", exclude, false)
			if err != nil {
				return out, err
			}
			switch {
			case o.Assigned && o.Decision.RepID != 0:
				if err := s.enqueueAssign(ctx, l.ID, o.Round, "from the pool"); err != nil {
					return out, err
				}
				out = append(out, o)
			case o.Pooled:
				stayed++
			}
		}
		if len(page) < pageSize {
			return out, nil
		}
	}
}

// lastLeft returns the rep the lead last left for the pool, if any.
func (s *Service) lastLeft(ctx context.Context, leadID int64) ([]int64, error) {
	evs, err := s.st.LeadEvents(ctx, leadID)
	if err != nil {
		return nil, err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		if evs[i].Kind == EventPooled {
			if evs[i].FromRepID != 0 {
				return []int64{evs[i].FromRepID}, nil
			}
			return nil, nil
		}
	}
	return nil, nil
}

// SetStatus moves a lead to contacted, won (value in cents) or lost (with
// the reason), as the API and the one-click links do. Closing a lead frees
// capacity, so the pool is offered to the reps at once.
func (s *Service) SetStatus(ctx context.Context, leadID int64, status string, valueCents int64, reason string) error {
	if err := s.st.SetLeadStatus(ctx, leadID, status, valueCents, reason); err != nil {
		return err
	}
	if status == store.LeadWon || status == store.LeadLost || status == store.LeadMerged {
		if _, err := s.DrainPool(ctx, false); err != nil {
			// The status is saved; the next sla_scan drains the pool.
			s.log.WarnContext(ctx, "pool drain after closing a lead failed", "lead_id", leadID, "error", err.Error())
		}
	}
	return nil
}

// leadInRound reads a lead and the assignment round it is in, in one
// statement.
func (s *Service) leadInRound(ctx context.Context, leadID int64) (*store.Lead, int, error) {
	return s.st.LeadWithRound(ctx, leadID)
}
