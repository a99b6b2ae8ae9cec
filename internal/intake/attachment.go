package intake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/store"
)

// DefaultMaxAttachmentBytes is the largest attachment whose content is
// stored when Options.MaxAttachmentBytes is zero.
const DefaultMaxAttachmentBytes = 10 << 20

// attachmentSaver is the mailparse.AttachmentSink of one Process call: it
// stores each attachment of one inbound message at its position in the
// message. Content up to max bytes is stored; a larger part is listed with
// its size and hash, content NULL and truncated set. Memory per part is
// bounded by max+1, however large the part.
type attachmentSaver struct {
	ctx       context.Context
	st        Store
	log       *slog.Logger
	inboundID int64
	max       int64        // < 0: no content is stored
	stored    map[int]bool // positions stored by an earlier run; nil until the first part
	next      int          // position of the next part
	err       error        // the first failure; Process returns it
}

// newAttachmentSaver prepares the sink for inbound message inboundID. The
// positions an interrupted earlier run stored are read at the first
// attachment, so a mail without any costs no statement here.
func (p *Processor) newAttachmentSaver(ctx context.Context, inboundID int64) *attachmentSaver {
	return &attachmentSaver{ctx: ctx, st: p.st, log: p.log, inboundID: inboundID, max: p.opts.MaxAttachmentBytes}
}

// loadStored reads which positions an earlier run stored.
func (s *attachmentSaver) loadStored() error {
	have, err := s.st.InboundAttachments(s.ctx, s.inboundID)
	if err != nil {
		return err
	}
	s.stored = make(map[int]bool, len(have))
	for _, a := range have {
		s.stored[a.Position] = true
	}
	return nil
}

// save is the sink. After a failure it stores nothing more: the whole
// message is taken in again on the retry, and parts stored before the
// failure are then skipped.
func (s *attachmentSaver) save(a mailparse.Attachment, r io.Reader) error {
	pos := s.next
	s.next++
	if s.err != nil {
		return s.err
	}
	if s.stored == nil {
		if err := s.loadStored(); err != nil {
			s.err = fmt.Errorf("intake: attachments of inbound %d: %w", s.inboundID, err)
			return s.err
		}
	}
	if s.stored[pos] {
		return nil
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return err
	}
	row := s.read(a, r)
	row.Position = pos
	if _, _, err := s.st.SaveInboundAttachment(s.ctx, row); err != nil {
		s.err = fmt.Errorf("intake: store attachment %d of inbound %d: %w", pos, s.inboundID, err)
		return s.err
	}
	if row.Truncated {
		s.log.InfoContext(s.ctx, "attachment over the size cap listed without content", "inbound_id", s.inboundID,
			"position", pos, "size", row.Size, "max_bytes", s.max)
	}
	return nil
}

// read hashes and measures the whole part while it copies at most max+1
// bytes of it, so a part over the cap is known to be one without being
// held. A part that cannot be decoded to its end (corrupt base64) is
// kept as far as it decodes, with a warning: the same mail always decodes
// the same way, so retrying would not help.
func (s *attachmentSaver) read(a mailparse.Attachment, r io.Reader) *store.InboundAttachment {
	h := sha256.New()
	// Names and types come from the mail: one line each, bounded.
	row := &store.InboundAttachment{InboundMessageID: s.inboundID, Name: oneLine(a.Name, 255),
		ContentType: oneLine(a.ContentType, 255), Inline: a.Inline, ContentID: oneLine(a.ContentID, 255)}
	var (
		content []byte
		n       int64
		err     error
	)
	if s.max >= 0 {
		var buf bytes.Buffer
		n, err = io.Copy(&buf, io.TeeReader(io.LimitReader(r, s.max+1), h))
		content = buf.Bytes()
	}
	if err == nil && (s.max < 0 || n > s.max) {
		// Over the cap: let the start go and only hash and count the rest.
		content = nil
		var rest int64
		rest, err = io.Copy(h, r)
		n += rest
	}
	if err != nil {
		s.log.WarnContext(s.ctx, "attachment decoded in part", "inbound_id", s.inboundID, "name", a.Name,
			"decoded_bytes", n, "error", err.Error())
	}
	row.Size = n
	if s.max < 0 || n > s.max {
		row.Truncated = true
	} else {
		row.Content = content
	}
	row.SHA256 = hex.EncodeToString(h.Sum(nil))
	return row
}
