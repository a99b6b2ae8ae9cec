package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LeadEventPooled is the event of a lead going (back) to the unassigned
// pool; FromRepID is the rep it left, if any.
const LeadEventPooled = "pooled"

// roundKinds are the events that start a new assignment round.
var roundKinds = []any{LeadEventAssigned, LeadEventReassigned, LeadEventPooled}

// roundCond selects a lead's round-starting events; it takes the lead id
// and roundKinds.
const roundCond = "lead_id = ? AND kind IN (?, ?, ?)"

// ErrAssignmentLost is returned (wrapped) by AssignLeadWithin and
// UnassignLead when the lead changed owner or status meanwhile, or the rep
// reached capacity; the caller reloads the lead to tell which.
var ErrAssignmentLost = errors.New("store: lead assignment lost the compare-and-set")

// LeadAssignment is one capacity-checked compare-and-set assignment.
type LeadAssignment struct {
	LeadID int64
	// FromPool says the lead was seen unassigned (with FromRepID as its
	// stale rep_id, usually 0); otherwise it was seen assigned or
	// contacted to FromRepID, and the assignment is a reassignment.
	FromPool  bool
	FromRepID int64
	ToRepID   int64
	// Capacity is the most open (assigned or contacted) leads ToRepID may
	// hold before this one; 0 is unlimited.
	Capacity int
	Note     string
	At       time.Time
	// Score, when set, is stored on the lead with the assignment, in the
	// same statement: the score its rep's mail shows.
	Score *LeadScore
}

// LeadScore is a lead's score (0..100) and its factors (JSON), as
// SetLeadScore stores them.
type LeadScore struct {
	Score   int
	Factors string
}

// LeadRound returns how many assignment rounds (assigned, reassigned or
// pooled events) a lead has been through.
func (s *Store) LeadRound(ctx context.Context, leadID int64) (int, error) {
	return s.leadRound(ctx, s.db, leadID)
}

// LeadWithRound returns the lead with the given id and its round
// (LeadRound) in one read, or ErrNotFound.
func (s *Store) LeadWithRound(ctx context.Context, id int64) (*Lead, int, error) {
	var round int
	l, err := queryOne(ctx, s, func(r row) (*Lead, error) { return scanLead(rowAlso{r, []any{&round}}) },
		"SELECT "+leadColumns+", (SELECT COUNT(*) FROM lead_events WHERE "+roundCond+") FROM leads WHERE id = ?",
		append(append([]any{id}, roundKinds...), id)...)
	if err != nil {
		return nil, 0, fmt.Errorf("store: lead %d: %w", id, err)
	}
	return l, round, nil
}

// rowAlso scans a row whose last columns go to more, after the columns
// its scan function reads.
type rowAlso struct {
	row
	more []any
}

func (r rowAlso) Scan(dest ...any) error { return r.row.Scan(append(dest, r.more...)...) }

func (s *Store) leadRound(ctx context.Context, q querier, leadID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM lead_events WHERE "+roundCond),
		append([]any{leadID}, roundKinds...)...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: lead %d round: %w", leadID, err)
	}
	return n, nil
}

// AssignLeadWithin gives the lead to a.ToRepID if it is still where the
// caller saw it and the rep holds fewer than a.Capacity open leads,
// records an assigned (from the pool) or reassigned event and returns the
// lead's new round. A lost race is ErrAssignmentLost. The capacity check
// and the update are one transaction serialized per rep: SQLite takes the
// write lock at BEGIN, PostgreSQL locks the rep's row.
func (s *Store) AssignLeadWithin(ctx context.Context, a LeadAssignment) (round int, err error) {
	args := []any{a.ToRepID, s.ts(a.At), s.ts(a.At)}
	var set string
	if a.Score != nil {
		set = ", score = ?, score_factors = ?"
		args = append(args, min(max(a.Score.Score, 0), 100), a.Score.Factors)
	}
	args = append(args, a.LeadID)
	var cond string
	switch {
	case a.FromPool && a.FromRepID == 0:
		cond = "status = 'unassigned' AND rep_id IS NULL"
	case a.FromPool:
		cond = "status = 'unassigned' AND rep_id = ?"
		args = append(args, a.FromRepID)
	default:
		cond = "rep_id = ? AND status IN ('assigned', 'contacted')"
		args = append(args, a.FromRepID)
	}
	args = append(args, a.Capacity, a.ToRepID, a.Capacity)
	update := `
		UPDATE leads SET rep_id = ?, status = 'assigned', assigned_at = ?, contacted_at = NULL, updated_at = ?` + set + `
		WHERE id = ? AND ` + cond + `
		  AND (? = 0 OR (SELECT COUNT(*) FROM leads o WHERE o.rep_id = ? AND o.status IN ('assigned', 'contacted')) < ?)`
	kind := LeadEventAssigned
	if !a.FromPool {
		kind = LeadEventReassigned
	}
	if s.dialect == Postgres {
		round, err = s.assignPostgres(ctx, update, args, kind, a)
	} else {
		round, err = s.assignSQLite(ctx, update, args, kind, a)
	}
	if err != nil {
		return round, fmt.Errorf("store: assign lead %d to rep %d: %w", a.LeadID, a.ToRepID, err)
	}
	return round, nil
}

// assignSQLite runs the update, the event and the round count in one
// transaction, which SQLite serializes (the write lock is taken at BEGIN).
func (s *Store) assignSQLite(ctx context.Context, update string, args []any, kind string, a LeadAssignment) (round int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.casUpdate(ctx, tx, update, args...); err != nil {
			return err
		}
		if err := s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: a.LeadID, Kind: kind, RepID: a.ToRepID,
			FromRepID: a.FromRepID, Note: a.Note, CreatedAt: a.At}); err != nil {
			return err
		}
		round, err = s.leadRound(ctx, tx, a.LeadID)
		return err
	})
	return round, err
}

// assignPostgres does the same in one statement (data-modifying CTEs see
// one snapshot, so the round counts the new event separately). With a
// capacity it runs in a transaction holding the rep's row lock, so that
// two assignments to one rep cannot both see room for one more.
func (s *Store) assignPostgres(ctx context.Context, update string, args []any, kind string, a LeadAssignment) (int, error) {
	q := s.rebind(`WITH u AS (` + update + ` RETURNING id),
		e AS (INSERT INTO lead_events (lead_id, kind, rep_id, from_rep_id, note, created_at)
			SELECT id, ?, ?, ?, ?, ? FROM u RETURNING lead_id)
		SELECT (SELECT COUNT(*) FROM e), (SELECT COUNT(*) FROM lead_events WHERE ` + roundCond + `)`)
	args = append(args, kind, a.ToRepID, nullID(a.FromRepID), a.Note, s.ts(a.At), a.LeadID)
	args = append(args, roundKinds...)
	var inserted, before int
	exec := func(qr querier) error {
		if err := qr.QueryRowContext(ctx, q, args...).Scan(&inserted, &before); err != nil {
			return err
		}
		if inserted == 0 {
			return ErrAssignmentLost
		}
		return nil
	}
	var err error
	if a.Capacity > 0 {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			var one int
			if err := tx.QueryRowContext(ctx, "SELECT 1 FROM reps WHERE id = $1 FOR UPDATE", a.ToRepID).Scan(&one); err != nil {
				return fmt.Errorf("lock rep %d: %w", a.ToRepID, err)
			}
			return exec(tx)
		})
	} else {
		err = exec(s.db)
	}
	return before + inserted, err
}

// casUpdate runs a guarded UPDATE; no row changed is ErrAssignmentLost.
func (s *Store) casUpdate(ctx context.Context, q querier, query string, args ...any) error {
	res, err := q.ExecContext(ctx, s.rebind(query), args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return ErrAssignmentLost
	}
	return nil
}

// UnassignLead puts a lead back in the pool if it is still assigned to (or
// contacted by: a rep may decline a lead they contacted) fromRepID,
// records a pooled event and returns the new round. A lost race is
// ErrAssignmentLost.
func (s *Store) UnassignLead(ctx context.Context, leadID, fromRepID int64, note string, at time.Time) (round int, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.casUpdate(ctx, tx, `
			UPDATE leads SET rep_id = NULL, status = 'unassigned', updated_at = ?
			WHERE id = ? AND rep_id = ? AND status IN ('assigned', 'contacted')`, s.ts(at), leadID, fromRepID); err != nil {
			return err
		}
		if err := s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: leadID, Kind: LeadEventPooled, FromRepID: fromRepID,
			Note: note, CreatedAt: at}); err != nil {
			return err
		}
		round, err = s.leadRound(ctx, tx, leadID)
		return err
	})
	if err != nil {
		return round, fmt.Errorf("store: unassign lead %d: %w", leadID, err)
	}
	return round, nil
}

// PoolNewLead records that a new lead found nobody eligible, once: only
// while the lead is unassigned and has had no round yet.
func (s *Store) PoolNewLead(ctx context.Context, leadID int64, note string, at time.Time) error {
	args := append([]any{leadID, LeadEventPooled, note, s.ts(at), leadID, leadID}, roundKinds...)
	_, err := s.db.ExecContext(ctx, s.rebind(`
		INSERT INTO lead_events (lead_id, kind, rep_id, from_rep_id, note, created_at)
		SELECT ?, ?, NULL, NULL, ?, ? WHERE
			EXISTS (SELECT 1 FROM leads WHERE id = ? AND status = 'unassigned')
			AND NOT EXISTS (SELECT 1 FROM lead_events WHERE `+roundCond+`)`), args...)
	if err != nil {
		return fmt.Errorf("store: pool lead %d: %w", leadID, err)
	}
	return nil
}

// OpenLeadCounts returns the open (assigned or contacted) leads of the
// given reps; a rep holding none is missing from the map.
func (s *Store) OpenLeadCounts(ctx context.Context, repIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if len(repIDs) == 0 {
		return out, nil
	}
	type count struct {
		rep int64
		n   int
	}
	var counts []count
	err := readAll(ctx, s, "open leads per rep", &counts, func(c *count) []any { return []any{&c.rep, &c.n} },
		`SELECT rep_id, COUNT(*) FROM leads WHERE rep_id `+s.inList(len(repIDs))+`
		  AND status IN ('assigned', 'contacted') GROUP BY rep_id`, listArgs(s.dialect, repIDs)...)
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		out[c.rep] = c.n
	}
	return out, nil
}

// DuplicateLead returns the oldest open lead older than l (a lower id)
// with the same contact email, or the same company domain when domain is
// set, created at or after since; 0 when none.
func (s *Store) DuplicateLead(ctx context.Context, l *Lead, domain string, since time.Time) (int64, error) {
	cond, args := "contact_email = ?", []any{normEmail(l.ContactEmail)}
	if domain != "" {
		cond, args = "(contact_email = ? OR domain = ?)", append(args, domain)
	}
	if l.ContactEmail == "" {
		if domain == "" {
			return 0, nil
		}
		cond, args = "domain = ?", []any{domain}
	}
	args = append(args, l.ID, s.ts(since))
	id, err := queryOne(ctx, s, scanID, `
		SELECT id FROM leads WHERE `+cond+` AND id < ? AND created_at >= ?
		  AND status IN ('unassigned', 'assigned', 'contacted')
		ORDER BY id LIMIT 1`, args...)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("store: find duplicate of lead %d: %w", l.ID, err)
	}
	return *id, nil
}
