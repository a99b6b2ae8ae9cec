package lead

import (
	"context"
	"errors"
	"fmt"

	"salesdesk/internal/store"
)

// One-click actions a rep can take from the lead mail.
const (
	ActionAccept    = "accept"
	ActionContacted = "contacted"
	ActionNotMine   = "not_mine"
)

// Actions lists the one-click actions.
var Actions = []string{ActionAccept, ActionContacted, ActionNotMine}

// ErrNotYours means the lead is no longer with the rep who followed the
// link (it moved on, or was closed); the page should say so.
var ErrNotYours = errors.New("lead: this lead is no longer yours")

// ErrUnknownAction is returned for an action not in Actions.
var ErrUnknownAction = errors.New("lead: unknown action")

// ApplyLinkAction applies a verified one-click action of repID to a lead:
// accept records that the rep took it (no reminder follows), contacted
// marks it contacted (the SLA is met), not_mine hands it to the next
// eligible rep or the pool. Repeating an action is harmless.
func (s *Service) ApplyLinkAction(ctx context.Context, leadID int64, action string, repID int64) (Outcome, error) {
	l, round, err := s.leadInRound(ctx, leadID)
	if err != nil {
		return Outcome{}, err
	}
	out := Outcome{Lead: l, Round: round}
	mine := l.RepID == repID && (l.Status == store.LeadAssigned || l.Status == store.LeadContacted)
	switch action {
	case ActionAccept:
		if !mine {
			return out, ErrNotYours
		}
		evs, err := s.roundEvents(ctx, leadID)
		if err != nil {
			return out, err
		}
		for _, e := range evs {
			if e.Kind == EventAccepted {
				return out, nil
			}
		}
		err = s.st.AddLeadEvent(ctx, &store.LeadEvent{LeadID: leadID, Kind: EventAccepted, RepID: repID})
		return out, err
	case ActionContacted:
		if !mine {
			return out, ErrNotYours
		}
		if l.Status == store.LeadContacted {
			return out, nil
		}
		// The click is the rep's word that they reached the customer:
		// the lead's first human contact unless a reply came first.
		if _, err := s.st.RecordLeadContact(ctx, leadID, s.now(), store.ContactViaClick); err != nil {
			return out, err
		}
		out.Lead, err = s.st.Lead(ctx, leadID)
		return out, err
	case ActionNotMine:
		if !mine {
			if l.RepID != repID {
				return out, nil // already moved on: the wish is granted
			}
			return out, ErrNotYours
		}
		return s.Reassign(ctx, leadID, repID, "not mine")
	}
	return out, fmt.Errorf("%w %q", ErrUnknownAction, action)
}
