// Package store is salesdesk's SQL persistence: SQLite (modernc.org/sqlite,
// the embedded default) and PostgreSQL (pgx), with one embedded migration
// set per dialect.
//
// The database, not Redis, is the record of what happened: every
// idempotency key the system relies on (an inbound message's mailbox,
// UIDVALIDITY and UID; an outbound mail's idempotency key and Message-ID;
// an order number; a contact's email; an alert's dedupe key) is backed by a
// uniqueness constraint here, and the methods that insert such rows report
// whether they created one or found the existing one.
//
// Times are returned in UTC. On PostgreSQL they are TIMESTAMPTZ; on SQLite
// they are fixed-width UTC text, which sorts and compares correctly. Callers
// never see the difference. Optional times are the zero time.Time when
// unset.
package store
