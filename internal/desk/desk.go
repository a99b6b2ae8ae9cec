// Package desk serves the pages reps, managers and the operations team
// work in: their work, a lead, an inquiry's thread, an account's timeline,
// the order requests queue, the alerts, search, the team view and the KPI
// reports. Pages are
// server-rendered (html/template), need no JavaScript, and every form is a
// plain POST that the web server's cross-origin protection guards.
//
// People sign in without a password: a magic link mailed to their address
// (single-use, expiring, rate-limited), or a signed person link in any
// salesdesk mail (internal/link), which opens its page and signs them in.
// Admins and viewers of the dashboard are let in by their existing login.
package desk

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/report"
	"salesdesk/internal/store"
)

// Prefix is where the desk is mounted.
const Prefix = "/desk"

// Defaults for the zero values of Options.
const (
	DefaultSignInTTL   = 15 * time.Minute
	DefaultSignInLimit = 5 // per person per hour
	DefaultSessionTTL  = 12 * time.Hour
	DefaultContactSLA  = 4 * time.Hour
)

// Leads is what the lead page does through the lead service
// (*lead.Service).
type Leads interface {
	ApplyLinkAction(ctx context.Context, leadID int64, action string, repID int64) (lead.Outcome, error)
	Close(ctx context.Context, leadID int64, o store.LeadOutcome) (changed bool, err error)
	Reassign(ctx context.Context, leadID, fromRep int64, reason string) (lead.Outcome, error)
}

// Staff is a dashboard login (admin or viewer) found on a request.
type Staff struct {
	Name  string
	Admin bool // false: a read-only viewer
}

// Options configure the desk.
type Options struct {
	// Store holds everything the pages show. Required.
	Store *store.Store
	// Leads applies lead actions. Required.
	Leads Leads
	// Signer checks person links in mail. Required.
	Signer *link.Signer
	// SessionKey signs the desk's session cookies; at least 32 bytes.
	SessionKey []byte
	// SessionTTL is how long a sign-in lasts; default DefaultSessionTTL.
	SessionTTL time.Duration
	// SecureCookie marks the cookie Secure on plain HTTP too (behind a
	// TLS-terminating proxy).
	SecureCookie bool
	// Staff finds a dashboard login on a request; nil lets none in.
	Staff func(r *http.Request) (Staff, bool)

	// Mail queues an outbound mail (outbox.QueueMail): the magic links.
	// Nil: nobody can ask for a sign-in link.
	Mail func(ctx context.Context, o *store.OutboundEmail) error
	// From is the sender of sign-in mails.
	From string
	// BaseURL is the public URL of the web role, for links in sign-in
	// mails, e.g. "https://sales.example.com".
	BaseURL string
	// SignInTTL is how long a magic link works; default DefaultSignInTTL.
	SignInTTL time.Duration
	// SignInLimit is how many magic links one person may get per hour;
	// default DefaultSignInLimit.
	SignInLimit int

	// Location is the team's timezone, for people without their own.
	Location *time.Location
	// ReportLocation is where the reports' days begin and end
	// (reports.timezone); default Location.
	ReportLocation *time.Location
	// ReportOptions compile the reports (contact SLA, lead currency,
	// targets); the desk sets Now.
	ReportOptions report.Options
	// ContactSLA is how long a rep has to contact a new lead.
	ContactSLA time.Duration
	// LostReasons are the reasons a lead may be lost for (leads.lost_reasons),
	// offered as a choice; empty lets the rep type one.
	LostReasons []string
	// Relabel files an inquiry under a category and teaches the
	// classifier ((*intake.Processor).ApplyTriageDecision). Nil hides
	// re-labelling.
	Relabel func(ctx context.Context, inquiryID int64, category, by string) error
	// ResolveOrderRequest marks an order request done or rejected with a
	// note and tells the customer; nil only records the status.
	ResolveOrderRequest func(ctx context.Context, id int64, status, note, by string) error
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives sign-ins and actions; nil discards.
	Logger *slog.Logger
}

// Desk serves the desk pages. Build it with New.
type Desk struct {
	o   Options
	mux *http.ServeMux
	log *slog.Logger
}

// New checks o and returns the desk.
func New(o Options) (*Desk, error) {
	switch {
	case o.Store == nil:
		return nil, errors.New("desk: no store")
	case o.Leads == nil:
		return nil, errors.New("desk: no lead service")
	case o.Signer == nil:
		return nil, errors.New("desk: no link signer")
	case len(o.SessionKey) < 32:
		return nil, errors.New("desk: session key must be at least 32 bytes")
	}
	if o.SessionTTL <= 0 {
		o.SessionTTL = DefaultSessionTTL
	}
	if o.SignInTTL <= 0 {
		o.SignInTTL = DefaultSignInTTL
	}
	if o.SignInLimit <= 0 {
		o.SignInLimit = DefaultSignInLimit
	}
	if o.ContactSLA <= 0 {
		o.ContactSLA = DefaultContactSLA
	}
	if o.Location == nil {
		o.Location = time.UTC
	}
	if o.ReportLocation == nil {
		o.ReportLocation = o.Location
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	d := &Desk{o: o, mux: http.NewServeMux(), log: o.Logger}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	d.routes()
	return d, nil
}

// ServeHTTP serves the desk under Prefix.
func (d *Desk) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.mux.ServeHTTP(w, r) }

func (d *Desk) routes() {
	m := d.mux
	// Signing in: open to everyone.
	m.HandleFunc("GET "+Prefix+"/sign-in", d.signInForm)
	m.HandleFunc("POST "+Prefix+"/sign-in", d.signInRequest)
	m.HandleFunc("POST "+Prefix+"/sign-in/renew", d.signInRenew)
	m.HandleFunc("GET "+Prefix+"/magic/{token}", d.magicConfirm)
	m.HandleFunc("POST "+Prefix+"/magic/{token}", d.magicUse)
	m.HandleFunc("POST "+Prefix+"/sign-out", d.signOut)

	page := func(pattern string, acc access, h func(http.ResponseWriter, *http.Request, *person)) {
		m.Handle(pattern, d.guard(acc, h))
	}
	page("GET "+Prefix+"/{$}", anyone, d.myWork)
	page("GET "+Prefix+"/leads/{id}", anyone, d.leadPage)
	page("POST "+Prefix+"/leads/{id}/{action}", writers, d.leadAction)
	page("GET "+Prefix+"/inquiries/{id}", anyone, d.inquiryPage)
	page("POST "+Prefix+"/inquiries/{id}/label", writers, d.inquiryLabel)
	page("GET "+Prefix+"/accounts/{id}", anyone, d.accountPage)
	page("GET "+Prefix+"/search", anyone, d.searchPage)
	page("GET "+Prefix+"/team", team, d.teamPage)
	page("GET "+Prefix+"/order-requests", team, d.orderRequestsPage)
	page("POST "+Prefix+"/order-requests/{id}/{status}", teamWriters, d.orderRequestResolve)
	page("GET "+ReportsPath, team, d.reportsPage)
	page("GET "+ReportsPath+"/{period}", team, d.reportPage)
	page("GET "+Prefix+"/alerts", team, d.alertsPage)
	page("GET "+Prefix+"/alerts/{id}", team, d.alertPage)
	page("POST "+Prefix+"/alerts/{id}/{action}", teamWriters, d.alertAction)
	m.Handle(Prefix+"/", d.guard(anyone, func(w http.ResponseWriter, r *http.Request, p *person) {
		d.fail(w, r, p, http.StatusNotFound, "There is no page here.")
	}))
}

// now is the desk's clock.
func (d *Desk) now() time.Time { return d.o.Now() }
