package lead

import (
	"context"
	"time"

	"salesdesk/internal/store"
)

// Event kinds this package adds to the store's.
const (
	// EventPooled: the lead went (back) to the unassigned pool; FromRepID
	// is the rep it left, if any.
	EventPooled = store.LeadEventPooled
	// EventAccepted: the rep accepted the lead with the one-click link.
	EventAccepted = "accepted"
	// EventSLABreach: the SLA's second window passed; the manager is told.
	EventSLABreach = "sla_breach"
)

// Store is what the lead service reads and writes; *store.Store
// implements it.
type Store interface {
	Lead(ctx context.Context, id int64) (*store.Lead, error)
	CreateLead(ctx context.Context, l *store.Lead) (id int64, created bool, err error)
	ListLeads(ctx context.Context, f store.LeadFilter) ([]store.Lead, error)
	SetLeadStatus(ctx context.Context, id int64, status string, valueCents int64, reason string) error
	// RecordLeadContact records a person's contact with the customer
	// (the first one is kept) and makes an assigned lead contacted.
	RecordLeadContact(ctx context.Context, id int64, at time.Time, via string) (first bool, err error)
	CloseLead(ctx context.Context, id int64, o store.LeadOutcome) (changed bool, err error)
	// MergeLead closes a lead as merged into another, recording the target.
	MergeLead(ctx context.Context, id, into int64) error
	AddLeadEvent(ctx context.Context, e *store.LeadEvent) error
	LeadEvents(ctx context.Context, leadID int64) ([]store.LeadEvent, error)
	Rep(ctx context.Context, id int64) (*store.Rep, error)
	ListReps(ctx context.Context, activeOnly bool) ([]store.Rep, error)
	Customer(ctx context.Context, id int64) (*store.Customer, error)
	// Inquiry gives a lead from a mail its customer's language.
	Inquiry(ctx context.Context, id int64) (*store.Inquiry, error)

	// Assignment: rounds, capacity-checked compare-and-set moves and
	// dedupe.
	LeadRound(ctx context.Context, leadID int64) (int, error)
	// LeadWithRound is Lead and LeadRound in one read.
	LeadWithRound(ctx context.Context, id int64) (*store.Lead, int, error)
	AssignLeadWithin(ctx context.Context, a store.LeadAssignment) (round int, err error)
	UnassignLead(ctx context.Context, leadID, fromRepID int64, note string, at time.Time) (round int, err error)
	PoolNewLead(ctx context.Context, leadID int64, note string, at time.Time) error
	OpenLeadCounts(ctx context.Context, repIDs []int64) (map[int64]int, error)
	DuplicateLead(ctx context.Context, l *store.Lead, domain string, since time.Time) (int64, error)
}
