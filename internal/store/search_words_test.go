package store

import (
	"fmt"
	"slices"
	"testing"
)

// TestSearchWordsIndexFollowsText checks the full-text index of
// migration 0016 follows the mail's stored text: a word is found after
// the text is stored, no longer found once the text is parsed again
// without it, and the new word is found instead.
func TestSearchWordsIndexFollowsText(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		inID, _, _, err := s.SaveInboundMessage(ctx, &InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 9, Raw: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		parse := func(text string) {
			t.Helper()
			if err := s.SetInboundParsed(ctx, inID, ParsedInbound{From: "ann@acme.com", Subject: "Parts", Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		parse("Please quote gaskets for part P-4711")
		q := &Inquiry{InboundMessageID: inID, ContactEmail: "ann@acme.com", Subject: "Parts"}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		found := func(words string) bool {
			t.Helper()
			hits, err := s.Search(ctx, words, 10)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range hits {
				if h.Kind == "inquiry" && h.ID == q.ID {
					return true
				}
			}
			return false
		}
		for words, want := range map[string]bool{"GASKETS": true, "p-4711 quote": true, "gaskets valves": false, "P-4712": false, "%": false} {
			if got := found(words); got != want {
				t.Errorf("search %q before re-parse: found %v, want %v", words, got, want)
			}
		}
		parse("Please quote valves")
		if found("gaskets") || !found("valves") {
			t.Errorf("index did not follow the text: gaskets %v, valves %v", found("gaskets"), found("valves"))
		}
	})
}

// TestSearchWordsFindsOurMail: the desk search by words finds an inquiry
// by the words of our own mails about it (the thread shows them), read
// from the outbound index of migration 0019, which follows their text.
func TestSearchWordsFindsOurMail(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		inID, _, _, err := s.SaveInboundMessage(ctx, &InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 9, Raw: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetInboundParsed(ctx, inID, ParsedInbound{From: "ann@acme.com", Subject: "Parts", Text: "Please quote gaskets"}); err != nil {
			t.Fatal(err)
		}
		q := &Inquiry{InboundMessageID: inID, ContactEmail: "ann@acme.com", Subject: "Parts"}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		other := &Inquiry{ContactEmail: "bob@acme.com", Subject: "Other"}
		if _, _, err := s.CreateInquiry(ctx, other); err != nil {
			t.Fatal(err)
		}
		for i, o := range []*OutboundEmail{
			{InquiryID: q.ID, Subject: "Re: Parts", BodyText: "We can offer Flanges FL-220 by Friday."},
			{InquiryID: other.ID, Subject: "Re: Other", BodyText: "Thank you, we will call."},
			{Subject: "Digest", BodyText: "Flanges everywhere"}, // about no inquiry
		} {
			o.IdempotencyKey, o.MessageID, o.To, o.Kind = fmt.Sprint("k", i), fmt.Sprint("m", i, "@desk.example"), []string{"x@acme.com"}, "reply"
			if _, _, err := s.CreateOutbound(ctx, o); err != nil {
				t.Fatal(err)
			}
		}
		found := func(words string) []int64 {
			t.Helper()
			hits, err := s.Search(ctx, words, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range hits {
				if h.Kind == "inquiry" {
					ids = append(ids, h.ID)
				}
			}
			return ids
		}
		for words, want := range map[string][]int64{
			"flanges": {q.ID}, "fl-220 friday": {q.ID}, "gaskets": {q.ID}, "thank call": {other.ID}, "flanges thank": nil, "FL-221": nil,
		} {
			if got := found(words); !slices.Equal(got, want) {
				t.Errorf("search %q: inquiries %v, want %v", words, got, want)
			}
		}
	})
}
