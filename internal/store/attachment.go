package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// ErrNoContent is returned (wrapped) for an attachment that is listed but
// whose content was not stored, because it was larger than the cap.
var ErrNoContent = errors.New("store: attachment content not stored")

// InboundAttachment is one attached or inline file of an inbound message.
type InboundAttachment struct {
	ID               int64
	InboundMessageID int64
	Position         int // order in the message, from 0; unique per message
	Name             string
	ContentType      string
	Size             int64 // decoded size of the whole part, also when truncated
	Inline           bool  // shown in the body (an image in HTML mail) rather than offered as a file
	ContentID        string
	SHA256           string // hex sha256 of the whole decoded part
	// Truncated says the part was larger than the cap: it is listed, its
	// content is not stored.
	Truncated bool
	// Content is the decoded part, which the caller bounds. It is only
	// written by SaveInboundAttachment (and ignored when Truncated); reads
	// of the list leave it nil, see InboundAttachmentContent.
	Content   []byte
	CreatedAt time.Time
}

// SaveInboundAttachment stores an attachment of a stored inbound message,
// unique on (inbound message, position). When that position is stored
// already it returns the existing id with created=false and changes
// nothing. A missing inbound message is ErrNotFound. On success a.ID is
// set.
func (s *Store) SaveInboundAttachment(ctx context.Context, a *InboundAttachment) (id int64, created bool, err error) {
	if a.Position < 0 {
		return 0, false, fmt.Errorf("store: save inbound attachment: negative position %d", a.Position)
	}
	var content any
	if !a.Truncated {
		// A stored empty file is an empty value, not NULL.
		content = a.Content
		if a.Content == nil {
			content = []byte{}
		}
	}
	now := s.ts(s.nowUTC())
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, s.rebind("SELECT 1 FROM inbound_messages WHERE id = ?"), a.InboundMessageID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, s.rebind(`
			INSERT INTO inbound_attachments (inbound_message_id, position, name, content_type, size, inline,
				content_id, sha256, content, truncated, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (inbound_message_id, position) DO NOTHING
			RETURNING id`),
			a.InboundMessageID, a.Position, a.Name, a.ContentType, a.Size, a.Inline, a.ContentID, a.SHA256,
			content, a.Truncated, now).Scan(&id)
		if err == nil {
			created = true
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		return tx.QueryRowContext(ctx, s.rebind(
			"SELECT id FROM inbound_attachments WHERE inbound_message_id = ? AND position = ?"),
			a.InboundMessageID, a.Position).Scan(&id)
	})
	if err != nil {
		return 0, false, fmt.Errorf("store: save inbound attachment %d/%d: %w", a.InboundMessageID, a.Position, err)
	}
	a.ID = id
	return id, created, nil
}

const attachmentColumns = `id, inbound_message_id, position, name, content_type, size, inline, content_id, sha256,
	truncated, created_at`

func scanAttachment(r row) (*InboundAttachment, error) {
	var a InboundAttachment
	err := r.Scan(&a.ID, &a.InboundMessageID, &a.Position, &a.Name, &a.ContentType, &a.Size, &a.Inline,
		&a.ContentID, &a.SHA256, &a.Truncated, tcol(&a.CreatedAt))
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// InboundAttachments lists the attachments of an inbound message in
// message order, without their content. A message without any (or a
// missing one) has none.
func (s *Store) InboundAttachments(ctx context.Context, inboundID int64) ([]InboundAttachment, error) {
	out, err := queryAll(ctx, s, scanAttachment,
		"SELECT "+attachmentColumns+" FROM inbound_attachments WHERE inbound_message_id = ? ORDER BY position", inboundID)
	if err != nil {
		return nil, fmt.Errorf("store: inbound attachments of %d: %w", inboundID, err)
	}
	return out, nil
}

// InboundAttachment returns one attachment without its content, or
// ErrNotFound.
func (s *Store) InboundAttachment(ctx context.Context, id int64) (*InboundAttachment, error) {
	return queryKeyed(ctx, s, scanAttachment, "inbound attachment", id, "SELECT "+attachmentColumns+" FROM inbound_attachments WHERE id = ?")
}

// InboundAttachmentContent returns the stored content of an attachment:
// ErrNotFound when there is no such attachment, ErrNoContent when it is
// listed but its content was not stored.
func (s *Store) InboundAttachmentContent(ctx context.Context, id int64) ([]byte, error) {
	var (
		truncated, missing bool
		content            []byte
	)
	err := s.db.QueryRowContext(ctx, s.rebind(
		"SELECT truncated, content IS NULL, content FROM inbound_attachments WHERE id = ?"), id).
		Scan(&truncated, &missing, &content)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil, fmt.Errorf("store: inbound attachment content %d: %w", id, ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("store: inbound attachment content %d: %w", id, err)
	case truncated || missing:
		return nil, fmt.Errorf("store: inbound attachment content %d: %w", id, ErrNoContent)
	}
	if content == nil {
		content = []byte{}
	}
	return content, nil
}
