package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Meeting statuses.
const (
	MeetingRequested   = "requested" // the customer asked; a rep proposes a time
	MeetingProposed    = "proposed"  // free slots were offered; the customer picks one
	MeetingConfirmed   = "confirmed" // a time is agreed and invites go out
	MeetingRescheduled = "rescheduled"
	MeetingCancelled   = "cancelled"
	MeetingHeld        = "held"
	MeetingNoShow      = "no_show"
)

// Meeting is a meeting between a rep and a customer.
type Meeting struct {
	ID            int64
	UID           string // unique iCalendar UID, fixed for the meeting's life
	LeadID        int64
	InquiryID     int64
	RepID         int64
	CustomerEmail string // stored lower-case
	Title         string
	Location      string
	Status        string
	StartsAt      time.Time
	EndsAt        time.Time
	Timezone      string // IANA name the times were agreed in
	Sequence      int    // iCalendar SEQUENCE, raised on every change sent out
	Agenda        string
	VideoURL      string
	// CustomerTimezone is the zone the customer's proposed times were read
	// in: an IANA name, or a fixed offset such as "+02:00".
	CustomerTimezone string
	Outcome          string // the rep's note after the meeting (next step)
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// CreateMeeting stores a meeting, unique on its UID: when one exists it
// returns its id with created=false and changes nothing. On success m.ID is
// set.
func (s *Store) CreateMeeting(ctx context.Context, m *Meeting) (id int64, created bool, err error) {
	if m.UID == "" {
		return 0, false, errors.New("store: create meeting: uid required")
	}
	status := m.Status
	if status == "" {
		status = MeetingRequested
	}
	now := s.ts(s.nowUTC())
	err = s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO meetings (uid, lead_id, inquiry_id, rep_id, customer_email, title, location, status, starts_at,
			ends_at, timezone, sequence, agenda, video_url, customer_timezone, outcome, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (uid) DO NOTHING
		RETURNING id`),
		m.UID, nullID(m.LeadID), nullID(m.InquiryID), nullID(m.RepID), normEmail(m.CustomerEmail), m.Title, m.Location,
		status, s.nullTS(m.StartsAt), s.nullTS(m.EndsAt), m.Timezone, m.Sequence, m.Agenda, m.VideoURL,
		m.CustomerTimezone, m.Outcome, now, now).Scan(&id)
	switch {
	case err == nil:
		created = true
	case errors.Is(err, sql.ErrNoRows):
		if err = s.db.QueryRowContext(ctx, s.rebind("SELECT id FROM meetings WHERE uid = ?"), m.UID).Scan(&id); err != nil {
			return 0, false, fmt.Errorf("store: create meeting %s: %w", m.UID, err)
		}
	default:
		return 0, false, fmt.Errorf("store: create meeting %s: %w", m.UID, err)
	}
	m.ID = id
	return id, created, nil
}

// UpdateMeeting saves the rep, title, location, status, times, timezones,
// sequence, agenda, video link and outcome of m (by m.ID), or returns
// ErrNotFound.
func (s *Store) UpdateMeeting(ctx context.Context, m *Meeting) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE meetings SET rep_id = ?, title = ?, location = ?, status = ?, starts_at = ?, ends_at = ?, timezone = ?,
			sequence = ?, agenda = ?, video_url = ?, customer_timezone = ?, outcome = ?, updated_at = ?
		WHERE id = ?`),
		nullID(m.RepID), m.Title, m.Location, m.Status, s.nullTS(m.StartsAt), s.nullTS(m.EndsAt), m.Timezone,
		m.Sequence, m.Agenda, m.VideoURL, m.CustomerTimezone, m.Outcome, s.ts(s.nowUTC()), m.ID)
	return s.checkUpdated(res, err, "update meeting", m.ID)
}

const meetingColumns = `id, uid, lead_id, inquiry_id, rep_id, customer_email, title, location, status, starts_at,
	ends_at, timezone, sequence, agenda, video_url, customer_timezone, outcome, created_at, updated_at`

func scanMeeting(r row) (*Meeting, error) {
	var m Meeting
	err := r.Scan(&m.ID, &m.UID, icol(&m.LeadID), icol(&m.InquiryID), icol(&m.RepID), &m.CustomerEmail, &m.Title,
		&m.Location, &m.Status, tcol(&m.StartsAt), tcol(&m.EndsAt), &m.Timezone, &m.Sequence, &m.Agenda, &m.VideoURL,
		&m.CustomerTimezone, &m.Outcome, tcol(&m.CreatedAt), tcol(&m.UpdatedAt))
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// Meeting returns the meeting with the given id, or ErrNotFound.
func (s *Store) Meeting(ctx context.Context, id int64) (*Meeting, error) {
	return queryKeyed(ctx, s, scanMeeting, "meeting", id, "SELECT "+meetingColumns+" FROM meetings WHERE id = ?")
}

// MeetingFilter selects meetings; zero fields match everything.
type MeetingFilter struct {
	RepID  int64
	Status string
	From   time.Time // starts at or after
	To     time.Time // starts before
	Limit  int       // default 50, at most 1000
	Offset int
}

// ListMeetings returns meetings matching f, by start time.
func (s *Store) ListMeetings(ctx context.Context, f MeetingFilter) ([]Meeting, error) {
	var w where
	if f.RepID != 0 {
		w.add("rep_id = ?", f.RepID)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	s.timeRange(&w, "starts_at", f.From, f.To)
	clause, args := w.paged("starts_at, id", f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanMeeting, "SELECT "+meetingColumns+" FROM meetings"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list meetings: %w", err)
	}
	return out, nil
}
