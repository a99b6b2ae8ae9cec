package store

import (
	"fmt"
	"maps"
	"testing"
	"time"
)

func TestTrafficCounts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		since := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		until := since.Add(time.Hour)
		uid := uint32(0)
		inbound := func(at time.Time, from string) {
			t.Helper()
			uid++
			id, _, _, err := s.SaveInboundMessage(ctx, &InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uid,
				Raw: []byte(fmt.Sprintf("Subject: %d\r\n\r\nhi\r\n", uid)), ReceivedAt: at})
			if err != nil {
				t.Fatal(err)
			}
			if from != "-" {
				if err := s.SetInboundParsed(ctx, id, ParsedInbound{From: from, Kind: KindHuman}); err != nil {
					t.Fatal(err)
				}
			}
		}
		inbound(since.Add(-time.Second), "early@cust.example") // before
		inbound(since, "Ann@Cust.example")                     // the first instant counts
		inbound(since.Add(10*time.Minute), "ann@cust.example")
		inbound(since.Add(20*time.Minute), "bob@cust.example")
		inbound(since.Add(30*time.Minute), "-") // not parsed: no sender
		inbound(until, "late@cust.example")     // the end is excluded

		seq := 0
		outbound := func(sent time.Time, bounced bool) {
			t.Helper()
			seq++
			key := fmt.Sprintf("t:%d", seq)
			o := &OutboundEmail{IdempotencyKey: key, MessageID: key + "@desk.example", To: []string{"c@cust.example"}, Subject: "x"}
			if _, _, err := s.CreateOutbound(ctx, o); err != nil {
				t.Fatal(err)
			}
			if sent.IsZero() {
				return // queued, never sent
			}
			if err := s.MarkOutboundSent(ctx, o.ID, sent); err != nil {
				t.Fatal(err)
			}
			if bounced {
				if err := s.MarkOutboundBounced(ctx, o.ID, "550 no such user"); err != nil {
					t.Fatal(err)
				}
			}
		}
		outbound(since.Add(time.Minute), false)
		outbound(since.Add(2*time.Minute), false)
		outbound(since.Add(3*time.Minute), true)
		outbound(since.Add(-time.Minute), true) // before
		outbound(time.Time{}, false)

		if n, err := s.CountInbound(ctx, since, until); err != nil || n != 4 {
			t.Errorf("CountInbound = %d, %v; want 4", n, err)
		}
		if n, err := s.CountInbound(ctx, until, until.Add(time.Hour)); err != nil || n != 1 {
			t.Errorf("CountInbound of the next hour = %d, %v; want 1", n, err)
		}
		want := map[string]int{"ann@cust.example": 2, "bob@cust.example": 1}
		if got, err := s.InboundBySender(ctx, since, until); err != nil || !maps.Equal(got, want) {
			t.Errorf("InboundBySender = %v, %v; want %v", got, err, want)
		}
		want = map[string]int{OutboundSent: 2, OutboundBounced: 1}
		if got, err := s.OutboundByStatus(ctx, since, until); err != nil || !maps.Equal(got, want) {
			t.Errorf("OutboundByStatus = %v, %v; want %v", got, err, want)
		}
	})
}
