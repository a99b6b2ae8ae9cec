package meeting_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// TestServiceAgainstRedis books, re-sends, moves and cancels a meeting
// with a real store and real Redis: each version queues one
// meeting:invite with a deterministic TaskID, a repeat is harmless, and a
// busy rep or a closed meeting is refused.
func TestServiceAgainstRedis(t *testing.T) {
	ctx := t.Context()
	testenv.Redis(t, testenv.RedisDBMeeting)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBMeeting}
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	insp := asynq.NewInspector(opt)
	t.Cleanup(func() { insp.Close() })
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Date(2026, 3, 27, 14, 10, 0, 0, time.UTC)
	svc, err := meeting.NewService(st, client, meeting.Options{}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	rep := &store.Rep{Email: "rita@ourco.example", Name: "Rita", Active: true, Timezone: "Europe/Berlin"}
	if _, err := st.CreateRep(ctx, rep); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
	n := meeting.NewMeeting{RepID: rep.ID, Title: "Demo", Start: start,
		Customers: []store.MeetingAttendee{{Email: "ann@acme.com", Timezone: "America/New_York"}}}
	m, err := svc.Create(ctx, n, "ourco.example")
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != store.MeetingConfirmed || !m.EndsAt.Equal(start.Add(30*time.Minute)) {
		t.Errorf("meeting = %+v", m)
	}
	if _, err := svc.Create(ctx, n, "ourco.example"); !errors.Is(err, meeting.ErrNotFree) {
		t.Errorf("double booking: %v", err)
	}
	if err := svc.Resend(ctx, m); err != nil {
		t.Errorf("resend: %v", err)
	}
	moved, err := svc.Reschedule(ctx, m.ID, start.Add(2*time.Hour))
	if err != nil || moved.Sequence != 1 {
		t.Fatalf("reschedule = %+v, %v", moved, err)
	}
	if again, err := svc.Reschedule(ctx, m.ID, start.Add(2*time.Hour)); err != nil || again.Sequence != 1 {
		t.Errorf("a repeated move = %+v, %v; want no new version (SEQUENCE 1)", again, err)
	}
	if _, err := svc.Reschedule(ctx, m.ID, now.Add(-time.Hour)); !errors.Is(err, meeting.ErrBadInput) {
		t.Errorf("move to the past: %v", err)
	}
	cancelled, err := svc.Cancel(ctx, m.ID)
	if err != nil || cancelled.Sequence != 2 || cancelled.Status != store.MeetingCancelled {
		t.Fatalf("cancel = %+v, %v", cancelled, err)
	}
	if _, err := svc.Reschedule(ctx, m.ID, start); !errors.Is(err, meeting.ErrNotOpen) {
		t.Errorf("move a cancelled meeting: %v", err)
	}
	pending, err := insp.ListPendingTasks(tasks.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, ti := range pending {
		got[ti.ID] = true
	}
	for seq := range 3 {
		id := tasks.TypeMeetingInvite + ":" + itoa(m.ID) + ":" + itoa(int64(seq))
		if !got[id] {
			t.Errorf("no %s among %v", id, got)
		}
	}
	if len(pending) != 3 {
		t.Errorf("%d pending tasks, want 3 (one per version)", len(pending))
	}
	as, err := st.MeetingAttendees(ctx, m.ID)
	if err != nil || len(as) != 2 || as[0].Partstat != store.PartstatAccepted || as[1].Timezone != "America/New_York" {
		t.Errorf("attendees = %+v, %v", as, err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// staleMeetings reads every meeting as seen was: a change made since
// (a cancel from another page) is not seen.
type staleMeetings struct {
	*store.Store
	seen store.Meeting
}

func (s staleMeetings) Meeting(context.Context, int64) (*store.Meeting, error) {
	m := s.seen
	return &m, nil
}

// TestSetOutcomeOfMeetingCancelledMeanwhile: an outcome for a meeting
// cancelled after the service read it is refused, and neither its
// decision nor its status is kept: the outcome is never recorded apart
// from the meeting's change.
func TestSetOutcomeOfMeetingCancelledMeanwhile(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rep := &store.Rep{Email: "rita@ourco.example", Name: "Rita", Active: true}
	if _, err := st.CreateRep(ctx, rep); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
	id, _, err := st.CreateMeeting(ctx, &store.Meeting{UID: "demo@ourco.example", RepID: rep.ID, CustomerEmail: "ann@acme.com",
		Title: "Demo", StartsAt: start, EndsAt: start.Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	m, err := st.Meeting(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	m.Status = store.MeetingConfirmed
	if err := st.UpdateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	seen := *m
	m.Status = store.MeetingCancelled
	if err := st.UpdateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	// Never dialled: recording an outcome queues nothing.
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1"})
	t.Cleanup(func() { client.Close() })
	svc, err := meeting.NewService(staleMeetings{Store: st, seen: seen}, client, meeting.Options{},
		func() time.Time { return start.Add(time.Hour) })
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := svc.SetOutcome(ctx, id, store.MeetingHeld, "send the quote", "Rita")
	if !errors.Is(err, meeting.ErrNotOpen) {
		t.Errorf("outcome of a meeting cancelled meanwhile = %v, want ErrNotOpen", err)
	}
	// The caller words its answer from the meeting returned: it must say
	// cancelled, not the status read before the cancel.
	if got == nil || got.Status != store.MeetingCancelled {
		t.Errorf("returned meeting = %+v, want status %q", got, store.MeetingCancelled)
	}
	if got, err := st.Meeting(ctx, id); err != nil || got.Status != store.MeetingCancelled || got.Outcome != "" {
		t.Errorf("meeting = %+v, %v; want it cancelled, without an outcome", got, err)
	}
	if d, err := svc.Outcome(ctx, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("outcome decision = %+v, %v; want none", d, err)
	}
}
