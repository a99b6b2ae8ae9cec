package mailer

import (
	"time"

	"salesdesk/internal/meeting"
)

// meetingRepHelpGoldenCases render the answer to a rep's reply to a
// meeting mail that changed nothing: a time that is taken, and a reply
// about a meeting with no time yet that said nothing understood.
func meetingRepHelpGoldenCases() []struct {
	name     string
	template string
	data     any
} {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC)
	actions := []meeting.Link{{Label: "Open the meeting", URL: "https://desk.example.com/meetings/9/view?sig=v"},
		{Label: "Move the meeting", URL: "https://desk.example.com/meetings/9/move?sig=m"},
		{Label: "Cancel the meeting", URL: "https://desk.example.com/meetings/9/cancel?sig=c"}}
	taken := meeting.RepHelpData{MailData: meeting.MailData{Name: "Dana", Reference: "SD-1300", Title: "Demo: cold-room shelving",
		When: meeting.When(start, berlin), Duration: "30 minutes", Location: "Video call", RepName: "Dana Reyes",
		CustomerName: hostile, CustomerEmail: "bob@brightwater.example", Actions: actions},
		Understood: "move to " + meeting.When(start.Add(24*time.Hour), berlin), Problem: "you have another meeting then",
		Zone: "Europe/Berlin"}
	unclear := meeting.RepHelpData{MailData: meeting.MailData{Name: "Dana", Title: crlfSubj, RepName: "Dana Reyes",
		Actions: actions[:2]}, Problem: "it says neither cancel, confirm nor a day with a time\r\nBcc: x@evil.example", Zone: "+02:00"}
	return []struct {
		name     string
		template string
		data     any
	}{
		{"meeting_rep_help_taken", meeting.MailRepHelp, taken},
		{"meeting_rep_help_unclear", meeting.MailRepHelp, unclear},
	}
}
