package store

import (
	"errors"
	"testing"
)

func TestInboundSenderAuth(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		m := &InboundMessage{Mailbox: "INBOX", UIDValidity: 1, UID: 7, Raw: []byte("From: a@b.example\r\n\r\nhi")}
		id, _, _, err := s.SaveInboundMessage(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.InboundSenderAuth(ctx, id); err != nil || got.Verdict != "" {
			t.Fatalf("unchecked = %+v, %v; want empty verdict", got, err)
		}
		first := SenderAuth{Verdict: "none", Detail: "dkim: no DKIM signature"}
		if held, err := s.KeepInboundSenderAuth(ctx, id, first); err != nil || held != first {
			t.Fatalf("first verdict = %+v, %v; want it held", held, err)
		}
		// The first verdict stays, and a later call is told it.
		if held, err := s.KeepInboundSenderAuth(ctx, id, SenderAuth{Verdict: "pass", Detail: "later"}); err != nil || held != first {
			t.Fatalf("later verdict = %+v, %v; want the first held", held, err)
		}
		if got, err := s.InboundSenderAuth(ctx, id); err != nil || got.Verdict != "none" || got.Detail != "dkim: no DKIM signature" {
			t.Fatalf("verdict = %+v, %v; want the first", got, err)
		}
		if _, err := s.KeepInboundSenderAuth(ctx, id+100, SenderAuth{Verdict: "pass"}); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown inbound = %v, want ErrNotFound", err)
		}
	})
}

func TestDecideOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		first, won, err := s.DecideOnce(ctx, LinkDecision{Action: "triage", SubjectID: 5, Decision: "order_status", DecidedBy: "ops@desk.example"})
		if err != nil || !won || first.DecidedAt.IsZero() {
			t.Fatalf("first = %+v, %v, %v", first, won, err)
		}
		held, won, err := s.DecideOnce(ctx, LinkDecision{Action: "triage", SubjectID: 5, Decision: "unsubscribe", DecidedBy: "mallory"})
		if err != nil || won || held.Decision != "order_status" || held.DecidedBy != "ops@desk.example" {
			t.Fatalf("second = %+v, %v, %v; want the first decision held", held, won, err)
		}
		// Another subject or action is its own decision.
		if _, won, err := s.DecideOnce(ctx, LinkDecision{Action: "triage", SubjectID: 6, Decision: "support"}); err != nil || !won {
			t.Fatalf("other subject = %v, %v", won, err)
		}
		if _, won, err := s.DecideOnce(ctx, LinkDecision{Action: "won_lost", SubjectID: 5, Decision: "won"}); err != nil || !won {
			t.Fatalf("other action = %v, %v", won, err)
		}
		if _, err := s.LinkDecision(ctx, "triage", 99); !errors.Is(err, ErrNotFound) {
			t.Fatalf("missing = %v, want ErrNotFound", err)
		}
	})
}

func TestReleaseDecision(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		first, won, err := s.DecideOnce(ctx, LinkDecision{Action: "triage", SubjectID: 5, Decision: "billing", DecidedBy: "link"})
		if err != nil || !won || first.ID == 0 {
			t.Fatalf("first = %+v, %v, %v; want it recorded with its id", first, won, err)
		}
		if held, err := s.LinkDecision(ctx, "triage", 5); err != nil || held.ID != first.ID {
			t.Fatalf("held = %+v, %v; want id %d", held, err, first.ID)
		}
		// Releasing another row (a stale id, another subject) keeps it.
		for _, d := range []LinkDecision{
			{ID: first.ID + 1, Action: "triage", SubjectID: 5},
			{ID: first.ID, Action: "triage", SubjectID: 6},
			{ID: first.ID, Action: "won_lost", SubjectID: 5},
		} {
			if err := s.ReleaseDecision(ctx, d); err != nil {
				t.Fatal(err)
			}
		}
		if held, err := s.LinkDecision(ctx, "triage", 5); err != nil || held.Decision != "billing" {
			t.Fatalf("after releasing others = %+v, %v; want billing held", held, err)
		}
		if err := s.ReleaseDecision(ctx, first); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LinkDecision(ctx, "triage", 5); !errors.Is(err, ErrNotFound) {
			t.Fatalf("after release = %v, want ErrNotFound", err)
		}
		// Released, the subject may be decided again, another way.
		again, won, err := s.DecideOnce(ctx, LinkDecision{Action: "triage", SubjectID: 5, Decision: "support", DecidedBy: "link"})
		if err != nil || !won || again.ID == first.ID {
			t.Fatalf("again = %+v, %v, %v; want a new decision", again, won, err)
		}
		// The first call releasing late leaves the new decision alone.
		if err := s.ReleaseDecision(ctx, first); err != nil {
			t.Fatal(err)
		}
		if held, err := s.LinkDecision(ctx, "triage", 5); err != nil || held.Decision != "support" {
			t.Fatalf("after a late release = %+v, %v; want support held", held, err)
		}
	})
}
