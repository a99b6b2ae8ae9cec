package store

import (
	"errors"
	"testing"
	"time"
)

func TestDeskSignInsAndRoles(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		id, err := s.CreateRep(ctx, &Rep{Email: "rita@ourco.example", Name: "Rita", Active: true, Weight: 1})
		if err != nil {
			t.Fatal(err)
		}
		if role, err := s.RepRole(ctx, id); err != nil || role != RoleRep {
			t.Fatalf("default role %q, %v", role, err)
		}
		if err := s.SetRepRole(ctx, "RITA@ourco.example", RoleManager); err != nil {
			t.Fatal(err)
		}
		if role, _ := s.RepRole(ctx, id); role != RoleManager {
			t.Fatalf("role %q after set", role)
		}
		if err := s.SetRepRole(ctx, "nobody@ourco.example", RoleManager); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown rep: %v", err)
		}

		now := time.Now().UTC().Truncate(time.Second)
		if err := s.CreateSignIn(ctx, "h1", id, "/desk/leads/1", now.Add(15*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateSignIn(ctx, "h2", id, "", now.Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.SignInsSince(ctx, id, now.Add(-time.Hour)); n != 2 {
			t.Fatalf("%d sign-ins in the hour", n)
		}
		if _, err := s.UseSignIn(ctx, "h2", now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("expired sign-in used: %v", err)
		}
		si, err := s.UseSignIn(ctx, "h1", now)
		if err != nil || si.RepID != id || si.Next != "/desk/leads/1" {
			t.Fatalf("use: %+v %v", si, err)
		}
		if _, err := s.UseSignIn(ctx, "h1", now); !errors.Is(err, ErrNotFound) {
			t.Fatalf("second use: %v", err)
		}
	})
}

func TestDeskAlertsThreadSearch(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		a := &Alert{DedupeKey: "k1", Kind: "complaint_burst", Subject: "Complaints"}
		if _, _, err := s.CreateAlert(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateAlert(ctx, &Alert{DedupeKey: "k2", Kind: "bounce_rate", Subject: "Bounces"}); err != nil {
			t.Fatal(err)
		}
		if err := s.AcknowledgeAlert(ctx, a.ID, "mia"); err != nil {
			t.Fatal(err)
		}
		acked, err := s.ListDeskAlerts(ctx, AlertFilter{Status: AlertAcknowledged})
		if err != nil || len(acked) != 1 || acked[0].AcknowledgedBy != "mia" || acked[0].AcknowledgedAt.IsZero() {
			t.Fatalf("acknowledged: %+v %v", acked, err)
		}
		active, _ := s.ListDeskAlerts(ctx, AlertFilter{Status: "active"})
		byKind, _ := s.ListDeskAlerts(ctx, AlertFilter{Status: "active", Kind: "bounce_rate"})
		if len(active) != 2 || len(byKind) != 1 {
			t.Fatalf("active %d, by kind %d", len(active), len(byKind))
		}
		if kinds, _ := s.AlertKinds(ctx); len(kinds) != 2 || kinds[0] != "bounce_rate" {
			t.Fatalf("kinds %v", kinds)
		}

		inID, _, _, err := s.SaveInboundMessage(ctx, &InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 7, Raw: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetInboundParsed(ctx, inID, ParsedInbound{From: "ann@acme.com", Subject: "Flanges", Text: "Need 400 stainless flanges 50%_off"}); err != nil {
			t.Fatal(err)
		}
		q := &Inquiry{InboundMessageID: inID, ContactEmail: "ann@acme.com", Subject: "Flanges"}
		if _, _, err := s.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.CreateOutbound(ctx, &OutboundEmail{IdempotencyKey: "ack:x", MessageID: "m1@ourco.example",
			InquiryID: q.ID, From: "sales@ourco.example", To: []string{"ann@acme.com"}, Subject: "Re: Flanges", BodyText: "Thanks"}); err != nil {
			t.Fatal(err)
		}
		mails, err := s.ThreadMails(ctx, q.ID)
		if err != nil || len(mails) != 2 || mails[0].Outbound == mails[1].Outbound {
			t.Fatalf("thread: %+v %v", mails, err)
		}
		q, _ = s.Inquiry(ctx, q.ID)
		for _, words := range []string{q.Reference, "STAINLESS flanges", "ann@acme.com", "50%_off"} {
			hits, err := s.Search(ctx, words, 10)
			if err != nil || len(hits) == 0 || hits[0].ID != q.ID {
				t.Errorf("search %q: %+v %v", words, hits, err)
			}
		}
		if hits, _ := s.Search(ctx, "stainless 100%", 10); len(hits) != 0 {
			t.Errorf("wildcard matched: %+v", hits)
		}
	})
}
