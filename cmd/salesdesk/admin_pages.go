package main

import (
	"fmt"
	"net/http"
	"time"

	"salesdesk/internal/admin"
	deskpages "salesdesk/internal/desk"
)

// adminPages returns the admin pages the web role serves: a.pages when a
// command set its own (the demo's include sent mail), else the home page
// on the store, with "today" in the reports' timezone. The reports
// themselves are on the desk.
func (a *app) adminPages() (http.Handler, error) {
	if a.pages != nil {
		return a.pages, nil
	}
	loc, err := reportsLocation(a.cfg.Reports.Timezone, a.cfg.Scheduler.Timezone)
	if err != nil {
		return nil, fmt.Errorf("admin pages: %w", err)
	}
	return admin.New(admin.Options{Store: a.store, Location: loc, Logger: a.log.With("role", roleWeb),
		ReportsURL: deskpages.ReportsPath})
}

// reportsLocation is where a report's days begin and end on the pages:
// reports.timezone, else the team's (scheduler.timezone).
func reportsLocation(reports, team string) (*time.Location, error) {
	tz := reports
	if tz == "" {
		tz = team
	}
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return nil, fmt.Errorf("timezone %q: %w", tz, err)
	}
	return loc, nil
}
