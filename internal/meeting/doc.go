// Package meeting schedules customer meetings: it knows when a rep is free
// (Availability: working hours, timezone, days off, existing meetings),
// finds the next free slots (FindSlots), reads the times a customer
// proposed in their own timezone (ParseProposals, CustomerZone), writes
// iCalendar invites and cancellations (Invite, RFC 5545/5546 via
// github.com/emersion/go-ical), recognises a calendar client's iMIP reply
// in an inbound mail (FindReply, RFC 6047) and plans reminders
// (PlanReminders). It holds no SQL and no queue: workers and the web pages
// feed it plain values.
package meeting
