package intake_test

import (
	"testing"
	"time"

	"salesdesk/internal/intake"
	"salesdesk/internal/lang"
	"salesdesk/internal/routing"
)

// A mail too short to tell its language takes the language of the
// account's earlier inquiries; a clear mail keeps its own, and a sender
// with no history keeps what the detector guessed.
func TestUnsureLanguageFallsBackToAccount(t *testing.T) {
	t.Parallel()
	e := setup(t, setupOpts{})
	det, err := lang.NewDetector(nil)
	if err != nil {
		t.Fatal(err)
	}
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: classifier(), Languages: det})
	if err != nil {
		t.Fatal(err)
	}
	e.p, err = intake.New(intake.Deps{Store: e.st, Router: router, Enqueuer: e.q, Now: func() time.Time { return e.now }}, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const short = "ok, thx"
	guess, sure := det.Guess("\n" + short)
	if sure || guess == "de" {
		t.Fatalf("detector guesses %q is %s (sure %v); the test needs a mail it cannot tell, not guessed German", short, guess, sure)
	}

	tests := []struct {
		name, from, subject, body, want string
	}{
		{name: "german", from: "ann@acme.com", subject: "Bestellung 4471",
			body: "Guten Tag, wo bleibt meine Bestellung 4471? Sie sollte gestern ankommen.\n\nViele Grüße\nAnn", want: "de"},
		{name: "german again", from: "ann@acme.com", subject: "Rechnung",
			body: "Hallo, können Sie mir die Rechnung für die letzte Lieferung noch einmal schicken? Danke.", want: "de"},
		{name: "short from the account", from: "ann@acme.com", body: short, want: "de"},
		{name: "clear english from the account", from: "ann@acme.com", subject: "Order",
			body: "Hello, where is my order? It should have arrived yesterday and we have not heard from you.", want: "en"},
		{name: "short from a stranger", from: "bob@elsewhere.example", body: short, want: guess},
	}
	for _, tt := range tests {
		q := e.inquiryOf(e.take(mail{from: tt.from, subject: tt.subject, body: tt.body}))
		if q.Language != tt.want {
			t.Errorf("%s: language %q, want %q", tt.name, q.Language, tt.want)
		}
	}
}
