package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// Dialect names the SQL database behind a Store.
type Dialect string

// The supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned (wrapped) when the requested row does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrConflict is returned (wrapped) when an insert or update would break a
// uniqueness constraint, such as a second contact with the same email.
var ErrConflict = errors.New("store: conflict")

// ErrSenderAuthChanged means an inbound message has a sender verdict other
// than the one its intake was decided with (FinishInbound): nothing was
// stored, and a new run reads the stored verdict.
var ErrSenderAuthChanged = errors.New("store: inbound message has another sender verdict")

// Store is the handle to the database. It is safe for concurrent use.
type Store struct {
	db      *pools // sqlite_writer.go
	dialect Dialect
	now     func() time.Time
	kept    *keptStmtStats // SQLite only: what its connections' statement caches did
	// indexAsideMin is how many orders a SQLite import creates, at least,
	// before it sets the orders' secondary indexes aside (import_index.go).
	indexAsideMin int64
}

// Option configures Open.
type Option func(*options)

type options struct {
	migrate bool
	now     func() time.Time
}

// WithoutMigrations makes Open skip applying pending migrations; run
// Migrate (or `salesdesk migrate`) instead.
func WithoutMigrations() Option { return func(o *options) { o.migrate = false } }

// WithClock sets the clock used for created_at, updated_at and similar
// columns. The default is time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// openBusyWait bounds how long Open tries again to reach a SQLite file
// whose lock other starting stores hold.
const openBusyWait = 30 * time.Second

// Open connects to the database named by dsn and, unless WithoutMigrations
// is given, applies pending migrations.
//
// Accepted forms:
//
//	sqlite:PATH                 a SQLite file (created when missing)
//	sqlite::memory:             a private in-memory SQLite database (tests)
//	postgres://... postgresql://...  PostgreSQL; search_path in the query is honoured
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{migrate: true, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	var (
		s   *Store
		err error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		s, err = openSQLite(strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		s, err = openPostgres(dsn)
	default:
		return nil, fmt.Errorf("store: unsupported database %q: want sqlite:PATH or postgres://", RedactDSN(dsn))
	}
	if err != nil {
		return nil, redactErr(err)
	}
	s.now, s.indexAsideMin = o.now, indexAsideMin
	// On SQLite the ping opens the first connections, which set WAL and
	// the other pragmas: a store opened beside others starting on the
	// same file may find its lock taken and tries again.
	if err := s.retryBusy(ctx, openBusyWait, func() error { return s.Ping(ctx) }); err != nil {
		s.db.Close()
		return nil, redactErr(err)
	}
	if o.migrate {
		if _, err := s.Migrate(ctx); err != nil {
			s.db.Close()
			return nil, redactErr(err)
		}
	}
	return s, nil
}

// sqlitePragmas are applied to every SQLite connection. _txlock=immediate
// makes every transaction take the write lock at BEGIN, so two writers wait
// for each other (busy_timeout) instead of failing on a lock upgrade.
// temp_store(MEMORY) keeps statement journals and sorts off the disk: a
// multi-row INSERT inside a transaction otherwise writes a temporary file
// for each statement (a sixth of an import's time, docs/performance.md).
var sqlitePragmas = url.Values{
	"_pragma": {
		"busy_timeout(5000)",
		"journal_mode(WAL)",
		"foreign_keys(ON)",
		"synchronous(NORMAL)",
		"temp_store(MEMORY)",
		"wal_autocheckpoint(10000)",
	},
	"_txlock": {"immediate"},
}

func openSQLite(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("store: sqlite: empty path")
	}
	memory := path == ":memory:"
	name := path
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return nil, fmt.Errorf("store: sqlite: parameters are set by salesdesk, remove %q", path[i:])
	}
	if !memory && !strings.HasPrefix(name, "file:") {
		if err := createPrivate(path); err != nil {
			return nil, err
		}
		name = "file:" + name
	}
	name += "?" + sqlitePragmas.Encode()
	// sql.Open connects to nothing: it only finds the registered driver,
	// which the connector then opens with each connection keeping its
	// prepared statements (sqlite_stmt.go).
	plain, err := sql.Open("sqlite", name)
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	stats := &keptStmtStats{}
	connector := &keptStmtConnector{name: name, drv: plain.Driver(), stats: stats}
	plain.Close()
	write := sql.OpenDB(connector)
	// One writer connection, kept for ever: it keeps its page cache
	// across its own commits (sqlite_writer.go). Every connection to
	// :memory: is its own database, so there it is the only one.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if memory {
		return &Store{db: onePool(write), dialect: SQLite, kept: stats}, nil
	}
	read := sql.OpenDB(connector)
	read.SetMaxOpenConns(sqliteReaders)
	read.SetMaxIdleConns(sqliteReaders)
	read.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{db: &pools{write: write, read: read, wait: writerWait}, dialect: SQLite, kept: stats}, nil
}

// postgresMaxConns bounds a process's connections to PostgreSQL: past
// it, callers wait for a connection, which on a small server is cheaper
// than more backends competing for its cores and its WAL.
const postgresMaxConns = 20

func openPostgres(dsn string) (*Store, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: open postgres: %w", err)
	}
	// As many idle connections as open ones: with fewer, every burst of
	// work above the idle limit closed the extra connections when they
	// were put back and opened new ones on the next burst, each a new
	// server process that prepared every statement again. The e2e
	// benchmark opened 307 server sessions for 1,000 mails at worker
	// concurrency 20, and the server's CPU per mail rose from 6.6 ms
	// (concurrency 10) to 9.7 ms (docs/performance.md). Idle
	// connections still close after five minutes.
	db.SetMaxOpenConns(postgresMaxConns)
	db.SetMaxIdleConns(postgresMaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	db.SetConnMaxLifetime(30 * time.Minute)
	return &Store{db: onePool(db), dialect: Postgres}, nil
}

// Close closes the database. Calling it twice is harmless.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("store: close: %w", err)
	}
	return nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping %s: %w", s.dialect, err)
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// inTx runs fn in a transaction and commits it when fn returns nil. It is
// the store's one transaction helper: every multi-statement write, and
// Import's transaction, goes through it.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return s.db.inTx(ctx, fn)
}

// inTxOn is inTx on a given pool or connection.
func inTxOn(ctx context.Context, db interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	// Rolled back however fn ends, a panic included: an open transaction
	// holds its connection (on SQLite the one writer) until its context
	// ends, and closing that connection waits for it.
	defer tx.Rollback() // after Commit: sql.ErrTxDone, nothing done
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// nowUTC returns the store clock's time in UTC.
func (s *Store) nowUTC() time.Time { return s.now().UTC() }
