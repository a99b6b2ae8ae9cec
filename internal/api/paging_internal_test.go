package api

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

// row is a list entry for testing collect without a database.
type row struct {
	at time.Time
	id int64
}

// fakeList serves a slice the way the store serves a table: by limit and
// offset, in the slice's order.
type fakeList struct {
	rows    []row
	fetches int
}

func (l *fakeList) fetch(limit, offset int) ([]row, error) {
	l.fetches++
	if offset >= len(l.rows) {
		return nil, nil
	}
	return slices.Clone(l.rows[offset:min(offset+limit, len(l.rows))]), nil
}

func rowKey(r *row) sortKey { return sortKey{r.at, r.id} }

func TestCollectSkipsRowsPushedDownByInserts(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	// Newest first, as inquiries and orders are listed.
	l := &fakeList{}
	for i := 10; i >= 1; i-- {
		l.rows = append(l.rows, row{base.Add(time.Duration(i) * time.Minute), int64(i)})
	}
	first, next, err := collect(page{Limit: 3}, true, rowKey, l.fetch)
	if err != nil || len(first) != 3 || first[0].id != 10 || next == "" {
		t.Fatalf("first page %v, next %q, %v", first, next, err)
	}
	// Twenty newer rows arrive: more than one page can read past.
	var fresh []row
	for i := 30; i >= 11; i-- {
		fresh = append(fresh, row{base.Add(time.Duration(i) * time.Minute), int64(i)})
	}
	l.rows = append(fresh, l.rows...)

	var got []int64
	pages := 0
	for next != "" {
		c, ok := parseCursor(next)
		if !ok {
			t.Fatalf("bad cursor %q", next)
		}
		var items []row
		l.fetches = 0
		items, next, err = collect(page{Limit: 3, Offset: c.Offset, After: c}, true, rowKey, l.fetch)
		if err != nil {
			t.Fatal(err)
		}
		if l.fetches > maxFetchRounds {
			t.Errorf("page read the store %d times", l.fetches)
		}
		for _, r := range items {
			got = append(got, r.id)
		}
		if pages++; pages > 20 {
			t.Fatal("too many pages")
		}
	}
	if want := []int64{7, 6, 5, 4, 3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("rest of the walk = %v, want %v", got, want)
	}
	if pages < 2 {
		t.Errorf("walk took %d pages; the first should have come back empty", pages)
	}
}

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	c := cursor{Offset: 75, At: at, ID: 42}
	got, ok := parseCursor(c.String())
	if !ok || got.Offset != 75 || !got.At.Equal(at) || got.ID != 42 {
		t.Errorf("round trip = %+v, %v", got, ok)
	}
	for _, bad := range []string{"", "!!", "e30", // {}: valid, offset 0
		"eyJvIjotMX0", // {"o":-1}
		"eyJ4IjoxfQ",  // {"x":1}
		"W10",         // []
		string(make([]byte, 300))} {
		c, ok := parseCursor(bad)
		if bad == "e30" {
			if !ok || c.Offset != 0 {
				t.Errorf("parseCursor(%q) = %+v, %v", bad, c, ok)
			}
			continue
		}
		if ok {
			t.Errorf("parseCursor(%q) accepted: %+v", bad, c)
		}
	}
}

func TestCursorAfter(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := &cursor{At: t0, ID: 10}
	tests := []struct {
		k    sortKey
		desc bool
		want bool
	}{
		{sortKey{t0.Add(-time.Second), 99}, true, true},
		{sortKey{t0.Add(time.Second), 1}, true, false},
		{sortKey{t0, 9}, true, true},
		{sortKey{t0, 10}, true, false},
		{sortKey{t0, 11}, true, false},
		{sortKey{t0.Add(time.Second), 1}, false, true},
		{sortKey{t0.Add(-time.Second), 99}, false, false},
		{sortKey{t0, 11}, false, true},
		{sortKey{t0, 10}, false, false},
		{sortKey{t0.In(time.FixedZone("x", 3600)), 11}, false, true}, // same instant, other zone
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.k, tt.desc), func(t *testing.T) {
			if got := c.after(tt.k, tt.desc); got != tt.want {
				t.Errorf("after = %v, want %v", got, tt.want)
			}
		})
	}
}
