package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Suppression is an address that gets no proactive mail: no follow-ups,
// status-change mails or digests. Replies to its own mail still go out.
type Suppression struct {
	ID        int64
	Email     string // lower-cased
	Reason    string // e.g. "unsubscribe", "manual"
	InquiryID int64  // the unsubscribe mail, 0 when none
	CreatedAt time.Time
}

// Suppress adds email to the suppression list. Suppressing an address that
// is already listed changes nothing and returns created=false.
func (s *Store) Suppress(ctx context.Context, email, reason string, inquiryID int64) (created bool, err error) {
	email = normEmail(email)
	if email == "" {
		return false, errors.New("store: suppress: email required")
	}
	var id int64
	err = s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO mail_suppressions (email, reason, inquiry_id, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (email) DO NOTHING
		RETURNING id`), email, reason, nullID(inquiryID), s.ts(s.nowUTC())).Scan(&id)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	}
	return false, fmt.Errorf("store: suppress %s: %w", email, err)
}

// IsSuppressed reports whether email (any case) is on the suppression list.
func (s *Store) IsSuppressed(ctx context.Context, email string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM mail_suppressions WHERE email = ?"), normEmail(email)).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("store: is suppressed %s: %w", email, err)
	}
	return n > 0, nil
}

const suppressionColumns = `id, email, reason, inquiry_id, created_at`

func scanSuppression(r row) (*Suppression, error) {
	var v Suppression
	if err := r.Scan(&v.ID, &v.Email, &v.Reason, icol(&v.InquiryID), tcol(&v.CreatedAt)); err != nil {
		return nil, err
	}
	return &v, nil
}

// Suppression returns the suppression of email (any case), or ErrNotFound.
func (s *Store) Suppression(ctx context.Context, email string) (*Suppression, error) {
	v, err := queryOne(ctx, s, scanSuppression, "SELECT "+suppressionColumns+" FROM mail_suppressions WHERE email = ?", normEmail(email))
	if err != nil {
		return nil, fmt.Errorf("store: suppression %s: %w", email, err)
	}
	return v, nil
}

// ListSuppressions returns one page of the suppression list, newest first
// (limit 0 means 50, at most 1000).
func (s *Store) ListSuppressions(ctx context.Context, limit, offset int) ([]Suppression, error) {
	var w where
	clause, args := w.paged("created_at DESC, id DESC", limit, offset)
	out, err := queryAll(ctx, s, scanSuppression, "SELECT "+suppressionColumns+" FROM mail_suppressions"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list suppressions: %w", err)
	}
	return out, nil
}

// Unsuppress takes email (any case) off the suppression list, so it gets
// proactive mail again, or returns ErrNotFound when it was not listed.
func (s *Store) Unsuppress(ctx context.Context, email string) error {
	res, err := s.db.ExecContext(ctx, s.rebind("DELETE FROM mail_suppressions WHERE email = ?"), normEmail(email))
	if err != nil {
		return fmt.Errorf("store: unsuppress %s: %w", email, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: unsuppress %s: %w", email, err)
	}
	if n == 0 {
		return fmt.Errorf("store: unsuppress %s: %w", email, ErrNotFound)
	}
	return nil
}
