package meeting

import (
	"strings"
	"testing"
	"time"
)

// TestWhenIn: every language writes a meeting's start its own way, in the
// reader's zone with the zone named, and the same instant on either side
// of a DST change shows the offset that holds on that day.
func TestWhenIn(t *testing.T) {
	before := time.Date(2026, 3, 28, 14, 0, 0, 0, time.UTC) // Saturday, Berlin still on CET
	after := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC)  // Monday, Berlin on CEST, New York on EDT
	tests := []struct {
		name, lang, zone string
		at               time.Time
		want             string
	}{
		{"english", "en", "Europe/Berlin", after, "Monday, 30 March 2026, 15:00 (CEST, UTC+02:00)"},
		{"german", "de", "Europe/Berlin", after, "Montag, 30. März 2026, 15:00 Uhr (CEST, UTC+02:00)"},
		{"german before DST", "de", "Europe/Berlin", before, "Samstag, 28. März 2026, 15:00 Uhr (CET, UTC+01:00)"},
		{"french", "fr", "Europe/Paris", after, "lundi 30 mars 2026 à 15:00 (CEST, UTC+02:00)"},
		{"spanish", "es", "Europe/Madrid", after, "lunes, 30 de marzo de 2026, 15:00 (CEST, UTC+02:00)"},
		{"italian", "it", "Europe/Rome", after, "lunedì 30 marzo 2026, ore 15:00 (CEST, UTC+02:00)"},
		{"dutch", "nl", "Europe/Amsterdam", after, "maandag 30 maart 2026, 15:00 uur (CEST, UTC+02:00)"},
		{"portuguese", "pt", "Europe/Lisbon", after, "segunda-feira, 30 de março de 2026, 14:00 (WEST, UTC+01:00)"},
		{"german reader in New York", "de", "America/New_York", after, "Montag, 30. März 2026, 09:00 Uhr (EDT, UTC-04:00)"},
		{"fixed offset", "fr", "-03:00", after, "lundi 30 mars 2026 à 10:00 (UTC-03:00)"},
		{"day changes in the reader's zone", "es", "Asia/Tokyo", time.Date(2026, 12, 31, 16, 30, 0, 0, time.UTC),
			"viernes, 1 de enero de 2027, 01:30 (JST, UTC+09:00)"},
		{"unknown language is English", "ja", "UTC", after, "Monday, 30 March 2026, 13:00 (UTC, UTC+00:00)"},
		{"language code in capitals", "DE", "UTC", after, "Montag, 30. März 2026, 13:00 Uhr (UTC, UTC+00:00)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := WhenIn(tt.lang, tt.at, LoadZone(tt.zone)); got != tt.want {
				t.Errorf("WhenIn(%s, %s) = %q, want %q", tt.lang, tt.zone, got, tt.want)
			}
		})
	}
	if got, want := When(after, LoadZone("Europe/Berlin")), WhenIn("en", after, LoadZone("Europe/Berlin")); got != want {
		t.Errorf("When = %q, WhenIn en = %q", got, want)
	}
}

func TestLeadIn(t *testing.T) {
	tests := []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"en", time.Hour, "1 hour"},
		{"en", 24 * time.Hour, "24 hours"},
		{"en", 30 * time.Minute, "30 minutes"},
		{"de", time.Hour, "1 Stunde"},
		{"de", 24 * time.Hour, "24 Stunden"},
		{"de", 45 * time.Minute, "45 Minuten"},
		{"fr", 90 * time.Minute, "90 minutes"},
		{"es", 2 * time.Hour, "2 horas"},
		{"it", time.Hour, "1 ora"},
		{"it", 24 * time.Hour, "24 ore"},
		{"nl", 24 * time.Hour, "24 uur"},
		{"nl", time.Minute, "1 minuut"},
		{"pt", 30 * time.Minute, "30 minutos"},
	}
	for _, tt := range tests {
		if got := LeadIn(tt.lang, tt.d); got != tt.want {
			t.Errorf("LeadIn(%s, %v) = %q, want %q", tt.lang, tt.d, got, tt.want)
		}
	}
}

// Every language names every weekday, month and response; no weekday or
// response is left in English.
func TestWordsComplete(t *testing.T) {
	en := words["en"]
	for lang, w := range words {
		for i, d := range w.weekdays {
			if d == "" || (lang != "en" && d == en.weekdays[i]) {
				t.Errorf("%s: weekday %d is %q", lang, i, d)
			}
		}
		for i, m := range w.months {
			if m == "" { // many months are spelt alike (April, September)
				t.Errorf("%s: month %d is %q", lang, i+1, m)
			}
		}
		for ps := range en.partstat {
			if s := PartstatIn(lang, ps); s == "" || (lang != "en" && s == en.partstat[ps]) {
				t.Errorf("%s: response %s is %q", lang, ps, s)
			}
		}
	}
	if got := PartstatIn("de", ""); got != "noch keine Antwort" {
		t.Errorf("PartstatIn(de, \"\") = %q", got)
	}
}

// TestInviteOrganizerShowsRep: the invite a customer gets is organized by
// the sales inbox (so their calendar's REPLY comes back to salesdesk; see
// the package doc) under the rep's name, with the rep attending as CHAIR
// and the customer asked to answer; its summary is in the customer's
// words as given.
func TestInviteOrganizerShowsRep(t *testing.T) {
	start := time.Date(2026, 3, 30, 13, 0, 0, 0, time.UTC)
	inv := Invite{Method: MethodRequest, UID: "inquiry-7@desk.example", Start: start, End: start.Add(30 * time.Minute), Stamp: start,
		Summary:   "Termin mit Dana Reyes: Vorführung",
		Organizer: Person{Email: "Sales@Desk.example", Name: "Dana Reyes"},
		Attendees: []Person{{Email: "dana@desk.example", Name: "Dana Reyes", Partstat: "ACCEPTED", Chair: true},
			{Email: "sabine@kunde.example", Name: "Sabine Kraus", Customer: true}}}
	b, err := inv.Encode()
	if err != nil {
		t.Fatal(err)
	}
	raw := strings.ReplaceAll(string(b), "\r\n ", "") // unfold
	for _, want := range []string{
		"ORGANIZER;CN=Dana Reyes:mailto:sales@desk.example",
		"SUMMARY:Termin mit Dana Reyes: Vorführung",
	} {
		if !strings.Contains(raw, want) {
			t.Errorf("invite lacks %q:\n%s", want, raw)
		}
	}
	got, err := ParseInvite(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Organizer.Email != "sales@desk.example" || got.Organizer.Name != "Dana Reyes" {
		t.Errorf("organizer = %+v, want the sales inbox named Dana Reyes", got.Organizer)
	}
	if len(got.Attendees) != 2 || !got.Attendees[0].Chair || got.Attendees[0].Email != "dana@desk.example" {
		t.Errorf("attendees = %+v, want the rep first as CHAIR", got.Attendees)
	}
	if c := got.Attendees[1]; c.Chair || c.Partstat != "NEEDS-ACTION" || c.Email != "sabine@kunde.example" {
		t.Errorf("customer attendee = %+v, want a participant asked to answer", c)
	}
	if !strings.Contains(raw, "RSVP=TRUE") || !strings.Contains(raw, "ROLE=CHAIR") {
		t.Errorf("invite lacks RSVP or CHAIR:\n%s", raw)
	}
}
