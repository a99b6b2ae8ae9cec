package meeting

import (
	"testing"
	"time"
)

// FuzzFindReply feeds hostile mail to the iMIP reply detector: it must
// never panic, and whatever it accepts is a REPLY with an attendee.
func FuzzFindReply(f *testing.F) {
	start := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC)
	reply, _ := Invite{Method: MethodReply, UID: "u@x", Start: start, End: start.Add(time.Hour), Stamp: start,
		Organizer: Person{Email: "rep@x.example"}, Attendees: []Person{{Email: "ann@acme.com", Partstat: "DECLINED"}}}.Encode()
	f.Add([]byte("From: ann@acme.com\r\nContent-Type: text/calendar; method=REPLY\r\n\r\n" + string(reply)))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\nContent-Type: application/ics\r\n\r\nBEGIN:VCALENDAR\r\n--x--"))
	f.Add([]byte("Subject: hi\r\n\r\nTuesday at 3pm"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		inv, ok := FindReply(raw)
		if ok && (inv.Method != MethodReply || len(inv.Attendees) == 0 || inv.UID == "") {
			t.Fatalf("accepted %+v", inv)
		}
	})
}

// FuzzParseProposals: any text, any zone offset, never a panic and never
// a proposal in the past.
func FuzzParseProposals(f *testing.F) {
	f.Add("Could we meet Tuesday at 3pm or next Friday morning?", int64(1774620000), -4*3600)
	f.Add("tomorrow 12am, monday @ 23:59, sun 99:99", int64(0), 14*3600)
	f.Add("am Dienstag um 15 Uhr, mañana por la mañana, jeudi à 10h30, 3/3 alle 15, dinsdag om 15.00 uur", int64(1774620000), 3600)
	f.Add("terça-feira às 15h; 31 de fevereiro; 15 Stück; Dienstagmorgen; 29.02.2028", int64(1772618400), 0)
	f.Add("at 3pm on Tuesday, um 15 Uhr am Dienstag, à 15h mardi, alle 15 martedì, Monday, at 3pm on Tuesday", int64(1772618400), 3600)
	f.Fuzz(func(t *testing.T, text string, unix int64, off int) {
		if off < -14*3600 || off > 14*3600 || unix < 0 || unix > 1<<40 {
			return
		}
		ref := time.Unix(unix, 0)
		for _, p := range ParseProposals(text, ref, time.FixedZone("z", off)) {
			if !p.Start.After(ref) || (!p.Exact() && !p.End.After(p.Start)) {
				t.Fatalf("proposal %+v at %v", p, ref)
			}
		}
	})
}
