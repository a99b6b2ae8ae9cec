package csvimport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/csvimport"
	"salesdesk/internal/store"
)

// largeOrders writes a header and n order rows (two lines for every
// tenth order, its second item), calling bad for each order's line
// number to let it spoil the row. Line 1 is the header.
func largeOrders(w io.Writer, n int, bad func(line int) string) error {
	if _, err := io.WriteString(w, "number,customer,status,currency,amount,sku,qty,unit_price\n"); err != nil {
		return err
	}
	line := 1
	for i := 1; i <= n; i++ {
		line++
		status := "confirmed"
		if s := bad(line); s != "" {
			status = s
		}
		row := fmt.Sprintf("SO-%d,C-%d,%s,EUR,%d.50,W-%d,%d,1.25\n", i, i%20+1, status, i%900+10, i%13, i%5+1)
		if s := bad(line); strings.HasPrefix(s, "customer:") {
			row = fmt.Sprintf("SO-%d,%s,confirmed,EUR,1.00,W-1,1,1.00\n", i, strings.TrimPrefix(s, "customer:"))
		}
		if i%10 == 0 {
			line++
			row += fmt.Sprintf("SO-%d,,,,,X-%d,1,2.00\n", i, i)
		}
		if _, err := io.WriteString(w, row); err != nil {
			return err
		}
	}
	return nil
}

// largeAccounts imports the accounts C-1 to C-20 that largeOrders names.
func largeAccounts(t *testing.T, st *store.Store) {
	t.Helper()
	var customers strings.Builder
	customers.WriteString("external_id,name\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&customers, "C-%d,Account %d\n", i, i)
	}
	mustImport(t, st, csvimport.Customers(), customers.String())
}

// TestBadRowsInLargeFile: a bad row deep in a file far larger than the
// import's window (rows written in batches before the bad one is met)
// still leaves nothing imported, and the error names that row; the same
// file without it imports every order with its items.
func TestBadRowsInLargeFile(t *testing.T) {
	const orders = 12_000
	dialectsDSN(t, func(t *testing.T, st *store.Store, dsn string) {
		ctx := context.Background()
		largeAccounts(t, st)
		before := snapshot(t, dsn)

		for _, tc := range []struct {
			name    string
			line    int
			spoil   string
			wantWhy string
		}{
			// Found when the row is read.
			{name: "bad status", line: 10_503, spoil: "teleported", wantWhy: "status"},
			// Found only when the row is applied, after thousands of rows
			// were written in the transaction.
			{name: "unknown account", line: 12_988, spoil: "customer:C-404", wantWhy: "C-404"},
		} {
			pr, pw := io.Pipe()
			go func() {
				pw.CloseWithError(largeOrders(pw, orders, func(line int) string {
					if line == tc.line {
						return tc.spoil
					}
					return ""
				}))
			}()
			rep, err := csvimport.Import(ctx, st, csvimport.Orders(), pr, csvimport.Options{Now: func() time.Time { return clock }})
			pr.Close()
			if !errors.Is(err, csvimport.ErrBadRows) {
				t.Fatalf("%s: err = %v, want ErrBadRows", tc.name, err)
			}
			if len(rep.Bad) != 1 || rep.Bad[0].Row != tc.line || !strings.Contains(rep.Bad[0].Reason, tc.wantWhy) {
				t.Errorf("%s: bad rows %+v, want only row %d about %q", tc.name, rep.Bad, tc.line, tc.wantWhy)
			}
			if rep.Committed {
				t.Errorf("%s: report says committed", tc.name)
			}
			if after := snapshot(t, dsn); after != before {
				t.Errorf("%s: a failed import wrote %d bytes of rows", tc.name, len(after)-len(before))
			}
		}

		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(largeOrders(pw, orders, func(int) string { return "" })) }()
		rep, err := csvimport.Import(ctx, st, csvimport.Orders(), pr, csvimport.Options{Now: func() time.Time { return clock }})
		if err != nil {
			t.Fatalf("good file: %v (bad %+v)", err, rep.Bad)
		}
		if rep.Created != orders {
			t.Errorf("good file: created %d, want %d", rep.Created, orders)
		}
		for _, n := range []int{1, 10, 5_000, orders} {
			o, err := st.OrderByNumber(ctx, fmt.Sprintf("SO-%d", n))
			if err != nil {
				t.Fatalf("SO-%d: %v", n, err)
			}
			wantItems := 1
			if n%10 == 0 {
				wantItems = 2
			}
			if o.Status != "confirmed" || o.AmountCents != int64(n%900+10)*100+50 || len(o.Items) != wantItems ||
				o.Items[0].SKU != fmt.Sprintf("W-%d", n%13) || o.Items[0].Quantity != n%5+1 || o.Items[0].UnitPriceCents != 125 {
				t.Errorf("SO-%d stored as %+v", n, o)
			}
		}
	})
}

// TestImportStopsMidFile: the file is read on a goroutine of its own
// while records are written. When the writing fails after batches were
// written (here the context ends at the first progress report) or the
// reading fails deep in the file (a quote that never closes), the import
// returns that error and writes nothing. Import returns only after the
// reading goroutine ended, so a test that finishes left none behind.
func TestImportStopsMidFile(t *testing.T) {
	const orders = 12_000
	dialectsDSN(t, func(t *testing.T, st *store.Store, dsn string) {
		largeAccounts(t, st)
		before := snapshot(t, dsn)

		for _, tc := range []struct {
			name    string
			tail    string // written after the orders
			cancel  bool   // end the context at the first progress report
			wantErr error
		}{
			{name: "writer fails", cancel: true, wantErr: context.Canceled},
			{name: "reader fails", tail: "SO-X,C-1,\"confirmed\nSO-Y,C-1,confirmed,EUR\n", wantErr: csvimport.ErrFormat},
		} {
			ctx, cancel := context.WithCancel(context.Background())
			pr, pw := io.Pipe()
			go func() {
				err := largeOrders(pw, orders, func(int) string { return "" })
				if err == nil {
					_, err = io.WriteString(pw, tc.tail)
				}
				pw.CloseWithError(err)
			}()
			progressed := 0
			opts := csvimport.Options{Progress: func(read, size int64) {
				if progressed++; tc.cancel {
					cancel()
				}
			}}
			rep, err := csvimport.Import(ctx, st, csvimport.Orders(), pr, opts)
			pr.Close()
			cancel()
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
			}
			if progressed == 0 {
				t.Errorf("%s: no batch was written before the error", tc.name)
			}
			if rep.Committed {
				t.Errorf("%s: report says committed", tc.name)
			}
			if after := snapshot(t, dsn); after != before {
				t.Errorf("%s: a failed import wrote %d bytes of rows", tc.name, len(after)-len(before))
			}
		}
	})
}
