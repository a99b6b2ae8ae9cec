-- The attachments of inbound mail: every one is listed; its content is kept
-- up to intake's cap and is NULL (truncated) above it. One row per position
-- in the message, so taking a mail in again stores nothing twice.

CREATE TABLE inbound_attachments (
    id                 BIGSERIAL PRIMARY KEY,
    inbound_message_id BIGINT NOT NULL REFERENCES inbound_messages(id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    name               TEXT NOT NULL DEFAULT '',
    content_type       TEXT NOT NULL DEFAULT '',
    size               BIGINT NOT NULL DEFAULT 0,
    inline             BOOLEAN NOT NULL DEFAULT FALSE,
    content_id         TEXT NOT NULL DEFAULT '',
    sha256             TEXT NOT NULL DEFAULT '',
    content            BYTEA,
    truncated          BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMPTZ NOT NULL,
    UNIQUE (inbound_message_id, position)
);
