package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The word indexes of the mail on SQLite (FTS5 tables inbound_search and
// outbound_search) are filled in batches, not by a trigger per row:
// FTS5 writes a new segment, its structure record, its averages and a
// size row at every commit that touches it, so a trigger per row made
// every commit that stores a mail write about seven pages more (migration
// 0027, docs/performance.md). search_indexed holds, per index, the highest
// mail id in it; IndexSearch moves it on. Rows in the index are kept in
// step by the triggers of 0027 when their text changes or they go.
// PostgreSQL computes its word columns with the row and has nothing to
// do here.

// searchIndex is one FTS5 index of the mail.
type searchIndex struct {
	fts, table string
	// unfinished, when set, is the condition of a row whose text is not
	// final yet (a mail not yet parsed): the index waits for it, up to
	// SearchWait, so that parsing it does not update the index again.
	unfinished string
}

var searchIndexes = []searchIndex{
	{fts: "inbound_search", table: "inbound_messages", unfinished: "parsed_at IS NULL AND created_at >= ?"},
	{fts: "outbound_search", table: "outbound_emails"},
}

// SearchWait is how long IndexSearch, unless all is set, leaves a mail
// not yet parsed (and every mail after it) out of the index: longer than
// the intake takes, so that the index takes it once, with its text.
const SearchWait = 5 * time.Minute

// searchBatch bounds the rows one transaction puts into an index, so
// that a long backlog does not hold the writer for long.
const searchBatch = 2000

// IndexSearch puts the mail stored since the last call into the word
// indexes (SQLite; nothing to do on PostgreSQL) and returns how many mail
// ids it moved the indexes' marks over. With all unset it stops before the first mail not yet
// parsed (for at most SearchWait); with all set, as before a search, it
// indexes every mail there is.
func (s *Store) IndexSearch(ctx context.Context, all bool) (int, error) {
	if s.dialect != SQLite {
		return 0, nil
	}
	total := 0
	for _, ix := range searchIndexes {
		// Caught up (the common case for a search): a read, so that
		// nothing waits for the writer to find nothing to do.
		var behind bool
		if err := s.db.QueryRowContext(ctx, "SELECT (SELECT upto FROM search_indexed WHERE fts = ?) < (SELECT COALESCE(MAX(id), 0) FROM "+
			ix.table+")", ix.fts).Scan(&behind); err != nil {
			return total, fmt.Errorf("store: index %s: %w", ix.fts, err)
		}
		if !behind {
			continue
		}
		for {
			n, err := s.indexSearchBatch(ctx, ix, all)
			if err != nil {
				return total, fmt.Errorf("store: index %s: %w", ix.fts, err)
			}
			total += n
			if n < searchBatch {
				break
			}
		}
	}
	return total, nil
}

// indexSearchBatch indexes at most searchBatch rows of ix in one
// transaction and returns how many.
func (s *Store) indexSearchBatch(ctx context.Context, ix searchIndex, all bool) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var upto, last int64
		if err := tx.QueryRowContext(ctx, "SELECT upto FROM search_indexed WHERE fts = ?", ix.fts).Scan(&upto); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM "+ix.table).Scan(&last); err != nil {
			return err
		}
		last = min(last, upto+searchBatch)
		if ix.unfinished != "" && !all {
			var first sql.NullInt64
			if err := tx.QueryRowContext(ctx, "SELECT MIN(id) FROM "+ix.table+" WHERE id > ? AND id <= ? AND "+ix.unfinished,
				upto, last, s.ts(s.nowUTC().Add(-SearchWait))).Scan(&first); err != nil {
				return err
			}
			if first.Valid {
				last = first.Int64 - 1
			}
		}
		if last <= upto {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO "+ix.fts+" (rowid, subject, body_text) SELECT id, subject, body_text FROM "+
			ix.table+" WHERE id > ? AND id <= ? ORDER BY id", upto, last); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE search_indexed SET upto = ? WHERE fts = ?", last, ix.fts); err != nil {
			return err
		}
		n = int(last - upto)
		return nil
	})
	return n, err
}
