// Package mailparse turns raw RFC 5322 mail into a Message: decoded
// addresses and subject, the best readable text, the new part of a reply
// apart from quoted history and signature, the attachment list, threading
// keys, and whether the mail was written by a person or sent by a machine
// (auto-reply, bounce, mailing list).
//
// Everything in a mail is hostile input. Parse never panics, keeps to a size
// and complexity budget (Options), and degrades a malformed message to the
// best text it can find plus a Warning instead of failing; only input that
// is not a mail at all, or is too complex to read within the budget, gives
// an error.
package mailparse
