package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Inquiry statuses. Workers may use others; these are the common ones.
const (
	InquiryNew      = "new"      // saved, not yet routed
	InquiryRouted   = "routed"   // handed to its follow-on task
	InquiryTriage   = "triage"   // waiting for a human to pick the category
	InquiryAnswered = "answered" // replied to
	InquiryClosed   = "closed"
)

// ReferencePrefix starts every generated inquiry reference token, as in
// "SD-1234"; a subject carrying "[SD-1234]" threads to that inquiry.
const ReferencePrefix = "SD-"

// Inquiry is one customer request, made from one inbound message (or, for
// API-created ones, from none).
type Inquiry struct {
	ID               int64
	InboundMessageID int64 // unique; 0 when not made from a mail
	CustomerID       int64 // 0 when the sender is not a known customer
	ContactEmail     string
	Subject          string
	Category         string
	Confidence       float64
	Status           string
	Priority         string
	Reference        string // unique token such as "SD-1234"; generated when empty
	ThreadID         int64  // the thread's first inquiry; its own id when it starts a thread
	ParentID         int64  // the inquiry this one replies to; 0 when none
	Language         string // ISO 639-1 code of the mail's language; "" when not detected
	// SecondaryCategories are further requests of the mail, each with a
	// follow-on of its own.
	SecondaryCategories []string
	CreatedAt           time.Time
	UpdatedAt           time.Time
	ClosedAt            time.Time
}

// CreateInquiry stores an inquiry, unique per inbound message: when an
// inquiry for q.InboundMessageID exists it returns its id with
// created=false and changes nothing. An empty Reference becomes
// ReferencePrefix plus the id; ThreadID defaults to the parent's thread, or
// to the inquiry itself. On success q.ID, q.Reference and q.ThreadID are set.
func (s *Store) CreateInquiry(ctx context.Context, q *Inquiry) (id int64, created bool, err error) {
	status := q.Status
	if status == "" {
		status = InquiryNew
	}
	now := s.nowUTC()
	secondary, err := jsonList(q.SecondaryCategories)
	if err != nil {
		return 0, false, fmt.Errorf("store: create inquiry: %w", err)
	}
	thread := q.ThreadID
	if thread == 0 && q.ParentID != 0 {
		// Intake passes the parent's thread; other callers pay a read.
		err := s.db.QueryRowContext(ctx, s.rebind("SELECT COALESCE(thread_id, id) FROM inquiries WHERE id = ?"),
			q.ParentID).Scan(&thread)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, fmt.Errorf("store: create inquiry: parent inquiry %d: %w", q.ParentID, ErrNotFound)
		}
		if err != nil {
			return 0, false, fmt.Errorf("store: create inquiry: parent inquiry %d: %w", q.ParentID, err)
		}
	}
	// One statement: the id is drawn first (n), so the reference and the
	// thread can default to it in the same insert, and the row comes back
	// as stored. An inquiry of the same inbound message inserts nothing and
	// is read instead.
	got, err := scanInquiry(s.db.QueryRowContext(ctx, s.rebind(`
		WITH n AS (SELECT `+s.nextInquiryID()+` AS id)
		INSERT INTO inquiries
			(id, inbound_message_id, customer_id, contact_email, subject, category, confidence, status, priority,
			 reference, thread_id, parent_id, created_at, updated_at, language, secondary_categories)
		VALUES ((SELECT id FROM n), ?, ?, ?, ?, ?, ?, ?, ?,
			COALESCE(?, CAST(? AS TEXT) || CAST((SELECT id FROM n) AS TEXT)), COALESCE(?, (SELECT id FROM n)), ?, ?, ?, ?, ?)
		ON CONFLICT (inbound_message_id) DO NOTHING
		RETURNING `+inquiryColumns),
		nullID(q.InboundMessageID), nullID(q.CustomerID), normEmail(q.ContactEmail), q.Subject, q.Category,
		q.Confidence, status, q.Priority, nullString(q.Reference), ReferencePrefix, nullID(thread), nullID(q.ParentID),
		s.ts(now), s.ts(now), q.Language, secondary))
	if errors.Is(err, sql.ErrNoRows) {
		got, err = queryKeyed(ctx, s, scanInquiry, "inquiry of inbound message", q.InboundMessageID,
			"SELECT "+inquiryColumns+" FROM inquiries WHERE inbound_message_id = ?")
		if err != nil {
			return 0, false, err
		}
		*q = *got
		return got.ID, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: create inquiry: %w", conflict(err))
	}
	*q = *got
	return got.ID, true, nil
}

// nextInquiryID is the SQL expression of the id the next inquiry gets,
// as the database would give it: PostgreSQL's sequence, SQLite's
// AUTOINCREMENT (above both the largest id and any id used before). On
// SQLite the insert holds the one write lock while it reads it.
func (s *Store) nextInquiryID() string {
	if s.dialect == Postgres {
		return "nextval(pg_get_serial_sequence('inquiries', 'id'))"
	}
	return "MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'inquiries'), 0), " +
		"COALESCE((SELECT MAX(id) FROM inquiries), 0)) + 1"
}

const inquiryColumns = `id, inbound_message_id, customer_id, contact_email, subject, category, confidence, status,
	priority, reference, thread_id, parent_id, created_at, updated_at, closed_at, language, secondary_categories`

func scanInquiry(r row) (*Inquiry, error) {
	var (
		q         Inquiry
		secondary string
	)
	err := r.Scan(&q.ID, icol(&q.InboundMessageID), icol(&q.CustomerID), &q.ContactEmail, &q.Subject, &q.Category,
		&q.Confidence, &q.Status, &q.Priority, scol(&q.Reference), icol(&q.ThreadID), icol(&q.ParentID),
		tcol(&q.CreatedAt), tcol(&q.UpdatedAt), tcol(&q.ClosedAt), &q.Language, &secondary)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(secondary), &q.SecondaryCategories); err != nil {
		return nil, fmt.Errorf("secondary categories: %w", err)
	}
	if len(q.SecondaryCategories) == 0 {
		q.SecondaryCategories = nil
	}
	return &q, nil
}

func (s *Store) inquiryWhere(ctx context.Context, what, cond string, arg any) (*Inquiry, error) {
	q, err := queryOne(ctx, s, scanInquiry, "SELECT "+inquiryColumns+" FROM inquiries WHERE "+cond, arg)
	if err != nil {
		return nil, fmt.Errorf("store: inquiry %s: %w", what, err)
	}
	return q, nil
}

// Inquiry returns the inquiry with the given id, or ErrNotFound.
func (s *Store) Inquiry(ctx context.Context, id int64) (*Inquiry, error) {
	return s.inquiryWhere(ctx, fmt.Sprint(id), "id = ?", id)
}

// InquiryByReference returns the inquiry with that reference token (such
// as "SD-1234"), or ErrNotFound.
func (s *Store) InquiryByReference(ctx context.Context, reference string) (*Inquiry, error) {
	return s.inquiryWhere(ctx, "reference "+reference, "reference = ?", reference)
}

// InquiryByInboundMessage returns the inquiry made from a stored message,
// or ErrNotFound.
func (s *Store) InquiryByInboundMessage(ctx context.Context, inboundID int64) (*Inquiry, error) {
	return s.inquiryWhere(ctx, fmt.Sprintf("for inbound %d", inboundID), "inbound_message_id = ?", inboundID)
}

// InquiryByMessageID finds the inquiry a Message-ID belongs to: one of our
// outbound mails about an inquiry, or an inbound message an inquiry was
// made from. It returns ErrNotFound when neither matches. Threading calls
// it for In-Reply-To and each of References.
func (s *Store) InquiryByMessageID(ctx context.Context, messageID string) (*Inquiry, error) {
	messageID = trimAngles(messageID)
	if messageID == "" {
		return nil, fmt.Errorf("store: inquiry by message-id: %w", ErrNotFound)
	}
	q, err := queryOne(ctx, s, scanInquiry, "SELECT "+inquiryColumns+` FROM inquiries WHERE id = COALESCE(
		(SELECT inquiry_id FROM outbound_emails WHERE message_id = ? AND inquiry_id IS NOT NULL),
		(SELECT q.id FROM inquiries q JOIN inbound_messages m ON m.id = q.inbound_message_id
		 WHERE m.message_id = ? ORDER BY q.id LIMIT 1))`, messageID, messageID)
	if err != nil {
		return nil, fmt.Errorf("store: inquiry by message-id %s: %w", messageID, err)
	}
	return q, nil
}

// InquiryFilter selects inquiries; zero fields match everything.
type InquiryFilter struct {
	Category     string
	Status       string
	CustomerID   int64
	ContactEmail string
	ThreadID     int64
	Since        time.Time // created at or after
	Until        time.Time // created before
	Limit        int       // default 50, at most 1000
	Offset       int
}

// ListInquiries returns inquiries matching f, newest first.
func (s *Store) ListInquiries(ctx context.Context, f InquiryFilter) ([]Inquiry, error) {
	ctx = asReport(ctx)
	var w where
	if f.Category != "" {
		w.add("category = ?", f.Category)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.CustomerID != 0 {
		w.add("customer_id = ?", f.CustomerID)
	}
	if f.ContactEmail != "" {
		w.add("contact_email = ?", normEmail(f.ContactEmail))
	}
	if f.ThreadID != 0 {
		w.add("thread_id = ?", f.ThreadID)
	}
	s.timeRange(&w, "created_at", f.Since, f.Until)
	clause, args := w.paged("created_at DESC, id DESC", f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanInquiry, "SELECT "+inquiryColumns+" FROM inquiries"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list inquiries: %w", err)
	}
	return out, nil
}

// InquiryThread returns every inquiry of a thread, oldest first.
func (s *Store) InquiryThread(ctx context.Context, threadID int64) ([]Inquiry, error) {
	out, err := queryAll(ctx, s, scanInquiry, "SELECT "+inquiryColumns+" FROM inquiries WHERE thread_id = ? ORDER BY created_at, id", threadID)
	if err != nil {
		return nil, fmt.Errorf("store: inquiry thread %d: %w", threadID, err)
	}
	return out, nil
}

// SetInquiryCategory records the category and confidence of an inquiry
// (from the classifier or a human decision), or returns ErrNotFound.
func (s *Store) SetInquiryCategory(ctx context.Context, id int64, category string, confidence float64) error {
	res, err := s.db.ExecContext(ctx, s.rebind("UPDATE inquiries SET category = ?, confidence = ?, updated_at = ? WHERE id = ?"),
		category, confidence, s.ts(s.nowUTC()), id)
	return s.checkUpdated(res, err, "set inquiry category", id)
}

// SetInquiryStatus sets an inquiry's status, or returns ErrNotFound.
// InquiryClosed also records when it was closed; any other status clears
// that.
func (s *Store) SetInquiryStatus(ctx context.Context, id int64, status string) error {
	return s.setInquiryStatus(ctx, s.db, id, status)
}

// setInquiryStatus is SetInquiryStatus on q (a transaction, or the pool).
func (s *Store) setInquiryStatus(ctx context.Context, q querier, id int64, status string) error {
	now := s.ts(s.nowUTC())
	query := "UPDATE inquiries SET status = ?, closed_at = NULL, updated_at = ? WHERE id = ?"
	args := []any{status, now, id}
	if status == InquiryClosed {
		query = "UPDATE inquiries SET status = ?, closed_at = COALESCE(closed_at, ?), updated_at = ? WHERE id = ?"
		args = []any{status, now, now, id}
	}
	res, err := q.ExecContext(ctx, s.rebind(query), args...)
	return s.checkUpdated(res, err, "set inquiry status", id)
}

// SetInquiryCustomer links an inquiry to a customer account (0 unlinks),
// or returns ErrNotFound.
func (s *Store) SetInquiryCustomer(ctx context.Context, id, customerID int64) error {
	res, err := s.db.ExecContext(ctx, s.rebind("UPDATE inquiries SET customer_id = ?, updated_at = ? WHERE id = ?"),
		nullID(customerID), s.ts(s.nowUTC()), id)
	return s.checkUpdated(res, err, "set inquiry customer", id)
}
