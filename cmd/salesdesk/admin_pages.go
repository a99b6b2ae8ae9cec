package main

import (
	"fmt"
	"net/http"
	"time"

	"salesdesk/internal/admin"
)

// adminPages returns the admin pages the web role serves: a.pages when a
// command set its own (the demo's include sent mail), else the home page
// on the store, with "today" in the reports' timezone.
func (a *app) adminPages() (http.Handler, error) {
	if a.pages != nil {
		return a.pages, nil
	}
	tz := a.cfg.Reports.Timezone
	if tz == "" {
		tz = a.cfg.Scheduler.Timezone
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("admin pages: timezone %q: %w", tz, err)
	}
	return admin.New(admin.Options{Store: a.store, Location: loc, Logger: a.log.With("role", roleWeb),
		Reports: a.store, ReportOptions: reportOptions(a.cfg)})
}
