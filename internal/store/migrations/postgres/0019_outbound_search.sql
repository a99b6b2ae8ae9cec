-- Full-text index of the outbound mail (issue 13): the desk search by words
-- finds our own mails too (the thread view shows them), like 0016 does for
-- the inbound mail: a stored generated tsvector over subject and body_text
-- ('simple' configuration) with a GIN index.

ALTER TABLE outbound_emails ADD COLUMN IF NOT EXISTS search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || body_text)) STORED;

CREATE INDEX IF NOT EXISTS outbound_emails_search_idx ON outbound_emails USING GIN (search_tsv);
