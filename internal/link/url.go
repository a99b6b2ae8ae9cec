package link

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// TriageAction is the action triage links are signed for. The signed id
// is the inquiry and the extra value the chosen category.
const TriageAction = "triage"

// TriageURL returns the one-click link that files inquiryID under
// category: baseURL/triage/{inquiry_id}/{category}?exp=...&sig=...
func (s *Signer) TriageURL(baseURL string, inquiryID int64, category string, expires time.Time) string {
	return fmt.Sprintf("%s/triage/%d/%s?%s", strings.TrimRight(baseURL, "/"), inquiryID, url.PathEscape(category),
		s.Values(TriageAction, inquiryID, category, expires).Encode())
}

// LeadAction is the action a lead link is signed for: "lead_" + action.
// The signed id is the lead and the extra value the rep's id, so a link
// works only for the rep it was sent to.
func LeadAction(action string) string { return "lead_" + action }

// LeadURL returns the one-click link for a rep's action on a lead:
// baseURL/leads/{lead_id}/{action}?rep={rep_id}&exp=...&sig=...
func (s *Signer) LeadURL(baseURL, action string, leadID, repID int64, expires time.Time) string {
	q := s.Values(LeadAction(action), leadID, strconv.FormatInt(repID, 10), expires)
	q.Set("rep", strconv.FormatInt(repID, 10))
	return fmt.Sprintf("%s/leads/%d/%s?%s", strings.TrimRight(baseURL, "/"), leadID, url.PathEscape(action), q.Encode())
}

// VerifyLead checks a lead link's query (rep, exp, sig) for action on
// leadID at now and returns the rep it was made for. Errors are
// ErrInvalid or ErrExpired.
func (s *Signer) VerifyLead(action string, leadID int64, q url.Values, now time.Time) (repID int64, err error) {
	repID, err = strconv.ParseInt(q.Get("rep"), 10, 64)
	if err != nil || repID <= 0 {
		return 0, ErrInvalid
	}
	if err := s.VerifyValues(LeadAction(action), leadID, strconv.FormatInt(repID, 10), q, now); err != nil {
		return 0, err
	}
	return repID, nil
}
