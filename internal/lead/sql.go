package lead

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// The queries in this file write leads and lead_events directly because
// the store has no capacity-checked assignment yet. They keep the store's
// encoding (fixed-width UTC text timestamps on SQLite) and belong in the
// store as AssignLeadWithin / UnassignLead / LeadRound when it grows them.

// Event kinds this package adds to the store's.
const (
	// EventPooled: the lead went (back) to the unassigned pool; FromRepID
	// is the rep it left, if any.
	EventPooled = "pooled"
	// EventAccepted: the rep accepted the lead with the one-click link.
	EventAccepted = "accepted"
	// EventSLABreach: the SLA's second window passed; the manager is told.
	EventSLABreach = "sla_breach"
)

// roundKinds are the events that start a new assignment round.
var roundKinds = []string{store.LeadEventAssigned, store.LeadEventReassigned, EventPooled}

type db struct {
	sql     *sql.DB
	dialect store.Dialect
}

func (d db) rebind(q string) string { return d.dialect.Rebind(q) }

func (d db) ts(t time.Time) any { return d.dialect.Time(t) }

var nullID = store.NullID

func (d db) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

func (d db) addEvent(ctx context.Context, tx *sql.Tx, leadID int64, kind string, repID, fromRepID int64, note string, at time.Time) error {
	_, err := tx.ExecContext(ctx, d.rebind(`
		INSERT INTO lead_events (lead_id, kind, rep_id, from_rep_id, note, created_at) VALUES (?, ?, ?, ?, ?, ?)`),
		leadID, kind, nullID(repID), nullID(fromRepID), note, d.ts(at))
	if err != nil {
		return fmt.Errorf("lead event: %w", err)
	}
	return nil
}

func (d db) roundIn(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, leadID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, d.rebind(`
		SELECT COUNT(*) FROM lead_events WHERE lead_id = ? AND kind IN (?, ?, ?)`),
		leadID, roundKinds[0], roundKinds[1], roundKinds[2]).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("lead %d round: %w", leadID, err)
	}
	return n, nil
}

// round returns how many assignment rounds a lead has been through.
func (d db) round(ctx context.Context, leadID int64) (int, error) {
	return d.roundIn(ctx, d.sql, leadID)
}

// errCASLost means the lead changed owner or status meanwhile, or the rep
// reached capacity; the caller reloads the lead to tell which.
var errCASLost = errors.New("lead: assignment lost the compare-and-set")

// assign gives the lead to toRep if it is still where the caller saw it
// and toRep holds fewer than capacity open leads (0: unlimited), records
// the event and returns the lead's new round. fromPool says the lead was
// seen unassigned (with fromRep as its stale rep_id, usually 0); otherwise
// it was seen assigned or contacted to fromRep. The capacity check and the
// update are one transaction serialized per rep: SQLite takes the write
// lock at BEGIN, PostgreSQL locks the rep's row.
func (d db) assign(ctx context.Context, leadID int64, fromPool bool, fromRep, toRep int64, capacity int, note string, now time.Time) (round int, err error) {
	args := []any{toRep, d.ts(now), d.ts(now), leadID}
	var cond string
	switch {
	case fromPool && fromRep == 0:
		cond = "status = 'unassigned' AND rep_id IS NULL"
	case fromPool:
		cond = "status = 'unassigned' AND rep_id = ?"
		args = append(args, fromRep)
	default:
		cond = "rep_id = ? AND status IN ('assigned', 'contacted')"
		args = append(args, fromRep)
	}
	args = append(args, capacity, toRep, capacity)
	update := `
		UPDATE leads SET rep_id = ?, status = 'assigned', assigned_at = ?, contacted_at = NULL, updated_at = ?
		WHERE id = ? AND ` + cond + `
		  AND (? = 0 OR (SELECT COUNT(*) FROM leads o WHERE o.rep_id = ? AND o.status IN ('assigned', 'contacted')) < ?)`
	kind := store.LeadEventAssigned
	if !fromPool {
		kind = store.LeadEventReassigned
	}
	if d.dialect == store.Postgres {
		round, err = d.assignPostgres(ctx, update, args, leadID, kind, fromRep, toRep, capacity, note, now)
	} else {
		round, err = d.assignSQLite(ctx, update, args, leadID, kind, fromRep, toRep, note, now)
	}
	if err != nil && !errors.Is(err, errCASLost) {
		err = fmt.Errorf("lead: assign lead %d to rep %d: %w", leadID, toRep, err)
	}
	return round, err
}

// assignSQLite runs the update, the event and the round count in one
// transaction, which SQLite serializes (the write lock is taken at BEGIN).
func (d db) assignSQLite(ctx context.Context, update string, args []any, leadID int64, kind string, fromRep, toRep int64, note string, now time.Time) (round int, err error) {
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, update, args...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errCASLost
		}
		if err := d.addEvent(ctx, tx, leadID, kind, toRep, fromRep, note, now); err != nil {
			return err
		}
		round, err = d.roundIn(ctx, tx, leadID)
		return err
	})
	return round, err
}

// assignPostgres does the same in one statement (data-modifying CTEs see
// one snapshot, so the round counts the new event separately). With a
// capacity it runs in a transaction holding the rep's row lock, so that
// two assignments to one rep cannot both see room for one more.
func (d db) assignPostgres(ctx context.Context, update string, args []any, leadID int64, kind string, fromRep, toRep int64, capacity int, note string, now time.Time) (int, error) {
	q := `WITH u AS (` + update + ` RETURNING id),
		e AS (INSERT INTO lead_events (lead_id, kind, rep_id, from_rep_id, note, created_at)
			SELECT id, ?, ?, ?, ?, ? FROM u RETURNING lead_id)
		SELECT (SELECT COUNT(*) FROM e),
			(SELECT COUNT(*) FROM lead_events WHERE lead_id = ? AND kind IN (?, ?, ?))`
	args = append(args, kind, toRep, nullID(fromRep), note, d.ts(now), leadID, roundKinds[0], roundKinds[1], roundKinds[2])
	q = d.rebind(q)
	var inserted, before int
	run := func(qr interface {
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}) error {
		if err := qr.QueryRowContext(ctx, q, args...).Scan(&inserted, &before); err != nil {
			return err
		}
		if inserted == 0 {
			return errCASLost
		}
		return nil
	}
	var err error
	if capacity > 0 {
		err = d.inTx(ctx, func(tx *sql.Tx) error {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM reps WHERE id = $1 FOR UPDATE", toRep).Scan(&one); err != nil {
				return fmt.Errorf("lock rep %d: %w", toRep, err)
			}
			return run(tx)
		})
	} else {
		err = run(d.sql)
	}
	return before + inserted, err
}

// unassign puts a lead back in the pool if it is still with fromRep and
// not contacted... or contacted: a rep may decline a lead they contacted.
// It records a pooled event and returns the new round.
func (d db) unassign(ctx context.Context, leadID, fromRep int64, note string, now time.Time) (round int, err error) {
	err = d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, d.rebind(`
			UPDATE leads SET rep_id = NULL, status = 'unassigned', updated_at = ?
			WHERE id = ? AND rep_id = ? AND status IN ('assigned', 'contacted')`), d.ts(now), leadID, fromRep)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errCASLost
		}
		if err := d.addEvent(ctx, tx, leadID, EventPooled, 0, fromRep, note, now); err != nil {
			return err
		}
		round, err = d.roundIn(ctx, tx, leadID)
		return err
	})
	if err != nil && !errors.Is(err, errCASLost) {
		err = fmt.Errorf("lead: unassign lead %d: %w", leadID, err)
	}
	return round, err
}

// markPooled records that a new lead found nobody eligible, once: only
// while the lead is unassigned and has had no round yet.
func (d db) markPooled(ctx context.Context, leadID int64, note string, now time.Time) error {
	_, err := d.sql.ExecContext(ctx, d.rebind(`
		INSERT INTO lead_events (lead_id, kind, rep_id, from_rep_id, note, created_at)
		SELECT ?, ?, NULL, NULL, ?, ? WHERE
			EXISTS (SELECT 1 FROM leads WHERE id = ? AND status = 'unassigned')
			AND NOT EXISTS (SELECT 1 FROM lead_events WHERE lead_id = ? AND kind IN (?, ?, ?))`),
		leadID, EventPooled, note, d.ts(now), leadID, leadID, roundKinds[0], roundKinds[1], roundKinds[2])
	if err != nil {
		return fmt.Errorf("lead: pool lead %d: %w", leadID, err)
	}
	return nil
}

// openCounts returns the open (assigned or contacted) leads per rep.
func (d db) openCounts(ctx context.Context) (map[int64]int, error) {
	rows, err := d.sql.QueryContext(ctx, `
		SELECT rep_id, COUNT(*) FROM leads WHERE rep_id IS NOT NULL AND status IN ('assigned', 'contacted') GROUP BY rep_id`)
	if err != nil {
		return nil, fmt.Errorf("lead: open leads per rep: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("lead: open leads per rep: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// openCountsOf returns the open leads of the given reps only: cheap with
// the (rep_id, status) index when each holds few.
func (d db) openCountsOf(ctx context.Context, ids []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := d.sql.QueryContext(ctx, d.rebind(`
		SELECT rep_id, COUNT(*) FROM leads WHERE rep_id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)
		  AND status IN ('assigned', 'contacted') GROUP BY rep_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("lead: open leads per rep: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("lead: open leads per rep: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// duplicateOf returns the oldest open lead older than l (a lower id) with
// the same contact email, or the same company domain when domain is set,
// created at or after since; 0 when none.
func (d db) duplicateOf(ctx context.Context, l *store.Lead, domain string, since time.Time) (int64, error) {
	cond, args := "contact_email = ?", []any{strings.ToLower(strings.TrimSpace(l.ContactEmail))}
	if domain != "" {
		cond, args = "(contact_email = ? OR domain = ?)", append(args, domain)
	}
	if l.ContactEmail == "" {
		if domain == "" {
			return 0, nil
		}
		cond, args = "domain = ?", []any{domain}
	}
	args = append(args, l.ID, d.ts(since))
	var id int64
	err := d.sql.QueryRowContext(ctx, d.rebind(`
		SELECT id FROM leads WHERE `+cond+` AND id < ? AND created_at >= ?
		  AND status IN ('unassigned', 'assigned', 'contacted')
		ORDER BY id LIMIT 1`), args...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("lead: find duplicate of lead %d: %w", l.ID, err)
	}
	return id, nil
}
