package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LeadScoreInput is what a lead's score is computed from: the inquiry,
// the account's history before the lead and the engagement since.
type LeadScoreInput struct {
	LeadID       int64
	Status       string
	Subject      string
	Text         string // the inquiry's new text, or the lead's summary
	Category     string
	PastOrders   int   // the account's orders created before the lead
	RevenueCents int64 // their total, every currency counted by its cents
	OpenOrders   int   // of those, not delivered or cancelled
	Replies      int   // later inquiries in the lead's thread
	MeetingsSet  int   // meetings of the lead not requested-only or cancelled
	// ModelID is the id of the newest stored score model, 0 when there is
	// none; only LeadScoreInput reads it, so that a scorer learns in the
	// same statement whether the model it holds is still the newest.
	ModelID int64
}

// leadScoreSelect reads LeadScoreInput columns for the leads l.
const leadScoreSelect = leadScoreColumns + leadScoreFrom

const leadScoreColumns = `
	SELECT l.id, l.status, COALESCE(i.subject, ''), COALESCE(NULLIF(m.new_text, ''), m.body_text, l.summary),
		COALESCE(i.category, ''),
		(SELECT COUNT(*) FROM orders o WHERE o.customer_id = l.customer_id AND o.created_at < l.created_at),
		(SELECT COALESCE(SUM(o.amount_cents), 0) FROM orders o WHERE o.customer_id = l.customer_id AND o.created_at < l.created_at),
		(SELECT COUNT(*) FROM orders o WHERE o.customer_id = l.customer_id AND o.created_at < l.created_at
			AND o.status NOT IN ` + closedOrderStatuses + `),
		(SELECT COUNT(*) FROM inquiries r WHERE l.inquiry_id IS NOT NULL AND r.thread_id = l.inquiry_id AND r.id <> l.inquiry_id),
		(SELECT COUNT(*) FROM meetings g WHERE g.lead_id = l.id AND g.status NOT IN ('requested', 'cancelled'))`

const leadScoreFrom = `
	FROM leads l
	LEFT JOIN inquiries i ON i.id = l.inquiry_id
	LEFT JOIN inbound_messages m ON m.id = i.inbound_message_id`

func scanLeadScoreInput(r row) (*LeadScoreInput, error) {
	var in LeadScoreInput
	if err := r.Scan(in.dest()...); err != nil {
		return nil, err
	}
	return &in, nil
}

func (in *LeadScoreInput) dest() []any {
	return []any{&in.LeadID, &in.Status, &in.Subject, &in.Text, &in.Category, &in.PastOrders, &in.RevenueCents,
		&in.OpenOrders, &in.Replies, &in.MeetingsSet}
}

// LeadScoreInput returns what lead id is scored from, with the id of the
// newest score model, or ErrNotFound.
func (s *Store) LeadScoreInput(ctx context.Context, id int64) (*LeadScoreInput, error) {
	in, err := queryOne(ctx, s, func(r row) (*LeadScoreInput, error) {
		var in LeadScoreInput
		var modelID sql.NullInt64
		if err := r.Scan(append(in.dest(), &modelID)...); err != nil {
			return nil, err
		}
		in.ModelID = modelID.Int64
		return &in, nil
	}, leadScoreColumns+", (SELECT MAX(id) FROM lead_score_models)"+leadScoreFrom+" WHERE l.id = ?", id)
	if err != nil {
		return nil, fmt.Errorf("store: lead %d score input: %w", id, err)
	}
	return in, nil
}

// ClosedLeadScoreInputs returns the score inputs of the leads won or lost
// since the given time (zero: ever), oldest first, at most limit of them:
// the history the score model learns from.
func (s *Store) ClosedLeadScoreInputs(ctx context.Context, since time.Time, limit int) ([]LeadScoreInput, error) {
	ctx = asReport(ctx)
	out, err := queryAll(ctx, s, scanLeadScoreInput, leadScoreSelect+`
		WHERE l.status IN ('won', 'lost') AND l.closed_at >= ? ORDER BY l.closed_at DESC, l.id DESC LIMIT ?`,
		s.ts(since), limit)
	if err != nil {
		return nil, fmt.Errorf("store: closed lead score inputs: %w", err)
	}
	return out, nil
}

// OpenLeadIDs returns the ids of the leads not closed or merged, oldest
// first, at most limit.
func (s *Store) OpenLeadIDs(ctx context.Context, limit int) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.rebind(`
		SELECT id FROM leads WHERE status IN ('unassigned', 'assigned', 'contacted') ORDER BY id LIMIT ?`), limit)
	if err != nil {
		return nil, fmt.Errorf("store: open lead ids: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: open lead ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// ScoreModel is a stored lead-score model.
type ScoreModel struct {
	ID        int64
	Examples  int
	Won       int
	Model     []byte // the score package's encoding
	CreatedAt time.Time
}

// SaveScoreModel stores a newly trained model; the newest one is used.
func (s *Store) SaveScoreModel(ctx context.Context, m *ScoreModel) error {
	now := s.nowUTC()
	err := s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO lead_score_models (examples, won, model, created_at) VALUES (?, ?, ?, ?) RETURNING id`),
		m.Examples, m.Won, string(m.Model), s.ts(now)).Scan(&m.ID)
	if err != nil {
		return fmt.Errorf("store: save score model: %w", err)
	}
	m.CreatedAt = now
	return nil
}

// LatestScoreModel returns the newest stored model, or ErrNotFound.
func (s *Store) LatestScoreModel(ctx context.Context) (*ScoreModel, error) {
	var m ScoreModel
	var model string
	err := s.db.QueryRowContext(ctx, `
		SELECT id, examples, won, model, created_at FROM lead_score_models ORDER BY id DESC LIMIT 1`).
		Scan(&m.ID, &m.Examples, &m.Won, &model, tcol(&m.CreatedAt))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: latest score model: %w", err)
	}
	m.Model = []byte(model)
	return &m, nil
}
