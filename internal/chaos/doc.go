// Package chaos holds salesdesk's fault-injection run (build tag chaos):
// the real binary, a throwaway Redis, Dovecot and a capturing SMTP server,
// with processes killed, Redis restarted with and without its data, SMTP
// answering 4xx and IMAP connections dropped while mail flows. It proves
// that inbound mail is taken in once, customer mail is delivered once and
// no task is left behind. Run it with scripts/chaos; scripts/test runs a
// shorter one in CI.
package chaos
