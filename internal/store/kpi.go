package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// KPIData is what the KPI reports are compiled from: the rows of one span
// of time, plus what is open now.
type KPIData struct {
	// Inquiries count the inquiries created in the span by bucket,
	// category and language.
	Inquiries []KPIInquiryCount
	// Acks are the inquiries of the span whose sender got a sent mail
	// about them, with the first such mail's time, in no order.
	Acks        []KPIAck
	Leads       []KPILead       // created, contacted or closed in the span, or open now
	Assignments []KPIAssignment // in the span, oldest first
	Orders      []KPIOrderCount // created in the span, by bucket, status and currency
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

// KPIInquiryCount is the number of inquiries created in one bucket of
// the span with one category and language.
type KPIInquiryCount struct {
	Bucket   int // index into the span's cuts: created in [cuts[Bucket], cuts[Bucket+1])
	Category string
	Language string // ISO 639-1 code; "" when not detected
	N        int
}

// KPIAck is an inquiry whose sender got a mail about it: every mail
// salesdesk sends an inquiry's sender by itself is automatic, so the first
// one is when the sender was acknowledged.
type KPIAck struct {
	CreatedAt time.Time // the inquiry's
	SentAt    time.Time // the first sent mail to the inquiry's contact address
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

// KPIOrderCount is the number and value of the orders created in one
// bucket of the span with one (current) status and currency.
type KPIOrderCount struct {
	Bucket      int // as KPIInquiryCount's
	Status      string
	Currency    string
	N           int
	AmountCents int64 // the sum
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

// KPIData reads what the reports aggregate over the span cuts[0] ..
// cuts[len(cuts)-1]: inquiries and orders are counted in SQL per bucket
// [cuts[i], cuts[i+1]) (the caller cuts at every day and period boundary),
// the rest are rows. Without cuts the span is [from, to), one bucket; with
// them from and to are ignored. Late orders are those open now and
// promised before the calendar date of lateBefore (as given, not converted
// to UTC).
func (s *Store) KPIData(ctx context.Context, from, to, lateBefore time.Time, cuts ...time.Time) (*KPIData, error) {
	ctx = asReport(ctx)
	if len(cuts) < 2 {
		cuts = []time.Time{from, to}
	}
	from, to = cuts[0], cuts[len(cuts)-1]
	var d KPIData
	inRange := []any{s.ts(from), s.ts(to)}
	// buckets numbers the spans between cuts, for a join that counts each
	// bucket on the created_at index: (b, lo, hi) rows.
	var buckets strings.Builder
	var bucketArgs []any
	param := "?"
	if s.dialect == Postgres {
		param = "CAST(? AS TIMESTAMPTZ)"
	}
	for i := range len(cuts) - 1 {
		if i > 0 {
			buckets.WriteString(", ")
		}
		fmt.Fprintf(&buckets, "(%d, %s, %s)", i, param, param)
		bucketArgs = append(bucketArgs, s.ts(cuts[i]), s.ts(cuts[i+1]))
	}
	withBuckets := "WITH buckets (b, lo, hi) AS (VALUES " + buckets.String() + ") "
	// The sender's address is in a mail's To: a plain substring test, as
	// strings.Contains, never LIKE (whose _ and % would match more).
	contains := "instr(lower(o.to_addrs), lower(trim(i.contact_email))) > 0"
	if s.dialect == Postgres {
		contains = "strpos(lower(o.to_addrs), lower(trim(i.contact_email))) > 0"
	}
	reads := []func() error{
		func() error {
			return readAll(ctx, s, "kpi inquiries", &d.Inquiries, func(q *KPIInquiryCount) []any {
				return []any{&q.Bucket, &q.Category, &q.Language, &q.N}
			}, withBuckets+`SELECT k.b, q.category, q.language, COUNT(*)
				FROM buckets k JOIN inquiries q ON q.created_at >= k.lo AND q.created_at < k.hi
				GROUP BY k.b, q.category, q.language`, bucketArgs...)
		},
		func() error {
			return readAll(ctx, s, "kpi acknowledgements", &d.Acks, func(a *KPIAck) []any {
				return []any{tcol(&a.CreatedAt), tcol(&a.SentAt)}
			}, `SELECT i.created_at, MIN(o.sent_at) FROM inquiries i JOIN outbound_emails o ON o.inquiry_id = i.id
				WHERE i.created_at >= ? AND i.created_at < ? AND o.sent_at IS NOT NULL
					AND trim(i.contact_email) <> '' AND `+contains+`
				GROUP BY i.id, i.created_at`, inRange...)
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
			return readAll(ctx, s, "kpi orders", &d.Orders, func(o *KPIOrderCount) []any {
				return []any{&o.Bucket, &o.Status, &o.Currency, &o.N, &o.AmountCents}
			}, withBuckets+`SELECT k.b, o.status, o.currency, COUNT(*), CAST(COALESCE(SUM(o.amount_cents), 0) AS BIGINT)
				FROM buckets k JOIN orders o ON o.created_at >= k.lo AND o.created_at < k.hi
				GROUP BY k.b, o.status, o.currency`, bucketArgs...)
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
