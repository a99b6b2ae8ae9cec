package lead

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// DailyCatchUp is how late a daily list may still go out: a scan that
// runs up to this long after a person's local hour (the scheduler was
// down, the queue was slow) still sends that day's list.
const DailyCatchUp = 3 * time.Hour

// DailyTime is when the daily lead lists go out: one cron spec
// ("0 8 * * 1-5") read in each reader's own timezone, so a rep in Los
// Angeles and one in Berlin each get theirs at 08:00 their time.
type DailyTime struct {
	sched cron.Schedule
}

var dailyParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// ParseDailyTime reads a five-field cron spec or a descriptor (@daily).
// The spec names a local time, so it may not carry a zone of its own.
func ParseDailyTime(spec string) (DailyTime, error) {
	spec = strings.TrimSpace(spec)
	if strings.HasPrefix(spec, "TZ=") || strings.HasPrefix(spec, "CRON_TZ=") || strings.HasPrefix(spec, "@every") {
		return DailyTime{}, fmt.Errorf("daily list time %q: want a local time of day (\"0 8 * * 1-5\"), without a zone or interval", spec)
	}
	s, err := dailyParser.Parse(spec)
	if err != nil {
		return DailyTime{}, fmt.Errorf("daily list time %q: %w", spec, err)
	}
	return DailyTime{sched: s}, nil
}

// Due reports the daily list a reader in loc is owed at now: the latest
// fire of the spec in loc within (now-DailyCatchUp, now], with the local
// date it belongs to (YYYY-MM-DD). Every scan inside that window answers
// the same day, which is what makes the list's TaskID (per person and
// local date) collapse repeated scans into one list.
func (d DailyTime) Due(loc *time.Location, now time.Time) (day string, at time.Time, ok bool) {
	if d.sched == nil {
		return "", time.Time{}, false
	}
	// A parsed spec without CRON_TZ follows the location of the time it
	// is given: start the search in the reader's zone.
	for t := d.sched.Next(now.Add(-DailyCatchUp).In(loc)); !t.IsZero() && !t.After(now); t = d.sched.Next(t) {
		at, ok = t, true
	}
	if !ok {
		return "", time.Time{}, false
	}
	return at.In(loc).Format(time.DateOnly), at, true
}
