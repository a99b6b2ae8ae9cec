// Package senderauth decides whether the From address of a received mail
// is authenticated: whether the domain in From vouched for the mail.
//
// A From header proves nothing by itself. salesdesk trusts it only when
//
//   - an Authentication-Results header (RFC 8601) added by one of the
//     configured trusted authserv-ids (the receiving mail server) says
//     dmarc=pass for the From domain, or dkim=pass / spf=pass for a domain
//     aligned with it; or, where no trusted header is present,
//   - a DKIM signature on the mail verifies against the signer's published
//     key and the signing domain is aligned with the From domain under that
//     domain's DMARC alignment mode (relaxed unless adkim=s).
//
// Headers from any other authserv-id are ignored: anyone can write an
// Authentication-Results header into a mail they send. DNS is read through
// the TXTResolver interface, so tests use fixed records.
//
// The verdict is a plain value; what may follow from an unauthenticated
// sender (no unsubscribe, no order change, no meeting change) is decided
// by intake.
package senderauth
