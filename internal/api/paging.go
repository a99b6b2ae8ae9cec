package api

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"time"
)

// page is a list request's window: a limit and either an offset or the
// cursor of the previous page.
type page struct {
	Limit  int
	Offset int
	After  *cursor // the last row the previous page delivered; nil without a cursor
}

// cursor is the opaque "next" of a list answer: where the next page
// starts and which row was delivered last. The store lists by offset; the
// last row's sort key lets a page leave out rows the client already has
// when rows inserted meanwhile pushed them down, so a walk through the
// pages neither repeats nor skips rows.
type cursor struct {
	Offset int       `json:"o"`
	At     time.Time `json:"t,omitzero"` // sort time of the last delivered row
	ID     int64     `json:"i"`          // id of the last delivered row
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// parseCursor reads a cursor from a previous answer; false means it is not
// one.
func parseCursor(s string) (*cursor, bool) {
	if len(s) > 200 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	var c cursor
	if err := decodeJSON(b, &c); err != nil || c.Offset < 0 || c.ID < 0 {
		return nil, false
	}
	return &c, true
}

// sortKey is a row's position in a list ordered by time and id.
type sortKey struct {
	At time.Time
	ID int64
}

// after reports whether k comes after c's row in a list ordered by time
// and id, newest first when desc.
func (c *cursor) after(k sortKey, desc bool) bool {
	if !k.At.Equal(c.At) {
		return k.At.Before(c.At) == desc
	}
	if desc {
		return k.ID < c.ID
	}
	return k.ID > c.ID
}

// maxFetchRounds bounds how many times one page reads from the store to
// make up for rows it leaves out.
const maxFetchRounds = 4

// collect reads one page of a list the store orders by (time, id) — newest
// first when desc — through fetch(limit, offset). It returns the rows and
// the cursor of the next page ("" at the end).
func collect[T any](p page, desc bool, key func(*T) sortKey, fetch func(limit, offset int) ([]T, error)) ([]T, string, error) {
	want := p.Limit + 1
	items := make([]T, 0, want)
	offsets := make([]int, 0, want) // the store offset of each item
	off := p.Offset
	exhausted := false
	for round := 0; round < maxFetchRounds && len(items) < want && !exhausted; round++ {
		batch, err := fetch(want, off)
		if err != nil {
			return nil, "", err
		}
		for i := range batch {
			if len(items) == want {
				break
			}
			if p.After != nil && !p.After.after(key(&batch[i]), desc) {
				continue // delivered on an earlier page, pushed down by new rows
			}
			items = append(items, batch[i])
			offsets = append(offsets, off+i)
		}
		off += len(batch)
		exhausted = len(batch) < want
	}
	switch {
	case len(items) > p.Limit:
		last := key(&items[p.Limit-1])
		return items[:p.Limit], cursor{Offset: offsets[p.Limit-1] + 1, At: last.At, ID: last.ID}.String(), nil
	case exhausted:
		return items, "", nil
	}
	// Too many rows left out in a row: hand back what there is and go on
	// from where the reading stopped.
	next := cursor{Offset: off}
	if len(items) > 0 {
		last := key(&items[len(items)-1])
		next.At, next.ID = last.At, last.ID
	} else if p.After != nil {
		next.At, next.ID = p.After.At, p.After.ID
	}
	return items, next.String(), nil
}

// idLookback is how far past a page's start collectByID looks for the
// previous page's last row.
const idLookback = 50

// collectByID reads one page of a list in an order the API cannot
// reproduce (customers by name, in the database's collation). It finds the
// previous page's last row by id near where the page starts, so rows
// inserted before it, up to idLookback of them, do not repeat.
func collectByID[T any](p page, id func(*T) int64, fetch func(limit, offset int) ([]T, error)) ([]T, string, error) {
	start, extra := p.Offset, 0
	if p.After != nil && p.After.ID != 0 && start > 0 {
		start-- // the previous page's last row, unless rows were inserted
		extra = 1 + idLookback
	}
	batch, err := fetch(p.Limit+1+extra, start)
	if err != nil {
		return nil, "", err
	}
	exhausted := len(batch) < p.Limit+1+extra
	if extra > 0 {
		skip := 1
		for i := range batch {
			if i > idLookback {
				break
			}
			if id(&batch[i]) == p.After.ID {
				skip = i + 1
				break
			}
		}
		skip = min(skip, len(batch))
		batch, start = batch[skip:], start+skip
	}
	if len(batch) > p.Limit {
		items := batch[:p.Limit]
		return items, cursor{Offset: start + p.Limit, ID: id(&items[p.Limit-1])}.String(), nil
	}
	if exhausted {
		return batch, "", nil
	}
	// Unreachable in practice: a full fetch always has more than Limit rows
	// after the lookback.
	next := cursor{Offset: start + len(batch)}
	if len(batch) > 0 {
		next.ID = id(&batch[len(batch)-1])
	}
	return batch, next.String(), nil
}

// list is the JSON of a list answer.
type list[T any] struct {
	Items []T `json:"items"`
	// Next is the cursor of the next page; absent on the last page.
	Next string `json:"next,omitempty"`
}

// listOf is the list answer of rows, each shown by show.
func listOf[S, J any](rows []S, next string, show func(*S) J) list[J] {
	out := list[J]{Items: make([]J, 0, len(rows)), Next: next}
	for i := range rows {
		out.Items = append(out.Items, show(&rows[i]))
	}
	return out
}

// writePage answers a list request: it collects page p of the rows fetch
// returns (newest first when desc), ordered by key, and writes them as a
// list of show's JSON with the next page's cursor.
func writePage[S, J any](w http.ResponseWriter, p page, desc bool, key func(*S) sortKey, fetch func(limit, offset int) ([]S, error), show func(*S) J) error {
	rows, next, err := collect(p, desc, key, fetch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(rows, next, show))
	return nil
}
