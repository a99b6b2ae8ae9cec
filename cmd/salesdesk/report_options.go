package main

import (
	"salesdesk/config"
	"salesdesk/internal/report"
)

// reportOptions are what every KPI report is compiled with: the contact
// SLA, the team currency and the reps' targets.
func reportOptions(cfg config.Config) report.Options {
	o := report.Options{ContactSLA: cfg.Leads.SLAContact, Currency: cfg.Leads.Currency}
	for _, t := range cfg.Reports.Targets {
		o.Targets = append(o.Targets, report.Target{RepEmail: t.Rep, WonCents: t.WonCents(), Currency: t.Currency,
			LeadsContacted: t.LeadsContacted})
	}
	return o
}
