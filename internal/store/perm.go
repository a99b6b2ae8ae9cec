package store

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// createPrivate creates the SQLite database file at path with mode 0600
// when it does not exist yet. SQLite gives the -wal, -shm and -journal
// files it creates later the mode of the database file, so they are
// private too; left to SQLite the database would be created 0644 (umask
// permitting): readable by every local user.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: create sqlite database: %w", err)
	}
	// The umask can only remove bits; set exactly 0600.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("store: create sqlite database: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: create sqlite database: %w", err)
	}
	return nil
}
