package store

import (
	"testing"
	"time"
)

func TestPendingWork(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		waiting, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "a@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		done, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 2, "b@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetInboundStatus(ctx, done, InboundProcessed, ""); err != nil {
			t.Fatal(err)
		}
		queued, _, err := s.CreateOutbound(ctx, &OutboundEmail{IdempotencyKey: "k1", MessageID: "m1@d.example",
			From: "s@d.example", To: []string{"c@example.com"}, Subject: "s", BodyText: "b"})
		if err != nil {
			t.Fatal(err)
		}
		sent, _, err := s.CreateOutbound(ctx, &OutboundEmail{IdempotencyKey: "k2", MessageID: "m2@d.example",
			From: "s@d.example", To: []string{"c@example.com"}, Subject: "s", BodyText: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MarkOutboundSent(ctx, sent, time.Now()); err != nil {
			t.Fatal(err)
		}

		later := time.Now().Add(time.Hour)
		in, err := s.PendingInboundBefore(ctx, later, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(in) != 1 || in[0].ID != waiting || in[0].Mailbox != "sales" || in[0].UIDValidity != 1 || in[0].UID != 1 {
			t.Errorf("pending inbound = %+v, want only message %d", in, waiting)
		}
		out, err := s.QueuedOutboundBefore(ctx, later, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(out) != 1 || out[0] != queued {
			t.Errorf("queued outbound = %v, want only %d", out, queued)
		}
		// Rows written after the cut-off are not counted as lost.
		earlier := time.Now().Add(-time.Hour)
		if in, _ := s.PendingInboundBefore(ctx, earlier, 10); len(in) != 0 {
			t.Errorf("pending inbound before an hour ago = %+v, want none", in)
		}
		if out, _ := s.QueuedOutboundBefore(ctx, earlier, 10); len(out) != 0 {
			t.Errorf("queued outbound before an hour ago = %v, want none", out)
		}
	})
}
