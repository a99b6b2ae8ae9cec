package mailer

import (
	"strings"
	"testing"
	"time"
)

// Times in mails to reps and managers are in the reader's timezone, with
// the zone shown; without one, in the team's.
func TestTimesInReadersTimezone(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	r, err := NewRenderer(RenderOptions{Location: berlin})
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		name, tz, want string
	}{
		{"rep in Los Angeles", "America/Los_Angeles", "Wed 2 Dec 2026 12:00 PST"},
		{"rep without a timezone", "", "Wed 2 Dec 2026 21:00 CET"},
		{"unknown timezone", "Mars/Olympus", "Wed 2 Dec 2026 21:00 CET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, data := range map[string]any{
				"lead_assigned": LeadAssignedData{Timezone: tt.tz, RepName: "Dana", Reference: "SD-1", ReceivedAt: due, RespondBy: due},
				"lead_reminder": LeadReminderData{Timezone: tt.tz, RepName: "Dana", Reference: "SD-1", AssignedAt: due, RespondBy: due},
				"daily_leads":   DailyLeadsData{Timezone: tt.tz, Date: due, Leads: []DailyLead{{Reference: "L-1", AssignedAt: due, RespondBy: due}}},
				"handoff":       HandoffData{Timezone: tt.tz, Reference: "SD-1", Category: "billing", ReceivedAt: due},
				"daily_summary": DailySummaryData{Timezone: tt.tz, Date: due, Groups: []LeadGroup{{Title: "Not contacted in time",
					Leads: []DailyLead{{Reference: "L-1", RepName: "Rita", AssignedAt: due, RespondBy: due}}}}},
			} {
				m, err := r.Render(name, data)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !strings.Contains(m.Text, tt.want) || !strings.Contains(m.HTML, tt.want) {
					t.Errorf("%s does not show %q:\n%s", name, tt.want, m.Text)
				}
				if strings.Contains(m.Text, "UTC") {
					t.Errorf("%s shows UTC:\n%s", name, m.Text)
				}
			}
		})
	}
}
