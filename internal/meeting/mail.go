package meeting

// Mail names: each is a template pair meeting_*.txt / meeting_*.html in
// internal/mailer/templates and the kind of its outbound rows.
const (
	MailSlots    = "meeting_slots"    // customer: pick one of these times
	MailPending  = "meeting_pending"  // customer: a rep will propose a time
	MailPropose  = "meeting_propose"  // rep: the customer wants a meeting; propose a time
	MailInvite   = "meeting_invite"   // everyone: METHOD:REQUEST
	MailCancel   = "meeting_cancel"   // everyone: METHOD:CANCEL
	MailReminder = "meeting_reminder" // everyone: the meeting is soon
	MailDeclined = "meeting_declined" // rep: an attendee declined
	MailOutcome  = "meeting_outcome"  // rep: how did it go?
)

// Link is a labelled link in a meeting mail.
type Link struct {
	Label string
	URL   string
}

// MailData is what every meeting mail template reads. Every time in it is
// already formatted for its reader (When).
type MailData struct {
	Name      string // the reader's name; "Hello," when empty
	Reference string // the inquiry's token, when the meeting came from one
	Subject   string // the customer's subject line, answered with "Re: "
	Title     string // the meeting's title
	When      string // start, in the reader's zone
	Duration  string // e.g. "30 minutes"
	Location  string
	VideoURL  string
	Agenda    string
	// Updated marks an invite that moves a meeting already sent.
	Updated bool
	// Before is how long before the meeting a reminder is (Lead).
	Before string
	// Slots are one-click links, each labelled with its time in the
	// reader's zone.
	Slots []Link
	// Proposed is what the customer wrote about times; ProposedFree tells
	// whether one of those times is among Slots.
	Proposed     string
	ProposedFree bool
	// Declined marks new slots offered after the customer declined.
	Declined bool
	// SlotsExpire is when the slot links stop working, in the reader's zone.
	SlotsExpire string
	// Customer and Rep name the other side.
	CustomerName  string
	CustomerEmail string
	Company       string
	RepName       string
	// Words are the customer's words, quoted for the rep.
	Words string
	// Actions are the reader's one-click links (cancel, held, no-show,
	// meeting page).
	Actions []Link
	// Attendees lists everyone invited, with their response, for the rep.
	Attendees []string
}
