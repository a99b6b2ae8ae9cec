package store

import (
	"context"
	"fmt"
)

// CheckWrite reports whether the database accepts a write now, for
// readiness checks: unlike Ping it fails while another process holds
// SQLite's write lock (SQLITE_BUSY after busy_timeout, or ctx's deadline)
// and on a read-only PostgreSQL standby. It writes nothing: on SQLite the
// transaction takes the write lock at BEGIN (BEGIN IMMEDIATE, see
// sqlitePragmas); on PostgreSQL txid_current() makes it a writing
// transaction. Both are rolled back.
func (s *Store) CheckWrite(ctx context.Context) error {
	conn, err := s.db.Conn(ctx) // SQLite: the writer
	if err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: write check: %w", err)
	}
	defer tx.Rollback()
	if s.dialect == Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT txid_current()"); err != nil {
			return fmt.Errorf("store: write check: %w", err)
		}
	}
	return nil
}
