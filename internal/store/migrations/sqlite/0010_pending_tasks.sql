-- SQLite: timestamps are UTC text (2006-01-02T15:04:05.000000000Z), dates YYYY-MM-DD, booleans 0/1.
-- The transactional outbox of tasks: one row per follow-on task that must
-- run because of a stored fact, written before the fact counts as handled.
-- The worker marks it done; recovery enqueues again what is due and not
-- done, rebuilt from type and payload with its deterministic TaskID.

CREATE TABLE pending_tasks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    task_key     TEXT NOT NULL UNIQUE, -- task type ':' sha256 of the payload
    task_type    TEXT NOT NULL,
    payload      BLOB NOT NULL,
    due_at       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    requeued     INTEGER NOT NULL DEFAULT 0,
    requeued_at  TEXT,
    done_at      TEXT,
    outcome      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX pending_tasks_due ON pending_tasks (due_at) WHERE done_at IS NULL;
