package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Inbound message statuses.
const (
	InboundStored      = "stored"      // raw message saved, task enqueued or about to be
	InboundProcessed   = "processed"   // the inbound:email handler finished with it
	InboundQuarantined = "quarantined" // given up on; Reason says why
)

// InboundMessage is one raw message as fetched from a mailbox.
type InboundMessage struct {
	ID          int64
	Mailbox     string
	UIDValidity uint32
	UID         uint32
	MessageID   string // Message-ID header without angle brackets, may be ""
	ContentHash string // hex sha256 of Raw
	Size        int64
	Raw         []byte
	Status      string // InboundStored (default), InboundProcessed, InboundQuarantined
	Reason      string // why quarantined or failed
	ReceivedAt  time.Time
	// SenderAuth is the sender verdict stored with the message, read
	// with it (KeepInboundSenderAuth writes it; SaveInboundMessage does not).
	SenderAuth SenderAuth
}

// SaveInboundMessage inserts the raw message, unique on (mailbox,
// uid_validity, uid). If that key exists it returns the existing id with
// created=false. If a row with the same mailbox, non-empty message_id and
// content_hash exists under another uid_validity (a re-scan after a
// UIDVALIDITY reset), it returns that row's id with created=false and
// duplicate=true and stores nothing. On success m.ID is set.
func (s *Store) SaveInboundMessage(ctx context.Context, m *InboundMessage) (id int64, created bool, duplicate bool, err error) {
	var r SavedInbound
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		r, err = s.saveInbound(ctx, tx, m)
		return err
	})
	if err != nil {
		return 0, false, false, fmt.Errorf("store: save inbound %s/%d/%d: %w", m.Mailbox, m.UIDValidity, m.UID, err)
	}
	m.ID = r.ID
	return r.ID, r.Created, r.Duplicate, nil
}

// SavedInbound is what SaveInboundMessages did with one message.
type SavedInbound struct {
	ID        int64
	Created   bool // a new row was inserted
	Duplicate bool // the message was stored before under another uid_validity
}

// SaveInboundMessages saves each message as SaveInboundMessage does, all in
// one transaction: every row is committed, or none is. The results are in
// the order of ms; each m.ID is set.
func (s *Store) SaveInboundMessages(ctx context.Context, ms []*InboundMessage) ([]SavedInbound, error) {
	out := make([]SavedInbound, len(ms))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i, m := range ms {
			r, err := s.saveInbound(ctx, tx, m)
			if err != nil {
				return fmt.Errorf("%s/%d/%d: %w", m.Mailbox, m.UIDValidity, m.UID, err)
			}
			out[i] = r
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: save %d inbound messages: %w", len(ms), err)
	}
	for i, m := range ms {
		m.ID = out[i].ID
	}
	return out, nil
}

func (s *Store) saveInbound(ctx context.Context, tx *sql.Tx, m *InboundMessage) (r SavedInbound, err error) {
	status := m.Status
	if status == "" {
		status = InboundStored
	}
	size := m.Size
	if size == 0 {
		size = int64(len(m.Raw))
	}
	now := s.nowUTC()
	received := m.ReceivedAt
	if received.IsZero() {
		received = now
	}
	err = tx.QueryRowContext(ctx, s.rebind(
		"SELECT id FROM inbound_messages WHERE mailbox = ? AND uid_validity = ? AND uid = ?"),
		m.Mailbox, int64(m.UIDValidity), int64(m.UID)).Scan(&r.ID)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("look up key: %w", err)
	}
	if m.MessageID != "" && m.ContentHash != "" {
		err := tx.QueryRowContext(ctx, s.rebind(`
			SELECT id FROM inbound_messages
			WHERE mailbox = ? AND message_id = ? AND content_hash = ? AND uid_validity <> ?
			ORDER BY id LIMIT 1`),
			m.Mailbox, m.MessageID, m.ContentHash, int64(m.UIDValidity)).Scan(&r.ID)
		if err == nil {
			r.Duplicate = true
			return r, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return r, fmt.Errorf("look up duplicate: %w", err)
		}
	}
	// ON CONFLICT covers a concurrent insert of the same key between the
	// lookup and here (PostgreSQL; SQLite's write lock already excludes it).
	err = tx.QueryRowContext(ctx, s.rebind(`
		INSERT INTO inbound_messages
			(mailbox, uid_validity, uid, message_id, content_hash, size, raw, status, reason,
			 received_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (mailbox, uid_validity, uid) DO NOTHING
		RETURNING id`),
		m.Mailbox, int64(m.UIDValidity), int64(m.UID), m.MessageID, m.ContentHash, size, m.Raw,
		status, m.Reason, s.ts(received), s.ts(now), s.ts(now)).Scan(&r.ID)
	if err == nil {
		r.Created = true
		return r, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("insert: %w", err)
	}
	err = tx.QueryRowContext(ctx, s.rebind(
		"SELECT id FROM inbound_messages WHERE mailbox = ? AND uid_validity = ? AND uid = ?"),
		m.Mailbox, int64(m.UIDValidity), int64(m.UID)).Scan(&r.ID)
	return r, err
}

const inboundColumns = `id, mailbox, uid_validity, uid, message_id, content_hash, size, raw, status, reason, received_at,
	sender_auth, sender_auth_detail`

func scanInbound(r row) (*InboundMessage, error) {
	var (
		m       InboundMessage
		uv, uid int64
	)
	err := r.Scan(&m.ID, &m.Mailbox, &uv, &uid, &m.MessageID, &m.ContentHash, &m.Size, &m.Raw, &m.Status, &m.Reason,
		tcol(&m.ReceivedAt), &m.SenderAuth.Verdict, &m.SenderAuth.Detail)
	if err != nil {
		return nil, err
	}
	m.UIDValidity, m.UID = uint32(uv), uint32(uid)
	return &m, nil
}

// InboundMessage returns the stored message with the given id, or
// ErrNotFound.
func (s *Store) InboundMessage(ctx context.Context, id int64) (*InboundMessage, error) {
	return queryKeyed(ctx, s, scanInbound, "inbound message", id, "SELECT "+inboundColumns+" FROM inbound_messages WHERE id = ?")
}

// InboundMessages returns the messages stored from a mailbox, in the
// order they were stored.
func (s *Store) InboundMessages(ctx context.Context, mailbox string) ([]InboundMessage, error) {
	out, err := queryAll(ctx, s, scanInbound, "SELECT "+inboundColumns+" FROM inbound_messages WHERE mailbox = ? ORDER BY id", mailbox)
	if err != nil {
		return nil, fmt.Errorf("store: inbound messages of %s: %w", mailbox, err)
	}
	return out, nil
}

// SetInboundStatus sets the status and reason of a stored message, or
// returns ErrNotFound.
func (s *Store) SetInboundStatus(ctx context.Context, id int64, status, reason string) error {
	return s.setInboundStatus(ctx, s.db, id, status, reason)
}

func (s *Store) setInboundStatus(ctx context.Context, q querier, id int64, status, reason string) error {
	res, err := q.ExecContext(ctx, s.rebind(
		"UPDATE inbound_messages SET status = ?, reason = ?, updated_at = ? WHERE id = ?"),
		status, reason, s.ts(s.nowUTC()), id)
	return s.checkUpdated(res, err, "set inbound status", id)
}

// checkUpdated turns an UPDATE's result into nil, a wrapped error or
// ErrNotFound when no row matched.
func (s *Store) checkUpdated(res sql.Result, err error, what string, id int64) error {
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", what, id, conflict(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s %d: %w", what, id, err)
	}
	if n == 0 {
		return fmt.Errorf("store: %s %d: %w", what, id, ErrNotFound)
	}
	return nil
}

// guardedUpdate runs an UPDATE of the row with that id in table whose
// WHERE may rule the change out by the row's state. It reports whether the
// row changed; no change is ErrNotFound only when the row is missing.
func (s *Store) guardedUpdate(ctx context.Context, q querier, table string, id int64, query string, args ...any) (changed bool, err error) {
	res, err := q.ExecContext(ctx, s.rebind(query), args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	var one int
	err = q.QueryRowContext(ctx, s.rebind("SELECT 1 FROM "+table+" WHERE id = ?"), id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrNotFound
	}
	return false, err
}

// RecordFetchFailure counts a failed fetch or store attempt of one UID and
// returns the number of attempts so far, this one included.
func (s *Store) RecordFetchFailure(ctx context.Context, mailbox string, uidValidity, uid uint32, reason string) (attempts int, err error) {
	now := s.ts(s.nowUTC())
	err = s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO inbound_failures (mailbox, uid_validity, uid, attempts, reason, first_failed_at, last_failed_at)
		VALUES (?, ?, ?, 1, ?, ?, ?)
		ON CONFLICT (mailbox, uid_validity, uid) DO UPDATE SET
			attempts = inbound_failures.attempts + 1,
			reason = excluded.reason,
			last_failed_at = excluded.last_failed_at
		RETURNING attempts`),
		mailbox, int64(uidValidity), int64(uid), reason, now, now).Scan(&attempts)
	if err != nil {
		return 0, fmt.Errorf("store: record fetch failure %s/%d/%d: %w", mailbox, uidValidity, uid, err)
	}
	return attempts, nil
}

// Quarantine marks that UID as given up on, with the reason and, when it
// could be fetched, the raw message (raw may be nil).
func (s *Store) Quarantine(ctx context.Context, mailbox string, uidValidity, uid uint32, reason string, raw []byte) error {
	now := s.ts(s.nowUTC())
	_, err := s.db.ExecContext(ctx, s.rebind(`
		INSERT INTO inbound_failures
			(mailbox, uid_validity, uid, attempts, reason, quarantined, raw, first_failed_at, last_failed_at, quarantined_at)
		VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (mailbox, uid_validity, uid) DO UPDATE SET
			reason = excluded.reason,
			quarantined = excluded.quarantined,
			raw = COALESCE(excluded.raw, inbound_failures.raw),
			quarantined_at = COALESCE(inbound_failures.quarantined_at, excluded.quarantined_at)`),
		mailbox, int64(uidValidity), int64(uid), reason, true, raw, now, now, now)
	if err != nil {
		return fmt.Errorf("store: quarantine %s/%d/%d: %w", mailbox, uidValidity, uid, err)
	}
	return nil
}

// InboundFailure is the failure record of one UID.
type InboundFailure struct {
	Mailbox       string
	UIDValidity   uint32
	UID           uint32
	Attempts      int
	Reason        string
	Quarantined   bool
	Raw           []byte
	FirstFailedAt time.Time
	LastFailedAt  time.Time
	QuarantinedAt time.Time
}

// InboundFailure returns the failure record of one UID, or ErrNotFound
// when it never failed.
func (s *Store) InboundFailure(ctx context.Context, mailbox string, uidValidity, uid uint32) (*InboundFailure, error) {
	f := InboundFailure{Mailbox: mailbox, UIDValidity: uidValidity, UID: uid}
	err := s.db.QueryRowContext(ctx, s.rebind(`
		SELECT attempts, reason, quarantined, raw, first_failed_at, last_failed_at, quarantined_at
		FROM inbound_failures WHERE mailbox = ? AND uid_validity = ? AND uid = ?`),
		mailbox, int64(uidValidity), int64(uid)).
		Scan(&f.Attempts, &f.Reason, &f.Quarantined, &f.Raw, tcol(&f.FirstFailedAt), tcol(&f.LastFailedAt), tcol(&f.QuarantinedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("store: inbound failure %s/%d/%d: %w", mailbox, uidValidity, uid, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("store: inbound failure %s/%d/%d: %w", mailbox, uidValidity, uid, err)
	}
	return &f, nil
}

// IsQuarantined reports whether that UID has been given up on, so the
// poller can skip it without fetching it again.
func (s *Store) IsQuarantined(ctx context.Context, mailbox string, uidValidity, uid uint32) (bool, error) {
	f, err := s.InboundFailure(ctx, mailbox, uidValidity, uid)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return f.Quarantined, nil
}
