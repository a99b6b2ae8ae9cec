package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Lead statuses.
const (
	LeadUnassigned = "unassigned" // waiting in the pool for an eligible rep
	LeadAssigned   = "assigned"
	LeadContacted  = "contacted"
	LeadWon        = "won"
	LeadLost       = "lost"
	LeadMerged     = "merged" // folded into another open lead
)

// Lead event kinds (the assignment history and other milestones).
const (
	LeadEventCreated    = "created"
	LeadEventAssigned   = "assigned"
	LeadEventReassigned = "reassigned"
	LeadEventStatus     = "status"
	LeadEventMerged     = "merged"
	LeadEventReminder   = "reminder"
)

// LeadRef is the identifier people see for lead id, the same in every
// mail, page, report and API answer: "L-3". The customer's thread keeps
// its own reference (the inquiry's "SD-19"); that one names the
// conversation, this one the lead.
func LeadRef(id int64) string { return fmt.Sprintf("L-%d", id) }

// Ref is the lead's identifier as people see it (LeadRef).
func (l Lead) Ref() string { return LeadRef(l.ID) }

// Lead is a piece of new business waiting for, or owned by, a rep.
type Lead struct {
	ID           int64
	ExternalID   string // unique when set: the key of imports and API submissions
	InquiryID    int64  // unique when set: the inquiry it came from
	CustomerID   int64
	ContactEmail string // stored lower-case
	ContactName  string
	Company      string
	Domain       string
	Country      string
	Source       string // "email", "import", "api"
	Summary      string
	Status       string
	RepID        int64 // 0 while unassigned
	ValueCents   int64
	Currency     string // ISO 4217 code of ValueCents; "" on leads closed before currencies were stored
	LostReason   string
	AssignedAt   time.Time
	ContactedAt  time.Time
	ClosedAt     time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
	// FirstContactAt is when a person first reached the customer about
	// the lead (never the acknowledgement); kept across reassignment.
	FirstContactAt  time.Time
	FirstContactVia string // ContactVia…
	Score           int    // 0..100 when Scored
	Scored          bool
	ScoreFactors    string // JSON: the score's top factors
}

// LeadEvent is one entry of a lead's history.
type LeadEvent struct {
	ID        int64
	LeadID    int64
	Kind      string
	RepID     int64 // the rep it concerns (the new owner on assignment)
	FromRepID int64 // the previous owner on reassignment
	Note      string
	CreatedAt time.Time
}

// CreateLead stores a lead and its "created" event. A lead is unique per
// inquiry and per external id: when one exists for either, CreateLead
// returns its id with created=false and changes nothing. On success l.ID is
// set.
func (s *Store) CreateLead(ctx context.Context, l *Lead) (id int64, created bool, err error) {
	status := l.Status
	if status == "" {
		status = LeadUnassigned
		if l.RepID != 0 {
			status = LeadAssigned
		}
	}
	now := s.nowUTC()
	var assignedAt time.Time
	if l.RepID != 0 {
		assignedAt = now
	}
	// The lead comes back from the statement that finds or inserts it,
	// so nothing is read after the commit.
	var got *Lead
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		got, err = scanLead(tx.QueryRowContext(ctx, s.rebind(`
			SELECT `+leadColumns+` FROM leads
			WHERE (inquiry_id IS NOT NULL AND inquiry_id = ?) OR (external_id IS NOT NULL AND external_id = ?)
			ORDER BY id LIMIT 1`), l.InquiryID, l.ExternalID))
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		got, err = scanLead(tx.QueryRowContext(ctx, s.rebind(`
			INSERT INTO leads (external_id, inquiry_id, customer_id, contact_email, contact_name, company, domain, country,
				source, summary, status, rep_id, value_cents, assigned_at, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			RETURNING `+leadColumns),
			nullString(l.ExternalID), nullID(l.InquiryID), nullID(l.CustomerID), normEmail(l.ContactEmail), l.ContactName,
			l.Company, l.Domain, l.Country, l.Source, l.Summary, status, nullID(l.RepID), l.ValueCents,
			s.nullTS(assignedAt), s.ts(now), s.ts(now)))
		if err != nil {
			return conflict(err)
		}
		created = true
		return s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: got.ID, Kind: LeadEventCreated, RepID: l.RepID, Note: l.Source})
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: create lead: %w", err)
	}
	*l = *got
	return got.ID, created, nil
}

const leadColumns = `id, external_id, inquiry_id, customer_id, contact_email, contact_name, company, domain, country,
	source, summary, status, rep_id, value_cents, lost_reason, assigned_at, contacted_at, closed_at, created_at, updated_at,
	currency, first_contact_at, first_contact_via, score, score_factors`

func scanLead(r row) (*Lead, error) {
	var l Lead
	var score sql.NullInt64
	err := r.Scan(&l.ID, scol(&l.ExternalID), icol(&l.InquiryID), icol(&l.CustomerID), &l.ContactEmail, &l.ContactName,
		&l.Company, &l.Domain, &l.Country, &l.Source, &l.Summary, &l.Status, icol(&l.RepID), &l.ValueCents,
		&l.LostReason, tcol(&l.AssignedAt), tcol(&l.ContactedAt), tcol(&l.ClosedAt), tcol(&l.CreatedAt), tcol(&l.UpdatedAt),
		&l.Currency, tcol(&l.FirstContactAt), &l.FirstContactVia, &score, &l.ScoreFactors)
	if err != nil {
		return nil, err
	}
	l.Score, l.Scored = int(score.Int64), score.Valid
	return &l, nil
}

// Lead returns the lead with the given id, or ErrNotFound.
func (s *Store) Lead(ctx context.Context, id int64) (*Lead, error) {
	return queryKeyed(ctx, s, scanLead, "lead", id, "SELECT "+leadColumns+" FROM leads WHERE id = ?")
}

// LeadFilter selects leads; zero fields match everything.
type LeadFilter struct {
	Status       string
	RepID        int64
	Source       string
	ContactEmail string
	Domain       string
	Since        time.Time // created at or after
	Until        time.Time // created before
	Limit        int       // default 50, at most 1000
	Offset       int
	// ByScore lists the highest score first (unscored leads last), then
	// oldest first: the order in which the unassigned pool is worked.
	ByScore bool
}

// ListLeads returns leads matching f, oldest first, or by score when
// f.ByScore.
func (s *Store) ListLeads(ctx context.Context, f LeadFilter) ([]Lead, error) {
	ctx = asReport(ctx)
	var w where
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.RepID != 0 {
		w.add("rep_id = ?", f.RepID)
	}
	if f.Source != "" {
		w.add("source = ?", f.Source)
	}
	if f.ContactEmail != "" {
		w.add("contact_email = ?", normEmail(f.ContactEmail))
	}
	if f.Domain != "" {
		w.add("domain = ?", f.Domain)
	}
	s.timeRange(&w, "created_at", f.Since, f.Until)
	order := "created_at, id"
	if f.ByScore {
		order = "COALESCE(score, -1) DESC, " + order
	}
	clause, args := w.paged(order, f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanLead, "SELECT "+leadColumns+" FROM leads"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list leads: %w", err)
	}
	return out, nil
}

// AssignLead gives a lead to toRepID if its current rep is still fromRepID
// (0 for an unassigned lead): a compare-and-set, so that two workers
// assigning the same lead cannot both win. It records an assigned or
// reassigned event and reports whether this call made the change; a lead
// whose owner changed meanwhile returns false and no error. A missing lead
// is ErrNotFound.
func (s *Store) AssignLead(ctx context.Context, id, fromRepID, toRepID int64, note string) (assigned bool, err error) {
	now := s.ts(s.nowUTC())
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		cond := "rep_id IS NULL"
		args := []any{toRepID, LeadAssigned, now, now, id}
		if fromRepID != 0 {
			cond = "rep_id = ?"
			args = append(args, fromRepID)
		}
		ok, err := s.guardedUpdate(ctx, tx, "leads", id, `
			UPDATE leads SET rep_id = ?, status = ?, assigned_at = ?, contacted_at = NULL, updated_at = ?
			WHERE id = ? AND status IN ('unassigned', 'assigned', 'contacted') AND `+cond, args...)
		if !ok {
			return err
		}
		assigned = true
		kind := LeadEventAssigned
		if fromRepID != 0 {
			kind = LeadEventReassigned
		}
		return s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: id, Kind: kind, RepID: toRepID, FromRepID: fromRepID, Note: note})
	})
	if err != nil {
		return false, fmt.Errorf("store: assign lead %d to rep %d: %w", id, toRepID, err)
	}
	return assigned, nil
}

// SetLeadStatus moves a lead to contacted, won (with its value), lost
// (with the reason) or another status, and records the change. A missing
// lead is ErrNotFound.
func (s *Store) SetLeadStatus(ctx context.Context, id int64, status string, valueCents int64, reason string) error {
	now := s.nowUTC()
	var contactedAt, closedAt time.Time
	switch status {
	case LeadContacted:
		contactedAt = now
	case LeadWon, LeadLost, LeadMerged:
		closedAt = now
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`
			UPDATE leads SET status = ?,
				value_cents = CASE WHEN ? > 0 THEN ? ELSE value_cents END,
				lost_reason = ?,
				contacted_at = COALESCE(contacted_at, ?),
				closed_at = ?,
				updated_at = ?
			WHERE id = ?`),
			status, valueCents, valueCents, reason, s.nullTS(contactedAt), s.nullTS(closedAt), s.ts(now), id)
		if err := s.checkUpdated(res, err, "set lead status", id); err != nil {
			return err
		}
		note := status
		if reason != "" {
			note += ": " + reason
		}
		return s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: id, Kind: LeadEventStatus, Note: note})
	})
	return err
}

// AddLeadEvent appends an event to a lead's history. On success e.ID is
// set.
func (s *Store) AddLeadEvent(ctx context.Context, e *LeadEvent) error {
	if err := s.addLeadEvent(ctx, s.db, e); err != nil {
		return fmt.Errorf("store: add lead event: %w", err)
	}
	return nil
}

func (s *Store) addLeadEvent(ctx context.Context, q querier, e *LeadEvent) error {
	at := e.CreatedAt
	if at.IsZero() {
		at = s.nowUTC()
	}
	err := q.QueryRowContext(ctx, s.rebind(`
		INSERT INTO lead_events (lead_id, kind, rep_id, from_rep_id, note, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`),
		e.LeadID, e.Kind, nullID(e.RepID), nullID(e.FromRepID), e.Note, s.ts(at)).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("lead event: %w", err)
	}
	e.CreatedAt = at.UTC()
	return nil
}

// LeadEvents returns a lead's history, oldest first.
func (s *Store) LeadEvents(ctx context.Context, leadID int64) ([]LeadEvent, error) {
	out, err := queryAll(ctx, s, scanLeadEvent, `
		SELECT id, lead_id, kind, rep_id, from_rep_id, note, created_at FROM lead_events WHERE lead_id = ? ORDER BY id`, leadID)
	if err != nil {
		return nil, fmt.Errorf("store: lead %d events: %w", leadID, err)
	}
	return out, nil
}

func scanLeadEvent(r row) (*LeadEvent, error) {
	var e LeadEvent
	if err := r.Scan(&e.ID, &e.LeadID, &e.Kind, icol(&e.RepID), icol(&e.FromRepID), &e.Note, tcol(&e.CreatedAt)); err != nil {
		return nil, err
	}
	return &e, nil
}

// OpenLeadCount returns how many leads a rep holds that are assigned or
// contacted but not closed, for capacity checks.
func (s *Store) OpenLeadCount(ctx context.Context, repID int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.rebind(
		"SELECT COUNT(*) FROM leads WHERE rep_id = ? AND status IN ('assigned', 'contacted')"), repID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: open leads of rep %d: %w", repID, err)
	}
	return n, nil
}

// MergeLead closes lead id as merged into the open lead into, recording
// both the target (MergedInto reads it) and the status event, in one
// transaction.
func (s *Store) MergeLead(ctx context.Context, id, into int64) error {
	now := s.nowUTC()
	note := fmt.Sprintf("into lead %d", into)
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.rebind(`
			UPDATE leads SET status = ?, merged_into = ?, lost_reason = ?, closed_at = ?, updated_at = ?
			WHERE id = ?`), LeadMerged, into, note, s.ts(now), s.ts(now), id)
		if err := s.checkUpdated(res, err, "merge lead", id); err != nil {
			return err
		}
		return s.addLeadEvent(ctx, tx, &LeadEvent{LeadID: id, Kind: LeadEventStatus, Note: LeadMerged + ": " + note})
	})
}

// MergedInto returns the lead that lead id was merged into, or 0 when it
// was not merged.
func (s *Store) MergedInto(ctx context.Context, id int64) (int64, error) {
	var into sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT merged_into FROM leads WHERE id = ?"), id).Scan(&into)
	if err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("store: lead %d: %w", id, ErrNotFound)
		}
		return 0, fmt.Errorf("store: lead %d merged into: %w", id, err)
	}
	return into.Int64, nil
}
