-- Full-text index of the inbound mail (issue 13): the desk search by words
-- in the mail reads this index instead of scanning every stored mail.
-- A stored generated tsvector over subject and body_text (the 'simple'
-- configuration: no stemming, any language), computed whenever the mail's
-- text is stored or changed, and filled for the existing mail when the
-- column is added; a GIN index over it.

ALTER TABLE inbound_messages ADD COLUMN IF NOT EXISTS search_tsv tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', subject || ' ' || body_text)) STORED;

CREATE INDEX IF NOT EXISTS inbound_messages_search_idx ON inbound_messages USING GIN (search_tsv);
