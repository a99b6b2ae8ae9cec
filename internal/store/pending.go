package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// PendingInbound is a stored inbound message whose handling has not
// finished: the key its inbound:email task is made from.
type PendingInbound struct {
	ID          int64
	Mailbox     string
	UIDValidity uint32
	UID         uint32
}

// PendingInboundBefore lists up to limit inbound messages still in status
// stored that were stored before t, oldest first: work whose task may have
// been lost with Redis.
func (s *Store) PendingInboundBefore(ctx context.Context, t time.Time, limit int) ([]PendingInbound, error) {
	out, err := queryAll(ctx, s, func(r row) (*PendingInbound, error) {
		var p PendingInbound
		var uv, uid int64
		if err := r.Scan(&p.ID, &p.Mailbox, &uv, &uid); err != nil {
			return nil, err
		}
		p.UIDValidity, p.UID = uint32(uv), uint32(uid)
		return &p, nil
	}, `SELECT id, mailbox, uid_validity, uid FROM inbound_messages
		WHERE status = ? AND created_at < ? ORDER BY id LIMIT ?`, InboundStored, s.ts(t), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending inbound messages: %w", err)
	}
	return out, nil
}

// QueuedOutboundBefore lists the ids of up to limit outbound mails still
// queued that were created before t, oldest first.
func (s *Store) QueuedOutboundBefore(ctx context.Context, t time.Time, limit int) ([]int64, error) {
	out, err := queryAll(ctx, s, scanID,
		`SELECT id FROM outbound_emails WHERE status = ? AND created_at < ? ORDER BY id LIMIT ?`,
		OutboundQueued, s.ts(t), limit)
	if err != nil {
		return nil, fmt.Errorf("store: queued outbound mails: %w", err)
	}
	return out, nil
}

// PendingTask is a row of the task outbox: a follow-on task that must run
// because of a stored fact, kept until a worker has finished it.
type PendingTask struct {
	ID         int64
	Type       string
	Payload    []byte
	DueAt      time.Time // when the task may first run; zero means now
	CreatedAt  time.Time
	Requeued   int // how often recovery enqueued it again
	RequeuedAt time.Time
	DoneAt     time.Time
	Outcome    string // "" while pending; "done", or why it was given up
}

// PendingTaskKey is the outbox row's identity: the task type and the
// sha256 of its payload. Deterministic payloads make the same follow-on
// the same row, however often its producer repeats itself.
func PendingTaskKey(typ string, payload []byte) string {
	sum := sha256.Sum256(payload)
	return typ + ":" + hex.EncodeToString(sum[:])
}

// AddPendingTasks writes the outbox rows of ts in one transaction. A task
// already recorded (same type and payload) is left as it is, done or not.
func (s *Store) AddPendingTasks(ctx context.Context, ts []PendingTask) error {
	if len(ts) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.addPendingTasks(ctx, tx, ts) })
	if err != nil {
		return fmt.Errorf("store: add pending tasks: %w", err)
	}
	return nil
}

// addPendingTasks writes the outbox rows of ts with q, a transaction.
func (s *Store) addPendingTasks(ctx context.Context, q querier, ts []PendingTask) error {
	now := s.nowUTC()
	for _, t := range ts {
		if t.Type == "" {
			return errors.New("task type required")
		}
		due := t.DueAt
		if due.IsZero() {
			due = now
		}
		if _, err := q.ExecContext(ctx, s.rebind(`
			INSERT INTO pending_tasks (task_key, task_type, payload, due_at, created_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (task_key) DO NOTHING`),
			PendingTaskKey(t.Type, t.Payload), t.Type, t.Payload, s.ts(due.UTC()), s.ts(now)); err != nil {
			return fmt.Errorf("%s: %w", t.Type, err)
		}
	}
	return nil
}

// FinishPendingTask marks the outbox row of the task (typ, payload) done
// with outcome ("done", or why it was given up). It reports whether a row
// was pending: false for tasks not in the outbox and rows already done.
func (s *Store) FinishPendingTask(ctx context.Context, typ string, payload []byte, outcome string) (bool, error) {
	if outcome == "" {
		outcome = "done"
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE pending_tasks SET done_at = ?, outcome = ? WHERE task_key = ? AND done_at IS NULL`),
		s.ts(s.nowUTC()), outcome, PendingTaskKey(typ, payload))
	if err != nil {
		return false, fmt.Errorf("store: finish pending task %s: %w", typ, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: finish pending task %s: %w", typ, err)
	}
	return n > 0, nil
}

const pendingTaskColumns = `id, task_type, payload, due_at, created_at, requeued, requeued_at, done_at, outcome`

func scanPendingTask(r row) (*PendingTask, error) {
	var p PendingTask
	err := r.Scan(&p.ID, &p.Type, &p.Payload, tcol(&p.DueAt), tcol(&p.CreatedAt), &p.Requeued, tcol(&p.RequeuedAt),
		tcol(&p.DoneAt), &p.Outcome)
	return &p, err
}

// PendingTasksDueBefore lists up to limit outbox rows not done that were
// due before t, oldest first: tasks that should have run by now.
func (s *Store) PendingTasksDueBefore(ctx context.Context, t time.Time, limit int) ([]PendingTask, error) {
	out, err := queryAll(ctx, s, scanPendingTask, `SELECT `+pendingTaskColumns+` FROM pending_tasks
		WHERE done_at IS NULL AND due_at < ? ORDER BY due_at, id LIMIT ?`, s.ts(t.UTC()), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending tasks due: %w", err)
	}
	return out, nil
}

// PendingTasks lists every outbox row, done or not, in id order: for
// tests and the operator's inspection.
func (s *Store) PendingTasks(ctx context.Context) ([]PendingTask, error) {
	out, err := queryAll(ctx, s, scanPendingTask, `SELECT `+pendingTaskColumns+` FROM pending_tasks ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: pending tasks: %w", err)
	}
	return out, nil
}

// NotePendingRequeued counts one more re-enqueue of outbox row id.
func (s *Store) NotePendingRequeued(ctx context.Context, id int64) error {
	if _, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE pending_tasks SET requeued = requeued + 1, requeued_at = ? WHERE id = ?`), s.ts(s.nowUTC()), id); err != nil {
		return fmt.Errorf("store: note pending task %d requeued: %w", id, err)
	}
	return nil
}
