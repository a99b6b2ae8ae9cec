package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"

	"salesdesk/internal/api"
	deskpages "salesdesk/internal/desk"
	"salesdesk/internal/link"
	"salesdesk/internal/meetingweb"
	"salesdesk/internal/web"
)

// webRole serves the dashboard, the API, health and metrics.
func (a *app) webRole(ctx context.Context) (func(context.Context) error, error) {
	w := a.cfg.Web
	o := web.Options{
		Listen:       w.Listen,
		RedisConnOpt: a.redisOpt,
		Registry:     a.registry,
		Logger:       a.log.With("role", roleWeb),
		Checks: map[string]func(context.Context) error{
			"redis":    a.pingRedis,
			"database": a.store.CheckWrite,
		},
		Status:     a.pollerStatus,
		SessionTTL: w.SessionTTL,
		// Derived from the link secret, so logins survive a restart and
		// every web process accepts the others' session cookies.
		SessionKey: sessionKey(w.LinkSecret.Reveal()),
		// Secure by default when the public URL is https (web.secure_cookies).
		SecureCookie: w.SecureCookie(),
		LoginThrottle: web.LoginThrottle{MaxFailures: w.LoginThrottle.MaxFailures,
			MaxFailuresPerClient: w.LoginThrottle.MaxFailuresPerClient, Window: w.LoginThrottle.Window},
	}
	if w.Admin.Username != "" {
		o.Admins = []web.User{{Username: w.Admin.Username, PasswordHash: w.Admin.PasswordHash.Reveal()}}
	}
	for _, v := range w.Viewers {
		o.Viewers = append(o.Viewers, web.User{Username: v.Username, PasswordHash: v.PasswordHash.Reveal()})
	}
	for _, t := range w.APITokens {
		o.APITokens = append(o.APITokens, web.Token{Name: t.Name, Secret: t.Token.Reveal(), Scopes: t.Scopes})
	}
	d, err := a.desk(ctx)
	if err != nil {
		return nil, err
	}
	hooks := api.Hooks{
		OnLabel:          d.workers.Intake().ApplyTriageDecision,
		OnLeadCreated:    d.leads.OnLeadCreated,
		OnLeadClosed:     d.leads.OnLeadClosed,
		OnLeadReassigned: d.leads.OnLeadReassigned,
	}
	if n := d.workers.Notifier(); n != nil {
		hooks.OnOrderStatusChanged = n.OnOrderStatusChanged
	}
	decider := d.workers.OrderRequestDecider()
	if decider != nil {
		hooks.DecideOrderRequest = decider.Decide
	}
	o.API = api.New(api.Options{Store: a.store, Logger: a.log.With("role", roleWeb), Hooks: hooks, Meetings: d.meetings,
		Pipeline: api.Pipeline{LostReasons: a.cfg.Leads.LostReasons}})
	pages, err := a.adminPages()
	if err != nil {
		return nil, err
	}
	o.Pages = pages
	// One-click links in mail (triage decisions, lead actions) carry their
	// own signature instead of a login.
	linkOpts := link.HandlerOptions{
		Signer: d.links,
		Triage: d.workers.Intake().ApplyTriageDecision,
		Lead: func(ctx context.Context, leadID int64, action string, repID int64) error {
			_, err := d.leads.ApplyLinkAction(ctx, leadID, action, repID)
			return err
		},
		Decisions:     a.store,
		OrderRequests: a.store,
		CloseLead:     d.leads.CloseForRep,
		Leads:         a.store,
		Currency:      a.cfg.Leads.Currency,
		LostReasons:   a.cfg.Leads.LostReasons,
		TeamZone:      a.cfg.Scheduler.Timezone,
		Logger:        a.log.With("role", roleWeb),
	}
	if decider != nil {
		// Set only then: a nil decider's method value is not a nil func.
		linkOpts.DecideOrderRequest = decider.Decide
	}
	oneClick := link.NewHandler(linkOpts)
	o.Public = map[string]http.Handler{"/triage/": oneClick, "/leads/": oneClick, "/order-requests/": oneClick,
		"/meetings/": meetingweb.NewHandler(meetingweb.Options{Signer: d.links, Store: a.store, Meetings: d.meetings,
			LinkTTL: a.cfg.Web.LinkTTL, Logger: a.log.With("role", roleWeb)})}
	// The desk signs its people in itself (magic links, person links in
	// mail) and admits the dashboard's logins through srv.Caller.
	var srv *web.Server
	deskPages, err := a.deskPages(d, o.SessionKey, func(r *http.Request) (deskpages.Staff, bool) {
		p, ok := srv.Caller(r)
		return deskpages.Staff{Name: p.Name, Admin: p.Role == web.RoleAdmin}, ok
	})
	if err != nil {
		return nil, err
	}
	o.Public[deskpages.Prefix+"/"] = deskPages
	// Report mails link /reports/<period>: the report is on the desk now.
	o.Public["GET "+deskpages.OldReportsPath] = deskpages.ReportsRedirect()
	o.Public["GET "+deskpages.OldReportsPath+"/"] = deskpages.ReportsRedirect()
	// Mailboxes are reported on /readyz (Status) but do not fail it: the
	// web role serves the dashboard and API whether or not an IMAP server
	// answers, and the poller's own metrics alert on a stalled mailbox.
	srv, err = web.New(o)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		if err := srv.Run(ctx); err != nil {
			return fmt.Errorf("listen %s: %w", w.Listen, err)
		}
		return nil
	}, nil
}

// sessionKey derives the login-cookie signing key from the link secret;
// the label keeps it distinct from the keys that sign one-click links.
func sessionKey(linkSecret string) []byte {
	m := hmac.New(sha256.New, []byte(linkSecret))
	m.Write([]byte("salesdesk web session key v1"))
	return m.Sum(nil)
}

// pollerStatus is the per-mailbox state shown on /readyz.
func (a *app) pollerStatus() map[string]any {
	if len(a.pollers) == 0 {
		return nil
	}
	out := make(map[string]any, len(a.pollers))
	for _, p := range a.pollers {
		out[p.Mailbox().Name] = p.Status()
	}
	return map[string]any{"mailboxes": out}
}
