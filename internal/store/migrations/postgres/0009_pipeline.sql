-- Issue 14: won/lost with currency, first human contact, lead scores,
-- the stored score model and the alert digest state.

-- currency: ISO 4217 code of value_cents ('' = the team currency of the
-- time, for leads closed before this migration).
ALTER TABLE leads ADD COLUMN currency TEXT NOT NULL DEFAULT '';
-- first_contact_at: the first time a person (not the acknowledgement)
-- reached the customer about this lead; never cleared by reassignment.
ALTER TABLE leads ADD COLUMN first_contact_at TIMESTAMPTZ;
-- first_contact_via: "reply" (the rep's own mail, sales inbox in Cc/Bcc),
-- "desk", "click" or "api".
ALTER TABLE leads ADD COLUMN first_contact_via TEXT NOT NULL DEFAULT '';
-- score: 0..100, NULL until scored; score_factors: JSON of the top factors.
ALTER TABLE leads ADD COLUMN score INTEGER;
ALTER TABLE leads ADD COLUMN score_factors TEXT NOT NULL DEFAULT '';
CREATE INDEX leads_score_idx ON leads (status, score);

-- digest_key: the digest mail that carried the alert (NULL = not yet).
ALTER TABLE alerts ADD COLUMN digest_key TEXT;
CREATE INDEX alerts_digest_idx ON alerts (digest_key, created_at);

-- The learned lead-score models, newest last; the newest is used.
CREATE TABLE lead_score_models (
    id         BIGSERIAL PRIMARY KEY,
    examples   INTEGER NOT NULL,
    won        INTEGER NOT NULL,
    model      TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
