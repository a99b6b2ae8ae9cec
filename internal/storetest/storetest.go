// Package storetest gives tests a migrated SQLite database without paying
// for the migrations in every test. Migrating a new SQLite file is about
// 0.4 s of CPU under -race (SQLite parses every migration's statements
// through checkptr and the race detector), and the workers and
// cmd/salesdesk tests open a fresh database in nearly every test: the
// migrations ran a hundred times a package. SQLiteDSN migrates one
// database per test binary and gives each test a byte copy of it, which
// store.Open then finds current. The migrations themselves are tested in
// internal/store, on fresh databases.
package storetest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"salesdesk/internal/store"
)

// template is a migrated SQLite database's files, read into memory so
// that nothing is left on disk after the test binary ends.
type template struct {
	db, wal []byte // the database file and its write-ahead log (empty once checkpointed)
}

var migrated = sync.OnceValues(func() (template, error) {
	dir, err := os.MkdirTemp("", "salesdesk-storetest-")
	if err != nil {
		return template{}, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		return template{}, fmt.Errorf("migrate template database: %w", err)
	}
	if err := st.Close(); err != nil {
		return template{}, err
	}
	var tpl template
	if tpl.db, err = os.ReadFile(path); err != nil {
		return template{}, err
	}
	// Closing the last connection checkpoints the log and removes it;
	// should SQLite keep one, it belongs to the copy.
	if tpl.wal, err = os.ReadFile(path + "-wal"); err != nil && !os.IsNotExist(err) {
		return template{}, err
	}
	return tpl, nil
})

// SQLiteDSN returns the DSN ("sqlite:PATH") of a new SQLite file named
// name in a directory of the test's own, holding a database with every
// migration applied and no rows. Each call gives a separate database.
func SQLiteDSN(t testing.TB, name string) string {
	t.Helper()
	tpl, err := migrated()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name)
	// 0600 like the store's own new files: the database holds mail.
	if err := os.WriteFile(path, tpl.db, 0o600); err != nil {
		t.Fatal(err)
	}
	if len(tpl.wal) > 0 {
		if err := os.WriteFile(path+"-wal", tpl.wal, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return "sqlite:" + path
}
