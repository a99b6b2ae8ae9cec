// Package link owns salesdesk's signed one-click links: URLs a person
// follows from a mail (a triage decision, "lead contacted") without logging
// in. It signs and verifies them (Signer), builds each kind's URL
// (TriageURL, LeadURL) and serves the pages they open (NewHandler).
//
// The signature is the credential, so the pages are mounted without a
// dashboard login (web.Options.Public). Following a link (GET) only checks
// it and shows a confirmation page with one button; the decision is
// applied by the POST that button sends, which checks the link again. Mail
// scanners and link previews that fetch every URL in a mail therefore
// never decide anything.
//
// A link names an action, the id of the thing it acts on, an optional
// extra value (such as the chosen category) and an expiry. The signature is
// an HMAC-SHA256 over all four under a server-side secret, so changing any
// of them, or the expiry, invalidates the link; an expired link is refused
// even with a valid signature.
package link

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Query parameter names of a signed link.
const (
	ParamSig = "sig"
	ParamExp = "exp"
)

// MinSecretLen is the shortest secret New accepts.
const MinSecretLen = 16

// Errors returned by Verify. Both mean "refuse the link"; they are told
// apart so a page can say "this link has expired".
var (
	ErrInvalid = errors.New("link: invalid signature")
	ErrExpired = errors.New("link: expired")
)

// Signer signs and verifies links with one secret. It is safe for
// concurrent use.
type Signer struct {
	key []byte
}

// New returns a Signer for secret, which must be at least MinSecretLen
// bytes of random data kept out of the repository.
func New(secret []byte) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("link: secret must be at least %d bytes, got %d", MinSecretLen, len(secret))
	}
	return &Signer{key: append([]byte(nil), secret...)}, nil
}

// Sign returns the signature of a link for action on id with extra, valid
// until expires (to the second).
func (s *Signer) Sign(action string, id int64, extra string, expires time.Time) string {
	return base64.RawURLEncoding.EncodeToString(s.mac(action, id, extra, expires.Unix()))
}

// Verify checks sig for action on id with extra and expires, as Sign made
// it, at time now. It returns ErrInvalid for a wrong or malformed
// signature and ErrExpired for a genuine link past its expiry.
func (s *Signer) Verify(action string, id int64, extra string, expires time.Time, sig string, now time.Time) error {
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(action, id, extra, expires.Unix())) {
		return ErrInvalid
	}
	if !now.Before(time.Unix(expires.Unix(), 0)) {
		return ErrExpired
	}
	return nil
}

// Values returns the query parameters of a signed link: sig and exp (Unix
// seconds).
func (s *Signer) Values(action string, id int64, extra string, expires time.Time) url.Values {
	return url.Values{
		ParamSig: {s.Sign(action, id, extra, expires)},
		ParamExp: {strconv.FormatInt(expires.Unix(), 10)},
	}
}

// VerifyValues checks the sig and exp parameters of q for action on id
// with extra at time now. A missing or malformed parameter is ErrInvalid.
func (s *Signer) VerifyValues(action string, id int64, extra string, q url.Values, now time.Time) error {
	exp, err := strconv.ParseInt(q.Get(ParamExp), 10, 64)
	if err != nil {
		return ErrInvalid
	}
	return s.Verify(action, id, extra, time.Unix(exp, 0), q.Get(ParamSig), now)
}

// mac is HMAC-SHA256 over an unambiguous encoding of the fields: each
// string is length-prefixed, so ("a", "bc") and ("ab", "c") differ.
func (s *Signer) mac(action string, id int64, extra string, exp int64) []byte {
	h := hmac.New(sha256.New, s.key)
	var n [8]byte
	writeString := func(v string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(v)))
		h.Write(n[:])
		h.Write([]byte(v))
	}
	h.Write([]byte("salesdesk-link-v1"))
	writeString(action)
	binary.BigEndian.PutUint64(n[:], uint64(id))
	h.Write(n[:])
	writeString(extra)
	binary.BigEndian.PutUint64(n[:], uint64(exp))
	h.Write(n[:])
	return h.Sum(nil)
}
