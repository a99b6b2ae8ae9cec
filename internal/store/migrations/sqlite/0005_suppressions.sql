-- SQLite: timestamps are UTC text (2006-01-02T15:04:05.000000000Z), dates YYYY-MM-DD, booleans 0/1.
-- Addresses that must get no proactive mail (follow-ups, status-change
-- mails, digests): one row per lower-cased address, whether or not it is
-- any account's contact. Replies to the address's own mail still go out.

CREATE TABLE mail_suppressions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    email      TEXT NOT NULL UNIQUE,
    reason     TEXT NOT NULL DEFAULT '',
    inquiry_id INTEGER REFERENCES inquiries(id) ON DELETE SET NULL,
    created_at TEXT NOT NULL
);
