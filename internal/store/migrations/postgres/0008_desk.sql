-- The desk: people's roles, single-use sign-in links, alert states, and the
-- indexes that keep its pages fast.

-- rep (default), manager (sees and acts on the whole team) or admin.
ALTER TABLE reps ADD COLUMN role TEXT NOT NULL DEFAULT 'rep';

-- A magic sign-in link: only the SHA-256 of its token is kept. used_at makes
-- it single-use; rows per rep and time bound how many are sent.
CREATE TABLE desk_sign_ins (
    id         BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    rep_id     BIGINT NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
    next_path  TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX desk_sign_ins_rep_idx ON desk_sign_ins (rep_id, created_at);

-- Who acknowledged an alert, and when (status 'acknowledged').
ALTER TABLE alerts ADD COLUMN acknowledged_at TIMESTAMPTZ;
ALTER TABLE alerts ADD COLUMN acknowledged_by TEXT NOT NULL DEFAULT '';
CREATE INDEX alerts_kind_idx ON alerts (kind, status, created_at);

-- Pages: a thread's outbound mail, an account's leads and order requests,
-- search by sender.
CREATE INDEX leads_customer_idx ON leads (customer_id, created_at);
CREATE INDEX meetings_lead_idx ON meetings (lead_id);
CREATE INDEX order_requests_order_idx ON order_requests (order_id, created_at);
CREATE INDEX inbound_messages_from_idx ON inbound_messages (from_addr);
CREATE INDEX customers_name_idx ON customers (lower(name));
