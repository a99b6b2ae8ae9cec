package workers

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"salesdesk/internal/meeting"
	"salesdesk/internal/meetingweb"
	"salesdesk/internal/store"
)

// formActions are the form targets of a page, unescaped.
var formActionRe = regexp.MustCompile(`<form method="post" action="([^"]+)"`)

func formActions(page string) []string {
	var out []string
	for _, m := range formActionRe.FindAllStringSubmatch(page, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

// TestMeetingRepMovesAndRecordsOutcome: the rep moves a booked meeting
// from the meeting page their invite links to (a new start in the rep's
// zone): everyone gets the next SEQUENCE as a REQUEST at the new time and
// an old version's reminder does nothing. After it, the rep's outcome
// mail records it as held with a next step; the no-show link of the same
// mail then only shows what was decided, by whom, and changes nothing.
func TestMeetingRepMovesAndRecordsOutcome(t *testing.T) {
	// The clock moves past the meeting before the rep records how it
	// went: no outcome before the start.
	var clock atomic.Pointer[time.Time]
	clock.Store(&fakeNow)
	e := startMeetingDesk(t, func() time.Time { return *clock.Load() }, nil)
	ctx := t.Context()
	const ann, rita = "ann@acme.com", "rita@ourco.example"
	start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
	m, _ := e.bookWithAnn(t, "Pump review", start)
	ritaInvite := e.waitMails(t, rita, "Invitation: Pump review", 1)[0]
	view := e.linksIn(ritaInvite.text, fmt.Sprintf("/meetings/%d/view", m.ID))
	move := e.linksIn(ritaInvite.text, fmt.Sprintf("/meetings/%d/move", m.ID))
	if len(view) != 1 || len(move) != 1 {
		t.Fatalf("view %v, move %v in Rita's invite:\n%s", view, move, ritaInvite.text)
	}
	// The meeting page offers Move and Cancel, each a signed link.
	code, page := open(t, http.MethodGet, view[0])
	if code != http.StatusOK || !strings.Contains(page, "Move the meeting") || !strings.Contains(page, "Monday, 30 March 2026, 16:00 (CEST") {
		t.Fatalf("meeting page = %d\n%s", code, page)
	}
	moveFromPage := ""
	for _, a := range formActions(page) {
		if strings.Contains(a, "/move?") {
			moveFromPage = e.web.URL + a
		}
	}
	if moveFromPage == "" {
		t.Fatalf("no move form on the meeting page:\n%s", page)
	}
	// Its button opens the form; a time that is no time is asked again.
	if code, page := post(t, moveFromPage, nil); code != http.StatusOK || !strings.Contains(page, "Move this meeting?") ||
		!strings.Contains(page, `name="start"`) {
		t.Fatalf("move button = %d\n%s", code, page)
	}
	if code, page := post(t, move[0], url.Values{"start": {"Tuesday"}}); code != http.StatusBadRequest ||
		!strings.Contains(page, "Europe/Berlin") {
		t.Errorf("move to Tuesday = %d\n%s", code, page)
	}
	// Tuesday 31 March 10:00 in Berlin (CEST) is 08:00 UTC.
	code, page = post(t, move[0], url.Values{"start": {"2026-03-31 10:00"}})
	if code != http.StatusOK || !strings.Contains(page, "The meeting is moved") || !strings.Contains(page, "Tuesday, 31 March 2026, 10:00 (CEST") {
		t.Fatalf("move = %d\n%s", code, page)
	}
	moved := time.Date(2026, 3, 31, 8, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ to, when string }{
		{ann, "Tuesday, 31 March 2026, 04:00 (EDT, UTC-04:00)"},
		{rita, "Tuesday, 31 March 2026, 10:00 (CEST, UTC+02:00)"},
	} {
		up := e.waitMails(t, tc.to, "Updated invitation: Pump review", 1)
		if !strings.Contains(up[0].text, tc.when) {
			t.Errorf("updated invite to %s lacks %q:\n%s", tc.to, tc.when, up[0].text)
		}
		got := parseCalendar(t, up[0], meeting.MethodRequest)
		if got.UID != m.UID || got.Sequence != 1 || !got.Start.Equal(moved) {
			t.Errorf("updated invite to %s = %+v", tc.to, got)
		}
	}
	if got, _ := e.st.Meeting(ctx, m.ID); got.Status != store.MeetingRescheduled || got.Sequence != 1 || !got.StartsAt.Equal(moved) {
		t.Errorf("meeting after the move = %+v", got)
	}
	// A reminder of the first version, had it survived, does nothing.
	if n := e.replayReminder(t, m.ID, 0, start.Add(-time.Hour)); n != 0 {
		t.Errorf("a reminder of the old version sent %d mails", n)
	}

	// After the meeting: the outcome mail of the current version.
	var ask []meetingMail
	var outcome meetingMail
	waitFor(t, 2*time.Minute, func() (bool, string) {
		ask = e.mails(t, rita, "How did it go?")
		for _, a := range ask {
			if strings.Contains(a.text, "10:00 (CEST") {
				outcome = a
				return true, ""
			}
		}
		return false, fmt.Sprintf("%d outcome mails to Rita, none for the moved time", len(ask))
	})
	held := e.linksIn(outcome.text, fmt.Sprintf("/meetings/%d/held", m.ID))
	noShow := e.linksIn(outcome.text, fmt.Sprintf("/meetings/%d/no_show", m.ID))
	if len(held) != 1 || len(noShow) != 1 {
		t.Fatalf("held %v, no-show %v in the outcome mails:\n%+v", held, noShow, ask)
	}
	if code, page := open(t, http.MethodGet, held[0]); code != http.StatusOK || !strings.Contains(page, "Was this meeting held?") ||
		!strings.Contains(page, "Next step") {
		t.Fatalf("GET held = %d\n%s", code, page)
	}
	after := moved.Add(time.Hour)
	clock.Store(&after)
	if code, page := post(t, held[0], url.Values{"note": {"Send the quote for 40 pumps"}}); code != http.StatusOK ||
		!strings.Contains(page, "Outcome recorded") {
		t.Fatalf("POST held = %d\n%s", code, page)
	}
	for _, u := range []string{noShow[0], held[0]} {
		code, page := post(t, u, url.Values{"note": {"changed my mind"}})
		if code != http.StatusOK || !strings.Contains(page, "Outcome already recorded") ||
			!strings.Contains(page, "recorded as held by Rita Rep &lt;rita@ourco.example&gt;") ||
			!strings.Contains(page, "This link changes nothing now.") {
			t.Errorf("second click %s = %d\n%s", u, code, page)
		}
	}
	if code, page := open(t, http.MethodGet, noShow[0]); code != http.StatusOK || !strings.Contains(page, "Outcome already recorded") {
		t.Errorf("GET no-show after the outcome = %d\n%s", code, page)
	}
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil || got.Status != store.MeetingHeld || got.Outcome != "Send the quote for 40 pumps" {
		t.Errorf("stored meeting = %+v, %v; want held with the first note", got, err)
	}
	d, err := e.svc.Outcome(ctx, m.ID)
	if err != nil || d.Decision != store.MeetingHeld || d.DecidedBy != "Rita Rep <rita@ourco.example>" || !d.DecidedAt.Equal(after) {
		t.Errorf("decision = %+v, %v", d, err)
	}
}

// TestMeetingRepBooksRequestedMeeting: a meeting request no slot could be
// offered for waits for the rep; the rep's link (the propose mail's "Book
// a time") books it at the time agreed with the customer, read in the
// rep's zone, and everyone gets the first invitation.
func TestMeetingRepBooksRequestedMeeting(t *testing.T) {
	e := newMeetingE2E(t)
	ctx := t.Context()
	const ann, rita = "ann@acme.com", "rita@ourco.example"
	rep, err := e.st.RepByEmail(ctx, rita)
	if err != nil {
		t.Fatal(err)
	}
	m := &store.Meeting{UID: "requested-1@ourco.example", RepID: rep.ID, CustomerEmail: ann, Title: "Pump talk",
		Status: store.MeetingRequested, Timezone: rep.Timezone, CustomerTimezone: "America/New_York"}
	if _, _, err := e.st.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.AddPeople(ctx, m, rep, []store.MeetingAttendee{{Email: ann, Name: "Ann Lee", Timezone: "America/New_York"}}); err != nil {
		t.Fatal(err)
	}
	book := meetingweb.RepURL(e.signer, e.web.URL, meetingweb.ActionMove, m.ID, rep.ID, fakeNow.Add(24*time.Hour))
	if code, page := open(t, http.MethodGet, book); code != http.StatusOK || !strings.Contains(page, "Book this meeting?") {
		t.Fatalf("GET book = %d\n%s", code, page)
	}
	if code, page := post(t, book, url.Values{"start": {"2026-03-30 16:00"}}); code != http.StatusOK ||
		!strings.Contains(page, "The meeting is booked") {
		t.Fatalf("POST book = %d\n%s", code, page)
	}
	start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
	for _, to := range []string{ann, rita} {
		inv := e.waitMails(t, to, "Invitation: Pump talk", 1)
		got := parseCalendar(t, inv[0], meeting.MethodRequest)
		if got.UID != m.UID || got.Sequence != 0 || !got.Start.Equal(start) || !got.End.Equal(start.Add(30*time.Minute)) {
			t.Errorf("invite to %s = %+v", to, got)
		}
	}
	if got, _ := e.st.Meeting(ctx, m.ID); got.Status != store.MeetingConfirmed || got.Sequence != 0 {
		t.Errorf("meeting after booking = %+v", got)
	}
}
