package main

import (
	"context"
	"fmt"

	"salesdesk/internal/store"
)

// runMigrate implements `salesdesk migrate`: apply the embedded migrations
// for the configured database and list what was applied.
func runMigrate(ctx context.Context, args []string, io stdio) int {
	fs := newFlagSet("migrate", commandHead("migrate", "[-c FILE]"), io)
	path := configFlag(fs)
	if code, done := parseFlags(fs, args); done {
		return code
	}
	cfg, ok := loadConfig(path(), false, io.err)
	if !ok {
		return 1
	}
	st, err := store.Open(ctx, cfg.Database.DSN.Reveal(), store.WithoutMigrations())
	if err != nil {
		fmt.Fprintf(io.err, "migrate: %v\n", err)
		return 1
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	if err != nil {
		fmt.Fprintf(io.err, "migrate: %v\n", err)
		return 1
	}
	if len(applied) == 0 {
		fmt.Fprintln(io.out, "database is up to date")
		return 0
	}
	for _, name := range applied {
		fmt.Fprintf(io.out, "applied %s\n", name)
	}
	return 0
}
