package workers

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
)

// TestMeetingInCustomersLanguage runs a German customer's meeting request
// through Redis, the real handlers, the slot page and SMTP: a German
// request mail -> a German slots mail with German dates in her zone ->
// the German slot page books -> a German invite whose calendar SUMMARY
// and DESCRIPTION are German, organized by the sales inbox in the rep's
// name -> German reminders; the rep reads all of it in English. A meeting
// the rep books for her later speaks German too (her newest inquiry's
// language).
func TestMeetingInCustomersLanguage(t *testing.T) {
	e := newMeetingE2E(t)
	ctx := t.Context()
	const sabine, rita = "sabine@kraus.example", "rita@ourco.example"

	// Sabine writes from Germany (CET, the mail's Date offset) and names
	// no time the desk can read.
	e.receive(t, "From: Sabine Kraus <sabine@kraus.example>\nTo: sales@ourco.example\nSubject: Terminanfrage Pumpen\n"+
		"Message-ID: <termin-1@kraus.example>\nDate: Fri, 27 Mar 2026 15:05:00 +0100\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=utf-8\n\nGuten Tag,\n\nwir möchten gern mit Ihnen über das Angebot für die Pumpen "+
		"sprechen. Wann hätten Sie in der nächsten Woche Zeit für einen Termin? Vielen Dank im Voraus.\n\n"+
		"Mit freundlichen Grüßen\nSabine Kraus\n")
	got := e.waitMails(t, sabine, "Re: Terminanfrage Pumpen", 2)
	var slotsMail meetingMail
	for _, m := range got {
		if strings.Contains(m.text, "Kalendereinladung:") {
			slotsMail = m
		}
	}
	q, err := e.st.Inquiry(ctx, mustInquiryID(t, e.st))
	if err != nil {
		t.Fatal(err)
	}
	if q.Language != "de" {
		t.Fatalf("inquiry language %q, want de", q.Language)
	}
	if slotsMail.text == "" {
		t.Fatalf("no German slots mail among:\n%s", describe(e.smtp.Messages()))
	}
	// Rita is free from Monday 09:00 in Berlin (CEST), 08:00 in Sabine's
	// zone, which her mail's Date header gave as UTC+01:00.
	for _, want := range []string{"Guten Tag,", "Vielen Dank für Ihre Terminanfrage. Hier sind die nächsten Zeiten, zu denen Rita Rep",
		"- Montag, 30. März 2026, 08:00 Uhr (UTC+01:00)", "Diese Links funktionieren einmal, bis", "Mit freundlichen Grüßen"} {
		if !strings.Contains(slotsMail.text, want) {
			t.Errorf("slots mail lacks %q:\n%s", want, slotsMail.text)
		}
	}
	checkNoEnglish(t, "slots mail", slotsMail.text)
	links := e.linksIn(slotsMail.text, "/meetings/slots/")
	if len(links) < 2 || !strings.Contains(links[0], "lang=de") {
		t.Fatalf("slot links %v, want at least two carrying lang=de", links)
	}

	// The slot page speaks German; a link whose language is swapped is
	// refused (the language is signed).
	if code, body := open(t, http.MethodGet, links[0]); code != http.StatusOK || !strings.Contains(body, `<html lang="de">`) ||
		!strings.Contains(body, "Diesen Termin buchen?") || !strings.Contains(body, "Montag, 30. März 2026, 08:00 Uhr") {
		t.Fatalf("GET slot = %d\n%s", code, body)
	}
	if code, body := open(t, http.MethodGet, strings.Replace(links[0], "lang=de", "lang=fr", 1)); code != http.StatusForbidden ||
		!strings.Contains(body, "Ce lien n&#39;est pas valide") {
		t.Errorf("slot link with a swapped language = %d\n%s", code, body)
	}
	if code, body := open(t, http.MethodPost, links[0]); code != http.StatusOK || !strings.Contains(body, "Ihr Termin ist gebucht") {
		t.Fatalf("POST slot = %d\n%s", code, body)
	}
	if code, body := open(t, http.MethodPost, links[1]); code != http.StatusConflict || !strings.Contains(body, "Dieser Termin ist bereits gebucht") ||
		!strings.Contains(body, "Eine andere Zeit dieses Vorschlags wurde zuerst gebucht") {
		t.Errorf("second slot = %d\n%s", code, body)
	}

	// The invitation: German mail and calendar for Sabine, English for Rita.
	inv := e.waitMails(t, sabine, "Einladung: Terminanfrage Pumpen", 1)[0]
	for _, want := range []string{"Ihr Termin ist gebucht:", "Wann: Montag, 30. März 2026, 08:00 Uhr (UTC+01:00)", "Dauer: 30 Minuten",
		"Mit: Rita Rep <rita@ourco.example> (zugesagt), Sabine Kraus <sabine@kraus.example> (noch keine Antwort)",
		"Die Kalendereinladung ist angehängt"} {
		if !strings.Contains(inv.text, want) {
			t.Errorf("German invite lacks %q:\n%s", want, inv.text)
		}
	}
	checkNoEnglish(t, "invite", inv.text)
	cal := parseCalendar(t, inv, meeting.MethodRequest)
	if cal.Summary != "Termin mit Rita Rep: Terminanfrage Pumpen" {
		t.Errorf("German SUMMARY = %q", cal.Summary)
	}
	if !strings.Contains(cal.Description, "antworten Sie auf die Einladungs-E-Mail") {
		t.Errorf("German DESCRIPTION = %q", cal.Description)
	}
	if cal.Organizer.Email != "sales@ourco.example" || cal.Organizer.Name != "Rita Rep" || len(cal.Attendees) != 2 || !cal.Attendees[0].Chair {
		t.Errorf("organizer %+v, attendees %+v: want the sales inbox named Rita Rep, Rita as CHAIR", cal.Organizer, cal.Attendees)
	}
	repInv := e.waitMails(t, rita, "Invitation: Terminanfrage Pumpen", 1)[0]
	if !strings.Contains(repInv.text, "Your meeting is booked:") || !strings.Contains(repInv.text, "Monday, 30 March 2026, 09:00 (CEST, UTC+02:00)") {
		t.Errorf("rep's invite is not English in Berlin time:\n%s", repInv.text)
	}
	if repCal := parseCalendar(t, repInv, meeting.MethodRequest); repCal.Summary != "Terminanfrage Pumpen" || repCal.UID != cal.UID {
		t.Errorf("rep's calendar = %+v, want the meeting's own title and the same UID", repCal)
	}

	// Reminders, 24 h and 1 h before, in German.
	rem := e.waitMails(t, sabine, "Erinnerung: Terminanfrage Pumpen in ", 2)
	subjects := map[string]bool{}
	for _, r := range rem {
		subjects[strings.SplitN(r.subject, " [", 2)[0]] = true
		if !strings.Contains(r.text, "Zur Erinnerung: Ihr Termin beginnt in") {
			t.Errorf("German reminder:\n%s", r.text)
		}
		checkNoEnglish(t, "reminder", r.text)
	}
	if !subjects["Erinnerung: Terminanfrage Pumpen in 24 Stunden"] || !subjects["Erinnerung: Terminanfrage Pumpen in 1 Stunde"] {
		t.Errorf("reminder subjects %v", subjects)
	}

	// Sabine declines: the new times come in German, and so does the
	// invitation that moves the meeting.
	decline, err := meeting.Invite{Method: meeting.MethodReply, UID: cal.UID, Start: cal.Start, End: cal.End, Stamp: fakeNow,
		Organizer: meeting.Person{Email: rita}, Attendees: []meeting.Person{{Email: sabine, Partstat: "DECLINED"}}}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	e.receive(t, "From: "+sabine+"\nTo: sales@ourco.example\nSubject: Abgelehnt: Terminanfrage Pumpen\nMessage-ID: <d-1@kraus.example>\n"+
		"Date: Fri, 27 Mar 2026 16:40:00 +0100\nMIME-Version: 1.0\nContent-Type: text/calendar; method=REPLY; charset=utf-8\n\n"+
		strings.ReplaceAll(string(decline), "\r\n", "\n"))
	var again meetingMail
	waitFor(t, 2*time.Minute, func() (bool, string) {
		for _, m := range e.mails(t, sabine, "Re: Terminanfrage Pumpen") {
			if strings.Contains(m.text, "Sie haben den Termin, den wir Ihnen geschickt haben, abgesagt.") {
				again = m
				return true, ""
			}
		}
		return false, "no German slots after the decline; all:" + describe(e.smtp.Messages())
	})
	checkNoEnglish(t, "slots after a decline", again.text)
	told := e.waitMails(t, rita, "Declined: Terminanfrage Pumpen", 1)[0]
	if !strings.Contains(told.text, "We have offered the customer these other times") || !strings.Contains(told.text, "(CEST, UTC+02:00)") {
		t.Errorf("rep's decline notice is not English in Berlin time:\n%s", told.text)
	}
	relinks := e.linksIn(again.text, "/meetings/slots/")
	if len(relinks) == 0 {
		t.Fatalf("no slot links:\n%s", again.text)
	}
	if code, body := open(t, http.MethodPost, relinks[len(relinks)-1]); code != http.StatusOK || !strings.Contains(body, "Ihr Termin ist gebucht") {
		t.Fatalf("book = %d\n%s", code, body)
	}
	moved := e.waitMails(t, sabine, "Geänderte Einladung: Terminanfrage Pumpen", 1)[0]
	if !strings.Contains(moved.text, "Der Termin wurde verschoben. Dies ist die neue Zeit:") {
		t.Errorf("German updated invite:\n%s", moved.text)
	}
	checkNoEnglish(t, "updated invite", moved.text)

	// A meeting Rita books for Sabine (as the API does) speaks German: her
	// newest inquiry is German. Its cancellation does too.
	rep, err := e.st.RepByEmail(ctx, rita)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 4, 1, 8, 0, 0, 0, time.UTC) // Wednesday 10:00 in Berlin
	visit, err := e.svc.Create(ctx, meeting.NewMeeting{RepID: rep.ID, Title: "Werksbesichtigung", Start: start,
		Customers: []store.MeetingAttendee{{Email: sabine, Name: "Sabine Kraus", Timezone: "Europe/Berlin"}}}, "ourco.example")
	if err != nil {
		t.Fatal(err)
	}
	booked := e.waitMails(t, sabine, "Einladung: Werksbesichtigung", 1)[0]
	if !strings.Contains(booked.text, "Wann: Mittwoch, 1. April 2026, 10:00 Uhr (CEST, UTC+02:00)") {
		t.Errorf("rep-booked invite:\n%s", booked.text)
	}
	if c := parseCalendar(t, booked, meeting.MethodRequest); c.Summary != "Termin mit Rita Rep: Werksbesichtigung" {
		t.Errorf("rep-booked SUMMARY = %q", c.Summary)
	}
	if _, err := e.svc.Cancel(ctx, visit.ID); err != nil {
		t.Fatal(err)
	}
	cancelled := e.waitMails(t, sabine, "Abgesagt: Werksbesichtigung", 1)[0]
	if !strings.Contains(cancelled.text, "Dieser Termin ist abgesagt:") || !strings.Contains(cancelled.text, "Die angehängte Absage entfernt ihn aus Ihrem Kalender.") {
		t.Errorf("German cancellation:\n%s", cancelled.text)
	}
	checkNoEnglish(t, "cancellation", cancelled.text)
	if c := parseCalendar(t, cancelled, meeting.MethodCancel); c.Summary != "Termin mit Rita Rep: Werksbesichtigung" {
		t.Errorf("cancelled SUMMARY = %q", c.Summary)
	}
}

// checkNoEnglish fails when a German mail still says an English word of
// the meeting mails.
func checkNoEnglish(t *testing.T, what, text string) {
	t.Helper()
	for _, w := range []string{"Hello", "Thank you", "Kind regards", "When:", "Length:", "With:", "Monday", "March", "minutes",
		"hours", "accepted", "needs action", "calendar", "reply to", "These links", "Reminder"} {
		if strings.Contains(text, w) {
			t.Errorf("German %s has English %q:\n%s", what, w, text)
		}
	}
}
