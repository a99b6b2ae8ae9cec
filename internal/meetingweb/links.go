// Package meetingweb serves the meeting pages that links in meeting mails
// open: the customer's one-click slot pick (signed, expiring, single-use
// per proposal) and the rep's meeting page with cancel and outcome
// buttons. Like internal/link, a GET only shows a page with one button and
// the POST it sends acts, so link scanners never book or cancel anything.
package meetingweb

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/link"
)

// Link actions the signatures are made for.
const (
	actionSlot = "meeting_slot"
	// Rep actions on a meeting, signed with the rep's id.
	ActionView   = "view"
	ActionCancel = "cancel"
	ActionMove   = "move"
	ActionHeld   = "held"
	ActionNoShow = "no_show"
)

// SlotURL is the one-click link that books slotID, its page written in
// language (an ISO 639-1 code, signed with the link so it cannot be
// swapped; "" is English):
// baseURL/meetings/slots/{slot_id}?exp=...&lang=...&sig=...
func SlotURL(s *link.Signer, baseURL string, slotID int64, language string, expires time.Time) string {
	language = strings.ToLower(strings.TrimSpace(language))
	q := s.Values(actionSlot, slotID, language, expires)
	if language != "" {
		q.Set(paramLanguage, language)
	}
	return fmt.Sprintf("%s/meetings/slots/%d?%s", strings.TrimRight(baseURL, "/"), slotID, q.Encode())
}

// paramLanguage carries a slot link's language.
const paramLanguage = "lang"

// RepURL is a rep's link for action on a meeting:
// baseURL/meetings/{id}/{action}?rep={rep_id}&exp=...&sig=...
func RepURL(s *link.Signer, baseURL, action string, meetingID, repID int64, expires time.Time) string {
	q := s.Values("meeting_"+action, meetingID, strconv.FormatInt(repID, 10), expires)
	q.Set("rep", strconv.FormatInt(repID, 10))
	return fmt.Sprintf("%s/meetings/%d/%s?%s", strings.TrimRight(baseURL, "/"), meetingID, url.PathEscape(action), q.Encode())
}

func verifyRep(s *link.Signer, action string, meetingID int64, q url.Values, now time.Time) (int64, error) {
	repID, err := strconv.ParseInt(q.Get("rep"), 10, 64)
	if err != nil || repID <= 0 {
		return 0, link.ErrInvalid
	}
	return repID, s.VerifyValues("meeting_"+action, meetingID, strconv.FormatInt(repID, 10), q, now)
}
