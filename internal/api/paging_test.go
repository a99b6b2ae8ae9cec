package api

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"salesdesk/internal/store"
)

// frozenClock returns the same instant on every call, so that every row
// ties on its timestamp and only the id orders them.
func frozenClock() store.Option {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return store.WithClock(func() time.Time { return at })
}

// tickingClock advances one second on every call.
func tickingClock() store.Option {
	var (
		mu sync.Mutex
		at = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	)
	return store.WithClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		at = at.Add(time.Second)
		return at
	})
}

// walk follows a list's next cursors from path and returns the ids in
// the order the pages gave them. between runs after each page.
func walk(t *testing.T, f *fixture, path string, between func(page int)) []int64 {
	t.Helper()
	var ids []int64
	next := ""
	for page := 0; ; page++ {
		if page > 1000 {
			t.Fatal("more than 1000 pages")
		}
		p := path
		if next != "" {
			// The cursor replaces the offset of the first request.
			u, err := url.Parse(path)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Del("offset")
			q.Set("cursor", next)
			u.RawQuery = q.Encode()
			p = u.String()
		}
		var l struct {
			Items []struct {
				ID int64 `json:"id"`
			} `json:"items"`
			Next string `json:"next"`
		}
		f.do("GET", p, nil).mustStatus(t, 200).json(t, &l)
		for _, it := range l.Items {
			ids = append(ids, it.ID)
		}
		if l.Next == "" {
			return ids
		}
		next = l.Next
		if between != nil {
			between(page)
		}
	}
}

func newInquiries(t testing.TB, st *store.Store, n int, category string) []int64 {
	t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		q := &store.Inquiry{ContactEmail: fmt.Sprintf("c%d@acme.example", i), Subject: "hello", Category: category}
		id, _, err := st.CreateInquiry(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func newLeads(t *testing.T, st *store.Store, n int, source string) []int64 {
	t.Helper()
	var ids []int64
	for i := 0; i < n; i++ {
		l := &store.Lead{ContactEmail: fmt.Sprintf("l%d@acme.example", i), Source: source}
		id, _, err := st.CreateLead(context.Background(), l)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func newCustomers(t *testing.T, st *store.Store, names ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, name := range names {
		id, err := st.CreateCustomer(context.Background(), &store.Customer{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

// checkWalk fails unless got holds every id of want exactly once, and
// nothing else but ids in extra.
func checkWalk(t *testing.T, got, want, extra []int64) {
	t.Helper()
	seen := map[int64]int{}
	for _, id := range got {
		seen[id]++
		if seen[id] == 2 {
			t.Errorf("id %d delivered twice", id)
		}
		if !slices.Contains(want, id) && !slices.Contains(extra, id) {
			t.Errorf("id %d was not expected", id)
		}
	}
	for _, id := range want {
		if seen[id] == 0 {
			t.Errorf("id %d never delivered", id)
		}
	}
}

func reversed(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

func TestPagingWalksEveryRowOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		clock store.Option
		limit int
	}{
		{"tied timestamps, limit 25", frozenClock(), 25},
		{"tied timestamps, limit 7", frozenClock(), 7},
		{"distinct timestamps, limit 50", tickingClock(), 50},
		{"one page", tickingClock(), 500},
		{"limit 1", frozenClock(), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := setup(t, tt.clock)
			inq := newInquiries(t, f.st, 120, "support")
			got := walk(t, f, fmt.Sprintf("/api/v1/inquiries?limit=%d", tt.limit), nil)
			if !slices.Equal(got, reversed(inq)) {
				t.Errorf("inquiries: got %v, want newest first %v", got, reversed(inq))
			}
			leads := newLeads(t, f.st, 120, "web")
			if got := walk(t, f, fmt.Sprintf("/api/v1/leads?limit=%d", tt.limit), nil); !slices.Equal(got, leads) {
				t.Errorf("leads: got %v, want oldest first %v", got, leads)
			}
			var names []string
			for i := range 120 {
				names = append(names, fmt.Sprintf("Customer %03d", i))
			}
			cust := newCustomers(t, f.st, names...)
			if got := walk(t, f, fmt.Sprintf("/api/v1/customers?limit=%d", tt.limit), nil); !slices.Equal(got, cust) {
				t.Errorf("customers: got %v, want by name %v", got, cust)
			}
		})
	}
}

// Rows added while a client walks the pages push the rows it has seen
// further down the list; the cursor must neither repeat nor skip any.
func TestPagingWithInsertsDuringTheWalk(t *testing.T) {
	t.Parallel()
	t.Run("inquiries newest first", func(t *testing.T) {
		t.Parallel()
		f := setup(t, frozenClock())
		orig := newInquiries(t, f.st, 120, "support")
		var added []int64
		got := walk(t, f, "/api/v1/inquiries?limit=25", func(page int) {
			added = append(added, newInquiries(t, f.st, 7, "support")...)
		})
		// Newer rows land before the cursor: the walk is the original set.
		checkWalk(t, got, orig, nil)
		if len(got) != 120 {
			t.Errorf("got %d rows, want 120", len(got))
		}
	})
	t.Run("inquiries, more new rows than a page reads", func(t *testing.T) {
		t.Parallel()
		f := setup(t, tickingClock())
		orig := newInquiries(t, f.st, 30, "support")
		got := walk(t, f, "/api/v1/inquiries?limit=2", func(page int) {
			if page == 0 {
				newInquiries(t, f.st, 25, "support")
			}
		})
		checkWalk(t, got, orig, nil)
	})
	t.Run("leads oldest first", func(t *testing.T) {
		t.Parallel()
		f := setup(t, frozenClock())
		orig := newLeads(t, f.st, 120, "web")
		var added []int64
		got := walk(t, f, "/api/v1/leads?limit=25", func(page int) {
			added = append(added, newLeads(t, f.st, 7, "web")...)
		})
		// Newer rows land after the cursor: the walk reaches them too.
		checkWalk(t, got, append(slices.Clone(orig), added...), nil)
	})
	t.Run("customers by name", func(t *testing.T) {
		t.Parallel()
		f := setup(t)
		var names []string
		for i := range 120 {
			names = append(names, fmt.Sprintf("M %03d", i))
		}
		orig := newCustomers(t, f.st, names...)
		var added []int64
		got := walk(t, f, "/api/v1/customers?limit=25", func(page int) {
			// Sorts before every page: pushes the seen rows down.
			added = append(added, newCustomers(t, f.st, fmt.Sprintf("A %d-1", page), fmt.Sprintf("A %d-2", page))...)
		})
		checkWalk(t, got, orig, added)
	})
	t.Run("orders newest first", func(t *testing.T) {
		t.Parallel()
		f := setup(t, frozenClock())
		cust := newCustomers(t, f.st, "Acme")[0]
		mk := func(n int, prefix string) []int64 {
			var ids []int64
			for i := range n {
				id, err := f.st.CreateOrder(context.Background(), &store.Order{CustomerID: cust,
					Number: fmt.Sprintf("%s-%d", prefix, i), Currency: "EUR"})
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			return ids
		}
		orig := mk(120, "SO")
		page := 0
		got := walk(t, f, "/api/v1/orders?limit=30", func(int) {
			page++
			mk(3, fmt.Sprintf("NEW%d", page))
		})
		checkWalk(t, got, orig, nil)
		if len(got) != 120 {
			t.Errorf("got %d rows, want 120", len(got))
		}
	})
}

func TestPagingByOffset(t *testing.T) {
	t.Parallel()
	f := setup(t, tickingClock())
	ids := newInquiries(t, f.st, 120, "billing")
	var l struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
		Next string `json:"next"`
	}
	f.do("GET", "/api/v1/inquiries?offset=100&limit=50", nil).mustStatus(t, 200).json(t, &l)
	if len(l.Items) != 20 || l.Next != "" {
		t.Fatalf("got %d items, next %q; want the last 20 and no next", len(l.Items), l.Next)
	}
	if l.Items[0].ID != ids[19] {
		t.Errorf("first item %d, want %d", l.Items[0].ID, ids[19])
	}
	// An offset page's next cursor continues from there.
	got := walk(t, f, "/api/v1/inquiries?offset=60&limit=25", nil)
	if !slices.Equal(got, reversed(ids)[60:]) {
		t.Errorf("walk from offset 60 = %v", got)
	}
}

// TestListUnassignedByScore: the pool (status=unassigned) comes highest
// score first, unscored last, across pages; other lists stay oldest first.
func TestListUnassignedByScore(t *testing.T) {
	f := setup(t, frozenClock())
	leads := newLeads(t, f.st, 30, "web")
	want := make([]int64, 0, len(leads))
	for i, id := range leads {
		if i%3 == 2 {
			continue // unscored: last, oldest first
		}
		if err := f.st.SetLeadScore(context.Background(), id, 100-i, "[]"); err != nil {
			t.Fatal(err)
		}
		want = append(want, id)
	}
	for i, id := range leads {
		if i%3 == 2 {
			want = append(want, id)
		}
	}
	for _, limit := range []int{7, 50} {
		if got := walk(t, f, fmt.Sprintf("/api/v1/leads?status=unassigned&limit=%d", limit), nil); !slices.Equal(got, want) {
			t.Errorf("pool, limit %d: got %v, want by score %v", limit, got, want)
		}
	}
	if got := walk(t, f, "/api/v1/leads?limit=7", nil); !slices.Equal(got, leads) {
		t.Errorf("all leads: got %v, want oldest first %v", got, leads)
	}
}
