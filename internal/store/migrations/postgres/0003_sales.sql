-- Leads and their assignment history, meetings, alerts and the labelled
-- examples the routing model learns from.

CREATE TABLE leads (
    id            BIGSERIAL PRIMARY KEY,
    external_id   TEXT UNIQUE,
    inquiry_id    BIGINT UNIQUE REFERENCES inquiries(id) ON DELETE SET NULL,
    customer_id   BIGINT REFERENCES customers(id) ON DELETE SET NULL,
    contact_email TEXT NOT NULL DEFAULT '',
    contact_name  TEXT NOT NULL DEFAULT '',
    company       TEXT NOT NULL DEFAULT '',
    domain        TEXT NOT NULL DEFAULT '',
    country       TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT '',
    summary       TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'unassigned',
    rep_id        BIGINT REFERENCES reps(id) ON DELETE SET NULL,
    value_cents   BIGINT NOT NULL DEFAULT 0,
    lost_reason   TEXT NOT NULL DEFAULT '',
    assigned_at   TIMESTAMPTZ,
    contacted_at  TIMESTAMPTZ,
    closed_at     TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX leads_status_idx ON leads (status, created_at);
CREATE INDEX leads_rep_idx ON leads (rep_id, status);
CREATE INDEX leads_contact_idx ON leads (contact_email, created_at);
CREATE INDEX leads_domain_idx ON leads (domain, created_at);

CREATE TABLE lead_events (
    id          BIGSERIAL PRIMARY KEY,
    lead_id     BIGINT NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    rep_id      BIGINT REFERENCES reps(id) ON DELETE SET NULL,
    from_rep_id BIGINT REFERENCES reps(id) ON DELETE SET NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX lead_events_lead_idx ON lead_events (lead_id, created_at);

CREATE TABLE meetings (
    id             BIGSERIAL PRIMARY KEY,
    uid            TEXT NOT NULL UNIQUE,
    lead_id        BIGINT REFERENCES leads(id) ON DELETE SET NULL,
    inquiry_id     BIGINT REFERENCES inquiries(id) ON DELETE SET NULL,
    rep_id         BIGINT REFERENCES reps(id) ON DELETE SET NULL,
    customer_email TEXT NOT NULL DEFAULT '',
    title          TEXT NOT NULL DEFAULT '',
    location       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL DEFAULT 'requested',
    starts_at      TIMESTAMPTZ,
    ends_at        TIMESTAMPTZ,
    timezone       TEXT NOT NULL DEFAULT '',
    sequence       INTEGER NOT NULL DEFAULT 0,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX meetings_rep_idx ON meetings (rep_id, starts_at);
CREATE INDEX meetings_starts_idx ON meetings (starts_at);

CREATE TABLE alerts (
    id           BIGSERIAL PRIMARY KEY,
    dedupe_key   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    severity     TEXT NOT NULL DEFAULT 'warning',
    subject      TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    customer_id  BIGINT REFERENCES customers(id) ON DELETE SET NULL,
    status       TEXT NOT NULL DEFAULT 'open',
    occurrences  INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    closed_at    TIMESTAMPTZ
);
CREATE INDEX alerts_status_idx ON alerts (status, created_at);

CREATE TABLE routing_examples (
    id         BIGSERIAL PRIMARY KEY,
    inquiry_id BIGINT UNIQUE REFERENCES inquiries(id) ON DELETE SET NULL,
    subject    TEXT NOT NULL DEFAULT '',
    text       TEXT NOT NULL,
    category   TEXT NOT NULL,
    source     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX routing_examples_created_idx ON routing_examples (created_at);
