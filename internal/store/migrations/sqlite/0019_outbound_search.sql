-- Full-text index of the outbound mail (issue 13): the desk search by words
-- finds our own mails too (the thread view shows them), like 0016 does for
-- the inbound mail: an external-content FTS5 table over
-- outbound_emails(subject, body_text), kept in step by triggers; the
-- rebuild indexes the mail sent before it.

CREATE VIRTUAL TABLE IF NOT EXISTS outbound_search USING fts5(
    subject, body_text,
    content = 'outbound_emails', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER IF NOT EXISTS outbound_search_ai AFTER INSERT ON outbound_emails BEGIN
    INSERT INTO outbound_search (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;

CREATE TRIGGER IF NOT EXISTS outbound_search_ad AFTER DELETE ON outbound_emails BEGIN
    INSERT INTO outbound_search (outbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
END;

CREATE TRIGGER IF NOT EXISTS outbound_search_au AFTER UPDATE OF subject, body_text ON outbound_emails BEGIN
    INSERT INTO outbound_search (outbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
    INSERT INTO outbound_search (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;

INSERT INTO outbound_search (outbound_search) VALUES ('rebuild');
