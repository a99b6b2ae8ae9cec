package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"sync/atomic"
)

// The modernc SQLite driver prepares (parses and plans) every query anew
// on every call, and the desk runs the same few hundred queries all day:
// preparing was 16 % of the CPU of the end-to-end benchmark
// (docs/performance.md). keptStmtConnector wraps the driver so that each
// connection keeps its prepared statements, by SQL text, for its life.

// maxKeptStmts bounds the statements one connection keeps; the least
// recently used one is closed to make room.
const maxKeptStmts = 256

// maxKeptSQL is the longest SQL kept: longer text is a migration or a
// multi-row insert whose shape is seldom repeated.
const maxKeptSQL = 8 << 10

// keptStmtStats counts, over every connection of one Store, what the
// statement cache did; tests read it.
type keptStmtStats struct {
	prepared atomic.Int64 // statements prepared and kept
	reused   atomic.Int64 // calls served by a kept statement
	closed   atomic.Int64 // kept statements closed (evicted or with their connection)
	// statements and transactions count every statement run and every
	// transaction begun, kept or not (Store.SQLiteCounts).
	statements   atomic.Int64
	transactions atomic.Int64
	// autocommits counts Exec calls, and queries with RETURNING (a write
	// that returns rows), outside a transaction: writes that commit on
	// their own.
	autocommits atomic.Int64
}

// keptStmtConnector opens SQLite connections that keep their statements.
type keptStmtConnector struct {
	name  string
	drv   driver.Driver
	stats *keptStmtStats
}

func (c *keptStmtConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.name)
	if err != nil {
		return nil, err
	}
	inner, ok := conn.(sqliteDriverConn)
	if !ok {
		conn.Close()
		return nil, errors.New("store: sqlite driver connection lacks the context methods")
	}
	return &keptStmtConn{sqliteDriverConn: inner, stats: c.stats, stmts: map[string]*keptStmt{}}, nil
}

func (c *keptStmtConnector) Driver() driver.Driver { return c.drv }

// sqliteDriverConn is what the modernc driver's connection implements
// and database/sql looks for.
type sqliteDriverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// keptStmt is one prepared statement of a connection.
type keptStmt struct {
	query      string
	stmt       keptDriverStmt
	busy       bool // its rows are open: a second use runs unkept
	prev, next *keptStmt
}

type keptDriverStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// keptStmtConn is one SQLite connection with its statements. database/sql
// uses a connection from one goroutine at a time, so it needs no lock.
type keptStmtConn struct {
	sqliteDriverConn
	stats *keptStmtStats
	stmts map[string]*keptStmt
	// head is the most recently used statement, tail the least.
	head, tail *keptStmt
	inTx       bool // between BeginTx and the end of that transaction
}

// kept returns the connection's statement for query, preparing it on
// first use, or nil when query is not to be kept or its statement is in
// use by open rows.
func (c *keptStmtConn) kept(ctx context.Context, query string) (*keptStmt, error) {
	if ks, ok := c.stmts[query]; ok {
		if ks.busy {
			return nil, nil
		}
		c.touch(ks)
		c.stats.reused.Add(1)
		return ks, nil
	}
	if len(query) > maxKeptSQL {
		return nil, nil
	}
	st, err := c.sqliteDriverConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	ds, ok := st.(keptDriverStmt)
	if !ok {
		st.Close()
		return nil, nil
	}
	ks := &keptStmt{query: query, stmt: ds}
	c.stmts[query] = ks
	c.touch(ks)
	c.stats.prepared.Add(1)
	for len(c.stmts) > maxKeptStmts && c.tail != nil && !c.tail.busy {
		c.drop(c.tail)
	}
	return ks, nil
}

// touch moves ks to the front of the use order.
func (c *keptStmtConn) touch(ks *keptStmt) {
	if c.head == ks {
		return
	}
	c.unlink(ks)
	ks.next = c.head
	if c.head != nil {
		c.head.prev = ks
	}
	c.head = ks
	if c.tail == nil {
		c.tail = ks
	}
}

func (c *keptStmtConn) unlink(ks *keptStmt) {
	if ks.prev != nil {
		ks.prev.next = ks.next
	}
	if ks.next != nil {
		ks.next.prev = ks.prev
	}
	if c.head == ks {
		c.head = ks.next
	}
	if c.tail == ks {
		c.tail = ks.prev
	}
	ks.prev, ks.next = nil, nil
}

// drop closes ks and forgets it.
func (c *keptStmtConn) drop(ks *keptStmt) error {
	c.unlink(ks)
	delete(c.stmts, ks.query)
	c.stats.closed.Add(1)
	return ks.stmt.Close()
}

func (c *keptStmtConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.stats.transactions.Add(1)
	tx, err := c.sqliteDriverConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.inTx = true
	return countedTx{Tx: tx, c: c}, nil
}

// countedTx notes the end of a connection's transaction.
type countedTx struct {
	driver.Tx
	c *keptStmtConn
}

func (t countedTx) Commit() error {
	t.c.inTx = false
	return t.Tx.Commit()
}

func (t countedTx) Rollback() error {
	t.c.inTx = false
	return t.Tx.Rollback()
}

func (c *keptStmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	c.stats.statements.Add(1)
	if !c.inTx {
		c.stats.autocommits.Add(1)
	}
	ks, err := c.kept(ctx, query)
	if err != nil {
		return nil, err
	}
	if ks == nil {
		return c.sqliteDriverConn.ExecContext(ctx, query, args)
	}
	return ks.stmt.ExecContext(ctx, args)
}

func (c *keptStmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.stats.statements.Add(1)
	if !c.inTx && (strings.Contains(query, "RETURNING") || strings.Contains(query, "returning")) {
		c.stats.autocommits.Add(1)
	}
	ks, err := c.kept(ctx, query)
	if err != nil {
		return nil, err
	}
	if ks == nil {
		return c.sqliteDriverConn.QueryContext(ctx, query, args)
	}
	rows, err := ks.stmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	r, ok := rows.(sqliteDriverRows)
	if !ok { // not expected: run it unkept rather than lose track of its rows
		rows.Close()
		return c.sqliteDriverConn.QueryContext(ctx, query, args)
	}
	ks.busy = true
	return &keptRows{sqliteDriverRows: r, ks: ks}, nil
}

// Prepare and PrepareContext (a *sql.Stmt) keep nothing: the caller owns
// and closes what it prepared.
func (c *keptStmtConn) Prepare(query string) (driver.Stmt, error) {
	return c.sqliteDriverConn.PrepareContext(context.Background(), query)
}

// Close closes every kept statement, then the connection.
func (c *keptStmtConn) Close() error {
	var errs []error
	for c.tail != nil {
		errs = append(errs, c.drop(c.tail))
	}
	errs = append(errs, c.sqliteDriverConn.Close())
	return errors.Join(errs...)
}

// sqliteDriverRows is what the modernc driver's rows implement.
type sqliteDriverRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// keptRows are the rows of a kept statement; closing them (which resets
// the statement) makes it free for the next call.
type keptRows struct {
	sqliteDriverRows
	ks *keptStmt
}

func (r *keptRows) Close() error {
	err := r.sqliteDriverRows.Close()
	if r.ks != nil {
		r.ks.busy = false
		r.ks = nil
	}
	return err
}

// SQLCounts is what a Store's SQLite connections have run since Open.
type SQLCounts struct {
	Statements   int64 // every statement, in a transaction or not
	Transactions int64 // transactions begun (BeginTx)
	Autocommits  int64 // Exec calls and RETURNING queries outside a transaction: writes that commit on their own
}

// SQLiteCounts returns what the store's SQLite connections have run since
// Open; zero for PostgreSQL. Tests count a mail's work with it
// (docs/performance.md, "End to end").
func (s *Store) SQLiteCounts() SQLCounts {
	if s.kept == nil {
		return SQLCounts{}
	}
	return SQLCounts{Statements: s.kept.statements.Load(), Transactions: s.kept.transactions.Load(),
		Autocommits: s.kept.autocommits.Load()}
}
