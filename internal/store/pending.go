package store

import (
	"context"
	"fmt"
	"time"
)

// PendingInbound is a stored inbound message whose handling has not
// finished: the key its inbound:email task is made from.
type PendingInbound struct {
	ID          int64
	Mailbox     string
	UIDValidity uint32
	UID         uint32
}

// PendingInboundBefore lists up to limit inbound messages still in status
// stored that were stored before t, oldest first: work whose task may have
// been lost with Redis.
func (s *Store) PendingInboundBefore(ctx context.Context, t time.Time, limit int) ([]PendingInbound, error) {
	out, err := queryAll(ctx, s, func(r row) (*PendingInbound, error) {
		var p PendingInbound
		var uv, uid int64
		if err := r.Scan(&p.ID, &p.Mailbox, &uv, &uid); err != nil {
			return nil, err
		}
		p.UIDValidity, p.UID = uint32(uv), uint32(uid)
		return &p, nil
	}, `SELECT id, mailbox, uid_validity, uid FROM inbound_messages
		WHERE status = ? AND created_at < ? ORDER BY id LIMIT ?`, InboundStored, s.ts(t), limit)
	if err != nil {
		return nil, fmt.Errorf("store: pending inbound messages: %w", err)
	}
	return out, nil
}

// QueuedOutboundBefore lists the ids of up to limit outbound mails still
// queued that were created before t, oldest first.
func (s *Store) QueuedOutboundBefore(ctx context.Context, t time.Time, limit int) ([]int64, error) {
	out, err := queryAll(ctx, s, scanID,
		`SELECT id FROM outbound_emails WHERE status = ? AND created_at < ? ORDER BY id LIMIT ?`,
		OutboundQueued, s.ts(t), limit)
	if err != nil {
		return nil, fmt.Errorf("store: queued outbound mails: %w", err)
	}
	return out, nil
}
