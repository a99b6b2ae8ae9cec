package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Attendee roles.
const (
	AttendeeRep      = "rep"
	AttendeeCustomer = "customer"
)

// Attendee responses, as iCalendar PARTSTAT values.
const (
	PartstatNeedsAction = "NEEDS-ACTION"
	PartstatAccepted    = "ACCEPTED"
	PartstatDeclined    = "DECLINED"
	PartstatTentative   = "TENTATIVE"
)

// MeetingAttendee is one person invited to a meeting: a rep or a customer
// contact, with their response.
type MeetingAttendee struct {
	ID        int64
	MeetingID int64
	Email     string // stored lower-case; unique per meeting
	Name      string
	Role      string // AttendeeRep or AttendeeCustomer
	RepID     int64  // set for reps
	Timezone  string // IANA name or fixed offset the attendee reads times in
	Partstat  string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// AddMeetingAttendee adds a to its meeting unless the meeting already has
// that address; created says whether it did. On success a.ID is set.
func (s *Store) AddMeetingAttendee(ctx context.Context, a *MeetingAttendee) (created bool, err error) {
	email := normEmail(a.Email)
	if email == "" || a.MeetingID == 0 {
		return false, errors.New("store: add meeting attendee: meeting and email required")
	}
	ps := a.Partstat
	if ps == "" {
		ps = PartstatNeedsAction
	}
	now := s.ts(s.nowUTC())
	err = s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO meeting_attendees (meeting_id, email, name, role, rep_id, timezone, partstat, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (meeting_id, email) DO NOTHING
		RETURNING id`), a.MeetingID, email, a.Name, a.Role, nullID(a.RepID), a.Timezone, ps, now, now).Scan(&a.ID)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		err = s.db.QueryRowContext(ctx, s.rebind("SELECT id FROM meeting_attendees WHERE meeting_id = ? AND email = ?"),
			a.MeetingID, email).Scan(&a.ID)
		if err != nil {
			return false, fmt.Errorf("store: add meeting attendee %s: %w", email, err)
		}
		return false, nil
	default:
		return false, fmt.Errorf("store: add meeting attendee %s: %w", email, err)
	}
}

func scanAttendee(r row) (*MeetingAttendee, error) {
	var a MeetingAttendee
	err := r.Scan(&a.ID, &a.MeetingID, &a.Email, &a.Name, &a.Role, icol(&a.RepID), &a.Timezone, &a.Partstat,
		tcol(&a.CreatedAt), tcol(&a.UpdatedAt))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// MeetingAttendees returns a meeting's attendees: reps first, then
// customers, each in the order they were added.
func (s *Store) MeetingAttendees(ctx context.Context, meetingID int64) ([]MeetingAttendee, error) {
	out, err := queryAll(ctx, s, scanAttendee, `SELECT id, meeting_id, email, name, role, rep_id, timezone, partstat,
		created_at, updated_at FROM meeting_attendees WHERE meeting_id = ? ORDER BY role DESC, id`, meetingID)
	if err != nil {
		return nil, fmt.Errorf("store: meeting %d attendees: %w", meetingID, err)
	}
	return out, nil
}

// SetAttendeePartstat records an attendee's response, or returns
// ErrNotFound when the meeting has no such attendee.
func (s *Store) SetAttendeePartstat(ctx context.Context, meetingID int64, email, partstat string) error {
	res, err := s.db.ExecContext(ctx, s.rebind(`UPDATE meeting_attendees SET partstat = ?, updated_at = ?
		WHERE meeting_id = ? AND email = ?`), partstat, s.ts(s.nowUTC()), meetingID, normEmail(email))
	return s.checkUpdated(res, err, "set attendee partstat of meeting", meetingID)
}

// MeetingSlot is a free time offered to the customer for a proposed
// meeting.
type MeetingSlot struct {
	ID        int64
	MeetingID int64
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedAt time.Time
}

// AddMeetingSlots stores the slots offered for a meeting; a slot already
// stored (same start) is kept as it is. Each slot's ID is set.
func (s *Store) AddMeetingSlots(ctx context.Context, meetingID int64, slots []MeetingSlot) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.ts(s.nowUTC())
		for i := range slots {
			sl := &slots[i]
			sl.MeetingID = meetingID
			_, err := tx.ExecContext(ctx, s.rebind(`INSERT INTO meeting_slots (meeting_id, starts_at, ends_at, created_at)
				VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id, starts_at) DO NOTHING`),
				meetingID, s.ts(sl.StartsAt), s.ts(sl.EndsAt), now)
			if err != nil {
				return fmt.Errorf("store: add meeting %d slot: %w", meetingID, err)
			}
			err = tx.QueryRowContext(ctx, s.rebind("SELECT id FROM meeting_slots WHERE meeting_id = ? AND starts_at = ?"),
				meetingID, s.ts(sl.StartsAt)).Scan(&sl.ID)
			if err != nil {
				return fmt.Errorf("store: add meeting %d slot: %w", meetingID, err)
			}
		}
		return nil
	})
}

const slotColumns = "id, meeting_id, starts_at, ends_at, created_at"

func scanSlot(r row) (*MeetingSlot, error) {
	var sl MeetingSlot
	if err := r.Scan(&sl.ID, &sl.MeetingID, tcol(&sl.StartsAt), tcol(&sl.EndsAt), tcol(&sl.CreatedAt)); err != nil {
		return nil, err
	}
	return &sl, nil
}

// MeetingSlots returns the slots offered for a meeting, in the order
// they were offered.
func (s *Store) MeetingSlots(ctx context.Context, meetingID int64) ([]MeetingSlot, error) {
	out, err := queryAll(ctx, s, scanSlot, "SELECT "+slotColumns+" FROM meeting_slots WHERE meeting_id = ? ORDER BY id", meetingID)
	if err != nil {
		return nil, fmt.Errorf("store: meeting %d slots: %w", meetingID, err)
	}
	return out, nil
}

// MeetingSlotByID returns one offered slot, or ErrNotFound.
func (s *Store) MeetingSlotByID(ctx context.Context, id int64) (*MeetingSlot, error) {
	return queryKeyed(ctx, s, scanSlot, "meeting slot", id, "SELECT "+slotColumns+" FROM meeting_slots WHERE id = ?")
}

// BookMeetingSlot books slot id: its meeting, while still proposed, takes
// the slot's times and becomes confirmed. Only the first booking of a
// proposal wins (the status check and the change are one UPDATE), so a
// second click on another slot gets booked=false and the meeting as
// booked. A missing slot is ErrNotFound.
func (s *Store) BookMeetingSlot(ctx context.Context, id int64) (m *Meeting, booked bool, err error) {
	sl, err := s.MeetingSlotByID(ctx, id)
	if err != nil {
		return nil, false, err
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`UPDATE meetings SET status = ?, starts_at = ?, ends_at = ?, updated_at = ?
		WHERE id = ? AND status = ?`), MeetingConfirmed, s.ts(sl.StartsAt), s.ts(sl.EndsAt), s.ts(s.nowUTC()),
		sl.MeetingID, MeetingProposed)
	if err != nil {
		return nil, false, fmt.Errorf("store: book meeting slot %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, false, fmt.Errorf("store: book meeting slot %d: %w", id, err)
	}
	m, err = s.Meeting(ctx, sl.MeetingID)
	return m, n == 1, err
}

// MeetingByInquiry returns the meeting made for an inquiry, or
// ErrNotFound.
func (s *Store) MeetingByInquiry(ctx context.Context, inquiryID int64) (*Meeting, error) {
	m, err := queryOne(ctx, s, scanMeeting, "SELECT "+meetingColumns+" FROM meetings WHERE inquiry_id = ? ORDER BY id LIMIT 1", inquiryID)
	if err != nil {
		return nil, fmt.Errorf("store: meeting of inquiry %d: %w", inquiryID, err)
	}
	return m, nil
}

// MeetingByUID returns the meeting with an iCalendar UID, or ErrNotFound.
func (s *Store) MeetingByUID(ctx context.Context, uid string) (*Meeting, error) {
	m, err := queryOne(ctx, s, scanMeeting, "SELECT "+meetingColumns+" FROM meetings WHERE uid = ?", uid)
	if err != nil {
		return nil, fmt.Errorf("store: meeting %q: %w", uid, err)
	}
	return m, nil
}

// CustomerTimezone returns the timezone an account names ("" when none),
// or ErrNotFound.
func (s *Store) CustomerTimezone(ctx context.Context, customerID int64) (string, error) {
	var tz string
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT timezone FROM customers WHERE id = ?"), customerID).Scan(&tz)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("store: customer %d timezone: %w", customerID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("store: customer %d timezone: %w", customerID, err)
	}
	return tz, nil
}

// SetCustomerTimezone sets the timezone an account's times are read in
// (an IANA name; "" clears it), or returns ErrNotFound.
func (s *Store) SetCustomerTimezone(ctx context.Context, customerID int64, tz string) error {
	res, err := s.db.ExecContext(ctx, s.rebind("UPDATE customers SET timezone = ?, updated_at = ? WHERE id = ?"),
		tz, s.ts(s.nowUTC()), customerID)
	return s.checkUpdated(res, err, "set timezone of customer", customerID)
}
