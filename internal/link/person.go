package link

import (
	"net/url"
	"strconv"
	"strings"
	"time"
)

// PersonAction is the action a person link is signed for. The signed id
// is the rep (person) it was sent to and the extra value the desk path it
// opens, so a link opens only that page, and only for that person.
const PersonAction = "open"

// ParamAs names the person a link was made for.
const ParamAs = "as"

// PersonURL returns a link to a desk page (path, such as "/desk/leads/7")
// that signs repID in when followed before expires:
// baseURL/desk/leads/7?as={rep_id}&exp=...&sig=...
func (s *Signer) PersonURL(baseURL, path string, repID int64, expires time.Time) string {
	q := s.Values(PersonAction, repID, path, expires)
	q.Set(ParamAs, strconv.FormatInt(repID, 10))
	return strings.TrimRight(baseURL, "/") + path + "?" + q.Encode()
}

// IsPersonLink reports whether q carries a person link's parameters.
func IsPersonLink(q url.Values) bool { return q.Has(ParamAs) && q.Has(ParamSig) }

// VerifyPerson checks the person link for path with query q at now and
// returns the rep it was made for. An expired link returns the rep with
// ErrExpired: its signature still proves who it was sent to, which is
// enough to mail that person a fresh sign-in link, never to sign them in.
func (s *Signer) VerifyPerson(path string, q url.Values, now time.Time) (repID int64, err error) {
	repID, err = strconv.ParseInt(q.Get(ParamAs), 10, 64)
	if err != nil || repID <= 0 {
		return 0, ErrInvalid
	}
	if err := s.VerifyValues(PersonAction, repID, path, q, now); err != nil {
		if err == ErrExpired {
			return repID, err
		}
		return 0, err
	}
	return repID, nil
}
