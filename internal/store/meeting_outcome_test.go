package store

import (
	"errors"
	"testing"
	"time"
)

// TestRecordMeetingOutcome: the first outcome is recorded with the
// meeting's status and note in one step; a later one changes nothing and
// is told the first; a meeting no longer booked gets neither the status
// nor a decision, so a decision never stands without its meeting changed.
func TestRecordMeetingOutcome(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		rep, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net"})
		start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
		book := func(uid, status string) int64 {
			t.Helper()
			id, _, err := s.CreateMeeting(ctx, &Meeting{UID: uid, RepID: rep, CustomerEmail: "ann@acme.com", Title: "Pumps",
				StartsAt: start, EndsAt: start.Add(time.Hour), Timezone: "Europe/Berlin"})
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Meeting(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			m.Status = status
			if err := s.UpdateMeeting(ctx, m); err != nil {
				t.Fatal(err)
			}
			return id
		}
		booked := book("booked@salesdesk", MeetingRescheduled)
		d, won, err := s.RecordMeetingOutcome(ctx, LinkDecision{Action: "meeting_outcome", SubjectID: booked, Decision: MeetingHeld,
			DecidedBy: "Rita"}, "send the quote")
		if err != nil || !won || d.Decision != MeetingHeld || d.DecidedAt.IsZero() {
			t.Fatalf("first outcome = %+v, %v, %v", d, won, err)
		}
		if m, err := s.Meeting(ctx, booked); err != nil || m.Status != MeetingHeld || m.Outcome != "send the quote" {
			t.Fatalf("meeting after the outcome = %+v, %v", m, err)
		}
		held, won, err := s.RecordMeetingOutcome(ctx, LinkDecision{Action: "meeting_outcome", SubjectID: booked, Decision: MeetingNoShow,
			DecidedBy: "Mallory"}, "")
		if err != nil || won || held.Decision != MeetingHeld || held.DecidedBy != "Rita" {
			t.Fatalf("second outcome = %+v, %v, %v; want the first held", held, won, err)
		}
		if m, _ := s.Meeting(ctx, booked); m.Status != MeetingHeld || m.Outcome != "send the quote" {
			t.Errorf("a second outcome changed the meeting: %+v", m)
		}

		cancelled := book("cancelled@salesdesk", MeetingCancelled)
		if _, _, err := s.RecordMeetingOutcome(ctx, LinkDecision{Action: "meeting_outcome", SubjectID: cancelled,
			Decision: MeetingHeld}, ""); !errors.Is(err, ErrConflict) {
			t.Fatalf("outcome of a cancelled meeting = %v, want ErrConflict", err)
		}
		if _, err := s.LinkDecision(ctx, "meeting_outcome", cancelled); !errors.Is(err, ErrNotFound) {
			t.Errorf("a refused outcome left its decision: %v", err)
		}
		if m, _ := s.Meeting(ctx, cancelled); m.Status != MeetingCancelled {
			t.Errorf("cancelled meeting after a refused outcome = %+v", m)
		}
	})
}
