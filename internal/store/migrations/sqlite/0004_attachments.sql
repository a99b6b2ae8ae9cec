-- SQLite: timestamps are UTC text (2006-01-02T15:04:05.000000000Z), dates YYYY-MM-DD, booleans 0/1.
-- The attachments of inbound mail: every one is listed; its content is kept
-- up to intake's cap and is NULL (truncated = 1) above it. One row per
-- position in the message, so taking a mail in again stores nothing twice.

CREATE TABLE inbound_attachments (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    inbound_message_id INTEGER NOT NULL REFERENCES inbound_messages(id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    name               TEXT NOT NULL DEFAULT '',
    content_type       TEXT NOT NULL DEFAULT '',
    size               INTEGER NOT NULL DEFAULT 0,
    inline             INTEGER NOT NULL DEFAULT 0,
    content_id         TEXT NOT NULL DEFAULT '',
    sha256             TEXT NOT NULL DEFAULT '',
    content            BLOB,
    truncated          INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    UNIQUE (inbound_message_id, position)
);
