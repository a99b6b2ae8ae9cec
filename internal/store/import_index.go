package store

import (
	"context"
	"fmt"
)

// An import that adds many more orders than the table held sets the
// orders' secondary indexes aside on SQLite: it drops them inside its
// transaction once it has created more orders than the table held when it
// began (and at least indexAsideMin), and creates them again, from the
// definitions it read, just before it commits. Each of those indexes
// (customer, creation day, promised date, ...) otherwise takes a random
// B-tree insert per order, whose pages do not stay in the import's page
// cache: a million orders made 2.8 million writes and 2.6 million reads
// on the WAL and took two and a half times the CPU (docs/performance.md).
// A sorted build is far cheaper. The indexes of the items and the history
// stay: they lead with the order's id, which grows, so their new entries
// go at the end.
//
// It is safe because SQLite's DDL is transactional and the import holds
// the database's one write lock from its first statement: readers see the
// last committed snapshot, indexes included, until the import commits
// with them rebuilt; no writer can run meanwhile anyway; a failed import
// rolls the drop back with everything else. The unique index on the
// order number is a rule and is never dropped, so a duplicate number is
// still ErrConflict at once. The import's own reads of orders use the
// number or the id, never a dropped index.
//
// PostgreSQL keeps its indexes: DROP INDEX takes an ACCESS EXCLUSIVE lock
// on the table until the commit, which would stop every reader of orders
// (the desk's pages, order-status replies) for the whole import, and
// taking it while other sessions hold locks on orders invites deadlocks.

// indexAsideMin is how many orders an import creates, at least, before
// it sets the orders' secondary indexes aside.
const indexAsideMin = 10_000

// setIndexesAside counts n orders created and, on SQLite, drops the
// secondary indexes of orders once the import has created more than the
// table held before it (and at least indexAsideMin, or the store's
// indexAsideMin when a test set one).
func (tx *ImportTx) setIndexesAside(ctx context.Context, n int) error {
	if tx.s.dialect != SQLite || tx.asideDone || n == 0 {
		return nil
	}
	if tx.created == 0 {
		// max(id) bounds the rows the table held, in one index probe.
		held, err := queryOneOn(ctx, tx.s, tx.tx, scanID, "SELECT COALESCE(MAX(id), 0) FROM orders")
		if err != nil {
			return fmt.Errorf("store: import: orders held: %w", err)
		}
		// The first batch's own orders are in the table now.
		tx.held = max(*held-int64(n), 0)
	}
	tx.created += int64(n)
	if tx.created <= max(tx.held, tx.s.indexAsideMin) {
		return nil
	}
	tx.asideDone = true
	indexes, err := queryAllOn(ctx, tx.s, tx.tx, scanIndexDef, `
		SELECT m.name, m.sql FROM pragma_index_list('orders') AS l JOIN sqlite_master AS m ON m.name = l.name
		WHERE l."unique" = 0 AND l.origin = 'c' AND m.sql IS NOT NULL ORDER BY m.name`)
	if err != nil {
		return fmt.Errorf("store: import: indexes: %w", err)
	}
	for _, ix := range indexes {
		if _, err := tx.tx.ExecContext(ctx, `DROP INDEX "`+ix.name+`"`); err != nil {
			return fmt.Errorf("store: import: drop index %s: %w", ix.name, err)
		}
		tx.aside = append(tx.aside, ix.def)
	}
	return nil
}

// indexDef is an index's name and the statement that created it.
type indexDef struct{ name, def string }

func scanIndexDef(r row) (*indexDef, error) {
	var ix indexDef
	if err := r.Scan(&ix.name, &ix.def); err != nil {
		return nil, err
	}
	return &ix, nil
}

// restoreIndexes creates the indexes setIndexesAside dropped again, in
// the import's transaction, before it commits. Each is built by a sort;
// its runs go to temporary files, and the import's page cache goes back
// to SQLite's default, so that the sort does not add a hundred megabytes
// to the import's memory (its budget is 200 MB for a million orders).
func (tx *ImportTx) restoreIndexes(ctx context.Context) error {
	if len(tx.aside) == 0 {
		return nil
	}
	stmts := append([]string{"PRAGMA temp_store = FILE", defaultCache}, tx.aside...)
	for _, q := range append(stmts, "PRAGMA temp_store = MEMORY") {
		if _, err := tx.tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("store: import: restore indexes: %w", err)
		}
	}
	tx.aside = nil
	return nil
}
