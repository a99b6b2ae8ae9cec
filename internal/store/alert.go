package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Alert statuses.
const (
	AlertOpen   = "open"
	AlertClosed = "closed"
)

// Alert is an unusual-activity alert for supervisors.
type Alert struct {
	ID          int64
	DedupeKey   string // unique: the same finding raised again is one alert
	Kind        string // e.g. "order_info_request_from_stranger"
	Severity    string // "info", "warning" (default), "critical"
	Subject     string
	Detail      string
	CustomerID  int64
	Status      string
	Occurrences int // how many times it was raised
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ClosedAt    time.Time
	DigestKey   string // the digest mail that carried it; "" until one did
}

// CreateAlert raises an alert, unique on its dedupe key. When the key
// exists it counts one more occurrence on that alert and returns its id
// with created=false. On success a.ID is set.
func (s *Store) CreateAlert(ctx context.Context, a *Alert) (id int64, created bool, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		created, err = s.createAlert(ctx, tx, a)
		return err
	})
	if err != nil {
		return 0, false, err
	}
	return a.ID, created, nil
}

// createAlert is CreateAlert in tx, for a caller that writes the alert
// with other rows (FinishInbound).
func (s *Store) createAlert(ctx context.Context, tx *sql.Tx, a *Alert) (created bool, err error) {
	if a.DedupeKey == "" || a.Kind == "" {
		return false, errors.New("store: create alert: dedupe key and kind required")
	}
	severity, status := a.Severity, a.Status
	if severity == "" {
		severity = "warning"
	}
	if status == "" {
		status = AlertOpen
	}
	var id int64
	now := s.ts(s.nowUTC())
	err = tx.QueryRowContext(ctx, s.rebind(`
		INSERT INTO alerts (dedupe_key, kind, severity, subject, detail, customer_id, status, occurrences,
			created_at, last_seen_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
		ON CONFLICT (dedupe_key) DO NOTHING
		RETURNING id`), a.DedupeKey, a.Kind, severity, a.Subject, a.Detail, nullID(a.CustomerID), status, now, now).
		Scan(&id)
	switch {
	case err == nil:
		created = true
	case errors.Is(err, sql.ErrNoRows):
		err = tx.QueryRowContext(ctx, s.rebind(`
			UPDATE alerts SET occurrences = occurrences + 1, last_seen_at = ? WHERE dedupe_key = ? RETURNING id`),
			now, a.DedupeKey).Scan(&id)
	}
	if err != nil {
		return false, fmt.Errorf("store: create alert %q: %w", a.DedupeKey, err)
	}
	a.ID = id
	return created, nil
}

const alertColumns = `id, dedupe_key, kind, severity, subject, detail, customer_id, status, occurrences, created_at,
	last_seen_at, closed_at, digest_key`

func scanAlert(r row) (*Alert, error) {
	var a Alert
	err := r.Scan(&a.ID, &a.DedupeKey, &a.Kind, &a.Severity, &a.Subject, &a.Detail, icol(&a.CustomerID), &a.Status,
		&a.Occurrences, tcol(&a.CreatedAt), tcol(&a.LastSeenAt), tcol(&a.ClosedAt), scol(&a.DigestKey))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// Alert returns the alert with the given id, or ErrNotFound.
func (s *Store) Alert(ctx context.Context, id int64) (*Alert, error) {
	return queryKeyed(ctx, s, scanAlert, "alert", id, "SELECT "+alertColumns+" FROM alerts WHERE id = ?")
}

// AlertFilter selects alerts; zero fields match everything.
type AlertFilter struct {
	ID     int64 // one alert (ListDeskAlerts); 0 for any
	Status string
	Kind   string
	Since  time.Time // created at or after
	Limit  int       // default 50, at most 1000
	Offset int
}

// ListAlerts returns alerts matching f, newest first.
func (s *Store) ListAlerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	ctx = asReport(ctx)
	var w where
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	s.timeRange(&w, "created_at", f.Since, time.Time{})
	clause, args := w.paged("created_at DESC, id DESC", f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanAlert, "SELECT "+alertColumns+" FROM alerts"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list alerts: %w", err)
	}
	return out, nil
}

// CloseAlert closes an alert, or returns ErrNotFound.
func (s *Store) CloseAlert(ctx context.Context, id int64) error {
	now := s.ts(s.nowUTC())
	res, err := s.db.ExecContext(ctx, s.rebind("UPDATE alerts SET status = ?, closed_at = COALESCE(closed_at, ?) WHERE id = ?"),
		AlertClosed, now, id)
	return s.checkUpdated(res, err, "close alert", id)
}
