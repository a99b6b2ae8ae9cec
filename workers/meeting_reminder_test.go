package workers

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// scheduledReminders lists the meeting's reminder TaskIDs still
// scheduled in Redis.
func (e *meetingE2E) scheduledReminders(t *testing.T, meetingID int64) []string {
	t.Helper()
	infos, err := e.insp.ListScheduledTasks(tasks.QueueDefault)
	if err != nil && !strings.Contains(err.Error(), "not found") {
		t.Fatal(err)
	}
	var ids []string
	for _, ti := range infos {
		if ti.Type == tasks.TypeMeetingReminder && strings.HasPrefix(ti.ID, tasks.TypeMeetingReminder+":"+itoa64(meetingID)+":") {
			ids = append(ids, ti.ID)
		}
	}
	return ids
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// TestMeetingRemindersOnTheWallClock books meetings an hour and a few
// seconds ahead with a one-hour reminder, against real Redis: the
// reminder fires no earlier than planned, a reschedule deletes the old
// version's reminder and sends one for the new version only, and a
// cancellation leaves no reminder at all.
func TestMeetingRemindersOnTheWallClock(t *testing.T) {
	e := startMeetingDesk(t, time.Now, []time.Duration{time.Hour})
	ctx := t.Context()
	book := func(title string, in time.Duration) *store.Meeting {
		t.Helper()
		// Each meeting has its own rep, so that none is busy with another.
		rep := &store.Rep{Email: strings.ToLower(title) + "@ourco.example", Name: title + " Rep", Active: true, Timezone: "Europe/Berlin"}
		if _, err := e.st.CreateRep(ctx, rep); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.Create(ctx, meeting.NewMeeting{RepID: rep.ID, Title: title, Start: time.Now().Add(time.Hour + in).Truncate(time.Second),
			Customers: []store.MeetingAttendee{{Email: "ann@acme.com", Name: "Ann Lee", Timezone: "America/New_York"}}}, "ourco.example")
		if err != nil {
			t.Fatal(err)
		}
		return m
	}

	// The three meetings run side by side, so the test waits the real
	// seconds before a reminder is due once, not once per meeting.
	m1 := book("Fires", 15*time.Second)
	m2 := book("Moves", time.Minute)
	m3 := book("Dropped", time.Minute)

	// Rescheduled: the old version's reminder is deleted, the new one fires once.
	waitFor(t, time.Minute, func() (bool, string) {
		ids := e.scheduledReminders(t, m2.ID)
		return len(ids) == 1 && strings.Contains(ids[0], ":v0:"), "scheduled " + strings.Join(ids, ",")
	})
	moved, err := e.svc.Reschedule(ctx, m2.ID, time.Now().Add(time.Hour+15*time.Second).Truncate(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	if moved.Sequence != 1 || moved.Status != store.MeetingRescheduled {
		t.Fatalf("moved = %+v", moved)
	}

	// Cancelled: no reminder survives and none is sent.
	waitFor(t, time.Minute, func() (bool, string) {
		ids := e.scheduledReminders(t, m3.ID)
		return len(ids) == 1, "scheduled " + strings.Join(ids, ",")
	})
	if _, err := e.svc.Cancel(ctx, m3.ID); err != nil {
		t.Fatal(err)
	}
	e.waitMails(t, "ann@acme.com", "Cancelled: Dropped", 1)
	waitFor(t, time.Minute, func() (bool, string) {
		ids := e.scheduledReminders(t, m3.ID)
		return len(ids) == 0, "scheduled " + strings.Join(ids, ",")
	})

	// Fires, and not before its moment.
	rem := e.waitMails(t, "ann@acme.com", "Reminder: Fires in 1 hour", 1)
	got := e.waitMails(t, "fires@ourco.example", "Reminder: Fires in 1 hour", 1)
	if len(rem) != 1 || len(got) != 1 {
		t.Fatalf("reminders: %d to Ann, %d to the rep", len(rem), len(got))
	}
	sentAt := time.Now()
	if planned := m1.StartsAt.Add(-time.Hour); sentAt.Before(planned) {
		t.Errorf("reminder mail seen at %v, before its moment %v", sentAt, planned)
	}

	upd := e.waitMails(t, "ann@acme.com", "Updated invitation: Moves", 1)
	if inv := parseCalendar(t, upd[0], meeting.MethodRequest); inv.Sequence != 1 || !inv.Start.Equal(moved.StartsAt) || inv.UID != m2.UID {
		t.Errorf("updated invite = %+v", inv)
	}
	e.waitMails(t, "ann@acme.com", "Reminder: Moves in 1 hour", 1)
	// The new version's reminder has fired and the old one is deleted:
	// nothing of this meeting is left to remind (the outcome request,
	// due after the meeting, stays scheduled).
	waitFor(t, time.Minute, func() (bool, string) {
		ids := e.scheduledReminders(t, m2.ID)
		return len(ids) == 0, "scheduled " + strings.Join(ids, ",")
	})
	if n := len(e.mails(t, "ann@acme.com", "Reminder: Moves")); n != 1 {
		t.Errorf("%d reminders of the moved meeting, want 1", n)
	}
	if n := len(e.mails(t, "ann@acme.com", "Reminder: Dropped")); n != 0 {
		t.Errorf("%d reminders of a cancelled meeting", n)
	}
}
