-- Sender trust and single-use decisions (issue 15).

-- Whether the From address of a mail was authenticated (senderauth): the
-- verdict (pass, fail, none, temperror; '' = not checked) and what it
-- rests on. Only 'pass' lets a mail change anything on an account.
ALTER TABLE inbound_messages ADD COLUMN sender_auth TEXT NOT NULL DEFAULT '';
ALTER TABLE inbound_messages ADD COLUMN sender_auth_detail TEXT NOT NULL DEFAULT '';

-- One row per thing a one-click link decided (a triage category, a slot,
-- won/lost): the first use wins, a later one shows this row.
CREATE TABLE link_decisions (
    id         BIGSERIAL PRIMARY KEY,
    action     TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    decision   TEXT NOT NULL,
    decided_by TEXT NOT NULL DEFAULT '',
    decided_at TIMESTAMPTZ NOT NULL,
    UNIQUE (action, subject_id)
);
