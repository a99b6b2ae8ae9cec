-- SQLite: timestamps are UTC text (2006-01-02T15:04:05.000000000Z), dates YYYY-MM-DD, booleans 0/1.
-- Meetings grow an agenda, a video link, the customer's timezone and an
-- outcome; each meeting has attendees with their iCalendar response
-- (PARTSTAT) and, while it is proposed, the free slots offered to the
-- customer. An account may name its timezone, in which the times its
-- contacts propose are read.

ALTER TABLE meetings ADD COLUMN agenda TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN video_url TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN customer_timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE meetings ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
CREATE INDEX meetings_inquiry_idx ON meetings (inquiry_id);

CREATE TABLE meeting_attendees (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    rep_id     INTEGER REFERENCES reps(id) ON DELETE SET NULL,
    timezone   TEXT NOT NULL DEFAULT '',
    partstat   TEXT NOT NULL DEFAULT 'NEEDS-ACTION',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (meeting_id, email)
);

CREATE TABLE meeting_slots (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    meeting_id INTEGER NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (meeting_id, starts_at)
);
