package lead

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/link"
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

// LinkAction is the action a lead link is signed for: "lead_" + action.
// The signed id is the lead and the extra value the rep's id, so a link
// works only for the rep it was sent to.
func LinkAction(action string) string { return "lead_" + action }

// LinkURL returns the one-click link for action on a lead, for the rep:
// baseURL/leads/{lead_id}/{action}?rep={rep_id}&exp=...&sig=...
func LinkURL(baseURL string, s *link.Signer, action string, leadID, repID int64, expires time.Time) string {
	q := s.Values(LinkAction(action), leadID, strconv.FormatInt(repID, 10), expires)
	q.Set("rep", strconv.FormatInt(repID, 10))
	return fmt.Sprintf("%s/leads/%d/%s?%s", strings.TrimRight(baseURL, "/"), leadID, url.PathEscape(action), q.Encode())
}

// VerifyLink checks a one-click link's query (rep, exp, sig) for action
// on leadID at now and returns the rep it was made for. Errors are
// link.ErrInvalid or link.ErrExpired.
func VerifyLink(s *link.Signer, action string, leadID int64, q url.Values, now time.Time) (repID int64, err error) {
	repID, err = strconv.ParseInt(q.Get("rep"), 10, 64)
	if err != nil || repID <= 0 {
		return 0, link.ErrInvalid
	}
	if err := s.VerifyValues(LinkAction(action), leadID, strconv.FormatInt(repID, 10), q, now); err != nil {
		return 0, err
	}
	return repID, nil
}

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
	l, err := s.st.Lead(ctx, leadID)
	if err != nil {
		return Outcome{}, err
	}
	round, err := s.st.LeadRound(ctx, leadID)
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
		if err := s.SetStatus(ctx, leadID, store.LeadContacted, 0, ""); err != nil {
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
