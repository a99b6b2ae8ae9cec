package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SenderAuth is the stored verdict about the From address of an inbound
// message (see package senderauth). Verdict "" means not checked.
type SenderAuth struct {
	Verdict string // pass, fail, none, temperror
	Detail  string // method and reason, for people
}

// KeepInboundSenderAuth stores the sender verdict a of inbound message id
// and returns the verdict that holds. The first verdict stays: a re-run of
// intake reads it instead of asking DNS again, so the same mail always
// gets the same follow-on; only when there was one is it read back.
func (s *Store) KeepInboundSenderAuth(ctx context.Context, id int64, a SenderAuth) (SenderAuth, error) {
	res, err := s.db.ExecContext(ctx, s.rebind(
		"UPDATE inbound_messages SET sender_auth = ?, sender_auth_detail = ? WHERE id = ? AND sender_auth = ''"),
		a.Verdict, a.Detail, id)
	if err != nil {
		return SenderAuth{}, fmt.Errorf("store: set sender auth of inbound %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.InboundSenderAuth(ctx, id)
	}
	return a, nil
}

// InboundSenderAuth returns the sender verdict of inbound message id
// (Verdict "" when not checked), or ErrNotFound.
func (s *Store) InboundSenderAuth(ctx context.Context, id int64) (SenderAuth, error) {
	var a SenderAuth
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT sender_auth, sender_auth_detail FROM inbound_messages WHERE id = ?"), id).
		Scan(&a.Verdict, &a.Detail)
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("store: sender auth of inbound %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return a, fmt.Errorf("store: sender auth of inbound %d: %w", id, err)
	}
	return a, nil
}

// LinkDecision is what a one-click link decided, first use only.
type LinkDecision struct {
	ID        int64  // the row; ReleaseDecision takes it
	Action    string // e.g. "triage"
	SubjectID int64  // e.g. the inquiry id
	Decision  string // e.g. the category chosen
	DecidedBy string
	DecidedAt time.Time
}

// DecideOnce records d unless a decision about (d.Action, d.SubjectID)
// exists. It returns the decision that holds and whether it is d.
func (s *Store) DecideOnce(ctx context.Context, d LinkDecision) (LinkDecision, bool, error) {
	at := d.DecidedAt
	if at.IsZero() {
		at = s.nowUTC()
	}
	id, err := s.insertDecision(ctx, s.db, d, at)
	switch {
	case err != nil:
		return LinkDecision{}, false, fmt.Errorf("store: decide %s %d: %w", d.Action, d.SubjectID, err)
	case id != 0:
		d.ID, d.DecidedAt = id, at.UTC()
		return d, true, nil
	}
	held, err := s.LinkDecision(ctx, d.Action, d.SubjectID)
	return held, false, err
}

// insertDecision inserts d, decided at at, on q unless a decision about
// (d.Action, d.SubjectID) exists, and returns the new row's id, 0 when
// it did not insert.
func (s *Store) insertDecision(ctx context.Context, q querier, d LinkDecision, at time.Time) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, s.rebind(`
		INSERT INTO link_decisions (action, subject_id, decision, decided_by, decided_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (action, subject_id) DO NOTHING
		RETURNING id`), d.Action, d.SubjectID, d.Decision, d.DecidedBy, s.ts(at)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// ReleaseDecision deletes decision d, as DecideOnce recorded it (d.ID),
// when applying it failed: the subject may then be decided again, any
// way. A decision recorded by another call (another ID) stays.
func (s *Store) ReleaseDecision(ctx context.Context, d LinkDecision) error {
	_, err := s.db.ExecContext(ctx, s.rebind(
		"DELETE FROM link_decisions WHERE id = ? AND action = ? AND subject_id = ?"), d.ID, d.Action, d.SubjectID)
	if err != nil {
		return fmt.Errorf("store: release decision %s %d: %w", d.Action, d.SubjectID, err)
	}
	return nil
}

// LinkDecision returns the decision about (action, subjectID), or
// ErrNotFound.
func (s *Store) LinkDecision(ctx context.Context, action string, subjectID int64) (LinkDecision, error) {
	v, err := queryOne(ctx, s, func(r row) (*LinkDecision, error) {
		var d LinkDecision
		if err := r.Scan(&d.ID, &d.Action, &d.SubjectID, &d.Decision, &d.DecidedBy, tcol(&d.DecidedAt)); err != nil {
			return nil, err
		}
		return &d, nil
	}, "SELECT id, action, subject_id, decision, decided_by, decided_at FROM link_decisions WHERE action = ? AND subject_id = ?",
		action, subjectID)
	if err != nil {
		return LinkDecision{}, fmt.Errorf("store: link decision %s %d: %w", action, subjectID, err)
	}
	return *v, nil
}
