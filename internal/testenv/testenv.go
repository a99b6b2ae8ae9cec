// Package testenv gives tests the real services that scripts/test provides:
// Redis, PostgreSQL and a throwaway Dovecot. A missing service skips the
// test, except under CI=true, where it fails the run.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	"github.com/redis/go-redis/v9"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Environment variables that scripts/test exports.
const (
	EnvRedisAddr      = "SALESDESK_TEST_REDIS_ADDR"
	EnvPostgresDSN    = "SALESDESK_TEST_POSTGRES_DSN"
	EnvIMAPAddr       = "SALESDESK_TEST_IMAP_ADDR"
	EnvIMAPPassword   = "SALESDESK_TEST_IMAP_PASSWORD"
	defaultRedisAddr  = "127.0.0.1:6379"
	defaultPostgreDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// CI reports whether integration tests must not skip.
func CI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v == "true" || v == "1"
}

// Unavailable skips the test, or fails it under CI, because a service it
// needs is not there.
func Unavailable(t testing.TB, service string, err error) {
	t.Helper()
	if CI() {
		t.Fatalf("%s is required under CI=true but unavailable: %v", service, err)
	}
	t.Skipf("%s unavailable (run scripts/test to start it): %v", service, err)
}

// RedisAddr returns the test Redis address.
func RedisAddr() string {
	if v := os.Getenv(EnvRedisAddr); v != "" {
		return v
	}
	return defaultRedisAddr
}

// Redis DB indexes, one per package (a package may own several, no two
// packages share one), so that packages tested in parallel
// never flush each other's keys (asynq's keys cannot be prefixed).
const (
	// RedisDBMeeting is DB 0, which only internal/meeting may use.
	RedisDBMeeting  = 0
	RedisDBTasks    = 1
	RedisDBWorkers  = 2
	RedisDBWeb      = 3
	RedisDBInbox    = 4
	RedisDBRuntime  = 5
	RedisDBCmd      = 6
	RedisDBMailer   = 7
	RedisDBAssign   = 8
	RedisDBDemo     = 9
	RedisDBLease    = 10
	RedisDBRouting  = 11
	RedisDBSchedule = 12
	RedisDBOrders   = 13
	RedisDBConfig   = 14
	RedisDBAPI      = 15
)

// Redis returns a client on the given DB index, flushed before the test
// (FLUSHDB on that index only, never FLUSHALL) and closed after it.
func Redis(t testing.TB, db int) *redis.Client {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: RedisAddr(), DB: db})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		Unavailable(t, "redis at "+RedisAddr(), err)
	}
	if err := c.FlushDB(ctx).Err(); err != nil {
		c.Close()
		t.Fatalf("flush redis db %d: %v", db, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// PostgresDSN creates a fresh schema for this test in the test database and
// returns a DSN whose search_path points at it. The schema is dropped after
// the test.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgresDSN)
	if base == "" {
		base = defaultPostgreDSN
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		Unavailable(t, "postgres", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		Unavailable(t, "postgres", err)
	}
	schema := "t_" + RandomName(8)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		db.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgresDSN, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// SQL opens a plain database/sql handle on a store DSN (sqlite:PATH or
// postgres://...), for tests that check rows the store has no reader for.
// The handle is closed when the test ends.
func SQL(t testing.TB, dsn string) *sql.DB {
	t.Helper()
	driver, name := "pgx", dsn
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, name = "sqlite", "file:"+path+"?_pragma=busy_timeout(5000)"
	}
	db, err := sql.Open(driver, name)
	if err != nil {
		t.Fatalf("open %s: %v", driver, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// IMAP describes the throwaway Dovecot started by scripts/test. It accepts
// any user name with the shared password, and each user name gets its own
// empty maildir, so a test owns a mailbox by picking a fresh name.
type IMAP struct {
	Addr     string
	Password string
}

// Dovecot returns the test Dovecot, skipping (or failing under CI) when
// scripts/test did not start one.
func Dovecot(t testing.TB) IMAP {
	t.Helper()
	addr := os.Getenv(EnvIMAPAddr)
	if addr == "" {
		Unavailable(t, "dovecot", fmt.Errorf("%s not set", EnvIMAPAddr))
	}
	conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
	if err != nil {
		Unavailable(t, "dovecot at "+addr, err)
	}
	conn.Close()
	return IMAP{Addr: addr, Password: os.Getenv(EnvIMAPPassword)}
}

// RandomName returns n random bytes hex-encoded, for unique users, schemas
// and queues.
func RandomName(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

// Patience is how long a test may wait for something that must happen but
// whose speed depends on the machine (a process starting, a model
// training): until a minute before the test binary's deadline, or ten
// minutes without one. A test that waits this long has failed for a reason
// other than load, and still reports it before go test's own timeout.
func Patience(t testing.TB) time.Duration {
	t.Helper()
	const margin, fallback = time.Minute, 10 * time.Minute
	tt, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return fallback
	}
	deadline, ok := tt.Deadline()
	if !ok {
		return fallback
	}
	if left := time.Until(deadline) - margin; left > 0 {
		return left
	}
	return margin
}
