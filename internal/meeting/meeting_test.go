package meeting

import (
	"strings"
	"testing"
	"time"

	"salesdesk/internal/assign"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestParseProposals(t *testing.T) {
	ny, berlin := mustLoc(t, "America/New_York"), mustLoc(t, "Europe/Berlin")
	// Wednesday 4 March 2026, 10:00 in New York.
	wed := time.Date(2026, 3, 4, 10, 0, 0, 0, ny)
	// Friday 27 March 2026 in Berlin: the clocks go forward on Sunday 29 March.
	friBerlin := time.Date(2026, 3, 27, 9, 0, 0, 0, berlin)
	plus2 := time.FixedZone("+02:00", 2*3600)
	tests := []struct {
		name      string
		text      string
		ref       time.Time
		loc       *time.Location
		wantStart []time.Time
		wantEnd   []time.Time // zero for exact times
	}{
		{"weekday at 3pm", "Could we talk Tuesday at 3pm?", wed, ny,
			[]time.Time{time.Date(2026, 3, 10, 15, 0, 0, 0, ny)}, []time.Time{{}}},
		// 10 March is after the US DST change (8 March): 15:00 EDT = 19:00 UTC.
		{"weekday at 3pm is EDT after US DST change", "Tuesday at 3pm", wed, ny,
			[]time.Time{time.Date(2026, 3, 10, 19, 0, 0, 0, time.UTC)}, []time.Time{{}}},
		{"next friday morning", "next Friday morning works for me", wed, ny,
			[]time.Time{time.Date(2026, 3, 13, 9, 0, 0, 0, ny)}, []time.Time{time.Date(2026, 3, 13, 12, 0, 0, 0, ny)}},
		{"tomorrow 24h clock", "tomorrow at 14:30 please", wed, ny,
			[]time.Time{time.Date(2026, 3, 5, 14, 30, 0, 0, ny)}, []time.Time{{}}},
		{"monday across Berlin DST", "Monday at 10am", friBerlin, berlin,
			[]time.Time{time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)}, []time.Time{{}}}, // CEST, UTC+2
		{"fixed offset from Date header", "Thursday at 11:00", wed, plus2,
			[]time.Time{time.Date(2026, 3, 5, 9, 0, 0, 0, time.UTC)}, []time.Time{{}}},
		{"bare afternoon number", "friday at 3", wed, ny,
			[]time.Time{time.Date(2026, 3, 6, 15, 0, 0, 0, ny)}, []time.Time{{}}},
		{"two proposals", "Tuesday at 3pm or Thursday afternoon", wed, ny,
			[]time.Time{time.Date(2026, 3, 10, 15, 0, 0, 0, ny), time.Date(2026, 3, 5, 13, 0, 0, 0, ny)},
			[]time.Time{{}, time.Date(2026, 3, 5, 17, 0, 0, 0, ny)}},
		{"date not time", "see you Friday 13", wed, ny, nil, nil},
		{"past today", "today at 9am", wed, ny, nil, nil},
		{"no day", "let's meet at 3pm", wed, ny, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ParseProposals(tt.text, tt.ref, tt.loc)
			if len(got) != len(tt.wantStart) {
				t.Fatalf("got %d proposals %+v, want %d", len(got), got, len(tt.wantStart))
			}
			for i, p := range got {
				if !p.Start.Equal(tt.wantStart[i]) || !p.End.Equal(tt.wantEnd[i]) {
					t.Errorf("proposal %d = %v..%v, want %v..%v", i, p.Start, p.End, tt.wantStart[i], tt.wantEnd[i])
				}
			}
		})
	}
}

func TestCustomerZone(t *testing.T) {
	tests := []struct {
		name, account, date, want string
		wantOffset                int
	}{
		{"account wins", "America/Chicago", "Wed, 04 Mar 2026 10:00:00 +0100", "America/Chicago", -6 * 3600},
		{"date header offset", "", "Wed, 04 Mar 2026 10:00:00 +0530", "+05:30", 5*3600 + 1800},
		{"bad account falls back", "Mars/Base", "Wed, 04 Mar 2026 10:00:00 -0700", "-07:00", -7 * 3600},
		{"nothing is UTC", "", "", "UTC", 0},
	}
	at := time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc, name := CustomerZone(tt.account, tt.date)
			if name != tt.want {
				t.Errorf("name = %q, want %q", name, tt.want)
			}
			if _, off := at.In(loc).Zone(); off != tt.wantOffset {
				t.Errorf("offset = %d, want %d", off, tt.wantOffset)
			}
			if _, off := at.In(LoadZone(name)).Zone(); off != tt.wantOffset {
				t.Errorf("LoadZone(%q) offset = %d, want %d", name, off, tt.wantOffset)
			}
		})
	}
}

func TestFindSlots(t *testing.T) {
	berlin, ny := mustLoc(t, "Europe/Berlin"), mustLoc(t, "America/New_York")
	hours, err := assign.ParseWorkingHours("mon-fri 09:00-17:00")
	if err != nil {
		t.Fatal(err)
	}
	// Friday 27 March 2026 16:10 Berlin; weekend, then DST on Sunday 29th.
	from := time.Date(2026, 3, 27, 16, 10, 0, 0, berlin)
	rita := Availability{Hours: hours, Location: berlin,
		Busy: []Interval{{time.Date(2026, 3, 30, 9, 0, 0, 0, berlin), time.Date(2026, 3, 30, 10, 0, 0, 0, berlin)}}}
	tests := []struct {
		name string
		reps []Availability
		q    SlotQuery
		want []time.Time
	}{
		{"after weekend and busy hour, DST-correct", []Availability{rita},
			SlotQuery{From: from, Duration: 30 * time.Minute, Count: 3},
			[]time.Time{time.Date(2026, 3, 27, 16, 30, 0, 0, berlin), time.Date(2026, 3, 30, 10, 0, 0, 0, berlin),
				time.Date(2026, 3, 30, 10, 30, 0, 0, berlin)}},
		{"day off skipped", []Availability{{Hours: hours, Location: berlin, DaysOff: []time.Time{time.Date(2026, 3, 30, 12, 0, 0, 0, berlin)}}},
			SlotQuery{From: time.Date(2026, 3, 28, 0, 0, 0, 0, berlin), Duration: time.Hour, Count: 1},
			[]time.Time{time.Date(2026, 3, 31, 9, 0, 0, 0, berlin)}},
		{"two reps in two zones overlap", []Availability{{Hours: hours, Location: berlin}, {Hours: hours, Location: ny}},
			// Monday 30 March: Berlin is UTC+2, New York UTC-4; overlap 15:00-17:00 Berlin.
			SlotQuery{From: time.Date(2026, 3, 30, 0, 0, 0, 0, berlin), Duration: time.Hour, Count: 2, PerDay: -1},
			[]time.Time{time.Date(2026, 3, 30, 15, 0, 0, 0, berlin), time.Date(2026, 3, 30, 15, 30, 0, 0, berlin)}},
		{"away until", []Availability{{Hours: hours, Location: berlin, AwayUntil: time.Date(2026, 4, 2, 0, 0, 0, 0, berlin)}},
			SlotQuery{From: from, Duration: 30 * time.Minute, Count: 1},
			[]time.Time{time.Date(2026, 4, 2, 9, 0, 0, 0, berlin)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := FindSlots(tt.reps, tt.q)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if !got[i].Start.Equal(tt.want[i]) || got[i].End.Sub(got[i].Start) != tt.q.Duration {
					t.Errorf("slot %d = %v, want %v", i, got[i].Start.In(berlin), tt.want[i])
				}
			}
		})
	}
}

func TestPlanReminders(t *testing.T) {
	start := time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC)
	offsets := []time.Duration{time.Hour, 24 * time.Hour, time.Hour}
	tests := []struct {
		name string
		now  time.Time
		want []time.Duration
	}{
		{"both", start.Add(-48 * time.Hour), []time.Duration{24 * time.Hour, time.Hour}},
		{"late booking gets the hour only", start.Add(-3 * time.Hour), []time.Duration{time.Hour}},
		{"too late for any", start.Add(-time.Hour), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PlanReminders(start, offsets, tt.now)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i, r := range got {
				if r.Before != tt.want[i] || !r.At.Equal(start.Add(-tt.want[i])) {
					t.Errorf("reminder %d = %+v", i, r)
				}
			}
		})
	}
}

func TestWhenAcrossZonesAndDST(t *testing.T) {
	at := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC) // after EU and US DST changes
	tests := []struct {
		zone, want string
	}{
		{"Europe/Berlin", "Monday, 30 March 2026, 15:00 (CEST, UTC+02:00)"},
		{"America/New_York", "Monday, 30 March 2026, 09:00 (EDT, UTC-04:00)"},
		{"Asia/Kolkata", "Monday, 30 March 2026, 18:30 (IST, UTC+05:30)"},
		{"+02:00", "Monday, 30 March 2026, 15:00 (UTC+02:00)"},
	}
	for _, tt := range tests {
		if got := When(at, LoadZone(tt.zone)); got != tt.want {
			t.Errorf("When in %s = %q, want %q", tt.zone, got, tt.want)
		}
	}
	if got := Lead(24 * time.Hour); got != "24 hours" {
		t.Errorf("Lead = %q", got)
	}
}

func TestInviteRoundTrip(t *testing.T) {
	start := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC)
	inv := Invite{Method: MethodRequest, UID: "meeting-7@desk.example", Sequence: 2, Start: start, End: start.Add(30 * time.Minute),
		Stamp: start.Add(-time.Hour), Summary: "Pump demo\r\nBCC: x", Description: "Agenda:\nPumps", Location: "Video call",
		URL: "https://meet.example/abc", Organizer: Person{Email: "Rita@Ourco.example", Name: "Rita Rep"},
		Attendees: []Person{{Email: "rita@ourco.example", Name: "Rita Rep", Partstat: "ACCEPTED"},
			{Email: "ann@acme.com", Name: "Ann", Customer: true}}}
	b, err := inv.Encode()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{"METHOD:REQUEST\r\n", "DTSTART:20260330T130000Z\r\n", "SEQUENCE:2\r\n", "RSVP=TRUE", "STATUS:CONFIRMED"} {
		if !strings.Contains(s, want) {
			t.Errorf("invite lacks %q:\n%s", want, s)
		}
	}
	got, err := ParseInvite(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Method != MethodRequest || got.UID != inv.UID || got.Sequence != 2 || !got.Start.Equal(start) ||
		!got.End.Equal(inv.End) || !got.Stamp.Equal(inv.Stamp) || got.Summary != "Pump demo BCC: x" ||
		got.Description != inv.Description || got.Location != "Video call" || got.URL != inv.URL ||
		got.Organizer.Email != "rita@ourco.example" || got.Organizer.Name != "Rita Rep" {
		t.Errorf("parsed = %+v", got)
	}
	if len(got.Attendees) != 2 || got.Attendees[0].Partstat != "ACCEPTED" || got.Attendees[1].Email != "ann@acme.com" ||
		got.Attendees[1].Partstat != "NEEDS-ACTION" {
		t.Errorf("attendees = %+v", got.Attendees)
	}
	inv.Method, inv.Sequence = MethodCancel, 3
	b, _ = inv.Encode()
	if got, err := ParseInvite(b); err != nil || got.Method != MethodCancel || got.Sequence != 3 || !strings.Contains(string(b), "STATUS:CANCELLED") {
		t.Errorf("cancel = %+v, %v", got, err)
	}
	if _, err := (Invite{Method: "PUBLISH"}).Encode(); err == nil {
		t.Error("PUBLISH encoded")
	}
}

func TestFindReply(t *testing.T) {
	start := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC)
	reply, err := Invite{Method: MethodReply, UID: "meeting-7@desk.example", Sequence: 1, Start: start, End: start.Add(time.Hour),
		Stamp: start, Organizer: Person{Email: "rita@ourco.example"},
		Attendees: []Person{{Email: "ann@acme.com", Partstat: "ACCEPTED"}}}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	request, _ := Invite{Method: MethodRequest, UID: "x", Start: start, End: start.Add(time.Hour), Organizer: Person{Email: "a@b.c"},
		Attendees: []Person{{Email: "ann@acme.com"}}}.Encode()
	mail := func(ct, body string) []byte {
		return []byte(strings.ReplaceAll("From: ann@acme.com\nTo: sales@ourco.example\nSubject: Accepted: Pump demo\nMIME-Version: 1.0\n"+
			"Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nAnn has accepted.\n--b\nContent-Type: "+ct+
			"\nContent-Transfer-Encoding: 8bit\n\n", "\n", "\r\n") + body + "\r\n--b--\r\n")
	}
	tests := []struct {
		name string
		raw  []byte
		want bool
	}{
		{"outlook style reply", mail("text/calendar; method=REPLY; charset=utf-8", string(reply)), true},
		{"ics attachment", mail("application/ics; name=invite.ics", string(reply)), true},
		{"a request is not a reply", mail("text/calendar; method=REQUEST", string(request)), false},
		{"plain mail", []byte("From: ann@acme.com\r\nSubject: hi\r\n\r\nTuesday at 3pm?\r\n"), false},
		{"broken calendar", mail("text/calendar; method=REPLY", "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inv, ok := FindReply(tt.raw)
			if ok != tt.want {
				t.Fatalf("ok = %v, want %v", ok, tt.want)
			}
			if ok && (inv.UID != "meeting-7@desk.example" || inv.Attendees[0].Email != "ann@acme.com" || inv.Attendees[0].Partstat != "ACCEPTED" || inv.Sequence != 1) {
				t.Errorf("reply = %+v", inv)
			}
		})
	}
}
