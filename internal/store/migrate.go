package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// migration is one embedded NNNN_name.sql file.
type migration struct {
	version string // "0001"
	name    string // "0001_accounts"
	sql     string
}

// migrations returns the dialect's migrations in version order.
func migrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		version, _, ok := strings.Cut(name, "_")
		if !ok || len(version) != 4 {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{version: version, name: name, sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s share a version", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// migrateLockKey is the first key of the PostgreSQL advisory lock that
// serialises migrations; the second is derived from the schema, so
// databases in different schemas migrate independently.
const migrateLockKey = 0x5344 // "SD"

// Migrate applies the pending migrations in order, each in its own
// transaction, and returns the names of those it applied (empty when the
// schema was current). It is safe to run from several processes at once.
func (s *Store) Migrate(ctx context.Context) (applied []string, err error) {
	// On SQLite, processes that start together (a poller and a worker on one
	// file) queue for the write lock; one whose busy_timeout runs out while
	// another applies migrations waits and tries again: every migration is
	// checked inside its own transaction, so a retry applies only what is
	// left. PostgreSQL serialises on an advisory lock instead.
	err = s.retryBusy(ctx, 2*time.Minute, func() error {
		more, err := s.migrate(ctx)
		applied = append(applied, more...)
		return err
	})
	return applied, err
}

// retryBusy runs fn until it returns nil or an error other than a
// retryable SQLite one (busy, locked), trying again with a growing pause
// until wait has passed. Processes and stores that start together on one
// SQLite file queue for its locks, and not every wait goes through
// busy_timeout: a new connection turning on WAL can be refused at once.
func (s *Store) retryBusy(ctx context.Context, wait time.Duration, fn func() error) error {
	deadline := time.Now().Add(wait)
	for backoff := 100 * time.Millisecond; ; backoff = min(2*backoff, 2*time.Second) {
		err := fn()
		if err == nil || s.dialect != SQLite || !IsRetryable(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(backoff):
		}
	}
}

func (s *Store) migrate(ctx context.Context) (applied []string, err error) {
	ms, err := migrations(s.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: %w", err)
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: migrate: connect: %w", err)
	}
	defer conn.Close()

	if s.dialect == Postgres {
		const key = "hashtext(coalesce(current_schema(), ''))"
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1, "+key+")", migrateLockKey); err != nil {
			return nil, fmt.Errorf("store: migrate: lock: %w", err)
		}
		defer func() {
			uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, uerr := conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1, "+key+")", migrateLockKey); uerr != nil {
				// Never hand a connection that still holds the lock back to
				// the pool.
				conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}

	tsType := "TIMESTAMPTZ"
	if s.dialect == SQLite {
		tsType = "TEXT"
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    TEXT PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at `+tsType+` NOT NULL)`); err != nil {
		return nil, fmt.Errorf("store: migrate: create schema_migrations: %w", err)
	}

	for _, m := range ms {
		done, err := s.applyMigration(ctx, conn, m)
		if err != nil {
			return applied, fmt.Errorf("store: migrate %s: %w", m.name, err)
		}
		if done {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// applyMigration applies m unless it is recorded as applied. The check sits
// inside the transaction, so on SQLite (whose transactions take the write
// lock at BEGIN) two processes cannot both apply it.
func (s *Store) applyMigration(ctx context.Context, conn *sql.Conn, m migration) (applied bool, err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if err != nil {
			tx.Rollback()
		}
	}()
	var one int
	err = tx.QueryRowContext(ctx, s.rebind("SELECT 1 FROM schema_migrations WHERE version = ?"), m.version).Scan(&one)
	switch {
	case err == nil:
		return false, tx.Rollback()
	case err != sql.ErrNoRows:
		return false, fmt.Errorf("check: %w", err)
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return false, fmt.Errorf("apply: %w", err)
	}
	if _, err := tx.ExecContext(ctx, s.rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, s.ts(s.nowUTC())); err != nil {
		return false, fmt.Errorf("record: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	return true, nil
}

// MigrationStatus lists every known migration with whether it is applied,
// for `salesdesk migrate --status`.
func (s *Store) MigrationStatus(ctx context.Context) ([]MigrationState, error) {
	ms, err := migrations(s.dialect)
	if err != nil {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	done := map[string]time.Time{}
	rows, err := s.db.QueryContext(ctx, "SELECT version, applied_at FROM schema_migrations")
	if err != nil && !isUndefinedTable(err) {
		return nil, fmt.Errorf("store: migration status: %w", err)
	}
	if err == nil {
		defer rows.Close()
		for rows.Next() {
			var v string
			var at time.Time
			if err := rows.Scan(&v, tcol(&at)); err != nil {
				return nil, fmt.Errorf("store: migration status: %w", err)
			}
			done[v] = at
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: migration status: %w", err)
		}
	}
	out := make([]MigrationState, len(ms))
	for i, m := range ms {
		at, ok := done[m.version]
		out[i] = MigrationState{Name: m.name, Applied: ok, AppliedAt: at}
	}
	return out, nil
}

// MigrationState is one migration and whether it has been applied.
type MigrationState struct {
	Name      string
	Applied   bool
	AppliedAt time.Time
}
