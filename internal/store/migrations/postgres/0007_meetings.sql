-- PostgreSQL: timestamps are TIMESTAMPTZ.
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
    id         BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    role       TEXT NOT NULL,
    rep_id     BIGINT REFERENCES reps(id) ON DELETE SET NULL,
    timezone   TEXT NOT NULL DEFAULT '',
    partstat   TEXT NOT NULL DEFAULT 'NEEDS-ACTION',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (meeting_id, email)
);

CREATE TABLE meeting_slots (
    id         BIGSERIAL PRIMARY KEY,
    meeting_id BIGINT NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
    starts_at  TIMESTAMPTZ NOT NULL,
    ends_at    TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (meeting_id, starts_at)
);
