package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Routing example sources.
const (
	ExampleSeed   = "seed"   // shipped with salesdesk
	ExampleTriage = "triage" // a human decision in triage
	ExampleLabel  = "label"  // relabelled through the API
)

// RoutingExample is a labelled mail the routing model learns from.
type RoutingExample struct {
	ID        int64
	InquiryID int64 // unique when set: relabelling an inquiry replaces its example
	Subject   string
	Text      string
	Category  string
	Source    string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AddRoutingExample stores an example. An example for an inquiry that
// already has one replaces its category, text and source (the latest human
// decision wins). On success e.ID is set.
func (s *Store) AddRoutingExample(ctx context.Context, e *RoutingExample) (int64, error) {
	if e.Text == "" || e.Category == "" {
		return 0, errors.New("store: add routing example: text and category required")
	}
	now := s.ts(s.nowUTC())
	var id int64
	err := s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO routing_examples (inquiry_id, subject, text, category, source, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (inquiry_id) DO UPDATE SET
			subject = excluded.subject, text = excluded.text, category = excluded.category,
			source = excluded.source, updated_at = excluded.updated_at
		RETURNING id`), nullID(e.InquiryID), e.Subject, e.Text, e.Category, e.Source, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: add routing example: %w", err)
	}
	e.ID = id
	return id, nil
}

// RoutingExamples returns every stored example, oldest first, for
// training.
func (s *Store) RoutingExamples(ctx context.Context) ([]RoutingExample, error) {
	ctx = asReport(ctx)
	out, err := queryAll(ctx, s, scanRoutingExample, `
		SELECT id, inquiry_id, subject, text, category, source, created_at, updated_at
		FROM routing_examples ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: routing examples: %w", err)
	}
	return out, nil
}

func scanRoutingExample(r row) (*RoutingExample, error) {
	var e RoutingExample
	if err := r.Scan(&e.ID, icol(&e.InquiryID), &e.Subject, &e.Text, &e.Category, &e.Source,
		tcol(&e.CreatedAt), tcol(&e.UpdatedAt)); err != nil {
		return nil, err
	}
	return &e, nil
}

// RoutingExamplesUpdatedAt reports the latest change time of the
// example set (zero when empty), so the model can reload only when it
// changed.
func (s *Store) RoutingExamplesUpdatedAt(ctx context.Context) (time.Time, error) {
	var t time.Time
	if err := s.db.QueryRowContext(ctx, "SELECT MAX(updated_at) FROM routing_examples").Scan(tcol(&t)); err != nil {
		return time.Time{}, fmt.Errorf("store: routing examples changed: %w", err)
	}
	return t, nil
}
