-- The full-text indexes of the mail (0016 inbound_search, 0019
-- outbound_search) are filled in batches instead of by a trigger per
-- row: FTS5 writes a new segment, its structure record, the averages and
-- a size row at every commit that touches it, 7 of the 17 pages an
-- outbound row's commit wrote (docs/performance.md, "Session 10: the mail's
-- word index in batches"). search_indexed holds, per index, the highest
-- mail id in it: every row up to it is indexed with its current text,
-- none above it. Store.IndexSearch moves it on (the worker every few
-- seconds, and every word search before it reads the index).
CREATE TABLE IF NOT EXISTS search_indexed (
    fts  TEXT PRIMARY KEY,
    upto INTEGER NOT NULL
);
INSERT OR IGNORE INTO search_indexed (fts, upto) VALUES
    ('inbound_search', (SELECT COALESCE(MAX(id), 0) FROM inbound_messages)),
    ('outbound_search', (SELECT COALESCE(MAX(id), 0) FROM outbound_emails));

DROP TRIGGER IF EXISTS inbound_search_ai;
DROP TRIGGER IF EXISTS inbound_search_ad;
DROP TRIGGER IF EXISTS inbound_search_au;
DROP TRIGGER IF EXISTS outbound_search_ai;
DROP TRIGGER IF EXISTS outbound_search_ad;
DROP TRIGGER IF EXISTS outbound_search_au;

-- A row already in the index keeps it in step when it changes or goes;
-- a row above the mark is indexed later, with the text it has then.
CREATE TRIGGER inbound_search_ad AFTER DELETE ON inbound_messages
WHEN old.id <= (SELECT upto FROM search_indexed WHERE fts = 'inbound_search') BEGIN
    INSERT INTO inbound_search (inbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
END;

CREATE TRIGGER inbound_search_au AFTER UPDATE OF subject, body_text ON inbound_messages
WHEN old.id <= (SELECT upto FROM search_indexed WHERE fts = 'inbound_search') BEGIN
    INSERT INTO inbound_search (inbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
    INSERT INTO inbound_search (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;

CREATE TRIGGER outbound_search_ad AFTER DELETE ON outbound_emails
WHEN old.id <= (SELECT upto FROM search_indexed WHERE fts = 'outbound_search') BEGIN
    INSERT INTO outbound_search (outbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
END;

CREATE TRIGGER outbound_search_au AFTER UPDATE OF subject, body_text ON outbound_emails
WHEN old.id <= (SELECT upto FROM search_indexed WHERE fts = 'outbound_search') BEGIN
    INSERT INTO outbound_search (outbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
    INSERT INTO outbound_search (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;
