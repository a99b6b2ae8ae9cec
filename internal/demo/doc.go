// Package demo provides what `salesdesk demo` needs besides salesdesk
// itself: stand-ins for the outside world (a Redis, an IMAP server holding
// the sales inbox), a seeded world of reps, customers, contacts and orders,
// and a simulator that writes a realistic stream of customer mail into the
// inbox.
//
// The SMTP side of the outside world is internal/smtptest; the web pages
// that show what was sent are in internal/admin. cmd/salesdesk wires them
// to the real roles.
package demo
