package store

import (
	"database/sql"
	"fmt"
	"slices"
	"testing"
	"time"
)

// TestIndexSearchWaitsForParsedMail: the worker's IndexSearch puts mail
// into the word index once its text is final: it stops before a mail not
// yet parsed (whose parse would otherwise update the index a second
// time), takes it once parsed, and takes a mail never parsed after
// SearchWait; a search (all) takes everything at once.
func TestIndexSearchWaitsForParsedMail(t *testing.T) {
	c := &testClock{t: time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)}
	s := openTest(t, SQLite, WithClock(c.now))
	ctx := testCtx(t)
	save := func(uid uint32, text string) int64 {
		t.Helper()
		id, _, _, err := s.SaveInboundMessage(ctx, &InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uid, Raw: []byte("x")})
		if err != nil {
			t.Fatal(err)
		}
		if text != "" {
			if err := s.SetInboundParsed(ctx, id, ParsedInbound{From: "ann@acme.com", Subject: "Parts", Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		return id
	}
	indexed := func(word string) []int64 {
		t.Helper()
		var ids []int64
		rows, err := s.db.QueryContext(ctx, "SELECT rowid FROM inbound_search WHERE inbound_search MATCH ? ORDER BY rowid", word)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		return ids
	}
	mark := func() int64 {
		t.Helper()
		var upto int64
		if err := s.db.QueryRowContext(ctx, "SELECT upto FROM search_indexed WHERE fts = 'inbound_search'").Scan(&upto); err != nil {
			t.Fatal(err)
		}
		return upto
	}
	index := func(all bool) {
		t.Helper()
		if _, err := s.IndexSearch(ctx, all); err != nil {
			t.Fatal(err)
		}
	}

	a := save(1, "gaskets for the pump")
	b := save(2, "") // stored, not parsed yet
	cID := save(3, "gaskets and valves")
	if got := indexed("gaskets"); got != nil {
		t.Fatalf("indexed before IndexSearch: %v (a trigger per row is back?)", got)
	}
	index(false)
	if got, want := indexed("gaskets"), []int64{a}; !slices.Equal(got, want) || mark() != a {
		t.Errorf("after IndexSearch: gaskets in %v, mark %d; want %v and mark %d (stop before the unparsed mail)", got, mark(), want, a)
	}
	if err := s.SetInboundParsed(ctx, b, ParsedInbound{From: "bob@acme.com", Subject: "Flanges", Text: "gaskets please"}); err != nil {
		t.Fatal(err)
	}
	index(false)
	if got, want := indexed("gaskets"), []int64{a, b, cID}; !slices.Equal(got, want) || mark() != cID {
		t.Errorf("after the parse: gaskets in %v, mark %d; want %v and mark %d", got, mark(), want, cID)
	}

	// A mail that is never parsed holds the index back for SearchWait
	// only; a search does not wait.
	d := save(4, "")
	e := save(5, "flanges for the boiler")
	index(false)
	if mark() != cID {
		t.Errorf("mark %d, want %d: a fresh unparsed mail holds the index", mark(), cID)
	}
	c.t = c.t.Add(SearchWait + time.Second)
	index(false)
	if got := indexed("flanges"); !slices.Equal(got, []int64{b, e}) || mark() != e {
		t.Errorf("after SearchWait: flanges in %v, mark %d; want %v and mark %d", got, mark(), []int64{b, e}, e)
	}
	// Parsed after it was indexed: the trigger of 0027 keeps it in step.
	if err := s.SetInboundParsed(ctx, d, ParsedInbound{From: "dan@acme.com", Subject: "Late", Text: "boiler gaskets"}); err != nil {
		t.Fatal(err)
	}
	if got := indexed("boiler"); !slices.Equal(got, []int64{d, e}) {
		t.Errorf("boiler in %v, want %v", got, []int64{d, e})
	}
	f := save(6, "")
	index(true)
	if mark() != f {
		t.Errorf("IndexSearch(all): mark %d, want %d", mark(), f)
	}
	// Caught up: no transaction (a search does not wait for the writer).
	before := s.kept.transactions.Load()
	index(true)
	if n := s.kept.transactions.Load() - before; n != 0 {
		t.Errorf("IndexSearch with nothing to index ran %d transactions, want 0", n)
	}
	// A row the index holds goes with its words; one above the mark
	// leaves nothing behind.
	g := save(7, "turbine blades")
	if _, err := s.db.ExecContext(ctx, "DELETE FROM inbound_messages WHERE id IN (?, ?)", a, g); err != nil {
		t.Fatal(err)
	}
	index(true)
	if got := indexed("gaskets"); !slices.Equal(got, []int64{b, cID, d}) {
		t.Errorf("after deleting mail %d: gaskets in %v, want %v", a, got, []int64{b, cID, d})
	}
	if got := indexed("turbine"); got != nil {
		t.Errorf("deleted mail %d above the mark was indexed: %v", g, got)
	}
}

// TestIndexSearchInBatches: a backlog longer than one batch is indexed
// in several transactions, every row once, the outbound mail too.
func TestIndexSearchInBatches(t *testing.T) {
	s := openTest(t, SQLite)
	ctx := testCtx(t)
	n := searchBatch + 10
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for i := range n {
			o := &OutboundEmail{IdempotencyKey: fmt.Sprint("k", i), MessageID: fmt.Sprint("m", i, "@desk.example"), To: []string{"x@acme.com"},
				Kind: "reply", Subject: "Re: Parts", BodyText: fmt.Sprintf("offer number n%d for flanges", i)}
			if _, _, err := s.createOutbound(ctx, tx, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := s.IndexSearch(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	var words, last int
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbound_search WHERE outbound_search MATCH 'flanges'").Scan(&words); err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM outbound_search WHERE outbound_search MATCH ?", fmt.Sprint("n", n-1)).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if moved != n || words != n || last != 1 {
		t.Errorf("moved %d, %d rows with flanges, %d with the last number; want %d, %d, 1", moved, words, last, n, n)
	}
}
