package workers

import (
	"strings"
	"testing"
	"time"

	"salesdesk/internal/mailer"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
)

// TestRepWithoutZoneReadsTeamZone: a rep with no timezone of their own
// (the config and store default) reads the times in their lead mail and
// daily list in the team's zone, with the zone named, never in UTC.
func TestRepWithoutZoneReadsTeamZone(t *testing.T) {
	f := newLeadFixture(t)
	team, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales", Location: team})
	if err != nil {
		t.Fatal(err)
	}
	f.deps.Desk.Renderer = renderer
	f.opts.Timezone = team
	rep, err := f.st.Rep(f.ctx, f.rep.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Timezone != "" {
		t.Fatalf("a rep created without a timezone has %q; want none", rep.Timezone)
	}

	q := f.take(t, "Ann Buyer <ann@acme.com>", "Request for quote: 500 conveyor belts",
		"q1@acme.com", "Hello,\nplease send us a quote for 500 conveyor belts, delivery in May.\nThanks, Ann")
	if q.Category != string(routing.QuoteRequest) {
		t.Fatalf("category %s, want quote_request", q.Category)
	}
	f.drain(t)
	leads, err := f.st.ListLeads(f.ctx, store.LeadFilter{RepID: rep.ID})
	if err != nil || len(leads) != 1 {
		t.Fatalf("leads of the rep: %v, %v", leads, err)
	}
	remindAt, _ := f.svc.Deadlines(rep, leads[0].AssignedAt)
	// Assigned Mon 10 Mar 2025 09:00 UTC, 2 h to respond: 07:00 in New York.
	want := "Mon 10 Mar 2025 07:00 EDT"
	if got := remindAt.In(team).Format("Mon 2 Jan 2006 15:04 MST"); got != want {
		t.Fatalf("respond by %s in the team's zone; the test expects %s", got, want)
	}
	m := f.outbound(t, LeadAssignedKey(leads[0].ID, 1))
	if !strings.Contains(m.BodyText, "Please respond by "+want) {
		t.Errorf("lead mail does not ask for an answer by %s:\n%s", want, m.BodyText)
	}
	for _, body := range []string{m.BodyText, m.BodyHTML} {
		if !strings.Contains(body, want) {
			t.Errorf("lead mail does not say %q in the team's zone:\n%s", want, m.BodyText)
		}
		if strings.Contains(body, " UTC") {
			t.Errorf("lead mail shows UTC:\n%s", m.BodyText)
		}
	}
}
