package store

import (
	"context"
	"database/sql"
	"fmt"
)

// RecordMeetingOutcome records d, how meeting d.SubjectID went (d.Decision
// held or no_show), and sets the meeting's status and outcome note in
// one transaction: a decision is never kept without its meeting changed,
// so a failure leaves the outcome open for the next try, whatever it
// says. The meeting must be booked (confirmed or rescheduled), else
// nothing is written and ErrConflict returned. When an outcome was
// recorded first, nothing changes: it returns that decision and false.
func (s *Store) RecordMeetingOutcome(ctx context.Context, d LinkDecision, note string) (LinkDecision, bool, error) {
	at := d.DecidedAt
	if at.IsZero() {
		at = s.nowUTC()
	}
	won := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertDecision(ctx, tx, d, at)
		if err != nil || id == 0 {
			return err
		}
		d.ID = id
		res, err := tx.ExecContext(ctx, s.rebind(`
			UPDATE meetings SET status = ?, outcome = ?, updated_at = ?
			WHERE id = ? AND status IN (?, ?)`),
			d.Decision, note, s.ts(s.nowUTC()), d.SubjectID, MeetingConfirmed, MeetingRescheduled)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrConflict
		}
		won = true
		return nil
	})
	if err != nil {
		return LinkDecision{}, false, fmt.Errorf("store: record outcome of meeting %d: %w", d.SubjectID, err)
	}
	if won {
		d.DecidedAt = at.UTC()
		return d, true, nil
	}
	held, err := s.LinkDecision(ctx, d.Action, d.SubjectID)
	return held, false, err
}
