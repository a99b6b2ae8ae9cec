package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Ways the first human contact with a lead's customer becomes known.
const (
	ContactViaReply = "reply" // the rep's own mail with the sales inbox in Cc/Bcc
	ContactViaDesk  = "desk"  // a reply sent from the desk
	ContactViaClick = "click" // the rep's "contacted" click in their lead mail
	ContactViaAPI   = "api"
)

// Lead event kinds of the pipeline.
const (
	LeadEventContacted = "contacted"
	LeadEventReopened  = "reopened"
)

// RecordLeadContact records that a person reached the lead's customer at
// at (the mail's time; the store's clock when zero) by the way via. The
// first contact is kept (first_contact_at and its way are set once); an
// assigned lead becomes contacted, also after a reassignment to a rep who
// then makes their own first contact; a closed or merged lead keeps its
// status. It reports whether this was the lead's first contact. A
// missing lead is ErrNotFound.
func (s *Store) RecordLeadContact(ctx context.Context, id int64, at time.Time, via string) (first bool, err error) {
	if at.IsZero() {
		at = s.nowUTC()
	}
	now := s.ts(s.nowUTC())
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var firstAt time.Time
		var status string
		err := tx.QueryRowContext(ctx, s.rebind("SELECT first_contact_at, status FROM leads WHERE id = ?"), id).
			Scan(tcol(&firstAt), &status)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		first = firstAt.IsZero()
		if !first && status != LeadAssigned {
			return nil
		}
		if _, err := tx.ExecContext(ctx, s.rebind(`
			UPDATE leads SET first_contact_at = COALESCE(first_contact_at, ?),
				first_contact_via = CASE WHEN first_contact_at IS NULL THEN ? ELSE first_contact_via END,
				contacted_at = COALESCE(contacted_at, ?),
				status = CASE WHEN status = 'assigned' THEN 'contacted' ELSE status END, updated_at = ?
			WHERE id = ?`), s.ts(at), via, s.ts(at), now, id); err != nil {
			return err
		}
		return s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: id, Kind: LeadEventContacted, Note: via, CreatedAt: at})
	})
	if err != nil {
		return false, fmt.Errorf("store: record contact of lead %d: %w", id, err)
	}
	return first, nil
}

// LeadByInquiry returns the lead made from an inquiry, or ErrNotFound.
func (s *Store) LeadByInquiry(ctx context.Context, inquiryID int64) (*Lead, error) {
	return queryKeyed(ctx, s, scanLead, "lead of inquiry", inquiryID, "SELECT "+leadColumns+" FROM leads WHERE inquiry_id = ?")
}

// LeadOutcome is how a lead was closed.
type LeadOutcome struct {
	Status     string // LeadWon or LeadLost
	ValueCents int64  // the deal's value when won
	Currency   string // ISO 4217 code of ValueCents
	Reason     string // why it was lost
	By         string // who closed it, for the history
}

// CloseLead marks an open lead won or lost. Closing a lead again with the
// same outcome changes nothing and reports false; a lead that is merged,
// or closed with the other outcome, is ErrConflict (reopen it first). A
// missing lead is ErrNotFound.
func (s *Store) CloseLead(ctx context.Context, id int64, o LeadOutcome) (changed bool, err error) {
	if o.Status != LeadWon && o.Status != LeadLost {
		return false, fmt.Errorf("store: close lead %d: status %q is not won or lost", id, o.Status)
	}
	now := s.ts(s.nowUTC())
	value, currency, reason := o.ValueCents, o.Currency, o.Reason
	if o.Status == LeadLost {
		value, currency = 0, ""
	} else {
		reason = ""
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		ok, err := s.guardedUpdate(ctx, tx, "leads", id, `
			UPDATE leads SET status = ?, value_cents = ?, currency = ?, lost_reason = ?, closed_at = ?, updated_at = ?
			WHERE id = ? AND status IN ('unassigned', 'assigned', 'contacted')`,
			o.Status, value, currency, reason, now, now, id)
		if err != nil {
			return err
		}
		if !ok {
			var status string
			if err := tx.QueryRowContext(ctx, s.rebind("SELECT status FROM leads WHERE id = ?"), id).Scan(&status); err != nil {
				return err
			}
			if status == o.Status {
				return nil
			}
			return fmt.Errorf("%w: lead is %s", ErrConflict, status)
		}
		changed = true
		note := o.Status
		switch {
		case o.Status == LeadWon:
			note += fmt.Sprintf(": %d cents %s", value, currency)
		case reason != "":
			note += ": " + reason
		}
		if o.By != "" {
			note += ", by " + o.By
		}
		return s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: id, Kind: LeadEventStatus, Note: note})
	})
	if err != nil {
		return false, fmt.Errorf("store: close lead %d: %w", id, err)
	}
	return changed, nil
}

// ReopenLead takes a won or lost lead back into the pipeline: contacted
// when it was contacted, assigned when it has a rep, unassigned
// otherwise. Its value and currency stay as a hint; the lost reason goes.
// It reports false for a lead that is not closed. A missing lead is
// ErrNotFound.
func (s *Store) ReopenLead(ctx context.Context, id int64, by string) (changed bool, err error) {
	now := s.ts(s.nowUTC())
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		ok, err := s.guardedUpdate(ctx, tx, "leads", id, `
			UPDATE leads SET status = CASE WHEN first_contact_at IS NOT NULL OR contacted_at IS NOT NULL THEN 'contacted'
					WHEN rep_id IS NOT NULL THEN 'assigned' ELSE 'unassigned' END,
				lost_reason = '', closed_at = NULL, updated_at = ?
			WHERE id = ? AND status IN ('won', 'lost')`, now, id)
		if !ok {
			return err
		}
		changed = true
		return s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: id, Kind: LeadEventReopened, Note: by})
	})
	if err != nil {
		return false, fmt.Errorf("store: reopen lead %d: %w", id, err)
	}
	return changed, nil
}

// SetLeadScore stores a lead's score (0..100) and its factors (JSON).
func (s *Store) SetLeadScore(ctx context.Context, id int64, score int, factors string) error {
	res, err := s.db.ExecContext(ctx, s.rebind("UPDATE leads SET score = ?, score_factors = ? WHERE id = ?"),
		min(max(score, 0), 100), factors, id)
	return s.checkUpdated(res, err, "set lead score", id)
}
