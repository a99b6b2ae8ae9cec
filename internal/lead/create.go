package lead

import (
	"context"
	"fmt"
	"strings"

	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Created is the result of taking in a lead.
type Created struct {
	Lead       *store.Lead
	New        bool  // this call stored it (false: it existed for this inquiry or external id)
	MergedInto int64 // the open lead it was merged into; 0 when it stands alone
}

// Create stores a lead (unique per inquiry and per external id) and
// dedupes it: when an older open lead of the same contact email, or the
// same company domain (not a free-mail one), was created within the dedupe
// window, the new lead is marked merged into it and both histories record
// it. Running it twice has the effect of running it once. It does not
// start assignment; see Submit and Followup.
func (s *Service) Create(ctx context.Context, l *store.Lead) (Created, error) {
	l.ContactEmail = strings.ToLower(strings.TrimSpace(l.ContactEmail))
	if l.Domain == "" {
		l.Domain = s.companyDomain(l)
	}
	l.Status, l.RepID = "", 0 // assignment is the assigner's
	_, created, err := s.st.CreateLead(ctx, l)
	if err != nil {
		return Created{}, err
	}
	target, err := s.dedupe(ctx, l)
	if err != nil {
		return Created{}, err
	}
	return Created{Lead: l, New: created, MergedInto: target}, nil
}

// dedupe merges l into an older open duplicate, if there is one.
func (s *Service) dedupe(ctx context.Context, l *store.Lead) (int64, error) {
	if s.opts.DedupeWindow <= 0 || l.Status != store.LeadUnassigned {
		return 0, nil
	}
	target, err := s.st.DuplicateLead(ctx, l, s.companyDomain(l), s.now().Add(-s.opts.DedupeWindow))
	if err != nil || target == 0 {
		return 0, err
	}
	// The target's event first: a crash before the status change repeats
	// the event rather than losing it.
	what := l.Summary
	if what == "" {
		what = l.Source
	}
	if err := s.st.AddLeadEvent(ctx, &store.LeadEvent{LeadID: target, Kind: store.LeadEventMerged,
		Note: fmt.Sprintf("lead %d from %s merged in: %s", l.ID, l.ContactEmail, what)}); err != nil {
		return 0, err
	}
	if err := s.st.MergeLead(ctx, l.ID, target); err != nil {
		return 0, err
	}
	l.Status = store.LeadMerged
	s.log.InfoContext(ctx, "lead merged", "lead_id", l.ID, "into_lead_id", target)
	return target, nil
}

// Submit takes in a lead from the API or an import: Create, then
// lead:assign round 1 unless it merged into an open lead.
func (s *Service) Submit(ctx context.Context, l *store.Lead) (Created, error) {
	c, err := s.Create(ctx, l)
	if err != nil {
		return c, err
	}
	if c.MergedInto == 0 && c.Lead.Status == store.LeadUnassigned {
		err = s.enqueueAssign(ctx, c.Lead.ID, 1, "new lead from "+c.Lead.Source)
	}
	return c, err
}

// OnLeadCreated is the hook for code that stored a lead itself (the REST
// API's POST /api/v1/leads): it dedupes the lead against older open ones
// and starts its assignment. Calling it twice is harmless.
func (s *Service) OnLeadCreated(ctx context.Context, leadID int64) error {
	l, err := s.st.Lead(ctx, leadID)
	if err != nil {
		return err
	}
	target, err := s.dedupe(ctx, l)
	if err != nil || target != 0 || l.Status != store.LeadUnassigned {
		return err
	}
	return s.enqueueAssign(ctx, leadID, 1, "new lead from "+l.Source)
}

// Followup is intake's follow-on for quote_request and meeting_request
// inquiries: it makes the inquiry's lead (deduped) and returns lead:assign
// round 1 for it. A lead merged into an open one still gets its task; the
// handler finds it closed and does nothing.
func (s *Service) Followup() intake.Followup {
	return func(ctx context.Context, in intake.FollowupInput) (*asynq.Task, error) {
		q := in.Inquiry
		l := &store.Lead{
			InquiryID:    q.ID,
			CustomerID:   q.CustomerID,
			ContactEmail: q.ContactEmail,
			ContactName:  in.Entities.Signature.Name,
			Company:      in.Entities.Signature.Company,
			Source:       "email",
			Summary:      strings.TrimSpace(q.Subject),
		}
		if l.ContactEmail == "" {
			l.ContactEmail = in.Sender
		}
		c, err := s.Create(ctx, l)
		if err != nil {
			return nil, err
		}
		return tasks.NewLeadAssignTask(tasks.LeadAssignPayload{LeadID: c.Lead.ID, Attempt: 1, Reason: "inquiry " + q.Reference})
	}
}

// OnLeadClosed is the hook for code that closed a lead through the store
// (won, lost): the capacity it freed goes to the pool at once.
func (s *Service) OnLeadClosed(ctx context.Context, leadID int64) error {
	_, err := s.DrainPool(ctx, false)
	return err
}

// OnLeadReassigned is the hook for code that moved a lead to another rep
// through the store (the API's reassign): the new rep is told, and the new
// round's SLA checks are scheduled, by lead:assign for the current round.
func (s *Service) OnLeadReassigned(ctx context.Context, leadID int64) error {
	round, err := s.st.LeadRound(ctx, leadID)
	if err != nil {
		return err
	}
	return s.enqueueAssign(ctx, leadID, max(round, 1), "reassigned")
}
