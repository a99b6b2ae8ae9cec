package store

import (
	"context"
	"database/sql"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"
)

// In WAL mode a SQLite connection throws its whole page cache away when it
// begins a transaction after another connection committed, and reads every
// page again (pread and a WAL frame look-up each). With eight connections
// and about ten commits per mail that refilling was a quarter of
// salesdesk's CPU (docs/performance.md, "Session 9: one SQLite connection
// for the mail"). A connection keeps its cache across its own commits, so
// a process runs every write and every short read on one connection, the
// writer (SQLite serializes writers anyway). Reports, desk pages, lists
// and searches, which may read for long, run their reads on a small pool
// of reader connections (asReport) so that they never hold up the mail.

// sqliteReaders is how many reader connections a SQLite file store opens
// besides its writer.
const sqliteReaders = 2

// writerWait bounds how long a statement waits for the writer, as
// busy_timeout bounds how long it waits for SQLite's write lock: past it
// the statement fails with a retryable error instead of queueing for ever,
// and a statement that a caller ran on the Store while it held the writer
// (in a transaction, or with rows open: a nesting that waits for itself)
// fails rather than hangs.
const writerWait = 5 * time.Second

// reportKey marks a context whose reads run on the reader connections.
type reportKey struct{}

// asReport returns ctx marked so that the store's plain reads under it run
// on the reader connections rather than the writer. Every method that may
// read many rows (reports, desk pages, lists, searches, a model's training
// set) marks its context with it.
func asReport(ctx context.Context) context.Context { return context.WithValue(ctx, reportKey{}, true) }

// pools is where a Store runs its statements. On PostgreSQL and an
// in-memory SQLite database it is one pool (write and read are the same);
// on a SQLite file, write is the writer connection and read the readers.
// It has the methods of *sql.DB the store uses and routes each statement:
// a plain read (isRead) under asReport to the readers, everything else to
// the writer.
type pools struct {
	write *sql.DB
	read  *sql.DB
	wait  time.Duration // how long a write waits for the writer: writerWait

	holderMu sync.Mutex
	holder   writerHolder // who has the writer now, for the error of a wait that runs out
}

// writerHolder is the caller that has the writer: where it took it and
// since when. Taking it costs a stack capture of a few frames (under a
// microsecond); naming the caller is left to a wait that runs out.
type writerHolder struct {
	conn  *sql.Conn
	pcs   [10]uintptr
	n     int
	since time.Time
}

// took records the caller of a store method as the holder of c, the
// writer.
func (p *pools) took(c *sql.Conn) {
	h := writerHolder{conn: c}
	h.n = runtime.Callers(3, h.pcs[:])
	h.since = time.Now()
	p.holderMu.Lock()
	p.holder = h
	p.holderMu.Unlock()
}

// gaveBack clears the holder if it is still the one that had c (a
// Conn is used once: the next caller gets a new one).
func (p *pools) gaveBack(c *sql.Conn) {
	p.holderMu.Lock()
	if p.holder.conn == c {
		p.holder = writerHolder{}
	}
	p.holderMu.Unlock()
}

// release gives c back to the writer pool and clears its holder.
func (p *pools) release(c *sql.Conn) {
	c.Close()
	p.gaveBack(c)
}

// heldBy describes the writer's holder: for how long and which calls
// (the innermost four outside this file), or "" when nobody holds it.
func (p *pools) heldBy() string {
	p.holderMu.Lock()
	h := p.holder
	p.holderMu.Unlock()
	if h.n == 0 {
		return ""
	}
	var calls []string
	frames := runtime.CallersFrames(h.pcs[:h.n])
	for {
		f, more := frames.Next()
		if name := f.Function; name != "" && !strings.HasSuffix(f.File, "/sqlite_writer.go") {
			calls = append(calls, name[strings.LastIndex(name, "/")+1:])
		}
		if !more || len(calls) == 4 {
			break
		}
	}
	return fmt.Sprintf("held for %s by %s", time.Since(h.since).Round(time.Millisecond), strings.Join(calls, " < "))
}

// onePool is pools with a single pool for everything.
func onePool(db *sql.DB) *pools { return &pools{write: db, read: db} }

func (p *pools) split() bool { return p.write != p.read }

// isRead reports whether query only reads: a SELECT, or a WITH whose
// statements write nothing. Anything else runs on the writer, also under
// asReport.
func isRead(query string) bool {
	words := strings.FieldsFunc(query, func(r rune) bool {
		return !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9')
	})
	if len(words) == 0 {
		return false
	}
	switch strings.ToUpper(words[0]) {
	case "SELECT":
		return true
	case "WITH":
		for _, w := range words {
			switch strings.ToUpper(w) {
			case "INSERT", "UPDATE", "DELETE", "REPLACE", "RETURNING":
				return false
			}
		}
		return true
	}
	return false
}

// writer returns the writer connection, waiting for it at most p.wait;
// the caller gives it back with p.release. When the wait runs out the
// error says who held the writer.
func (p *pools) writer(ctx context.Context) (*sql.Conn, error) {
	wctx, cancel := context.WithTimeout(ctx, p.wait)
	defer cancel()
	c, err := p.write.Conn(wctx)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// context.DeadlineExceeded: IsRetryable, as SQLITE_BUSY is.
		return nil, fmt.Errorf("store: sqlite writer connection busy for %s (%s): %w", p.wait, p.heldBy(), err)
	}
	p.took(c)
	return c, nil
}

// Conn returns a connection for the caller's own use (an import, the
// migrations): the writer on a SQLite file.
func (p *pools) Conn(ctx context.Context) (*sql.Conn, error) {
	if !p.split() {
		return p.write.Conn(ctx)
	}
	return p.writer(ctx)
}

// inTx runs fn in a transaction on the writer and commits it when fn
// returns nil.
func (p *pools) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if !p.split() {
		return inTxOn(ctx, p.write, fn)
	}
	c, err := p.writer(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer p.release(c)
	return inTxOn(ctx, c, fn)
}

func (p *pools) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if !p.split() {
		return p.write.ExecContext(ctx, query, args...)
	}
	c, err := p.writer(ctx)
	if err != nil {
		return nil, err
	}
	defer p.release(c)
	return c.ExecContext(ctx, query, args...)
}

// onReaders reports whether query, run under ctx, goes to the readers.
func (p *pools) onReaders(ctx context.Context, query string) bool {
	return p.split() && ctx.Value(reportKey{}) != nil && isRead(query)
}

func (p *pools) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if !p.split() || p.onReaders(ctx, query) {
		return p.read.QueryContext(ctx, query, args...)
	}
	c, err := p.writer(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := c.QueryContext(ctx, query, args...)
	p.giveBackAfterRows(c)
	return rows, err
}

func (p *pools) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if !p.split() || p.onReaders(ctx, query) {
		return p.read.QueryRowContext(ctx, query, args...)
	}
	c, err := p.writer(ctx)
	if err != nil {
		// A Row can only be made by a query: this one fails before it
		// runs, with ctx's error or, when the wait for the writer ran
		// out, context.DeadlineExceeded (retryable, as SQLITE_BUSY is).
		if ctx.Err() == nil {
			ctx = expired()
		}
		return p.read.QueryRowContext(ctx, query, args...)
	}
	row := c.QueryRowContext(ctx, query, args...)
	p.giveBackAfterRows(c)
	return row
}

// giveBackAfterRows gives c back to its pool once the rows (or Row) of
// its last query are closed: sql.Conn.Close waits for them.
func (p *pools) giveBackAfterRows(c *sql.Conn) {
	go func() {
		c.Close()
		p.gaveBack(c)
	}()
}

// expired returns a context whose deadline has passed.
func expired() context.Context {
	ctx, cancel := context.WithDeadline(context.Background(), time.Time{})
	cancel() // its error stays context.DeadlineExceeded
	return ctx
}

// PingContext checks that the writer (and the readers) answer.
func (p *pools) PingContext(ctx context.Context) error {
	if err := p.write.PingContext(ctx); err != nil || !p.split() {
		return err
	}
	return p.read.PingContext(ctx)
}

// Close closes every connection.
func (p *pools) Close() error {
	err := p.write.Close()
	if p.split() {
		if rerr := p.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}
