package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

func TestCheckWrite(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		if err := s.CheckWrite(testCtx(t)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCheckWriteSeesLock: while another process holds the SQLite write
// lock, Ping still succeeds but CheckWrite fails; after the lock is
// released CheckWrite succeeds again.
func TestCheckWriteSeesLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	s, err := Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	lock, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("Ping under a lock: %v", err)
	}
	err = s.CheckWrite(ctx)
	if err == nil {
		t.Fatal("CheckWrite succeeded while another connection held the write lock")
	}
	if !IsRetryable(err) {
		t.Errorf("CheckWrite error %v is not retryable", err)
	}
	if _, err := lock.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := s.CheckWrite(ctx); err != nil {
		t.Fatalf("CheckWrite after the lock was released: %v", err)
	}
}
