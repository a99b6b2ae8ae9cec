-- Addresses that must get no proactive mail (follow-ups, status-change
-- mails, digests): one row per lower-cased address, whether or not it is
-- any account's contact. Replies to the address's own mail still go out.

CREATE TABLE mail_suppressions (
    id         BIGSERIAL PRIMARY KEY,
    email      TEXT NOT NULL UNIQUE,
    reason     TEXT NOT NULL DEFAULT '',
    inquiry_id BIGINT REFERENCES inquiries(id) ON DELETE SET NULL,
    created_at TIMESTAMPTZ NOT NULL
);
