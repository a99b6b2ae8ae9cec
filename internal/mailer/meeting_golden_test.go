package mailer

import (
	"time"

	"salesdesk/internal/meeting"
)

// meetingGoldenCases render every meeting mail in English.
func meetingGoldenCases() []struct {
	name     string
	template string
	data     any
} {
	return meetingGoldenCasesIn("en")
}

// inLanguage is the data of golden case name as the meeting handlers fill
// it for a reader of lang (times, lengths and responses in lang), or data
// itself when name is no meeting case.
func inLanguage(name, lang string, data any) any {
	for _, tc := range meetingGoldenCasesIn(lang) {
		if tc.name == name {
			return tc.data
		}
	}
	return data
}

// meetingGoldenCasesIn render every meeting mail, with each time formatted
// for its reader by meeting.WhenIn in lang, as the meeting handlers do:
// the customer in New York, the rep in Berlin, on a day after both DST
// changes.
func meetingGoldenCasesIn(lang string) []struct {
	name     string
	template string
	data     any
} {
	ny, _ := time.LoadLocation("America/New_York")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC)
	base := meeting.MailData{
		Reference: "SD-1300", Subject: crlfSubj, Title: "Demo: cold-room shelving", Duration: meeting.LeadIn(lang, 30*time.Minute),
		Location: "Video call", VideoURL: "https://meet.example.com/abc-defg", Agenda: "Shelving for 3 sites\n<script>x()</script>",
		CustomerName: hostile, CustomerEmail: "bob@brightwater.example", Company: "Brightwater", RepName: "Dana Reyes",
		Attendees: []string{"Dana Reyes <dana@desk.example.com> (" + meeting.PartstatIn(lang, "ACCEPTED") + ")",
			"Bob <bob@brightwater.example> (" + meeting.PartstatIn(lang, "NEEDS-ACTION") + ")"},
	}
	customer := base
	customer.Name, customer.When = "Bob", meeting.WhenIn(lang, start, ny)
	rep := base
	rep.Name, rep.When = "Dana", meeting.WhenIn(lang, start, berlin)
	rep.Actions = []meeting.Link{{Label: "Open the meeting", URL: "https://desk.example.com/meetings/9/view?sig=v"},
		{Label: "Move the meeting", URL: "https://desk.example.com/meetings/9/move?sig=m"},
		{Label: "Cancel the meeting", URL: "https://desk.example.com/meetings/9/cancel?sig=c"}}
	slot := func(d time.Duration) meeting.Link {
		return meeting.Link{Label: meeting.WhenIn(lang, start.Add(d), ny), URL: "https://desk.example.com/meetings/slots/4?sig=s"}
	}
	slots := customer
	slots.Slots = []meeting.Link{slot(0), slot(time.Hour), slot(24 * time.Hour)}
	slots.Proposed, slots.ProposedFree = "Monday at 9am", true
	slots.SlotsExpire = meeting.WhenIn(lang, start.Add(-time.Hour), ny)
	notFree := slots
	notFree.ProposedFree = false
	declined := slots
	declined.Proposed, declined.Declined = "", true
	propose := rep
	propose.Proposed, propose.Words = "Tuesday at 3pm", bodyText
	propose.Actions = []meeting.Link{{Label: "Book a time", URL: "https://desk.example.com/meetings/9/move?sig=m"}}
	updated := customer
	updated.Updated = true
	reminder := rep
	reminder.Before = meeting.LeadIn(lang, 24*time.Hour)
	customerReminder := customer
	customerReminder.Before = meeting.LeadIn(lang, time.Hour)
	declinedRep := rep
	declinedRep.Slots = slots.Slots
	outcome := rep
	outcome.Actions = []meeting.Link{{Label: "Held", URL: "https://desk.example.com/meetings/9/held?sig=h"},
		{Label: "No-show", URL: "javascript:alert(1)"}}
	return []struct {
		name     string
		template string
		data     any
	}{
		{"meeting_slots", meeting.MailSlots, slots},
		{"meeting_slots_not_free", meeting.MailSlots, notFree},
		{"meeting_slots_declined", meeting.MailSlots, declined},
		{"meeting_pending", meeting.MailPending, customer},
		{"meeting_propose", meeting.MailPropose, propose},
		{"meeting_invite_customer", meeting.MailInvite, customer},
		{"meeting_invite_rep_updated", meeting.MailInvite, func() meeting.MailData { r := rep; r.Updated = true; return r }()},
		{"meeting_invite_updated", meeting.MailInvite, updated},
		{"meeting_cancel", meeting.MailCancel, customer},
		{"meeting_reminder", meeting.MailReminder, reminder},
		{"meeting_reminder_customer", meeting.MailReminder, customerReminder},
		{"meeting_declined", meeting.MailDeclined, declinedRep},
		{"meeting_declined_no_slots", meeting.MailDeclined, rep},
		{"meeting_outcome", meeting.MailOutcome, outcome},
	}
}
