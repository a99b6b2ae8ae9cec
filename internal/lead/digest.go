package lead

import (
	"cmp"
	"context"
	"slices"
	"time"

	"salesdesk/internal/store"
)

// DigestLead is one lead on a daily list.
type DigestLead struct {
	Lead      store.Lead
	RespondBy time.Time // the reminder deadline; zero when none
	Overdue   bool      // assigned, not contacted, past RespondBy
}

// RepList is one rep's open leads.
type RepList struct {
	Rep   store.Rep
	Leads []DigestLead
}

// Digest is the daily lead list.
type Digest struct {
	Day        time.Time    // midnight of the day, in the team timezone
	Delegated  []Outcome    // pool leads placed while compiling
	New        []DigestLead // created in the 24 hours before the digest
	Unassigned []DigestLead // still in the pool after delegating
	Stale      []DigestLead // assigned, not contacted, past the reminder deadline
	Reps       []RepList    // every active rep, with their open leads
}

// Compile builds the daily lead list for day (midnight in the team
// timezone): it first delegates the pool to whoever is available,
// ignoring earlier refusals, so nothing waits unseen; then it gathers new,
// unassigned and stale leads and every active rep's open leads.
func (s *Service) Compile(ctx context.Context, day time.Time) (Digest, error) {
	d := Digest{Day: day}
	var err error
	if d.Delegated, err = s.DrainPool(ctx, true); err != nil {
		return d, err
	}
	now := s.now()
	reps, err := s.st.ListReps(ctx, false)
	if err != nil {
		return d, err
	}
	byID := map[int64]*store.Rep{}
	lists := map[int64]*RepList{}
	for i := range reps {
		byID[reps[i].ID] = &reps[i]
		if reps[i].Active {
			d.Reps = append(d.Reps, RepList{Rep: reps[i]})
		}
	}
	for i := range d.Reps {
		lists[d.Reps[i].Rep.ID] = &d.Reps[i]
	}
	entry := func(l store.Lead) DigestLead {
		e := DigestLead{Lead: l}
		if rep := byID[l.RepID]; rep != nil && l.RepID != 0 && !l.AssignedAt.IsZero() {
			e.RespondBy, _ = s.Deadlines(rep, l.AssignedAt)
			e.Overdue = l.Status == store.LeadAssigned && !e.RespondBy.IsZero() && !now.Before(e.RespondBy)
		}
		return e
	}
	err = s.eachLead(ctx, store.LeadFilter{Since: now.Add(-24 * time.Hour)}, func(l store.Lead) {
		if l.Status != store.LeadMerged {
			d.New = append(d.New, entry(l))
		}
	})
	if err != nil {
		return d, err
	}
	for _, status := range []string{store.LeadUnassigned, store.LeadAssigned, store.LeadContacted} {
		err := s.eachLead(ctx, store.LeadFilter{Status: status}, func(l store.Lead) {
			e := entry(l)
			switch {
			case status == store.LeadUnassigned:
				d.Unassigned = append(d.Unassigned, e)
				return
			case e.Overdue:
				d.Stale = append(d.Stale, e)
			}
			if rl := lists[l.RepID]; rl != nil {
				rl.Leads = append(rl.Leads, e)
			}
		})
		if err != nil {
			return d, err
		}
	}
	for i := range d.Reps {
		slices.SortStableFunc(d.Reps[i].Leads, ByPriority)
	}
	for _, list := range [][]DigestLead{d.New, d.Unassigned, d.Stale} {
		slices.SortStableFunc(list, ByPriority)
	}
	return d, nil
}

// ByPriority orders a daily list: the highest score first (scored leads
// before unscored ones), then the earliest SLA due time (leads without
// one after), then the oldest.
func ByPriority(a, b DigestLead) int {
	if a.Lead.Scored != b.Lead.Scored {
		if a.Lead.Scored {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(b.Lead.Score, a.Lead.Score); c != 0 {
		return c
	}
	if az, bz := a.RespondBy.IsZero(), b.RespondBy.IsZero(); az != bz {
		if bz {
			return -1
		}
		return 1
	}
	if c := a.RespondBy.Compare(b.RespondBy); c != 0 {
		return c
	}
	return a.Lead.CreatedAt.Compare(b.Lead.CreatedAt)
}

// eachLead calls fn for every lead matching f, page by page.
func (s *Service) eachLead(ctx context.Context, f store.LeadFilter, fn func(store.Lead)) error {
	f.Limit = 1000
	for f.Offset = 0; ; f.Offset += f.Limit {
		page, err := s.st.ListLeads(ctx, f)
		if err != nil {
			return err
		}
		for _, l := range page {
			fn(l)
		}
		if len(page) < f.Limit {
			return nil
		}
	}
}
