package store

import (
	"bytes"
	"errors"
	"sync"
	"testing"
)

func TestSaveInboundAttachment(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		m := inbound("sales", 1, 1, "att@example.com")
		if _, _, _, err := s.SaveInboundMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		pdf := []byte("%PDF-1.4 quote\x00\xff")
		in := []*InboundAttachment{
			{InboundMessageID: m.ID, Position: 0, Name: "quote.pdf", ContentType: "application/pdf",
				Size: int64(len(pdf)), SHA256: "aa", Content: pdf},
			{InboundMessageID: m.ID, Position: 1, Name: "logo.png", ContentType: "image/png", Size: 0, Inline: true,
				ContentID: "logo@x", SHA256: "bb"},
			{InboundMessageID: m.ID, Position: 2, Name: "huge.zip", ContentType: "application/zip", Size: 50 << 20,
				SHA256: "cc", Truncated: true, Content: []byte("ignored")},
		}
		// Saved out of order: the list is in message order all the same.
		for _, i := range []int{2, 0, 1} {
			id, created, err := s.SaveInboundAttachment(ctx, in[i])
			if err != nil || !created || id == 0 || in[i].ID != id {
				t.Fatalf("save %s = %d, %v, %v; want a new row", in[i].Name, id, created, err)
			}
		}

		got, err := s.InboundAttachments(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(in) {
			t.Fatalf("listed %d attachments, want %d", len(got), len(in))
		}
		for i, g := range got {
			w := *in[i]
			if g.ID != w.ID || g.InboundMessageID != m.ID || g.Position != i || g.Name != w.Name ||
				g.ContentType != w.ContentType || g.Size != w.Size || g.Inline != w.Inline ||
				g.ContentID != w.ContentID || g.SHA256 != w.SHA256 || g.Truncated != w.Truncated {
				t.Errorf("attachment %d:\n got %+v\nwant %+v", i, g, w)
			}
			if g.Content != nil {
				t.Errorf("attachment %d: the list carries content", i)
			}
			if g.CreatedAt.IsZero() {
				t.Errorf("attachment %d: no created_at", i)
			}
		}

		one, err := s.InboundAttachment(ctx, in[0].ID)
		if err != nil || one.Name != "quote.pdf" || one.Content != nil {
			t.Errorf("InboundAttachment = %+v, %v", one, err)
		}

		content, err := s.InboundAttachmentContent(ctx, in[0].ID)
		if err != nil || !bytes.Equal(content, pdf) {
			t.Errorf("content = %q, %v; want %q", content, err, pdf)
		}
		// A stored empty file is stored, not missing.
		content, err = s.InboundAttachmentContent(ctx, in[1].ID)
		if err != nil || content == nil || len(content) != 0 {
			t.Errorf("empty content = %#v, %v; want empty", content, err)
		}
		// Over the cap: listed, content not kept even when passed.
		if content, err := s.InboundAttachmentContent(ctx, in[2].ID); !errors.Is(err, ErrNoContent) || content != nil {
			t.Errorf("truncated content = %q, %v; want ErrNoContent", content, err)
		}
		var stored int
		if err := s.db.QueryRowContext(ctx, s.rebind(
			"SELECT COUNT(*) FROM inbound_attachments WHERE id = ? AND content IS NULL"), in[2].ID).Scan(&stored); err != nil || stored != 1 {
			t.Errorf("truncated row has content (null rows %d, %v)", stored, err)
		}
	})
}

func TestSaveInboundAttachmentIdempotent(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		m := inbound("sales", 1, 1, "again@example.com")
		if _, _, _, err := s.SaveInboundMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		first := &InboundAttachment{InboundMessageID: m.ID, Position: 0, Name: "a.txt", ContentType: "text/plain",
			Size: 2, SHA256: "x", Content: []byte("hi")}
		id, created, err := s.SaveInboundAttachment(ctx, first)
		if err != nil || !created {
			t.Fatalf("first save = %v, %v", created, err)
		}
		again := &InboundAttachment{InboundMessageID: m.ID, Position: 0, Name: "other.txt", Content: []byte("changed")}
		id2, created, err := s.SaveInboundAttachment(ctx, again)
		if err != nil || created || id2 != id || again.ID != id {
			t.Fatalf("same position again = %d, %v, %v; want existing %d", id2, created, err, id)
		}
		got, err := s.InboundAttachments(ctx, m.ID)
		if err != nil || len(got) != 1 || got[0].Name != "a.txt" {
			t.Fatalf("after a repeat: %+v, %v; want the first row only", got, err)
		}
		if c, err := s.InboundAttachmentContent(ctx, id); err != nil || string(c) != "hi" {
			t.Errorf("content after a repeat = %q, %v", c, err)
		}

		// Concurrent saves of one new position make one row.
		const n = 6
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			creates  int
			ids      = map[int64]bool{}
			firstErr error
		)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id, created, err := s.SaveInboundAttachment(ctx, &InboundAttachment{InboundMessageID: m.ID, Position: 1, Name: "b"})
				mu.Lock()
				defer mu.Unlock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if created {
					creates++
				}
				ids[id] = true
			}()
		}
		wg.Wait()
		if firstErr != nil || creates != 1 || len(ids) != 1 {
			t.Errorf("concurrent saves: %d created, ids %v, err %v; want one row", creates, ids, firstErr)
		}
	})
}

func TestInboundAttachmentMissing(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		if _, _, err := s.SaveInboundAttachment(ctx, &InboundAttachment{InboundMessageID: 999, Name: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("save for a missing message: %v, want ErrNotFound", err)
		}
		if _, err := s.InboundAttachment(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("InboundAttachment(999): %v, want ErrNotFound", err)
		}
		if _, err := s.InboundAttachmentContent(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("InboundAttachmentContent(999): %v, want ErrNotFound", err)
		}
		if got, err := s.InboundAttachments(ctx, 999); err != nil || len(got) != 0 {
			t.Errorf("InboundAttachments(999) = %v, %v; want none", got, err)
		}
	})
}

func TestInboundAttachmentsDeletedWithTheirMessage(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		m := inbound("sales", 1, 1, "gone@example.com")
		if _, _, _, err := s.SaveInboundMessage(ctx, m); err != nil {
			t.Fatal(err)
		}
		a := &InboundAttachment{InboundMessageID: m.ID, Name: "a", Content: []byte("a")}
		if _, _, err := s.SaveInboundAttachment(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, err := s.db.ExecContext(ctx, s.rebind("DELETE FROM inbound_messages WHERE id = ?"), m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.InboundAttachment(ctx, a.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("attachment outlived its message: %v", err)
		}
	})
}
