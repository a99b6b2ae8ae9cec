package store

import (
	"errors"
	"testing"
	"time"
)

func TestMeetings(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		rep, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net"})
		start := time.Date(2025, 3, 30, 0, 30, 0, 0, time.UTC) // across a DST change in Europe
		m := &Meeting{UID: "m1@salesdesk", RepID: rep, CustomerEmail: "Ann@Acme.com", Title: "Pumps",
			StartsAt: start, EndsAt: start.Add(time.Hour), Timezone: "Europe/Berlin"}
		id, created, err := s.CreateMeeting(ctx, m)
		if err != nil || !created {
			t.Fatal(created, err)
		}
		if id2, created, err := s.CreateMeeting(ctx, &Meeting{UID: "m1@salesdesk"}); err != nil || created || id2 != id {
			t.Errorf("same uid = %d, %v, %v", id2, created, err)
		}
		got, err := s.Meeting(ctx, id)
		if err != nil || !got.StartsAt.Equal(start) || got.CustomerEmail != "ann@acme.com" || got.Status != MeetingRequested {
			t.Fatalf("meeting = %+v, %v", got, err)
		}
		got.Status, got.Sequence = MeetingConfirmed, 1
		if err := s.UpdateMeeting(ctx, got); err != nil {
			t.Fatal(err)
		}
		list, err := s.ListMeetings(ctx, MeetingFilter{RepID: rep, From: start.Add(-time.Minute), To: start.Add(time.Minute)})
		if err != nil || len(list) != 1 || list[0].Status != MeetingConfirmed || list[0].Sequence != 1 {
			t.Errorf("list = %+v, %v", list, err)
		}
		if err := s.UpdateMeeting(ctx, &Meeting{ID: 999}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}
	})
}
