-- The inbox checkpoint, raw inbound mail, inquiries made from it and every
-- outbound mail (a row before it is a task).

CREATE TABLE mailbox_state (
    mailbox      TEXT PRIMARY KEY,
    uid_validity BIGINT NOT NULL,
    last_uid     BIGINT NOT NULL,
    last_sync_at TIMESTAMPTZ,
    updated_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE inbound_messages (
    id           BIGSERIAL PRIMARY KEY,
    mailbox      TEXT NOT NULL,
    uid_validity BIGINT NOT NULL,
    uid          BIGINT NOT NULL,
    message_id   TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    size         BIGINT NOT NULL DEFAULT 0,
    raw          BYTEA,
    status       TEXT NOT NULL DEFAULT 'stored',
    reason       TEXT NOT NULL DEFAULT '',
    received_at  TIMESTAMPTZ,
    from_addr    TEXT NOT NULL DEFAULT '',
    from_name    TEXT NOT NULL DEFAULT '',
    to_addrs     TEXT NOT NULL DEFAULT '',
    subject      TEXT NOT NULL DEFAULT '',
    sent_at      TIMESTAMPTZ,
    kind         TEXT NOT NULL DEFAULT '',
    body_text    TEXT NOT NULL DEFAULT '',
    new_text     TEXT NOT NULL DEFAULT '',
    in_reply_to  TEXT NOT NULL DEFAULT '',
    refs         TEXT NOT NULL DEFAULT '',
    warnings     TEXT NOT NULL DEFAULT '',
    parsed_at    TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (mailbox, uid_validity, uid)
);
CREATE INDEX inbound_messages_dedupe_idx ON inbound_messages (mailbox, message_id, content_hash);
CREATE INDEX inbound_messages_message_id_idx ON inbound_messages (message_id);
CREATE INDEX inbound_messages_status_idx ON inbound_messages (status);

CREATE TABLE inbound_failures (
    id              BIGSERIAL PRIMARY KEY,
    mailbox         TEXT NOT NULL,
    uid_validity    BIGINT NOT NULL,
    uid             BIGINT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    reason          TEXT NOT NULL DEFAULT '',
    quarantined     BOOLEAN NOT NULL DEFAULT FALSE,
    raw             BYTEA,
    first_failed_at TIMESTAMPTZ NOT NULL,
    last_failed_at  TIMESTAMPTZ NOT NULL,
    quarantined_at  TIMESTAMPTZ,
    UNIQUE (mailbox, uid_validity, uid)
);

CREATE TABLE inquiries (
    id                 BIGSERIAL PRIMARY KEY,
    inbound_message_id BIGINT UNIQUE REFERENCES inbound_messages(id) ON DELETE SET NULL,
    customer_id        BIGINT REFERENCES customers(id) ON DELETE SET NULL,
    contact_email      TEXT NOT NULL DEFAULT '',
    subject            TEXT NOT NULL DEFAULT '',
    category           TEXT NOT NULL DEFAULT '',
    confidence         DOUBLE PRECISION NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'new',
    priority           TEXT NOT NULL DEFAULT '',
    reference          TEXT UNIQUE,
    thread_id          BIGINT REFERENCES inquiries(id) ON DELETE SET NULL,
    parent_id          BIGINT REFERENCES inquiries(id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    closed_at          TIMESTAMPTZ
);
CREATE INDEX inquiries_customer_idx ON inquiries (customer_id, created_at);
CREATE INDEX inquiries_category_idx ON inquiries (category, created_at);
CREATE INDEX inquiries_status_idx ON inquiries (status, created_at);
CREATE INDEX inquiries_contact_idx ON inquiries (contact_email, created_at);
CREATE INDEX inquiries_thread_idx ON inquiries (thread_id);

CREATE TABLE order_requests (
    id          BIGSERIAL PRIMARY KEY,
    order_id    BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    inquiry_id  BIGINT REFERENCES inquiries(id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    words       TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'pending',
    created_at  TIMESTAMPTZ NOT NULL,
    resolved_at TIMESTAMPTZ,
    UNIQUE (order_id, inquiry_id)
);
CREATE INDEX order_requests_status_idx ON order_requests (status, created_at);

CREATE TABLE outbound_emails (
    id              BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    message_id      TEXT NOT NULL UNIQUE,
    kind            TEXT NOT NULL DEFAULT '',
    inquiry_id      BIGINT REFERENCES inquiries(id) ON DELETE SET NULL,
    from_addr       TEXT NOT NULL DEFAULT '',
    reply_to        TEXT NOT NULL DEFAULT '',
    to_addrs        TEXT NOT NULL,
    cc_addrs        TEXT NOT NULL DEFAULT '',
    subject         TEXT NOT NULL DEFAULT '',
    body_text       TEXT NOT NULL DEFAULT '',
    body_html       TEXT NOT NULL DEFAULT '',
    in_reply_to     TEXT NOT NULL DEFAULT '',
    refs            TEXT NOT NULL DEFAULT '',
    attachments     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'queued',
    error           TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    sent_at         TIMESTAMPTZ,
    bounced_at      TIMESTAMPTZ
);
CREATE INDEX outbound_emails_inquiry_idx ON outbound_emails (inquiry_id);
CREATE INDEX outbound_emails_status_idx ON outbound_emails (status, created_at);
CREATE INDEX outbound_emails_to_idx ON outbound_emails (to_addrs, kind, created_at);
