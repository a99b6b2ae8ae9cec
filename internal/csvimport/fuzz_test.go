package csvimport_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"salesdesk/internal/csvimport"
	"salesdesk/internal/store"
)

// FuzzImport feeds arbitrary files to every kind. Whatever the input, the
// import must not panic, must fail only with a header, bad-row or CSV
// format error, must report row numbers inside the file, and importing
// the same file a second time must change nothing.
func FuzzImport(f *testing.F) {
	f.Add(byte(0), []byte(customersCSV))
	f.Add(byte(1), []byte(contactsCSV))
	f.Add(byte(2), []byte(ordersCSV))
	f.Add(byte(2), []byte(badOrdersCSV))
	st, err := store.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	if _, err := st.CreateRep(context.Background(), &store.Rep{Email: "rita@desk.example", Name: "Rita", Active: true}); err != nil {
		f.Fatal(err)
	}
	kinds := []csvimport.Kind{csvimport.Customers(), csvimport.Contacts(), csvimport.Orders()}
	f.Fuzz(func(t *testing.T, which byte, data []byte) {
		k := kinds[int(which)%len(kinds)]
		opts := csvimport.Options{SkipBad: which&0x80 != 0, MaxRows: 10000}
		rep, err := csvimport.Import(context.Background(), st, k, bytes.NewReader(data), opts)
		if err != nil && !errors.Is(err, csvimport.ErrHeader) && !errors.Is(err, csvimport.ErrBadRows) && !isFormatError(err) {
			t.Fatalf("%s: unexpected error %v", k.Name(), err)
		}
		if (err == nil) != rep.Committed {
			t.Fatalf("err %v but committed %v", err, rep.Committed)
		}
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, b := range rep.Bad {
			if b.Row < 2 || b.Row > lines || b.Reason == "" {
				t.Fatalf("bad row %+v outside the file's %d lines", b, lines)
			}
		}
		if !rep.Committed {
			return
		}
		again, err := csvimport.Import(context.Background(), st, k, bytes.NewReader(data), opts)
		if err != nil {
			t.Fatalf("second import: %v", err)
		}
		if again.Created != 0 || again.Updated != 0 || len(again.StatusChanges) != 0 {
			t.Fatalf("second import of the same file changed something: %+v (first %+v)", again, rep)
		}
	})
}

// isFormatError reports an error of the CSV reader itself (a quoted field
// that runs over lines and ends badly) or the row limit.
func isFormatError(err error) bool {
	return errors.Is(err, csvimport.ErrFormat) || err != nil && bytes.Contains([]byte(err.Error()), []byte("more than"))
}
