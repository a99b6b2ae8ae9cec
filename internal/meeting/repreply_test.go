package meeting

import (
	"testing"
	"time"
)

func TestParseRepInstruction(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	// Friday 27 March 2026, 15:10 in Berlin (CET, UTC+1); Berlin moves to
	// CEST (UTC+2) on Sunday 29 March, New York moved on 8 March.
	ref := time.Date(2026, 3, 27, 14, 10, 0, 0, time.UTC)
	tests := []struct {
		name      string
		text      string
		loc       *time.Location
		wantAct   RepAction
		wantStart time.Time // UTC
		wantText  string
	}{
		{name: "cancel", text: "cancel", loc: berlin, wantAct: RepCancel, wantText: "cancel"},
		{name: "cancel it", text: "Cancel it please.\n\nRita", loc: berlin, wantAct: RepCancel, wantText: "Cancel"},
		{name: "called off", text: "The customer called it off.", loc: berlin, wantAct: RepCancel},
		// Tuesday 31 March is after the change: 15:00 CEST is 13:00 UTC.
		{name: "move across DST", text: "move to Tuesday 3pm", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 3, 31, 13, 0, 0, 0, time.UTC), wantText: "Tuesday 3pm"},
		{name: "24h time", text: "Thursday at 10:00", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC)},
		// Saturday 28 March is still CET: 10:00 is 09:00 UTC.
		{name: "before DST", text: "Let's do Saturday at 10:00 instead", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 3, 28, 9, 0, 0, 0, time.UTC)},
		{name: "rep in New York", text: "move to Tuesday 15:00", loc: ny, wantAct: RepMove,
			wantStart: time.Date(2026, 3, 31, 19, 0, 0, 0, time.UTC)},
		{name: "tomorrow", text: "tomorrow at 9am works better", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 3, 28, 8, 0, 0, 0, time.UTC)},
		// A time written before its day, in the rep's language.
		{name: "time before the day", text: "at 3pm on Tuesday", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 3, 31, 13, 0, 0, 0, time.UTC), wantText: "at 3pm on Tuesday"},
		{name: "Uhr before the day", text: "Bitte um 15 Uhr am Dienstag", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 3, 31, 13, 0, 0, 0, time.UTC), wantText: "um 15 Uhr am Dienstag"},
		{name: "heure before the day", text: "plutôt à 15h mardi", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 3, 31, 13, 0, 0, 0, time.UTC), wantText: "à 15h mardi"},
		{name: "confirm", text: "confirm", loc: berlin, wantAct: RepConfirm},
		{name: "confirmed", text: "Confirmed, thanks!", loc: berlin, wantAct: RepConfirm},
		{name: "ok", text: "OK", loc: berlin, wantAct: RepConfirm},
		{name: "nothing understood", text: "Can we talk about this?", loc: berlin, wantAct: RepUnclear},
		{name: "empty", text: "\n\n", loc: berlin, wantAct: RepUnclear},
		{name: "part of a day", text: "move to Tuesday morning", loc: berlin, wantAct: RepUnclear},
		{name: "two times", text: "Tuesday at 10:00 or Wednesday at 11:00", loc: berlin, wantAct: RepUnclear},
		{name: "cancel and a time", text: "cancel Monday, Thursday at 10:00 instead", loc: berlin, wantAct: RepUnclear},
		{name: "do not cancel", text: "Please don't cancel it", loc: berlin, wantAct: RepUnclear},
		{name: "do not cancel, move", text: "Don't cancel, move to Thursday at 10:00", loc: berlin, wantAct: RepMove,
			wantStart: time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC)},
		{name: "a day without a time", text: "move to Tuesday", loc: berlin, wantAct: RepUnclear},
		{name: "past time today", text: "today at 9am", loc: berlin, wantAct: RepUnclear},
		// Only the first lines count: a time further down is a note.
		{name: "instruction on top only", text: "Can we talk?\n\nI am busy\nall week\nbut Thursday at 10:00 is free", loc: berlin,
			wantAct: RepUnclear},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseRepInstruction(tc.text, ref, tc.loc)
			if got.Action != tc.wantAct {
				t.Fatalf("action = %s (%+v), want %s", got.Action, got, tc.wantAct)
			}
			if !got.Start.Equal(tc.wantStart) {
				t.Errorf("start = %s, want %s", got.Start.UTC(), tc.wantStart)
			}
			if tc.wantText != "" && got.Text != tc.wantText {
				t.Errorf("text = %q, want %q", got.Text, tc.wantText)
			}
			if got.Action == RepUnclear && got.Why == "" {
				t.Errorf("unclear without a reason: %+v", got)
			}
		})
	}
}

func FuzzParseRepInstruction(f *testing.F) {
	for _, s := range []string{"cancel", "move to Tuesday 3pm", "Thursday at 10:00", "confirm", "", "\xff\xfe",
		"Held, next step: call Tuesday at 3pm", "No-show.", "Kunde ist nicht erschienen", "um 15 Uhr am Dienstag", "à 15h mardi"} {
		f.Add(s)
	}
	ref := time.Date(2026, 3, 27, 14, 10, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		got := ParseRepInstruction(s, ref, time.UTC)
		if got.Action == RepMove && !got.Start.After(ref) {
			t.Errorf("move to %s, not after %s", got.Start, ref)
		}
		if len(got.Text) > maxRepInstructionText {
			t.Errorf("text of %d bytes", len(got.Text))
		}
		if len(got.Note) > maxOutcomeNote || (got.Note != "" && got.Action != RepHeld && got.Action != RepNoShow) {
			t.Errorf("note of %d bytes for %s", len(got.Note), got.Action)
		}
	})
}

func BenchmarkParseRepInstruction(b *testing.B) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		b.Fatal(err)
	}
	ref := time.Date(2026, 3, 27, 14, 10, 0, 0, time.UTC)
	text := "move to Tuesday 3pm please\n\nthe customer asked for it\nRita"
	for b.Loop() {
		if ParseRepInstruction(text, ref, berlin).Action != RepMove {
			b.Fatal("not a move")
		}
	}
}

// TestParseRepOutcome: a reply to the outcome mail that begins with how
// the meeting went records that, in every language, with what follows as
// the next step, even when the next step names a time; an outcome word
// that does not end its clause, or comes later, is none.
func TestParseRepOutcome(t *testing.T) {
	ref := time.Date(2026, 3, 27, 14, 10, 0, 0, time.UTC)
	tests := []struct {
		name, text string
		wantAct    RepAction
		wantNote   string
	}{
		{"held", "held", RepHeld, ""},
		{"the help mail's example", "held, next step: send the quote", RepHeld, "send the quote"},
		{"held with next step", "Held, next step: send the quote by Friday", RepHeld, "send the quote by Friday"},
		{"held, next step on its own line", "Held.\nNext step: call Tuesday at 3pm", RepHeld, "call Tuesday at 3pm"},
		{"meeting was held", "The meeting was held - they want a trial", RepHeld, "they want a trial"},
		{"no-show", "no-show", RepNoShow, ""},
		{"no show", "No show. Will try again next week", RepNoShow, "Will try again next week"},
		{"didn't show", "Customer didn’t show up", RepNoShow, ""},
		{"did not come", "they did not come", RepNoShow, ""},
		{"de held", "Hat stattgefunden, nächster Schritt: Angebot schicken", RepHeld, "Angebot schicken"},
		{"de no-show", "Kunde ist nicht erschienen.", RepNoShow, ""},
		{"fr held", "Le rendez-vous a eu lieu", RepHeld, ""},
		{"fr no-show", "Le client n'est pas venu", RepNoShow, ""},
		{"es held", "Se celebró, siguiente paso: demo", RepHeld, "demo"},
		{"es no-show", "El cliente no se presentó", RepNoShow, ""},
		{"it held", "Si è tenuto", RepHeld, ""},
		{"it no-show", "Il cliente non si è presentato", RepNoShow, ""},
		{"nl held", "Heeft plaatsgevonden", RepHeld, ""},
		{"nl no-show", "De klant is niet komen opdagen", RepNoShow, ""},
		{"pt held", "A reunião foi realizada", RepHeld, ""},
		{"pt no-show", "O cliente não compareceu", RepNoShow, ""},
		{"held up is no outcome", "held up in traffic, move to Tuesday 3pm", RepMove, ""},
		{"not held", "not held, the customer called it off", RepCancel, ""},
		{"outcome later in the text", "Thanks. It was held", RepUnclear, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseRepInstruction(tc.text, ref, time.UTC)
			if got.Action != tc.wantAct || got.Note != tc.wantNote {
				t.Errorf("ParseRepInstruction(%q) = %s note %q (%+v), want %s note %q", tc.text, got.Action, got.Note, got,
					tc.wantAct, tc.wantNote)
			}
		})
	}
}
