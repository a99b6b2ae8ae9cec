package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// MailboxState is the inbox checkpoint of one configured mailbox.
type MailboxState struct {
	Mailbox     string // configured mailbox name, e.g. "sales"
	UIDValidity uint32
	LastUID     uint32 // highest UID handed off (stored and enqueued)
	LastSyncAt  time.Time
}

// MailboxState returns the checkpoint of mailbox; found is false when there
// is none yet.
func (s *Store) MailboxState(ctx context.Context, mailbox string) (st MailboxState, found bool, err error) {
	var uv, last int64
	err = s.db.QueryRowContext(ctx, s.rebind(
		"SELECT uid_validity, last_uid, last_sync_at FROM mailbox_state WHERE mailbox = ?"), mailbox).
		Scan(&uv, &last, tcol(&st.LastSyncAt))
	if errors.Is(err, sql.ErrNoRows) {
		return MailboxState{Mailbox: mailbox}, false, nil
	}
	if err != nil {
		return MailboxState{}, false, fmt.Errorf("store: mailbox state %s: %w", mailbox, err)
	}
	st.Mailbox, st.UIDValidity, st.LastUID = mailbox, uint32(uv), uint32(last)
	return st, true, nil
}

// SaveMailboxState upserts the checkpoint. For the same UIDValidity,
// LastUID never moves backwards (a stale writer cannot rewind it); a new
// UIDValidity replaces the checkpoint, LastUID included. LastSyncAt is
// always updated.
func (s *Store) SaveMailboxState(ctx context.Context, st MailboxState) error {
	now := s.nowUTC()
	sync := st.LastSyncAt
	if sync.IsZero() {
		sync = now
	}
	_, err := s.db.ExecContext(ctx, s.rebind(`
		INSERT INTO mailbox_state (mailbox, uid_validity, last_uid, last_sync_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (mailbox) DO UPDATE SET
			last_uid = CASE
				WHEN mailbox_state.uid_validity = excluded.uid_validity
					AND mailbox_state.last_uid > excluded.last_uid
				THEN mailbox_state.last_uid
				ELSE excluded.last_uid END,
			uid_validity = excluded.uid_validity,
			last_sync_at = excluded.last_sync_at,
			updated_at = excluded.updated_at`),
		st.Mailbox, int64(st.UIDValidity), int64(st.LastUID), s.ts(sync), s.ts(now))
	if err != nil {
		return fmt.Errorf("store: save mailbox state %s: %w", st.Mailbox, err)
	}
	return nil
}
