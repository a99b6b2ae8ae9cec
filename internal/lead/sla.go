package lead

import (
	"context"
	"fmt"
	"time"

	"salesdesk/internal/assign"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Deadlines returns when a rep holding a lead since assignedAt is
// reminded and when the lead is reassigned, counted in the rep's working
// hours and timezone. A zero time means that stage is off.
func (s *Service) Deadlines(rep *store.Rep, assignedAt time.Time) (remindAt, reassignAt time.Time) {
	if rep == nil {
		return time.Time{}, time.Time{}
	}
	r := s.toAssignRep(*rep, 0)
	if s.opts.SLAContact > 0 {
		remindAt = r.Hours.AddWorking(assignedAt, s.opts.SLAContact, r.Location)
	}
	if s.opts.SLAReassign > 0 {
		from := remindAt
		if from.IsZero() {
			from = assignedAt
		}
		reassignAt = r.Hours.AddWorking(from, s.opts.SLAReassign, r.Location)
	}
	return remindAt, reassignAt
}

// ScheduleSLA enqueues both SLA checks of a lead's round; existing ones are
// kept (deterministic TaskIDs).
func (s *Service) ScheduleSLA(ctx context.Context, l *store.Lead, rep *store.Rep, round int) error {
	remindAt, reassignAt := s.Deadlines(rep, l.AssignedAt)
	for _, st := range []struct {
		stage int
		at    time.Time
	}{{tasks.SLAStageRemind, remindAt}, {tasks.SLAStageReassign, reassignAt}} {
		if st.at.IsZero() {
			continue
		}
		t, err := tasks.NewLeadSLACheckTask(tasks.LeadSLACheckPayload{LeadID: l.ID, Attempt: round, Stage: st.stage, DueAt: st.at})
		if err != nil {
			return err
		}
		if _, _, err := queue.Enqueue(ctx, s.enq, t); err != nil {
			return fmt.Errorf("lead: schedule SLA check %d of lead %d: %w", st.stage, l.ID, err)
		}
	}
	return nil
}

// SLAAction is what an SLA check asks of its caller.
type SLAAction int

// SLA actions.
const (
	SLANone     SLAAction = iota // contacted, closed, stale or not due
	SLARemind                    // mail the rep a reminder, then RecordReminder
	SLAReassign                  // done: the lead moved on; tell the manager
)

// SLAResult is the outcome of CheckSLA.
type SLAResult struct {
	Action     SLAAction
	Lead       *store.Lead // as it was when checked
	Rep        *store.Rep  // the rep who held it
	Round      int
	RemindAt   time.Time
	ReassignAt time.Time
	Moved      Outcome // SLAReassign: where it went
}

// CheckSLA runs one SLA check. Stage 1 (remind) asks for a reminder unless
// the lead was contacted, accepted or already reminded in this round.
// Stage 2 reassigns a lead still not contacted to the next eligible rep
// (or the pool) and records the breach. A check for an older round, or run
// before its deadline (a rep's hours changed), does nothing.
func (s *Service) CheckSLA(ctx context.Context, leadID int64, attempt, stage int) (SLAResult, error) {
	l, round, err := s.leadInRound(ctx, leadID)
	if err != nil {
		return SLAResult{}, err
	}
	res := SLAResult{Lead: l, Round: max(round, 1)}
	if l.Status != store.LeadAssigned || l.RepID == 0 || attempt != res.Round {
		return res, nil
	}
	if res.Rep, err = s.st.Rep(ctx, l.RepID); err != nil {
		return res, err
	}
	res.RemindAt, res.ReassignAt = s.Deadlines(res.Rep, l.AssignedAt)
	now := s.now()
	switch stage {
	case tasks.SLAStageRemind:
		if res.RemindAt.IsZero() || now.Before(res.RemindAt) {
			return res, nil
		}
		evs, err := s.roundEvents(ctx, leadID)
		if err != nil {
			return res, err
		}
		for _, e := range evs {
			if e.Kind == EventAccepted || e.Kind == store.LeadEventReminder {
				return res, nil
			}
		}
		res.Action = SLARemind
	case tasks.SLAStageReassign:
		if res.ReassignAt.IsZero() || now.Before(res.ReassignAt) {
			return res, nil
		}
		if err := s.st.AddLeadEvent(ctx, &store.LeadEvent{LeadID: leadID, Kind: EventSLABreach, RepID: l.RepID,
			Note: "not contacted by " + res.ReassignAt.UTC().Format(time.RFC3339)}); err != nil {
			return res, err
		}
		moved, err := s.Reassign(ctx, leadID, l.RepID, "SLA: not contacted in time")
		if err != nil {
			return res, err
		}
		res.Moved, res.Action = moved, SLAReassign
		if moved.Stale {
			res.Action = SLANone
		}
	default:
		return res, fmt.Errorf("lead: unknown SLA stage %d", stage)
	}
	return res, nil
}

// RecordReminder notes in the lead's history that its rep was reminded in
// this round, once.
func (s *Service) RecordReminder(ctx context.Context, leadID, repID int64) error {
	evs, err := s.roundEvents(ctx, leadID)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if e.Kind == store.LeadEventReminder {
			return nil
		}
	}
	return s.st.AddLeadEvent(ctx, &store.LeadEvent{LeadID: leadID, Kind: store.LeadEventReminder, RepID: repID})
}

// roundEvents returns the events since the lead's last round began.
func (s *Service) roundEvents(ctx context.Context, leadID int64) ([]store.LeadEvent, error) {
	evs, err := s.st.LeadEvents(ctx, leadID)
	if err != nil {
		return nil, err
	}
	for i := len(evs) - 1; i >= 0; i-- {
		switch evs[i].Kind {
		case store.LeadEventAssigned, store.LeadEventReassigned, EventPooled:
			return evs[i+1:], nil
		}
	}
	return evs, nil
}

// ScanResult counts what Scan did.
type ScanResult struct {
	FromPool    int // pool leads placed
	Rechecked   int // overdue SLA checks enqueued again (lost, or never scheduled)
	Unavailable int // leads taken from reps who became unavailable
}

// Scan is the periodic sweep (leads:sla_scan): it offers the pool to the
// reps, re-enqueues SLA checks that are overdue (a lost task finds its
// TaskID free; a done one conflicts and is skipped) and reassigns leads,
// not yet contacted, whose rep became inactive or went out of office.
func (s *Service) Scan(ctx context.Context) (ScanResult, error) {
	var res ScanResult
	placed, err := s.DrainPool(ctx, false)
	res.FromPool = len(placed)
	if err != nil {
		return res, err
	}
	now := s.now()
	reps := map[int64]*store.Rep{}
	all, err := s.st.ListReps(ctx, false)
	if err != nil {
		return res, err
	}
	for i := range all {
		reps[all[i].ID] = &all[i]
	}
	for offset := 0; ; {
		page, err := s.st.ListLeads(ctx, store.LeadFilter{Status: store.LeadAssigned, Limit: 500, Offset: offset})
		if err != nil {
			return res, err
		}
		moved := 0
		for i := range page {
			l := &page[i]
			rep := reps[l.RepID]
			if rep == nil {
				continue
			}
			if why := s.toAssignRep(*rep, 0).Availability(now, false); why == assign.Inactive || why == assign.OutOfOffice {
				o, err := s.Reassign(ctx, l.ID, rep.ID, "rep "+string(why))
				if err != nil {
					return res, err
				}
				if !o.Stale {
					res.Unavailable++
					moved++
				}
				continue
			}
			remindAt, reassignAt := s.Deadlines(rep, l.AssignedAt)
			round, err := s.st.LeadRound(ctx, l.ID)
			if err != nil {
				return res, err
			}
			for _, st := range []struct {
				stage int
				at    time.Time
			}{{tasks.SLAStageRemind, remindAt}, {tasks.SLAStageReassign, reassignAt}} {
				if st.at.IsZero() || now.Before(st.at) {
					continue
				}
				t, err := tasks.NewLeadSLACheckTask(tasks.LeadSLACheckPayload{LeadID: l.ID, Attempt: max(round, 1), Stage: st.stage, DueAt: st.at})
				if err != nil {
					return res, err
				}
				_, dup, err := queue.Enqueue(ctx, s.enq, t)
				switch {
				case err != nil:
					return res, fmt.Errorf("lead: re-enqueue SLA check of lead %d: %w", l.ID, err)
				case !dup:
					res.Rechecked++
				}
			}
		}
		if len(page) < 500 {
			return res, nil
		}
		offset += len(page) - moved
	}
}
