package routing

import (
	"testing"
	"time"

	"salesdesk/internal/mailparse"
)

func TestMessageInput(t *testing.T) {
	raw := "From: Anna <anna@baltic.example>\r\nSubject: Re: PO 4500012345\r\nDate: Wed, 12 Mar 2025 10:00:00 +0000\r\n\r\n" +
		"When will it ship?\r\n\r\nKind regards\r\nAnna Kowalski\r\nBaltic Drives Sp. z o.o.\r\n\r\n" +
		"On Tue, 4 Mar 2025 at 10:02, Sales <sales@example.com> wrote:\r\n> Shipped.\r\n"
	m, err := mailparse.Parse([]byte(raw), mailparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	in := MessageInput(m)
	want := Input{From: "anna@baltic.example", Subject: "Re: PO 4500012345", NewText: m.NewText, Signature: m.Signature,
		Text: m.Text, Date: time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)}
	if in.From != want.From || in.Subject != want.Subject || in.NewText != want.NewText || in.Signature != want.Signature ||
		in.Text != want.Text || !in.Date.Equal(want.Date) {
		t.Errorf("MessageInput = %+v, want %+v", in, want)
	}
	if in.NewText != "When will it ship?" || in.Signature == "" {
		t.Errorf("NewText %q, Signature %q: want mailparse's split", in.NewText, in.Signature)
	}
}

func TestTextInputSplitsLikeMailparse(t *testing.T) {
	text := "Please cancel SO-48213.\n\nThanks,\nPaul\n\n-----Original Message-----\nFrom: A\nSent: Monday\n\nold"
	in := TextInput("Order", text)
	newText, _, sig := mailparse.SplitReply(text)
	if in.Subject != "Order" || in.NewText != newText || in.Signature != sig || in.Text != text {
		t.Errorf("TextInput = %+v, want mailparse's parts %q / %q", in, newText, sig)
	}
}

// TestRouteReadsTextOnlyInputAsSplit checks that an Input with only Text
// routes as the same text split by TextInput does.
func TestRouteReadsTextOnlyInputAsSplit(t *testing.T) {
	r, err := NewRouter(RouterOptions{Classifier: testModel(), Clock: func() time.Time { return time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	text := "Could we meet next Tuesday at 3pm?\n\nBest regards,\nTom Hill\nHill Foods Ltd\n\n> old quote about order 99999"
	a, b := r.Route(Input{Text: text}), r.Route(TextInput("", text))
	if a.Category != b.Category || a.Confidence != b.Confidence || a.Entities.Signature != b.Entities.Signature ||
		len(a.Entities.OrderNumbers) != 0 || b.Entities.Signature.Name != "Tom Hill" {
		t.Errorf("Text only: %+v\nTextInput: %+v", a, b)
	}
}
