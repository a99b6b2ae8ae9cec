// Package meeting schedules customer meetings: it knows when a rep is free
// (Availability: working hours, timezone, days off, existing meetings),
// finds the next free slots (FindSlots), reads the times a customer
// proposed in their own timezone and language (ParseProposals, CustomerZone), writes
// iCalendar invites and cancellations (Invite, RFC 5545/5546 via
// github.com/emersion/go-ical), recognises a calendar client's iMIP reply
// in an inbound mail (FindReply, RFC 6047) and plans reminders
// (PlanReminders). It holds no SQL and no queue: workers and the web pages
// feed it plain values.
//
// # Who organizes an invite
//
// The ORGANIZER of every invite is the sales inbox, named after the rep
// who leads the meeting (ORGANIZER;CN=Dana Reyes:mailto:sales@...), and
// the rep is an ATTENDEE with ROLE=CHAIR. It is not the rep's own address
// because of where answers go: RFC 5546 (iTIP, section 3.2.3) sends an
// attendee's METHOD:REPLY to the ORGANIZER, and RFC 6047 (iMIP) carries
// it by mail to the ORGANIZER's calendar address; calendar clients ignore
// the mail's Reply-To and do not honour a SENT-BY for replies. Only with
// the sales inbox as ORGANIZER does a customer's Accept or Decline reach
// salesdesk, which records it (FindReply) and, on a decline, tells the rep
// and offers new times. The CN makes the customer's calendar show the
// person they meet, and CHAIR keeps the rep's role visible; the rep still
// receives the invite and their own answer is recorded like anyone's.
//
// # Languages
//
// A customer reads every meeting mail, invite and slot page in their
// language; a rep in the team's. WhenIn, LeadIn and PartstatIn write
// times (in the reader's zone, the zone named), lengths and responses in
// each language; the sentences are in the mailer's phrase catalogs.
package meeting
