package store

import (
	"context"
	"slices"
	"time"
)

// KPIData is what the KPI reports are compiled from: the rows of one span
// of time, plus what is open now.
type KPIData struct {
	Inquiries []KPIInquiry // created in the span
	// Responses are the sent mails about those inquiries, in no order.
	Responses   []KPIResponse
	Leads       []KPILead       // created, contacted or closed in the span, or open now
	Assignments []KPIAssignment // in the span, oldest first
	Orders      []KPIOrder      // created in the span
	LateOrders  []KPILateOrder  // open now, promised before the cutoff date; oldest promise first
	Alerts      []KPIAlert      // opened in the span
	Reps        []KPIRep        // every rep, by id
	// Meetings are those created or starting in the span.
	Meetings []KPIMeeting
}

// KPIMeeting is a meeting as the reports count it.
type KPIMeeting struct {
	Status    string
	StartsAt  time.Time // zero until a time is agreed
	CreatedAt time.Time
}

// KPIInquiry is an inquiry as the reports count it.
type KPIInquiry struct {
	ID           int64
	Category     string
	Language     string // ISO 639-1 code; "" when not detected
	ContactEmail string
	CreatedAt    time.Time
}

// KPIResponse is a sent mail about an inquiry.
type KPIResponse struct {
	InquiryID int64
	Kind      string // the outbound kind: "ack" is the automatic acknowledgement
	To        string // the To addresses as stored
	SentAt    time.Time
}

// KPILead is a lead as the reports count it.
type KPILead struct {
	ID          int64
	RepID       int64 // 0 while unassigned
	Status      string
	ValueCents  int64
	Currency    string // of ValueCents; "" = the team currency
	AssignedAt  time.Time
	ContactedAt time.Time
	ClosedAt    time.Time
	CreatedAt   time.Time
	// FirstContactAt is the first human contact, kept across reassignment.
	FirstContactAt time.Time
	// Score is the lead's 0..100 score when Scored.
	Score  int
	Scored bool
}

// KPIAssignment is a lead given to a rep: on creation, assignment or
// reassignment.
type KPIAssignment struct {
	LeadID int64
	RepID  int64
	At     time.Time
}

// KPIOrder is an order as the reports count it.
type KPIOrder struct {
	Status      string
	Currency    string
	AmountCents int64
	CreatedAt   time.Time
}

// KPILateOrder is an open order whose promised date has passed.
type KPILateOrder struct {
	Number   string
	Status   string
	Promised time.Time // a calendar date
}

// KPIAlert is an opened alert.
type KPIAlert struct {
	Kind      string
	CreatedAt time.Time
}

// KPIRep is a rep as the reports name them.
type KPIRep struct {
	ID     int64
	Name   string
	Email  string
	Active bool
}

// KPIData reads the rows of [from, to) the reports aggregate. Late orders
// are those open now and promised before the calendar date of lateBefore
// (as given, not converted to UTC).
func (s *Store) KPIData(ctx context.Context, from, to, lateBefore time.Time) (*KPIData, error) {
	var d KPIData
	inRange := []any{s.ts(from), s.ts(to)}
	reads := []func() error{
		func() error {
			return readAll(ctx, s, "kpi inquiries", &d.Inquiries, func(q *KPIInquiry) []any {
				return []any{&q.ID, &q.Category, &q.Language, &q.ContactEmail, tcol(&q.CreatedAt)}
			}, `SELECT id, category, language, contact_email, created_at FROM inquiries WHERE created_at >= ? AND created_at < ?`, inRange...)
		},
		func() error {
			return readAll(ctx, s, "kpi responses", &d.Responses, func(o *KPIResponse) []any {
				return []any{&o.InquiryID, &o.Kind, &o.To, tcol(&o.SentAt)}
			}, `SELECT inquiry_id, kind, to_addrs, sent_at FROM outbound_emails
				WHERE sent_at IS NOT NULL AND inquiry_id IN (SELECT id FROM inquiries WHERE created_at >= ? AND created_at < ?)`,
				inRange...)
		},
		func() error {
			return readAll(ctx, s, "kpi leads", &d.Leads, func(l *KPILead) []any {
				return []any{&l.ID, icol(&l.RepID), &l.Status, &l.ValueCents, &l.Currency, tcol(&l.AssignedAt), tcol(&l.ContactedAt),
					tcol(&l.ClosedAt), tcol(&l.CreatedAt), tcol(&l.FirstContactAt), &l.Score, &l.Scored}
			}, `SELECT id, rep_id, status, value_cents, currency, assigned_at, contacted_at, closed_at, created_at, first_contact_at,
					COALESCE(score, 0), score IS NOT NULL FROM leads
				WHERE (created_at >= ? AND created_at < ?) OR (contacted_at >= ? AND contacted_at < ?)
					OR (closed_at >= ? AND closed_at < ?) OR status IN ('unassigned', 'assigned', 'contacted')`,
				slices.Concat(inRange, inRange, inRange)...)
		},
		func() error {
			return readAll(ctx, s, "kpi lead assignments", &d.Assignments, func(a *KPIAssignment) []any {
				return []any{&a.LeadID, &a.RepID, tcol(&a.At)}
			}, `SELECT lead_id, rep_id, created_at FROM lead_events
				WHERE kind IN ('created', 'assigned', 'reassigned') AND rep_id IS NOT NULL AND created_at >= ? AND created_at < ?
				ORDER BY created_at, id`, inRange...)
		},
		func() error {
			return readAll(ctx, s, "kpi orders", &d.Orders, func(o *KPIOrder) []any {
				return []any{&o.Status, &o.Currency, &o.AmountCents, tcol(&o.CreatedAt)}
			}, `SELECT status, currency, amount_cents, created_at FROM orders WHERE created_at >= ? AND created_at < ?`, inRange...)
		},
		func() error {
			return readAll(ctx, s, "kpi late orders", &d.LateOrders, func(o *KPILateOrder) []any {
				return []any{&o.Number, &o.Status, tcol(&o.Promised)}
			}, `SELECT number, status, promised_date FROM orders
				WHERE status NOT IN ('delivered', 'cancelled') AND promised_date IS NOT NULL AND promised_date < ?
				ORDER BY promised_date, number`, s.dialect.encodeDate(lateBefore))
		},
		func() error {
			return readAll(ctx, s, "kpi alerts", &d.Alerts, func(a *KPIAlert) []any {
				return []any{&a.Kind, tcol(&a.CreatedAt)}
			}, `SELECT kind, created_at FROM alerts WHERE created_at >= ? AND created_at < ?`, inRange...)
		},
		func() error {
			return readAll(ctx, s, "kpi meetings", &d.Meetings, func(m *KPIMeeting) []any {
				return []any{&m.Status, tcol(&m.StartsAt), tcol(&m.CreatedAt)}
			}, `SELECT status, starts_at, created_at FROM meetings
				WHERE (created_at >= ? AND created_at < ?) OR (starts_at >= ? AND starts_at < ?)`, slices.Concat(inRange, inRange)...)
		},
		func() error {
			return readAll(ctx, s, "kpi reps", &d.Reps, func(r *KPIRep) []any {
				return []any{&r.ID, &r.Name, &r.Email, &r.Active}
			}, `SELECT id, name, email, active FROM reps ORDER BY id`)
		},
	}
	for _, read := range reads {
		if err := read(); err != nil {
			return nil, err
		}
	}
	return &d, nil
}
