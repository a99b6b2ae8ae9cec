package desk

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/link"
	"salesdesk/internal/store"
)

// maxForm bounds a posted form: every desk form holds a few short fields.
const maxForm = 16 << 10

// signInSent is what every sign-in request answers, whether or not the
// address is a person on the team, so the form tells strangers nothing.
const signInSent = "If that address belongs to someone on the team, a sign-in link is on its way. It works once, for a short time."

func (d *Desk) signInForm(w http.ResponseWriter, r *http.Request) {
	d.render(w, r, nil, http.StatusOK, "signin", map[string]any{"Next": safeNext(r.URL.Query().Get("next"))})
}

// signInRequest mails a magic link to the address when it is an active
// rep's.
func (d *Desk) signInRequest(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	addr := strings.TrimSpace(r.PostForm.Get("email"))
	next := safeNext(r.PostForm.Get("next"))
	if rep, err := d.o.Store.RepByEmail(r.Context(), addr); err == nil && rep.Active {
		if err := d.sendSignIn(r.Context(), rep, next); err != nil {
			d.log.WarnContext(r.Context(), "desk sign-in link not sent", "rep_id", rep.ID, "error", err.Error())
		}
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		d.fail(w, r, nil, http.StatusInternalServerError, "Something went wrong; please try again.")
		return
	}
	d.render(w, r, nil, http.StatusOK, "message", map[string]any{"Title": "Check your mail", "Text": signInSent})
}

// signInRenew mails a fresh sign-in link to the person an expired link in
// a mail was made for: the signature proves whom it was sent to.
func (d *Desk) signInRenew(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	f := r.PostForm
	path := f.Get("path")
	q := map[string][]string{link.ParamAs: {f.Get(link.ParamAs)}, link.ParamExp: {f.Get(link.ParamExp)}, link.ParamSig: {f.Get(link.ParamSig)}}
	repID, err := d.o.Signer.VerifyPerson(path, q, d.now())
	if err != nil && !errors.Is(err, link.ErrExpired) {
		d.fail(w, r, nil, http.StatusForbidden, "This link is not valid. Sign in to open the desk.")
		return
	}
	if rep, err := d.o.Store.Rep(r.Context(), repID); err == nil && rep.Active {
		if err := d.sendSignIn(r.Context(), rep, safeNext(path)); err != nil {
			d.log.WarnContext(r.Context(), "desk sign-in link not sent", "rep_id", rep.ID, "error", err.Error())
		}
	}
	d.render(w, r, nil, http.StatusOK, "message", map[string]any{"Title": "Check your mail",
		"Text": "A new sign-in link is on its way to your address. It works once, for a short time."})
}

// errSignInLimit means the person asked for too many links lately.
var errSignInLimit = errors.New("desk: too many sign-in links requested")

// sendSignIn makes a single-use link for rep and mails it, unless the rep
// already got SignInLimit links in the past hour.
func (d *Desk) sendSignIn(ctx context.Context, rep *store.Rep, next string) error {
	if d.o.Mail == nil {
		return errors.New("desk: no mail configured for sign-in links")
	}
	now := d.now()
	n, err := d.o.Store.SignInsSince(ctx, rep.ID, now.Add(-time.Hour))
	if err != nil {
		return err
	}
	if n >= d.o.SignInLimit {
		return errSignInLimit
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	expires := now.Add(d.o.SignInTTL)
	if err := d.o.Store.CreateSignIn(ctx, tokenHash(token), rep.ID, next, expires); err != nil {
		return err
	}
	u := strings.TrimRight(d.o.BaseURL, "/") + Prefix + "/magic/" + token
	until := FormatTime(expires, d.location(rep.Timezone))
	name := rep.Name
	if name == "" {
		name = rep.Email
	}
	body := fmt.Sprintf("Hello %s,\n\nopen this link to sign in to the salesdesk desk:\n\n%s\n\n"+
		"It works once, until %s. If you did not ask for it, ignore this mail: nobody can sign in without the link.\n\n-- \nsalesdesk\n",
		name, u, until)
	err = d.o.Mail(ctx, &store.OutboundEmail{
		IdempotencyKey: "desk_sign_in:" + tokenHash(token)[:32],
		Kind:           "desk_sign_in",
		From:           d.o.From,
		To:             []string{rep.Email},
		Subject:        "Your salesdesk sign-in link",
		BodyText:       body,
	})
	if err == nil {
		d.log.InfoContext(ctx, "desk sign-in link sent", "rep_id", rep.ID)
	}
	return err
}

func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// magicConfirm shows a button that signs in: following the link alone
// does not use it, so mail scanners that fetch every link cannot.
func (d *Desk) magicConfirm(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if _, err := d.o.Store.PendingSignIn(r.Context(), tokenHash(token), d.now()); err != nil {
		d.render(w, r, nil, http.StatusGone, "message", map[string]any{"Title": "This sign-in link has been used or has expired",
			"Text": "Ask for a new one below.", "SignIn": true})
		return
	}
	d.render(w, r, nil, http.StatusOK, "magic", map[string]any{"Action": Prefix + "/magic/" + token})
}

// magicUse uses the link once and signs its person in.
func (d *Desk) magicUse(w http.ResponseWriter, r *http.Request) {
	si, err := d.o.Store.UseSignIn(r.Context(), tokenHash(r.PathValue("token")), d.now())
	if err != nil {
		d.render(w, r, nil, http.StatusGone, "message", map[string]any{"Title": "This sign-in link has been used or has expired",
			"Text": "Ask for a new one below.", "SignIn": true})
		return
	}
	if d.repPerson(r, si.RepID) == nil {
		d.fail(w, r, nil, http.StatusForbidden, "This link is for someone who is no longer on the team.")
		return
	}
	d.setSession(w, r, si.RepID)
	d.log.InfoContext(r.Context(), "desk sign-in by magic link", "rep_id", si.RepID)
	http.Redirect(w, r, safeNext(si.Next), http.StatusSeeOther)
}

// parseForm reads a bounded POST form, answering 400 when it cannot.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return false
	}
	return true
}

// formID reads a positive id from a path value.
func formID(s string) (int64, bool) {
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id > 0
}
