package store

import (
	"errors"
	"testing"
	"time"
)

func TestMeetingAttendeesSlotsAndBooking(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		rep, _ := s.CreateRep(ctx, &Rep{Email: "rita@example.net"})
		cust, err := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		if tz, err := s.CustomerTimezone(ctx, cust); err != nil || tz != "" {
			t.Fatalf("timezone = %q, %v", tz, err)
		}
		if err := s.SetCustomerTimezone(ctx, cust, "America/New_York"); err != nil {
			t.Fatal(err)
		}
		if tz, _ := s.CustomerTimezone(ctx, cust); tz != "America/New_York" {
			t.Errorf("timezone = %q", tz)
		}
		m := &Meeting{UID: "m2@salesdesk", RepID: rep, InquiryID: 0, CustomerEmail: "ann@acme.com", Status: MeetingProposed,
			Agenda: "Pumps", VideoURL: "https://meet.example/x", CustomerTimezone: "+02:00"}
		if _, _, err := s.CreateMeeting(ctx, m); err != nil {
			t.Fatal(err)
		}
		for _, a := range []*MeetingAttendee{
			{MeetingID: m.ID, Email: "Ann@Acme.com", Role: AttendeeCustomer, Timezone: "+02:00"},
			{MeetingID: m.ID, Email: "rita@example.net", Role: AttendeeRep, RepID: rep, Timezone: "Europe/Berlin"},
		} {
			if created, err := s.AddMeetingAttendee(ctx, a); err != nil || !created {
				t.Fatal(created, err)
			}
		}
		if created, err := s.AddMeetingAttendee(ctx, &MeetingAttendee{MeetingID: m.ID, Email: "ann@acme.com", Role: AttendeeCustomer}); err != nil || created {
			t.Errorf("second add = %v, %v", created, err)
		}
		if err := s.SetAttendeePartstat(ctx, m.ID, "ANN@acme.com", PartstatAccepted); err != nil {
			t.Fatal(err)
		}
		if err := s.SetAttendeePartstat(ctx, m.ID, "nobody@acme.com", PartstatAccepted); !errors.Is(err, ErrNotFound) {
			t.Errorf("partstat of a stranger: %v", err)
		}
		as, err := s.MeetingAttendees(ctx, m.ID)
		if err != nil || len(as) != 2 || as[0].Role != AttendeeRep || as[1].Partstat != PartstatAccepted || as[0].Partstat != PartstatNeedsAction {
			t.Fatalf("attendees = %+v, %v", as, err)
		}

		start := time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)
		slots := []MeetingSlot{{StartsAt: start, EndsAt: start.Add(30 * time.Minute)},
			{StartsAt: start.Add(time.Hour), EndsAt: start.Add(90 * time.Minute)}}
		if err := s.AddMeetingSlots(ctx, m.ID, slots); err != nil || slots[0].ID == 0 || slots[1].ID == 0 {
			t.Fatal(slots, err)
		}
		again := []MeetingSlot{{StartsAt: start, EndsAt: start.Add(30 * time.Minute)}}
		if err := s.AddMeetingSlots(ctx, m.ID, again); err != nil || again[0].ID != slots[0].ID {
			t.Errorf("re-add = %+v, %v", again, err)
		}
		got, booked, err := s.BookMeetingSlot(ctx, slots[1].ID)
		if err != nil || !booked || got.Status != MeetingConfirmed || !got.StartsAt.Equal(start.Add(time.Hour)) {
			t.Fatalf("book = %+v, %v, %v", got, booked, err)
		}
		got, booked, err = s.BookMeetingSlot(ctx, slots[0].ID)
		if err != nil || booked || !got.StartsAt.Equal(start.Add(time.Hour)) {
			t.Errorf("second book = %+v, %v, %v", got, booked, err)
		}
		if _, _, err := s.BookMeetingSlot(ctx, 9999); !errors.Is(err, ErrNotFound) {
			t.Errorf("book missing: %v", err)
		}
		byUID, err := s.MeetingByUID(ctx, "m2@salesdesk")
		if err != nil || byUID.Agenda != "Pumps" || byUID.VideoURL != "https://meet.example/x" || byUID.CustomerTimezone != "+02:00" {
			t.Errorf("by uid = %+v, %v", byUID, err)
		}
	})
}
