package desk

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/link"
	"salesdesk/internal/store"
	"salesdesk/internal/zone"
)

// SessionCookie is the desk's sign-in cookie for people (reps, managers,
// operations); dashboard logins keep their own.
const SessionCookie = "salesdesk_desk"

// Roles on the desk: the store's rep roles plus the dashboard viewer.
const (
	RoleRep     = store.RoleRep
	RoleManager = store.RoleManager
	RoleAdmin   = store.RoleAdmin
	RoleViewer  = "viewer"
)

// person is who is looking at a page.
type person struct {
	RepID int64 // 0 for a dashboard login
	Name  string
	Email string
	Role  string
	Loc   *time.Location
}

// team says whether the person sees the whole team.
func (p *person) team() bool { return p.Role != RoleRep }

// writes says whether the person may change things on the whole team
// (leads of others, alerts, order requests).
func (p *person) writesAll() bool { return p.Role == RoleManager || p.Role == RoleAdmin }

// access is what a route admits.
type access struct {
	team  bool // managers, admins and viewers only
	write bool // no viewers
}

var (
	anyone      = access{}
	writers     = access{write: true}
	team        = access{team: true}
	teamWriters = access{team: true, write: true}
)

// guard finds who is asking and lets the handler run when acc admits
// them. A person link in the query signs its person in first.
func (d *Desk) guard(acc access, h func(http.ResponseWriter, *http.Request, *person)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if link.IsPersonLink(r.URL.Query()) {
			d.followPersonLink(w, r)
			return
		}
		p := d.caller(r)
		if p == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, Prefix+"/sign-in?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			d.fail(w, r, nil, http.StatusUnauthorized, "Please sign in first.")
			return
		}
		if acc.team && !p.team() {
			d.fail(w, r, p, http.StatusForbidden, "This page is for managers and the operations team.")
			return
		}
		if acc.write && p.Role == RoleViewer {
			d.fail(w, r, p, http.StatusForbidden, "Viewers have read-only access.")
			return
		}
		h(w, r, p)
	})
}

// caller returns the signed-in person of a request, or nil.
func (d *Desk) caller(r *http.Request) *person {
	if c, err := r.Cookie(SessionCookie); err == nil {
		if repID, ok := d.verifySession(c.Value); ok {
			if p := d.repPerson(r, repID); p != nil {
				return p
			}
		}
	}
	if d.o.Staff != nil {
		if s, ok := d.o.Staff(r); ok {
			role := RoleViewer
			if s.Admin {
				role = RoleAdmin
			}
			return &person{Name: s.Name, Role: role, Loc: d.o.Location}
		}
	}
	return nil
}

// repPerson loads an active rep as a person, or nil.
func (d *Desk) repPerson(r *http.Request, repID int64) *person {
	rep, err := d.o.Store.Rep(r.Context(), repID)
	if err != nil || !rep.Active {
		return nil
	}
	role, err := d.o.Store.RepRole(r.Context(), repID)
	if err != nil {
		return nil
	}
	return &person{RepID: rep.ID, Name: rep.Name, Email: rep.Email, Role: role, Loc: d.location(rep.Timezone)}
}

// location is a person's timezone: their own, else the team's.
func (d *Desk) location(tz string) *time.Location {
	return zone.Of(tz, d.o.Location.String())
}

// followPersonLink signs in the person a link in a mail was made for and
// opens its page without the signature in the address bar. An expired
// link offers a fresh sign-in link by mail instead.
func (d *Desk) followPersonLink(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	repID, err := d.o.Signer.VerifyPerson(r.URL.Path, q, d.now())
	switch {
	case errors.Is(err, link.ErrExpired):
		d.render(w, r, nil, http.StatusGone, "expired", map[string]any{
			"As": q.Get(link.ParamAs), "Exp": q.Get(link.ParamExp), "Sig": q.Get(link.ParamSig), "Path": r.URL.Path,
		})
		return
	case err != nil:
		d.fail(w, r, nil, http.StatusForbidden, "This link is not valid. Sign in to open the desk.")
		return
	}
	p := d.repPerson(r, repID)
	if p == nil {
		d.fail(w, r, nil, http.StatusForbidden, "This link is for someone who is no longer on the team.")
		return
	}
	d.setSession(w, r, repID)
	d.log.InfoContext(r.Context(), "desk sign-in by link", "rep_id", repID, "path", r.URL.Path)
	http.Redirect(w, r, r.URL.Path, http.StatusSeeOther)
}

// Sessions are stateless: the cookie carries the rep and the expiry,
// signed with the session key. A rep made inactive is refused at once.
func (d *Desk) signSession(repID int64, expires time.Time) string {
	payload := "desk1\x00" + strconv.FormatInt(repID, 10) + "\x00" + strconv.FormatInt(expires.Unix(), 10)
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(d.mac(payload))
}

func (d *Desk) mac(payload string) []byte {
	m := hmac.New(sha256.New, d.o.SessionKey)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

func (d *Desk) verifySession(value string) (int64, bool) {
	p64, m64, ok := strings.Cut(value, ".")
	if !ok {
		return 0, false
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	mac, err2 := base64.RawURLEncoding.DecodeString(m64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, d.mac(string(payload))) {
		return 0, false
	}
	parts := strings.Split(string(payload), "\x00")
	if len(parts) != 3 || parts[0] != "desk1" {
		return 0, false
	}
	repID, err1 := strconv.ParseInt(parts[1], 10, 64)
	exp, err2 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || !d.now().Before(time.Unix(exp, 0)) {
		return 0, false
	}
	return repID, true
}

func (d *Desk) setSession(w http.ResponseWriter, r *http.Request, repID int64) {
	expires := d.now().Add(d.o.SessionTTL)
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: d.signSession(repID, expires), Path: Prefix + "/",
		Expires: expires, MaxAge: int(d.o.SessionTTL / time.Second),
		HttpOnly: true, Secure: d.o.SecureCookie || r.TLS != nil, SameSite: http.SameSiteLaxMode,
	})
}

func (d *Desk) signOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: Prefix + "/", MaxAge: -1,
		HttpOnly: true, Secure: d.o.SecureCookie || r.TLS != nil, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, Prefix+"/sign-in", http.StatusSeeOther)
}

// safeNext is a desk path to go to after signing in, never another site.
func safeNext(next string) string {
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(next, "//") ||
		strings.Contains(next, `\`) || !strings.HasPrefix(u.Path, Prefix+"/") || strings.HasPrefix(u.Path, Prefix+"/magic/") {
		return Prefix + "/"
	}
	return u.RequestURI()
}
