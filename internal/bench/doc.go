// Package bench is salesdesk's end-to-end benchmark (`scripts/bench e2e`):
// it runs the real salesdesk binary against a throwaway Redis, the given
// Dovecot and database, appends a mix of customer and automated mail over
// IMAP at an offered rate, times every answer at its own SMTP sink, checks
// that every customer mail was answered exactly once and no automated mail
// at all, and measures asynq's no-op drain on the same Redis in the same
// run. It is a benchmark helper, not part of the salesdesk binary.
package bench
