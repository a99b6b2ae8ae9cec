package store

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestCreateInquiry(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		msgID, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "q1@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		q := &Inquiry{InboundMessageID: msgID, ContactEmail: "Ann@Example.com", Subject: "Where is SO-1?",
			Category: "order_status", Confidence: 0.93}
		id, created, err := s.CreateInquiry(ctx, q)
		if err != nil || !created || id == 0 {
			t.Fatalf("create = %d, %v, %v", id, created, err)
		}
		if q.Reference != fmt.Sprintf("SD-%d", id) || q.ThreadID != id || q.Status != InquiryNew ||
			q.ContactEmail != "ann@example.com" || q.Confidence != 0.93 {
			t.Errorf("created inquiry: %+v", q)
		}
		// Unique per inbound message.
		id2, created, err := s.CreateInquiry(ctx, &Inquiry{InboundMessageID: msgID, Subject: "other"})
		if err != nil || created || id2 != id {
			t.Fatalf("same inbound = %d, %v, %v; want existing %d", id2, created, err, id)
		}
		// A reply joins the parent's thread.
		replyMsg, _, _, _ := s.SaveInboundMessage(ctx, inbound("sales", 1, 2, "q2@example.com"))
		reply := &Inquiry{InboundMessageID: replyMsg, ParentID: id, ContactEmail: "ann@example.com"}
		if _, _, err := s.CreateInquiry(ctx, reply); err != nil {
			t.Fatal(err)
		}
		if reply.ThreadID != id || reply.ParentID != id {
			t.Errorf("reply thread %d parent %d, want %d", reply.ThreadID, reply.ParentID, id)
		}
		thread, err := s.InquiryThread(ctx, id)
		if err != nil || len(thread) != 2 || thread[0].ID != id || thread[1].ID != reply.ID {
			t.Errorf("thread = %+v, %v", thread, err)
		}
		// Lookups.
		if got, err := s.InquiryByReference(ctx, q.Reference); err != nil || got.ID != id {
			t.Errorf("by reference: %v, %v", got, err)
		}
		if got, err := s.InquiryByInboundMessage(ctx, msgID); err != nil || got.ID != id {
			t.Errorf("by inbound: %v, %v", got, err)
		}
		if got, err := s.InquiryByMessageID(ctx, "<q2@example.com>"); err != nil || got.ID != reply.ID {
			t.Errorf("by inbound message-id: %v, %v", got, err)
		}
		if _, _, err := s.CreateOutbound(ctx, &OutboundEmail{IdempotencyKey: "ack", MessageID: "ack1@sd", InquiryID: id,
			To: []string{"ann@example.com"}}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.InquiryByMessageID(ctx, "ack1@sd"); err != nil || got.ID != id {
			t.Errorf("by outbound message-id: %v, %v", got, err)
		}
		if _, err := s.InquiryByMessageID(ctx, "unknown@x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown message-id: %v", err)
		}
		// An inquiry without a mail, and one with an unknown parent.
		if _, created, err := s.CreateInquiry(ctx, &Inquiry{Subject: "from the API"}); err != nil || !created {
			t.Errorf("API inquiry: %v, %v", created, err)
		}
		if _, _, err := s.CreateInquiry(ctx, &Inquiry{ParentID: 9999}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown parent: %v, want ErrNotFound", err)
		}
		// A duplicate explicit reference is a conflict.
		if _, _, err := s.CreateInquiry(ctx, &Inquiry{Reference: q.Reference}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate reference: %v, want ErrConflict", err)
		}
	})
}

func TestInquiryUpdatesAndList(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		now := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return now }
		cust, err := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i, cat := range []string{"order_status", "quote_request", "order_status", "complaint"} {
			now = now.Add(time.Hour)
			q := &Inquiry{Category: cat, ContactEmail: fmt.Sprintf("c%d@example.com", i%2)}
			if i%2 == 0 {
				q.CustomerID = cust
			}
			if _, _, err := s.CreateInquiry(ctx, q); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, q.ID)
		}
		if err := s.SetInquiryCategory(ctx, ids[3], "billing", 0.55); err != nil {
			t.Fatal(err)
		}
		if err := s.SetInquiryStatus(ctx, ids[0], InquiryClosed); err != nil {
			t.Fatal(err)
		}
		if err := s.SetInquiryCustomer(ctx, ids[1], cust); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Inquiry(ctx, ids[3])
		if got.Category != "billing" || got.Confidence != 0.55 {
			t.Errorf("after set category: %+v", got)
		}
		got, _ = s.Inquiry(ctx, ids[0])
		if got.Status != InquiryClosed || !got.ClosedAt.Equal(now) {
			t.Errorf("after close: %+v", got)
		}
		if err := s.SetInquiryStatus(ctx, ids[0], InquiryRouted); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.Inquiry(ctx, ids[0]); !got.ClosedAt.IsZero() {
			t.Errorf("reopened inquiry keeps closed_at %v", got.ClosedAt)
		}

		tests := []struct {
			name string
			f    InquiryFilter
			want []int64
		}{
			{name: "all newest first", f: InquiryFilter{}, want: []int64{ids[3], ids[2], ids[1], ids[0]}},
			{name: "category", f: InquiryFilter{Category: "order_status"}, want: []int64{ids[2], ids[0]}},
			{name: "customer", f: InquiryFilter{CustomerID: cust}, want: []int64{ids[2], ids[1], ids[0]}},
			{name: "contact", f: InquiryFilter{ContactEmail: "C1@example.com"}, want: []int64{ids[3], ids[1]}},
			{name: "status", f: InquiryFilter{Status: InquiryRouted}, want: []int64{ids[0]}},
			{name: "since until", f: InquiryFilter{Since: time.Date(2025, 5, 1, 11, 0, 0, 0, time.UTC),
				Until: time.Date(2025, 5, 1, 13, 0, 0, 0, time.UTC)}, want: []int64{ids[2], ids[1]}},
			{name: "page", f: InquiryFilter{Limit: 2, Offset: 1}, want: []int64{ids[2], ids[1]}},
		}
		for _, tt := range tests {
			list, err := s.ListInquiries(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var gotIDs []int64
			for _, q := range list {
				gotIDs = append(gotIDs, q.ID)
			}
			if fmt.Sprint(gotIDs) != fmt.Sprint(tt.want) {
				t.Errorf("%s: got %v, want %v", tt.name, gotIDs, tt.want)
			}
		}

		for name, err := range map[string]error{
			"category": s.SetInquiryCategory(ctx, 999, "x", 1),
			"status":   s.SetInquiryStatus(ctx, 999, InquiryClosed),
			"customer": s.SetInquiryCustomer(ctx, 999, 0),
		} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("set %s on missing inquiry: %v", name, err)
			}
		}
		if _, err := s.Inquiry(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing inquiry: %v", err)
		}
	})
}

func TestSetInboundParsed(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		id, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "p@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if before, found, err := s.InboundParsed(ctx, id); err != nil || found || before.MessageID != "p@example.com" {
			t.Fatalf("before parsing: found=%v message-id=%q err=%v; want not found, the stored message-id", found,
				before.MessageID, err)
		}
		p := ParsedInbound{From: "Ann@Example.com", FromName: "Ann", To: []string{"sales@example.net"}, Subject: "Hi",
			Date: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC), Kind: KindHuman, Text: "hello\n> old", NewText: "hello",
			InReplyTo: "x@y", References: []string{"w@y", "x@y"}, Warnings: []string{"unknown charset"},
			ParsedAt: time.Date(2025, 1, 1, 8, 0, 1, 0, time.UTC)}
		if err := s.SetInboundParsed(ctx, id, p); err != nil {
			t.Fatal(err)
		}
		got, found, err := s.InboundParsed(ctx, id)
		if err != nil || !found {
			t.Fatal(found, err)
		}
		p.From = "ann@example.com"
		p.MessageID = "p@example.com" // the stored message's, not written by SetInboundParsed
		if fmt.Sprint(got) != fmt.Sprint(p) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, p)
		}
		if ids, err := s.InboundByMessageID(ctx, "<p@example.com>"); err != nil || len(ids) != 1 || ids[0] != id {
			t.Errorf("by message-id: %v, %v", ids, err)
		}
		if err := s.SetInboundParsed(ctx, 999, p); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
	})
}

// TestCreateInquiryIDNotReused: CreateInquiry draws the id itself (one
// insert); like the database's own, it never hands out an id used before,
// even when the newest inquiry is gone.
func TestCreateInquiryIDNotReused(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		first := &Inquiry{Subject: "first"}
		if _, _, err := s.CreateInquiry(ctx, first); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, s.rebind("DELETE FROM inquiries WHERE id = ?"), first.ID); err != nil {
			t.Fatal(err)
		}
		next := &Inquiry{Subject: "next"}
		if _, _, err := s.CreateInquiry(ctx, next); err != nil {
			t.Fatal(err)
		}
		if next.ID <= first.ID || next.Reference != fmt.Sprintf("%s%d", ReferencePrefix, next.ID) || next.ThreadID != next.ID {
			t.Errorf("after deleting %d: %+v, want a new id, its reference and thread", first.ID, next)
		}
	})
}
