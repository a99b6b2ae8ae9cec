package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func rawMessage(id string) (raw []byte, hash string) {
	raw = []byte("Message-ID: <" + id + ">\r\nSubject: hello\r\n\r\nbody " + id + "\r\n")
	sum := sha256.Sum256(raw)
	return raw, hex.EncodeToString(sum[:])
}

func inbound(mailbox string, uv, uid uint32, msgID string) *InboundMessage {
	raw, hash := rawMessage(msgID)
	return &InboundMessage{Mailbox: mailbox, UIDValidity: uv, UID: uid, MessageID: msgID, ContentHash: hash, Raw: raw,
		ReceivedAt: time.Date(2025, 3, 4, 5, 6, 7, 891011000, time.UTC)}
}

func TestSaveInboundMessage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		m := inbound("sales", 7, 42, "a@example.com")
		id, created, dup, err := s.SaveInboundMessage(ctx, m)
		if err != nil || !created || dup || id == 0 || m.ID != id {
			t.Fatalf("first save = %d, %v, %v, %v; want new row", id, created, dup, err)
		}
		got, err := s.InboundMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := *m
		want.Status, want.Size = InboundStored, int64(len(m.Raw))
		if fmt.Sprint(*got) != fmt.Sprint(want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", *got, want)
		}

		// The same key again: the existing row, nothing new.
		id2, created, dup, err := s.SaveInboundMessage(ctx, inbound("sales", 7, 42, "other@example.com"))
		if err != nil || created || dup || id2 != id {
			t.Fatalf("same key = %d, %v, %v, %v; want existing %d", id2, created, dup, err, id)
		}
		// Same UID in another mailbox or UIDVALIDITY is a different message.
		for _, other := range []*InboundMessage{inbound("support", 7, 42, "b@example.com"), inbound("sales", 8, 42, "c@example.com")} {
			if _, created, _, err := s.SaveInboundMessage(ctx, other); err != nil || !created {
				t.Errorf("save %s/%d/%d = %v, %v; want created", other.Mailbox, other.UIDValidity, other.UID, created, err)
			}
		}
	})
}

func TestSaveInboundMessageDuplicateAcrossUIDValidity(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		first := inbound("sales", 1, 10, "dup@example.com")
		id, _, _, err := s.SaveInboundMessage(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		// After a UIDVALIDITY reset the same message comes back with a new key.
		rescan := inbound("sales", 2, 3, "dup@example.com")
		got, created, dup, err := s.SaveInboundMessage(ctx, rescan)
		if err != nil || created || !dup || got != id {
			t.Fatalf("rescan = %d, %v, %v, %v; want duplicate of %d", got, created, dup, err, id)
		}
		// Same Message-ID, different content: a new message.
		changed := inbound("sales", 2, 4, "dup@example.com")
		changed.ContentHash = "different"
		if _, created, dup, err := s.SaveInboundMessage(ctx, changed); err != nil || !created || dup {
			t.Fatalf("changed content = %v, %v, %v; want created", created, dup, err)
		}
		// Without a Message-ID nothing is deduplicated.
		noID := inbound("sales", 3, 1, "")
		if _, created, dup, err := s.SaveInboundMessage(ctx, noID); err != nil || !created || dup {
			t.Fatalf("no message-id = %v, %v, %v; want created", created, dup, err)
		}
		// Another mailbox never counts as a duplicate.
		other := inbound("support", 2, 3, "dup@example.com")
		if _, created, dup, err := s.SaveInboundMessage(ctx, other); err != nil || !created || dup {
			t.Fatalf("other mailbox = %v, %v, %v; want created", created, dup, err)
		}
	})
}

func TestSaveInboundMessageConcurrent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		const n = 8
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			created int
			ids     = map[int64]bool{}
		)
		errs := make(chan error, n)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, c, _, err := s.SaveInboundMessage(ctx, inbound("sales", 5, 99, "race@example.com"))
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				defer mu.Unlock()
				ids[id] = true
				if c {
					created++
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if created != 1 || len(ids) != 1 {
			t.Fatalf("8 concurrent saves: created=%d distinct ids=%d; want exactly one row", created, len(ids))
		}
		var rows int
		if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM inbound_messages").Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("rows = %d, %v; want 1", rows, err)
		}
	})
}

func TestInboundNotFound(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		if _, err := s.InboundMessage(ctx, 12345); !errors.Is(err, ErrNotFound) {
			t.Errorf("InboundMessage(missing) = %v, want ErrNotFound", err)
		}
		if err := s.SetInboundStatus(ctx, 12345, InboundProcessed, ""); !errors.Is(err, ErrNotFound) {
			t.Errorf("SetInboundStatus(missing) = %v, want ErrNotFound", err)
		}
	})
}

func TestSetInboundStatus(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		id, _, _, err := s.SaveInboundMessage(ctx, inbound("sales", 1, 1, "s@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.SetInboundStatus(ctx, id, InboundQuarantined, "parse budget exceeded"); err != nil {
			t.Fatal(err)
		}
		got, err := s.InboundMessage(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != InboundQuarantined || got.Reason != "parse budget exceeded" {
			t.Errorf("status = %q, %q", got.Status, got.Reason)
		}
	})
}

func TestMailboxStateNeverGoesBackwards(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		if _, found, err := s.MailboxState(ctx, "sales"); err != nil || found {
			t.Fatalf("fresh mailbox: found=%v err=%v", found, err)
		}
		sync := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
		steps := []struct {
			name    string
			save    MailboxState
			wantUV  uint32
			wantUID uint32
		}{
			{name: "first", save: MailboxState{UIDValidity: 10, LastUID: 5}, wantUV: 10, wantUID: 5},
			{name: "forward", save: MailboxState{UIDValidity: 10, LastUID: 9}, wantUV: 10, wantUID: 9},
			{name: "stale writer", save: MailboxState{UIDValidity: 10, LastUID: 3}, wantUV: 10, wantUID: 9},
			{name: "same", save: MailboxState{UIDValidity: 10, LastUID: 9}, wantUV: 10, wantUID: 9},
			{name: "uidvalidity reset", save: MailboxState{UIDValidity: 11, LastUID: 2}, wantUV: 11, wantUID: 2},
			{name: "forward after reset", save: MailboxState{UIDValidity: 11, LastUID: 4}, wantUV: 11, wantUID: 4},
		}
		for _, step := range steps {
			step.save.Mailbox, step.save.LastSyncAt = "sales", sync
			if err := s.SaveMailboxState(ctx, step.save); err != nil {
				t.Fatalf("%s: %v", step.name, err)
			}
			got, found, err := s.MailboxState(ctx, "sales")
			if err != nil || !found {
				t.Fatalf("%s: found=%v err=%v", step.name, found, err)
			}
			if got.UIDValidity != step.wantUV || got.LastUID != step.wantUID || !got.LastSyncAt.Equal(sync) {
				t.Errorf("%s: got %+v, want uidvalidity %d last uid %d", step.name, got, step.wantUV, step.wantUID)
			}
			sync = sync.Add(time.Second)
		}
		if _, found, _ := s.MailboxState(ctx, "other"); found {
			t.Error("another mailbox shares the checkpoint")
		}
	})
}

func TestFetchFailureAndQuarantine(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		if q, err := s.IsQuarantined(ctx, "sales", 1, 7); err != nil || q {
			t.Fatalf("fresh uid quarantined=%v err=%v", q, err)
		}
		for want := 1; want <= 3; want++ {
			got, err := s.RecordFetchFailure(ctx, "sales", 1, 7, fmt.Sprintf("timeout %d", want))
			if err != nil || got != want {
				t.Fatalf("attempt %d: got %d, %v", want, got, err)
			}
		}
		// Other UIDs count separately.
		if got, err := s.RecordFetchFailure(ctx, "sales", 1, 8, "x"); err != nil || got != 1 {
			t.Fatalf("other uid: %d, %v", got, err)
		}
		if got, err := s.RecordFetchFailure(ctx, "sales", 2, 7, "x"); err != nil || got != 1 {
			t.Fatalf("other uidvalidity: %d, %v", got, err)
		}
		raw := []byte("broken\r\n")
		if err := s.Quarantine(ctx, "sales", 1, 7, "3 failed attempts: timeout 3", raw); err != nil {
			t.Fatal(err)
		}
		f, err := s.InboundFailure(ctx, "sales", 1, 7)
		if err != nil {
			t.Fatal(err)
		}
		if !f.Quarantined || f.Attempts != 3 || f.Reason != "3 failed attempts: timeout 3" || string(f.Raw) != string(raw) || f.QuarantinedAt.IsZero() {
			t.Errorf("after quarantine: %+v", f)
		}
		if q, err := s.IsQuarantined(ctx, "sales", 1, 7); err != nil || !q {
			t.Errorf("IsQuarantined = %v, %v; want true", q, err)
		}
		// Quarantine without a prior failure and without raw bytes.
		if err := s.Quarantine(ctx, "sales", 1, 20, "too large", nil); err != nil {
			t.Fatal(err)
		}
		if f, err := s.InboundFailure(ctx, "sales", 1, 20); err != nil || !f.Quarantined || f.Raw != nil {
			t.Errorf("direct quarantine: %+v, %v", f, err)
		}
		if _, err := s.InboundFailure(ctx, "sales", 9, 9); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing failure: %v, want ErrNotFound", err)
		}
	})
}

func BenchmarkSaveInboundMessage(b *testing.B) {
	for _, d := range []Dialect{SQLite, Postgres} {
		b.Run(string(d), func(b *testing.B) {
			s := openTest(b, d)
			ctx := testCtx(b)
			raw := make([]byte, 8<<10)
			b.SetBytes(int64(len(raw)))
			b.ReportAllocs()
			b.ResetTimer()
			uid := uint32(0)
			for b.Loop() {
				uid++
				m := &InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uid, MessageID: fmt.Sprintf("m%d@example.com", uid),
					ContentHash: fmt.Sprintf("%064d", uid), Raw: raw}
				if _, created, _, err := s.SaveInboundMessage(ctx, m); err != nil || !created {
					b.Fatalf("save: %v %v", created, err)
				}
			}
		})
	}
}

func TestInboundMessages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		for _, m := range []*InboundMessage{
			{Mailbox: "sales", UIDValidity: 1, UID: 9, MessageID: "a@x", Raw: []byte("a")},
			{Mailbox: "other", UIDValidity: 1, UID: 1, Raw: []byte("b")},
			{Mailbox: "sales", UIDValidity: 2, UID: 3, Raw: []byte("cc")},
		} {
			if _, _, _, err := s.SaveInboundMessage(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.InboundMessages(ctx, "sales")
		if err != nil || len(got) != 2 {
			t.Fatalf("InboundMessages = %+v, %v; want 2", got, err)
		}
		if got[0].UID != 9 || got[0].MessageID != "a@x" || got[1].UIDValidity != 2 || string(got[1].Raw) != "cc" || got[1].Size != 2 {
			t.Errorf("InboundMessages = %+v", got)
		}
		if none, err := s.InboundMessages(ctx, "empty"); err != nil || len(none) != 0 {
			t.Errorf("InboundMessages of an empty mailbox = %v, %v", none, err)
		}
	})
}

func TestSaveInboundMessages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		old := inbound("sales", 1, 10, "dup@example.com")
		if _, _, _, err := s.SaveInboundMessage(ctx, old); err != nil {
			t.Fatal(err)
		}
		kept := inbound("sales", 2, 5, "kept@example.com")
		if _, _, _, err := s.SaveInboundMessage(ctx, kept); err != nil {
			t.Fatal(err)
		}
		ms := []*InboundMessage{
			inbound("sales", 2, 5, "other@example.com"), // the key exists: kept's row
			inbound("sales", 2, 6, "new@example.com"),   // a new row
			inbound("sales", 2, 7, "dup@example.com"),   // stored under uid_validity 1
			inbound("sales", 2, 8, "new2@example.com"),  // a new row
		}
		got, err := s.SaveInboundMessages(ctx, ms)
		if err != nil {
			t.Fatal(err)
		}
		want := []SavedInbound{{ID: kept.ID}, {ID: ms[1].ID, Created: true}, {ID: old.ID, Duplicate: true}, {ID: ms[3].ID, Created: true}}
		if fmt.Sprint(got) != fmt.Sprint(want) || ms[1].ID == 0 || ms[3].ID == 0 || ms[1].ID == ms[3].ID {
			t.Fatalf("results %+v, want %+v (new ids %d, %d)", got, want, ms[1].ID, ms[3].ID)
		}
		for i, m := range ms {
			if m.ID != got[i].ID {
				t.Errorf("message %d: ID %d, result %d", i, m.ID, got[i].ID)
			}
		}
		rows, err := s.InboundMessages(ctx, "sales")
		if err != nil || len(rows) != 4 {
			t.Fatalf("%d rows, %v; want 4 (two before, two new)", len(rows), err)
		}

	})
}
