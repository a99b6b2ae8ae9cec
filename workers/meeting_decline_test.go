package workers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
)

// TestMeetingDeclineOffersNewSlots: the customer's calendar declines a
// booked meeting. The rep is told, the customer gets new slots, and the
// slot they pick is sent as the invite's next version, asking them
// again.
func TestMeetingDeclineOffersNewSlots(t *testing.T) {
	e := newMeetingE2E(t)
	ctx := t.Context()
	const ann, rita = "ann@acme.com", "rita@ourco.example"
	start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
	m, _ := e.bookWithAnn(t, "Review", start)
	e.waitMails(t, ann, "Invitation: Review", 1)

	decline, err := meeting.Invite{Method: meeting.MethodReply, UID: m.UID, Start: start, End: m.EndsAt, Stamp: fakeNow,
		Organizer: meeting.Person{Email: rita}, Attendees: []meeting.Person{{Email: ann, Partstat: "DECLINED"}}}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	// A decline sent in Ann's name from another address changes nothing.
	for _, from := range []string{"mallory@evil.example", ann} {
		e.receive(t, "From: "+from+"\nTo: sales@ourco.example\nSubject: Declined: Review\nMessage-ID: <d-"+from+">\n"+
			"Date: Fri, 27 Mar 2026 10:40:00 -0400\nMIME-Version: 1.0\nContent-Type: text/calendar; method=REPLY; charset=utf-8\n\n"+
			strings.ReplaceAll(string(decline), "\r\n", "\n"))
		if from != ann {
			waitIdle(t, e.redisOpt)
			if as, _ := e.st.MeetingAttendees(ctx, m.ID); as[1].Partstat != store.PartstatNeedsAction {
				t.Fatalf("a forged decline was taken: %+v", as[1])
			}
		}
	}
	told := e.waitMails(t, rita, "Declined: Review", 1)
	if !strings.Contains(told[0].text, "Ann Lee <ann@acme.com> declined this meeting") ||
		!strings.Contains(told[0].text, "We have offered the customer these other times") {
		t.Errorf("rep's notice:\n%s", told[0].text)
	}
	offer := e.waitMails(t, ann, "Re: Review", 1)
	if !strings.Contains(offer[0].text, "You declined the meeting we sent") {
		t.Errorf("new slots:\n%s", offer[0].text)
	}
	links := e.linksIn(offer[0].text, "/meetings/slots/")
	if len(links) == 0 {
		t.Fatalf("no slot links:\n%s", offer[0].text)
	}
	if code, body := open(t, http.MethodPost, links[len(links)-1]); code != http.StatusOK {
		t.Fatalf("book = %d\n%s", code, body)
	}
	upd := e.waitMails(t, ann, "Updated invitation: Review", 1)
	inv := parseCalendar(t, upd[0], meeting.MethodRequest)
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if inv.UID != m.UID || inv.Sequence != 1 || got.Sequence != 1 || !inv.Start.Equal(got.StartsAt) || inv.Start.Equal(start) {
		t.Errorf("new version: invite %+v, meeting %+v", inv, got)
	}
	// The new time is a new question: Ann is asked again (and reminded).
	if as, _ := e.st.MeetingAttendees(ctx, m.ID); as[1].Partstat != store.PartstatNeedsAction {
		t.Errorf("ann = %+v", as[1])
	}
	if len(inv.Attendees) != 2 || inv.Attendees[1].Email != ann || inv.Attendees[1].Partstat != "NEEDS-ACTION" {
		t.Errorf("updated invite does not ask Ann again: %+v", inv.Attendees)
	}
	if n := len(e.mails(t, ann, "Declined")); n != 0 {
		t.Errorf("the customer got %d rep notices", n)
	}
}
