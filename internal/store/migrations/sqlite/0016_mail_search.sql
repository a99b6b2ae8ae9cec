-- Full-text index of the inbound mail (issue 13): the desk search by words
-- in the mail reads this index instead of scanning every stored mail.
-- An external-content FTS5 table over inbound_messages(subject, body_text),
-- kept in step by triggers whenever the mail's text is stored, changed or
-- deleted; the rebuild below indexes the mail stored before it.

CREATE VIRTUAL TABLE IF NOT EXISTS inbound_search USING fts5(
    subject, body_text,
    content = 'inbound_messages', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER IF NOT EXISTS inbound_search_ai AFTER INSERT ON inbound_messages BEGIN
    INSERT INTO inbound_search (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;

CREATE TRIGGER IF NOT EXISTS inbound_search_ad AFTER DELETE ON inbound_messages BEGIN
    INSERT INTO inbound_search (inbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
END;

CREATE TRIGGER IF NOT EXISTS inbound_search_au AFTER UPDATE OF subject, body_text ON inbound_messages BEGIN
    INSERT INTO inbound_search (inbound_search, rowid, subject, body_text) VALUES ('delete', old.id, old.subject, old.body_text);
    INSERT INTO inbound_search (rowid, subject, body_text) VALUES (new.id, new.subject, new.body_text);
END;

INSERT INTO inbound_search (inbound_search) VALUES ('rebuild');
