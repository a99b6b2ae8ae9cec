package lead

import (
	"context"

	"salesdesk/internal/store"
)

// Close marks a lead won (with its value and currency) or lost (with its
// reason) through store.CloseLead, as the API does, and hands the
// capacity it freed to the pool. changed is false when the lead was
// already closed with that outcome; a lead closed the other way or
// merged is store.ErrConflict. A failed hand-on is logged, not returned:
// the outcome stands and the next SLA scan drains the pool.
func (s *Service) Close(ctx context.Context, leadID int64, o store.LeadOutcome) (changed bool, err error) {
	changed, err = s.st.CloseLead(ctx, leadID, o)
	if err != nil || !changed {
		return changed, err
	}
	if err := s.OnLeadClosed(ctx, leadID); err != nil {
		s.log.WarnContext(ctx, "pool drain after closing a lead failed", "lead_id", leadID, "error", err.Error())
	}
	return true, nil
}

// CloseForRep is Close for the rep a one-click link was sent to: a lead
// that is no longer open with repID is ErrNotYours, unless it was
// already closed with this very outcome (a second click changes nothing).
func (s *Service) CloseForRep(ctx context.Context, leadID, repID int64, o store.LeadOutcome) (changed bool, err error) {
	l, err := s.st.Lead(ctx, leadID)
	if err != nil {
		return false, err
	}
	if l.RepID != repID {
		return false, ErrNotYours
	}
	switch l.Status {
	case store.LeadAssigned, store.LeadContacted:
		return s.Close(ctx, leadID, o)
	case o.Status:
		return false, nil
	}
	return false, ErrNotYours
}
