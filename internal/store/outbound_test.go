package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func outboundMail(key, msgID string) *OutboundEmail {
	return &OutboundEmail{
		IdempotencyKey: key, MessageID: msgID, Kind: "ack",
		From: "sales@example.net", ReplyTo: "sales@example.net", To: []string{"ann@example.com"},
		Cc: []string{"Bob <bob@example.com>"}, Subject: "Re: where is my order [SD-1]",
		BodyText: "Thanks", BodyHTML: "<p>Thanks</p>", InReplyTo: "<orig@example.com>",
		References:  []string{"first@example.com", "orig@example.com"},
		Attachments: []Attachment{{Name: "invite.ics", ContentType: "text/calendar", Data: []byte("BEGIN:VCALENDAR")}},
	}
}

func TestCreateOutbound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		o := outboundMail("ack:inquiry:1", "<m1@salesdesk.example.net>")
		id, created, err := s.CreateOutbound(ctx, o)
		if err != nil || !created || id == 0 || o.ID != id {
			t.Fatalf("create = %d, %v, %v", id, created, err)
		}
		got, err := s.Outbound(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.MessageID != "m1@salesdesk.example.net" || got.InReplyTo != "orig@example.com" || got.Status != OutboundQueued ||
			!reflect.DeepEqual(got.To, o.To) || !reflect.DeepEqual(got.Cc, o.Cc) ||
			!reflect.DeepEqual(got.References, o.References) || !reflect.DeepEqual(got.Attachments, o.Attachments) ||
			got.Subject != o.Subject || got.BodyHTML != o.BodyHTML || got.CreatedAt.IsZero() {
			t.Errorf("round trip: %+v", got)
		}

		// The same idempotency key: the existing row, unchanged.
		again := outboundMail("ack:inquiry:1", "m2@salesdesk.example.net")
		again.Subject = "changed"
		id2, created, err := s.CreateOutbound(ctx, again)
		if err != nil || created || id2 != id {
			t.Fatalf("same key = %d, %v, %v; want existing %d", id2, created, err, id)
		}
		if got, _ := s.Outbound(ctx, id); got.Subject != o.Subject {
			t.Errorf("existing row changed: subject %q", got.Subject)
		}
		// Another key with a Message-ID already used is a conflict.
		_, _, err = s.CreateOutbound(ctx, outboundMail("ack:inquiry:2", "m1@salesdesk.example.net"))
		if !errors.Is(err, ErrConflict) {
			t.Errorf("reused message-id: %v, want ErrConflict", err)
		}
		if IsRetryable(err) {
			t.Errorf("IsRetryable(conflict) = true")
		}

		byMsg, err := s.OutboundByMessageID(ctx, "<m1@salesdesk.example.net>")
		if err != nil || byMsg.ID != id {
			t.Errorf("by message-id = %v, %v", byMsg, err)
		}
		byKey, err := s.OutboundByIdempotencyKey(ctx, "ack:inquiry:1")
		if err != nil || byKey.ID != id {
			t.Errorf("by key = %v, %v", byKey, err)
		}
		if _, err := s.OutboundByMessageID(ctx, "nope@x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing message-id: %v", err)
		}
		if _, err := s.Outbound(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing id: %v", err)
		}
	})
}

func TestCreateOutboundValidates(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		tests := []struct {
			name string
			edit func(o *OutboundEmail)
		}{
			{name: "no key", edit: func(o *OutboundEmail) { o.IdempotencyKey = "" }},
			{name: "no message-id", edit: func(o *OutboundEmail) { o.MessageID = "" }},
			{name: "no recipient", edit: func(o *OutboundEmail) { o.To = nil }},
			{name: "header injection", edit: func(o *OutboundEmail) { o.To = []string{"a@x\r\nBcc: evil@x"} }},
		}
		for _, tt := range tests {
			o := outboundMail("k-"+tt.name, "id-"+tt.name+"@x")
			tt.edit(o)
			if _, _, err := s.CreateOutbound(ctx, o); err == nil {
				t.Errorf("%s: created, want error", tt.name)
			}
		}
	})
}

func TestOutboundLifecycle(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		id, _, err := s.CreateOutbound(ctx, outboundMail("k1", "m1@x"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.RecordOutboundAttempt(ctx, id, "421 try later"); err != nil {
			t.Fatal(err)
		}
		sentAt := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
		if err := s.MarkOutboundSent(ctx, id, sentAt); err != nil {
			t.Fatal(err)
		}
		// A repeated send, or a late failure, does not undo "sent".
		if err := s.MarkOutboundSent(ctx, id, sentAt.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.MarkOutboundFailed(ctx, id, "550 late"); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Outbound(ctx, id)
		if got.Status != OutboundSent || got.Attempts != 2 || !got.SentAt.Equal(sentAt) || got.Error != "" {
			t.Errorf("after send: status %s attempts %d sent %v error %q", got.Status, got.Attempts, got.SentAt, got.Error)
		}
		if err := s.MarkOutboundBounced(ctx, id, "550 no such user"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Outbound(ctx, id)
		if got.Status != OutboundBounced || got.BouncedAt.IsZero() || got.Error != "550 no such user" {
			t.Errorf("after bounce: %+v", got)
		}

		id2, _, _ := s.CreateOutbound(ctx, outboundMail("k2", "m2@x"))
		if err := s.MarkOutboundFailed(ctx, id2, "550 mailbox unavailable"); err != nil {
			t.Fatal(err)
		}
		got, _ = s.Outbound(ctx, id2)
		if got.Status != OutboundFailed || got.Error != "550 mailbox unavailable" || got.Attempts != 1 {
			t.Errorf("after failure: %+v", got)
		}

		for name, err := range map[string]error{
			"sent":    s.MarkOutboundSent(ctx, 999, time.Time{}),
			"failed":  s.MarkOutboundFailed(ctx, 999, ""),
			"bounced": s.MarkOutboundBounced(ctx, 999, ""),
			"attempt": s.RecordOutboundAttempt(ctx, 999, ""),
		} {
			if !errors.Is(err, ErrNotFound) {
				t.Errorf("mark %s on missing row: %v, want ErrNotFound", name, err)
			}
		}

		list, err := s.ListOutbound(ctx, OutboundFilter{Status: OutboundFailed})
		if err != nil || len(list) != 1 || list[0].ID != id2 {
			t.Errorf("list failed = %v, %v", list, err)
		}
		list, err = s.ListOutbound(ctx, OutboundFilter{To: "ann@example.com", Kind: "ack"})
		if err != nil || len(list) != 2 {
			t.Errorf("list to ann = %d rows, %v", len(list), err)
		}
	})
}
