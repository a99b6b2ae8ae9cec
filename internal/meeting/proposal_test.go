package meeting

import (
	"strings"
	"testing"
	"time"
)

// TestParseProposalsLanguages reads proposals in each language salesdesk
// answers in, against a fixed clock (Wednesday 4 March 2026, 10:00 in the
// customer's zone) and, per language, a case across the EU DST change on
// 29 March 2026. A want is the wall clock and offset in the zone, with
// the window's close for a part of a day.
func TestParseProposalsLanguages(t *testing.T) {
	type tc struct {
		name, text, lang string
		want             []string // "2006-01-02 15:04 -0700" or "... 15:04 -0700-15:04"
	}
	const lay = "2006-01-02 15:04 -0700"
	langs := []struct {
		zone  string
		cases []tc
	}{
		{"America/New_York", []tc{
			{"weekday at 3pm", "Could we talk Tuesday at 3pm?", "", []string{"2026-03-10 15:00 -0400"}},
			{"US date unambiguous", "3/14 at 10am works", "en", []string{"2026-03-14 10:00 -0400"}},
			{"day after month past 12", "14/3 at 10am", "", []string{"2026-03-14 10:00 -0400"}},
			{"ambiguous slash date", "3/4 at 10am", "en", nil},
			{"month name", "March 12th at 2pm", "", []string{"2026-03-12 14:00 -0400"}},
			{"time in the afternoon", "Friday at 4 in the afternoon", "", []string{"2026-03-06 16:00 -0500"}},
			{"quantity", "Tuesday at 12 units please", "", nil},
			{"order number", "order 4711 ships Friday 13", "", nil},
		}},
		{"Europe/Berlin", []tc{
			{"weekday um Uhr", "Können wir uns am Dienstag um 15 Uhr treffen?", "", []string{"2026-03-10 15:00 +0100"}},
			{"morgen is tomorrow", "morgen um 9:30", "", []string{"2026-03-05 09:30 +0100"}},
			{"übermorgen Nachmittag", "Übermorgen Nachmittag passt", "", []string{"2026-03-06 13:00 +0100-17:00"}},
			{"date with month", "am 12. März um 14 Uhr", "", []string{"2026-03-12 14:00 +0100"}},
			{"dotted date after DST", "03.04. um 10 Uhr", "de", []string{"2026-04-03 10:00 +0200"}},
			{"nächsten Freitag is the coming one", "nächsten Freitag um 11", "de", []string{"2026-03-06 11:00 +0100"}},
			{"glued part of day", "Dienstagmorgen wäre gut", "", []string{"2026-03-10 09:00 +0100-12:00"}},
			{"Dienstag morgen is a morning", "Dienstag morgen um 10", "", []string{"2026-03-10 10:00 +0100"}},
			{"am Morgen is a morning", "Donnerstag am Morgen", "", []string{"2026-03-05 09:00 +0100-12:00"}},
			{"guten Morgen is a greeting", "Guten Morgen, geht Donnerstag um 15 Uhr?", "", []string{"2026-03-05 15:00 +0100"}},
			{"weekday with its date", "Dienstag, den 10. März um 16:30", "", []string{"2026-03-10 16:30 +0100"}},
			{"two proposals", "Dienstag um 15 Uhr oder Donnerstag Vormittag", "",
				[]string{"2026-03-10 15:00 +0100", "2026-03-05 09:00 +0100-12:00"}},
			{"pieces", "Bitte am Dienstag 15 Stück liefern", "", nil},
			{"pieces after um", "am Dienstag um 15 Stück", "", nil},
			{"price", "Dienstag 15,50 € netto", "", nil},
			{"order number and date", "Bestellung 4711 vom 3.3. bitte prüfen", "", nil},
			{"morgens without a day", "morgens um 10", "", nil},
		}},
		{"Europe/Paris", []tc{
			{"jeudi à 10h", "jeudi à 10h", "", []string{"2026-03-05 10:00 +0100"}},
			{"demain après-midi", "demain après-midi si possible", "", []string{"2026-03-05 13:00 +0100-17:00"}},
			{"date and 15h30", "le 10 mars à 15h30", "", []string{"2026-03-10 15:30 +0100"}},
			{"mardi prochain", "mardi prochain à 14h", "", []string{"2026-03-10 14:00 +0100"}},
			{"après-demain matin", "après-demain matin", "", []string{"2026-03-06 09:00 +0100-12:00"}},
			{"European slash date after DST", "le 3/4 à 9h", "fr", []string{"2026-04-03 09:00 +0200"}},
			{"quantity", "jeudi, 12 unités", "", nil},
		}},
		{"Europe/Madrid", []tc{
			{"el martes a las 15:00", "¿Podemos hablar el martes a las 15:00?", "", []string{"2026-03-10 15:00 +0100"}},
			{"mañana por la mañana", "mañana por la mañana", "", []string{"2026-03-05 09:00 +0100-12:00"}},
			{"mañana a las 10", "mañana a las 10", "", []string{"2026-03-05 10:00 +0100"}},
			{"date de marzo", "el 10 de marzo a las 16h", "", []string{"2026-03-10 16:00 +0100"}},
			{"el próximo viernes por la tarde", "el próximo viernes por la tarde", "", []string{"2026-03-06 13:00 +0100-17:00"}},
			{"4 de la tarde", "el jueves a las 4 de la tarde", "", []string{"2026-03-05 16:00 +0100"}},
			{"pasado mañana", "pasado mañana a las 11", "", []string{"2026-03-06 11:00 +0100"}},
			{"after DST", "el lunes 30 de marzo a las 10:00", "", []string{"2026-03-30 10:00 +0200"}},
			{"quantity", "el lunes 20 unidades", "", nil},
		}},
		{"Europe/Rome", []tc{
			{"martedì alle 15", "Possiamo sentirci martedì alle 15?", "", []string{"2026-03-10 15:00 +0100"}},
			{"domani pomeriggio", "domani pomeriggio", "", []string{"2026-03-05 13:00 +0100-17:00"}},
			{"giovedì mattina", "giovedì mattina", "", []string{"2026-03-05 09:00 +0100-12:00"}},
			{"date alle", "il 10 marzo alle 9:30", "", []string{"2026-03-10 09:30 +0100"}},
			{"alle ore", "dopodomani alle ore 11", "", []string{"2026-03-06 11:00 +0100"}},
			{"after DST", "il 31 marzo alle 15", "", []string{"2026-03-31 15:00 +0200"}},
			{"quantity", "martedì 15 pezzi", "", nil},
		}},
		{"Europe/Amsterdam", []tc{
			{"dinsdag om 15.00 uur", "Kunnen we dinsdag om 15.00 uur bellen?", "", []string{"2026-03-10 15:00 +0100"}},
			{"morgenochtend", "morgenochtend graag", "", []string{"2026-03-05 09:00 +0100-12:00"}},
			{"morgen om 10 uur", "morgen om 10 uur", "", []string{"2026-03-05 10:00 +0100"}},
			{"date maart", "10 maart om 14 uur", "", []string{"2026-03-10 14:00 +0100"}},
			{"'s middags", "overmorgen 's middags", "", []string{"2026-03-06 13:00 +0100-17:00"}},
			{"after DST", "maandag 30 maart om 9.30 uur", "", []string{"2026-03-30 09:30 +0200"}},
			{"quantity", "dinsdag 15 stuks", "", nil},
		}},
		{"Europe/Lisbon", []tc{
			{"terça-feira às 15h", "Podemos falar terça-feira às 15h?", "", []string{"2026-03-10 15:00 +0000"}},
			{"amanhã de manhã", "amanhã de manhã", "", []string{"2026-03-05 09:00 +0000-12:00"}},
			{"amanhã à tarde", "amanhã à tarde", "", []string{"2026-03-05 13:00 +0000-17:00"}},
			{"date de março", "no dia 10 de março às 14h30", "", []string{"2026-03-10 14:30 +0000"}},
			{"depois de amanhã", "depois de amanhã às 10h", "", []string{"2026-03-06 10:00 +0000"}},
			{"3 da tarde", "quinta às 3 da tarde", "", []string{"2026-03-05 15:00 +0000"}},
			{"after DST", "6 de abril às 10h", "", []string{"2026-04-06 10:00 +0100"}},
			{"quantity", "sexta-feira 15 peças", "", nil},
		}},
	}
	for _, l := range langs {
		loc := mustLoc(t, l.zone)
		ref := time.Date(2026, 3, 4, 10, 0, 0, 0, loc)
		for _, tt := range l.cases {
			t.Run(l.zone+"/"+tt.name, func(t *testing.T) {
				var langs []string
				if tt.lang != "" {
					langs = []string{tt.lang}
				}
				var got []string
				for _, p := range ParseProposals(tt.text, ref, loc, langs...) {
					s := p.Start.In(loc).Format(lay)
					if !p.Exact() {
						s += "-" + p.End.In(loc).Format("15:04")
					}
					got = append(got, s)
				}
				if strings.Join(got, "; ") != strings.Join(tt.want, "; ") {
					t.Errorf("ParseProposals(%q) = %q, want %q", tt.text, got, tt.want)
				}
			})
		}
	}
}

// TestParseProposalsAcrossDST: said on Friday 27 March in Berlin, Monday
// is after the clocks go forward, and 10 Uhr stays 10 on the wall clock.
func TestParseProposalsAcrossDST(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	ref := time.Date(2026, 3, 27, 9, 0, 0, 0, berlin)
	for text, want := range map[string]time.Time{
		"Montag um 10 Uhr":    time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
		"lundi à 10h":         time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
		"el lunes a las 10":   time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
		"lunedì alle 10":      time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
		"maandag om 10 uur":   time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
		"segunda às 10h":      time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
		"Monday at 10am":      time.Date(2026, 3, 30, 8, 0, 0, 0, time.UTC),
		"morgen um 10 Uhr":    time.Date(2026, 3, 28, 9, 0, 0, 0, time.UTC),
		"übermorgen um 10:00": time.Date(2026, 3, 29, 8, 0, 0, 0, time.UTC),
	} {
		got := ParseProposals(text, ref, berlin)
		if len(got) != 1 || !got[0].Start.Equal(want) {
			t.Errorf("ParseProposals(%q) = %+v, want %v", text, got, want)
		}
	}
}

func TestParseProposalsText(t *testing.T) {
	ref := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	got := ParseProposals("Hallo, geht es am Dienstag um 15 Uhr? Danke", ref, time.UTC)
	if len(got) != 1 || got[0].Text != "am Dienstag um 15 Uhr" {
		t.Fatalf("got %+v, want the words as written", got)
	}
}

// TestParseProposalsTimeBeforeDay: a time written before its day ("at
// 3pm on Tuesday", "um 15 Uhr am Dienstag", "à 15h mardi") is read in
// every language, as is a list of such times; a time that ends a
// sentence or belongs to the day before stays where it was written.
// Said on Wednesday 4 March 2026, 10:00 in Berlin.
func TestParseProposalsTimeBeforeDay(t *testing.T) {
	berlin := mustLoc(t, "Europe/Berlin")
	ref := time.Date(2026, 3, 4, 10, 0, 0, 0, berlin)
	const lay = "2006-01-02 15:04"
	tests := []struct {
		name, text string
		want       []string
		wantText   string
	}{
		{"en", "Could we meet at 3pm on Tuesday?", []string{"2026-03-10 15:00"}, "at 3pm on Tuesday"},
		{"en without on", "3pm Tuesday works", []string{"2026-03-10 15:00"}, "3pm Tuesday"},
		{"en in the afternoon", "at 4 in the afternoon on Friday", []string{"2026-03-06 16:00"}, ""},
		{"de", "Geht es um 15 Uhr am Dienstag?", []string{"2026-03-10 15:00"}, "um 15 Uhr am Dienstag"},
		{"de date", "um 14:30 am 12. März", []string{"2026-03-12 14:30"}, ""},
		{"fr", "à 15h mardi", []string{"2026-03-10 15:00"}, "à 15h mardi"},
		{"fr le", "à 10h30 le jeudi 5 mars", []string{"2026-03-05 10:30"}, ""},
		{"es", "a las 15 el martes", []string{"2026-03-10 15:00"}, ""},
		{"it", "alle 15 martedì", []string{"2026-03-10 15:00"}, ""},
		{"nl", "om 15 uur op dinsdag", []string{"2026-03-10 15:00"}, ""},
		{"pt", "às 15h na terça", []string{"2026-03-10 15:00"}, ""},
		{"two, time first", "at 10am on Monday, at 3pm on Tuesday", []string{"2026-03-09 10:00", "2026-03-10 15:00"}, ""},
		{"time leads the next day", "Monday, at 3pm on Tuesday", []string{"2026-03-10 15:00"}, ""},
		{"time after the day still wins", "Monday at 10am, Tuesday at 3pm", []string{"2026-03-09 10:00", "2026-03-10 15:00"}, ""},
		{"time of the day before", "Monday 10:00, Tuesday is bad", []string{"2026-03-09 10:00"}, ""},
		{"a sentence between", "I am busy until 3pm. Tuesday?", nil, ""},
		{"a quantity before", "15 Stück am Dienstag", nil, ""},
		{"a bare number without a connector", "15 Dienstag", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ps := ParseProposals(tc.text, ref, berlin)
			var got []string
			for _, p := range ps {
				if !p.Exact() {
					t.Errorf("%q read as a part of a day: %+v", tc.text, p)
				}
				got = append(got, p.Start.In(berlin).Format(lay))
			}
			if strings.Join(got, "; ") != strings.Join(tc.want, "; ") {
				t.Fatalf("ParseProposals(%q) = %q, want %q", tc.text, got, tc.want)
			}
			if tc.wantText != "" && ps[0].Text != tc.wantText {
				t.Errorf("text = %q, want %q", ps[0].Text, tc.wantText)
			}
		})
	}
}
