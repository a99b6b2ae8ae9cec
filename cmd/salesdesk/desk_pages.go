package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/http"
	"time"

	deskpages "salesdesk/internal/desk"
	"salesdesk/internal/outbox"
)

// deskPages builds the desk: the pages reps, managers and operations
// work in, signed in by magic links and the person links in their mail.
// Its session key is derived from the web one under its own label.
func (a *app) deskPages(d *desk, sessionKey []byte, staff func(*http.Request) (deskpages.Staff, bool)) (http.Handler, error) {
	cfg := a.cfg
	loc, err := time.LoadLocation(cfg.Scheduler.Timezone)
	if err != nil {
		return nil, fmt.Errorf("scheduler.timezone: %w", err)
	}
	reportLoc, err := reportsLocation(cfg.Reports.Timezone, cfg.Scheduler.Timezone)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	m := hmac.New(sha256.New, sessionKey)
	m.Write([]byte("salesdesk desk session key v1"))
	box := outbox.New(a.store, a.client)
	o := deskpages.Options{
		Store:      a.store,
		Leads:      d.leads,
		Signer:     d.links,
		SessionKey: m.Sum(nil),
		SessionTTL: cfg.Web.SessionTTL,
		// Secure behind a TLS-terminating proxy too, as the dashboard's.
		SecureCookie:   cfg.Web.SecureCookie(),
		Staff:          staff,
		Mail:           box.QueueMail,
		From:           cfg.SMTP.From,
		BaseURL:        cfg.Web.PublicURL(),
		SignInTTL:      cfg.Web.SignInTTL,
		SignInLimit:    cfg.Web.SignInLimit,
		Location:       loc,
		ReportLocation: reportLoc,
		ReportOptions:  reportOptions(cfg),
		ContactSLA:     cfg.Leads.SLAContact,
		LostReasons:    cfg.Leads.LostReasons,
		Relabel:        d.workers.Intake().ApplyTriageDecision,
		Logger:         a.log.With("role", roleWeb),
	}
	if decider := d.workers.OrderRequestDecider(); decider != nil {
		o.ResolveOrderRequest = decider.Resolve
	}
	return deskpages.New(o)
}
