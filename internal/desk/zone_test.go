package desk

import (
	"fmt"
	"strings"
	"testing"
)

// TestRepWithoutZoneReadsTeamZone: a rep with no timezone of their own
// reads every time on their pages in the team's (Los Angeles here), with
// the zone named, never in UTC.
func TestRepWithoutZoneReadsTeamZone(t *testing.T) {
	f := setup(t)
	nina := f.rep("Nina New", "nina@ourco.example", RoleRep, "")
	if got, err := f.st.Rep(f.ctx, nina.ID); err != nil || got.Timezone != "" {
		t.Fatalf("rep created without a timezone has %q (%v); want none", got.Timezone, err)
	}
	l := f.lead(0, "Valves for Initech", nina.ID)
	c := f.as(nina)
	// Assigned Mon 30 Nov 2026 10:00 UTC with a 4 h SLA: due 14:00 UTC.
	for path, wants := range map[string][]string{
		"/desk/":                            {"Mon 30 Nov 2026 06:00 PST", "America/Los_Angeles"},
		fmt.Sprintf("/desk/leads/%d", l.ID): {"Mon 30 Nov 2026 02:00 PST", "Mon 30 Nov 2026 06:00 PST"},
	} {
		_, body, _ := c.get(path)
		for _, want := range wants {
			if !strings.Contains(body, want) {
				t.Errorf("%s misses %q", path, want)
			}
		}
		if strings.Contains(body, " UTC") {
			t.Errorf("%s shows a time in UTC", path)
		}
	}
}
