package csvimport_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/csvimport"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// dialects runs body against SQLite and PostgreSQL.
func dialects(t *testing.T, body func(t *testing.T, st *store.Store)) {
	t.Helper()
	dialectsDSN(t, func(t *testing.T, st *store.Store, _ string) { body(t, st) })
}

// dialectsDSN is dialects that also gives the body the store's DSN, for
// snapshot.
func dialectsDSN(t *testing.T, body func(t *testing.T, st *store.Store, dsn string)) {
	t.Helper()
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		t.Run(string(d), func(t *testing.T) {
			t.Parallel()
			dsn := "sqlite:" + t.TempDir() + "/import.db"
			if d == store.Postgres {
				dsn = testenv.PostgresDSN(t)
			}
			st, err := store.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if _, err := st.CreateRep(context.Background(), &store.Rep{Email: "rita@desk.example", Name: "Rita", Active: true}); err != nil {
				t.Fatal(err)
			}
			body(t, st, dsn)
		})
	}
}

var clock = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func run(t *testing.T, st *store.Store, k csvimport.Kind, csv string, skipBad bool) (csvimport.Report, error) {
	t.Helper()
	return csvimport.Import(context.Background(), st, k, strings.NewReader(csv),
		csvimport.Options{SkipBad: skipBad, Now: func() time.Time { return clock }})
}

func mustImport(t *testing.T, st *store.Store, k csvimport.Kind, csv string) csvimport.Report {
	t.Helper()
	rep, err := run(t, st, k, csv, false)
	if err != nil {
		t.Fatalf("import %s: %v (bad rows %v)", k.Name(), err, rep.Bad)
	}
	return rep
}

const customersCSV = "\uFEFFCustomer No;Company Name;Website;Country;Account Owner;Opt-Out;Favourite Colour\n" +
	"C-1;Acme GmbH;https://www.acme.example/;DE;RITA@desk.example;no;blue\n" +
	"C-2;\"Globex; Inc\";globex.example;US;;yes;red\n"

const contactsCSV = "E-Mail Address,Customer,First Name,Last Name,Job Title\n" +
	"Ann@Acme.example,C-1,Ann,Smith,Buyer\n" +
	"gus@globex.example,\"Globex; Inc\",Gus,,\n"

const ordersCSV = "Order Number,Customer,Status,Currency,Total,Promised Date,Tracking,Tracking Link,SKU,Description,Qty,Unit Price\n" +
	"SO-1,C-1,shipped,eur,\"1.240,50\",2026-03-12,TRK1,https://track.example/TRK1,W-1,Widget,2,\"500,00\"\n" +
	"SO-1,,,,,,,,W-2,Gadget,1,240.50\n" +
	"SO-2,C-2,Pending,USD,99,,,,G-1,Gizmo,,\n"

func TestImportGoodFiles(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		rep := mustImport(t, st, csvimport.Customers(), customersCSV)
		if rep.Created != 2 || rep.Rows != 2 || !rep.Committed || !slices.Equal(rep.UnknownColumns, []string{"Favourite Colour"}) {
			t.Errorf("customers report = %+v", rep)
		}
		acme, err := st.CustomerByExternalID(ctx, "C-1")
		if err != nil {
			t.Fatal(err)
		}
		if acme.Name != "Acme GmbH" || acme.Domain != "acme.example" || acme.OwnerRepID == 0 || acme.OptedOut {
			t.Errorf("acme = %+v", acme)
		}
		globex, err := st.CustomerByExternalID(ctx, "C-2")
		if err != nil {
			t.Fatal(err)
		}
		if globex.Name != "Globex; Inc" || !globex.OptedOut || globex.OptedOutAt.IsZero() {
			t.Errorf("globex = %+v", globex)
		}

		rep = mustImport(t, st, csvimport.Contacts(), contactsCSV)
		if rep.Created != 2 {
			t.Errorf("contacts report = %+v", rep)
		}
		ann, err := st.ContactByEmail(ctx, "ann@acme.example")
		if err != nil {
			t.Fatal(err)
		}
		if ann.CustomerID != acme.ID || ann.Name != "Ann Smith" || ann.Title != "Buyer" {
			t.Errorf("ann = %+v", ann)
		}
		if gus, err := st.ContactByEmail(ctx, "gus@globex.example"); err != nil || gus.CustomerID != globex.ID {
			t.Errorf("gus = %+v, %v (customer by name)", gus, err)
		}

		rep = mustImport(t, st, csvimport.Orders(), ordersCSV)
		if rep.Created != 2 || rep.Rows != 3 || rep.Records != 2 {
			t.Errorf("orders report = %+v", rep)
		}
		so1, err := st.OrderByNumber(ctx, "SO-1")
		if err != nil {
			t.Fatal(err)
		}
		wantItems := []store.OrderItem{{SKU: "W-1", Description: "Widget", Quantity: 2, UnitPriceCents: 50000},
			{SKU: "W-2", Description: "Gadget", Quantity: 1, UnitPriceCents: 24050}}
		if so1.CustomerID != acme.ID || so1.Status != store.OrderShipped || so1.Currency != "EUR" || so1.AmountCents != 124050 ||
			!so1.PromisedDate.Equal(time.Date(2026, 3, 12, 0, 0, 0, 0, time.UTC)) || so1.TrackingURL != "https://track.example/TRK1" ||
			!slices.Equal(so1.Items, wantItems) {
			t.Errorf("SO-1 = %+v", so1)
		}
		hist, err := st.OrderHistory(ctx, so1.ID)
		if err != nil || len(hist) != 1 || hist[0].Status != store.OrderShipped || hist[0].Source != "import" {
			t.Errorf("SO-1 history = %+v, %v", hist, err)
		}
		so2, err := st.OrderByNumber(ctx, "SO-2")
		if err != nil || so2.Status != store.OrderPending || so2.AmountCents != 9900 || len(so2.Items) != 1 || so2.Items[0].Quantity != 1 {
			t.Errorf("SO-2 = %+v, %v", so2, err)
		}
	})
}

// snapshot dumps every row the import touches, timestamps included,
// reading the database at dsn directly.
func snapshot(t *testing.T, dsn string) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{
		"SELECT id, external_id, name, domain, country, region, phone, notes, owner_rep_id, opted_out, opted_out_at, created_at, updated_at FROM customers ORDER BY id",
		"SELECT id, customer_id, email, name, phone, title, created_at, updated_at FROM contacts ORDER BY id",
		"SELECT id, customer_id, number, status, currency, amount_cents, promised_date, tracking_number, tracking_url, notes, status_changed_at, created_at, updated_at FROM orders ORDER BY id",
		"SELECT id, order_id, position, sku, description, quantity, unit_price_cents FROM order_items ORDER BY id",
		"SELECT id, order_id, status, source, changed_at FROM order_status_history ORDER BY id",
	} {
		rows, err := testenv.SQL(t, dsn).Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		rows.Close()
	}
	return b.String()
}

func TestReimportChangesNothing(t *testing.T) {
	dialectsDSN(t, func(t *testing.T, st *store.Store, dsn string) {
		files := []struct {
			kind csvimport.Kind
			csv  string
		}{{csvimport.Customers(), customersCSV}, {csvimport.Contacts(), contactsCSV}, {csvimport.Orders(), ordersCSV}}
		for _, f := range files {
			mustImport(t, st, f.kind, f.csv)
		}
		before := snapshot(t, dsn)
		for _, f := range files {
			rep, err := csvimport.Import(context.Background(), st, f.kind, strings.NewReader(f.csv),
				csvimport.Options{Now: func() time.Time { return clock.Add(time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Created != 0 || rep.Updated != 0 || rep.Unchanged != rep.Records || len(rep.StatusChanges) != 0 {
				t.Errorf("re-import of %s = %+v, want all unchanged", f.kind.Name(), rep)
			}
		}
		if after := snapshot(t, dsn); after != before {
			t.Errorf("re-import changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}
	})
}

func TestImportUpdates(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		mustImport(t, st, csvimport.Customers(), customersCSV)
		mustImport(t, st, csvimport.Contacts(), contactsCSV)
		mustImport(t, st, csvimport.Orders(), ordersCSV)

		// A file with fewer columns updates what it has and leaves the rest.
		rep := mustImport(t, st, csvimport.Customers(), "external_id,name,opted_out\nC-1,Acme AG,yes\nC-2,Globex; Inc,no\n")
		if rep.Updated != 2 {
			t.Errorf("report = %+v", rep)
		}
		acme, _ := st.CustomerByExternalID(ctx, "C-1")
		if acme.Name != "Acme AG" || acme.Domain != "acme.example" || acme.OwnerRepID == 0 || !acme.OptedOut {
			t.Errorf("acme after partial update = %+v", acme)
		}
		globex, _ := st.CustomerByExternalID(ctx, "C-2")
		if globex.OptedOut || !globex.OptedOutAt.IsZero() {
			t.Errorf("globex opted back in = %+v", globex)
		}

		rep = mustImport(t, st, csvimport.Orders(), "number,customer,status,promised_date\nSO-1,C-1,delivered,2026-03-12\nSO-2,C-2,confirmed,2026-04-01\n")
		if rep.Updated != 2 {
			t.Errorf("orders report = %+v", rep)
		}
		so1, _ := st.OrderByNumber(ctx, "SO-1")
		want := []csvimport.StatusChange{
			{OrderID: so1.ID, Number: "SO-1", From: store.OrderShipped, To: store.OrderDelivered},
			{OrderID: so1.ID + 1, Number: "SO-2", From: store.OrderPending, To: store.OrderConfirmed},
		}
		if !slices.Equal(rep.StatusChanges, want) {
			t.Errorf("status changes = %+v, want %+v", rep.StatusChanges, want)
		}
		if so1.Status != store.OrderDelivered || len(so1.Items) != 2 || so1.AmountCents != 124050 {
			t.Errorf("SO-1 after update = %+v (items and amount must stay)", so1)
		}
		hist, _ := st.OrderHistory(ctx, so1.ID)
		if len(hist) != 2 || hist[1].Status != store.OrderDelivered || hist[1].Source != "import" {
			t.Errorf("SO-1 history = %+v", hist)
		}
	})
}

const badOrdersCSV = "number,customer,status,amount,promised_date,sku,qty\n" +
	"SO-10,C-1,confirmed,10.00,2026-03-20,A,1\n" + // row 2: good
	"SO-11,C-1,lost,10.00,,A,1\n" + // row 3: bad status
	"SO-12,C-404,confirmed,10.00,,A,1\n" + // row 4: unknown customer (found when applying)
	"SO-13,C-1,confirmed,ten,,A,1\n" + // row 5: bad amount
	"SO-14,C-1,confirmed,1.00,03/04/2026,A,1\n" + // row 6: ambiguous date
	"SO-10,C-1,shipped,,,B,1\n" + // row 7: disagrees with row 2
	"SO-15,C-1,confirmed,1.00,,A,0\n" + // row 8: bad quantity
	"\n" +
	"SO-16,C-1,,2.00,,A,2\n" + // row 10: good
	"SO-1,C-1,,,,A,1\n" // row 11: SO-1 belongs to C-2

func TestBadRows(t *testing.T) {
	dialectsDSN(t, func(t *testing.T, st *store.Store, dsn string) {
		ctx := context.Background()
		mustImport(t, st, csvimport.Customers(), "external_id,name\nC-1,Acme\nC-2,Globex\n")
		mustImport(t, st, csvimport.Orders(), "number,customer\nSO-1,C-2\n")
		before := snapshot(t, dsn)

		rep, err := run(t, st, csvimport.Orders(), badOrdersCSV, false)
		if !errors.Is(err, csvimport.ErrBadRows) {
			t.Fatalf("err = %v, want ErrBadRows", err)
		}
		wantRows := []int{3, 4, 5, 6, 7, 8, 11}
		var gotRows []int
		for _, b := range rep.Bad {
			gotRows = append(gotRows, b.Row)
		}
		if !slices.Equal(gotRows, wantRows) {
			t.Errorf("bad rows = %v, want %v: %+v", gotRows, wantRows, rep.Bad)
		}
		reasons := map[int]string{}
		for _, b := range rep.Bad {
			reasons[b.Row] = b.Reason
		}
		for row, want := range map[int]string{3: "status", 4: "C-404", 5: "amount", 6: "promised_date", 7: "row 2", 8: "quantity", 11: "another account"} {
			if !strings.Contains(reasons[row], want) {
				t.Errorf("row %d reason %q does not mention %q", row, reasons[row], want)
			}
		}
		if rep.Committed {
			t.Error("report says committed")
		}
		if after := snapshot(t, dsn); after != before {
			t.Errorf("a failed import wrote:\n%s", after)
		}

		rep, err = run(t, st, csvimport.Orders(), badOrdersCSV, true)
		if err != nil {
			t.Fatalf("--skip-bad: %v", err)
		}
		if !rep.Committed || rep.Created != 2 || len(rep.Bad) != len(wantRows) {
			t.Errorf("--skip-bad report = %+v", rep)
		}
		for _, n := range []string{"SO-10", "SO-16"} {
			if _, err := st.OrderByNumber(ctx, n); err != nil {
				t.Errorf("good row %s not imported: %v", n, err)
			}
		}
		for _, n := range []string{"SO-11", "SO-12", "SO-13", "SO-14", "SO-15"} {
			if _, err := st.OrderByNumber(ctx, n); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("bad row %s imported (err %v)", n, err)
			}
		}
		so1, _ := st.OrderByNumber(ctx, "SO-1")
		if so1.CustomerID == 0 || len(so1.Items) != 0 {
			t.Errorf("SO-1 of another account changed: %+v", so1)
		}
	})
}

func TestHeaderErrors(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tests := []struct {
		name string
		kind csvimport.Kind
		csv  string
		want string
	}{
		{"empty file", csvimport.Customers(), "", "empty"},
		{"missing required", csvimport.Customers(), "name,domain\nAcme,acme.example\n", "external_id"},
		{"two columns mean one", csvimport.Contacts(), "email,e-mail,customer\n", "both mean email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := run(t, st, tt.kind, tt.csv, false)
			if !errors.Is(err, csvimport.ErrHeader) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrHeader mentioning %q", err, tt.want)
			}
		})
	}
}

func TestRowChecks(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	csv := "external_id,name,domain,owner,opted_out\n" +
		"C-1,Acme,acme.example,nobody@desk.example,no\n" + // unknown rep
		"C-2,,,,\n" + // no name
		"C-3,Initech,not a domain,,\n" +
		"C-4,Hooli,,,maybe\n" +
		"C-5,Bad\xffUTF8,,,\n" +
		"C-6,Extra,,,,,surplus\n" +
		"C-7,Fine\t,fine.example\n" // short row: missing cells are empty
	rep, err := run(t, st, csvimport.Customers(), csv, true)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, b := range rep.Bad {
		got = append(got, fmt.Sprintf("%d %s", b.Row, b.Reason))
	}
	want := []string{
		"2 owner_email: no rep with the address nobody@desk.example",
		"3 name: required",
		`4 domain: "not a domain" is not a domain name`,
		`5 opted_out: "maybe" is not yes or no`,
		"6 name: not valid UTF-8 text",
		"7 7 fields, the header has 5",
	}
	if !slices.Equal(got, want) {
		t.Errorf("bad rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.Created != 1 {
		t.Errorf("created %d, want 1 (C-7)", rep.Created)
	}
}

func TestProgress(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	file := "external_id\tname\nC-1\tA\nC-2\tB\nC-3\tC\n"
	var calls [][2]int64
	_, err = csvimport.Import(context.Background(), st, csvimport.Customers(), strings.NewReader(file),
		csvimport.Options{Progress: func(read, size int64) { calls = append(calls, [2]int64{read, size}) }})
	if err != nil {
		t.Fatal(err)
	}
	n := int64(len(file))
	if len(calls) == 0 || calls[len(calls)-1] != [2]int64{n, n} {
		t.Fatalf("progress = %v, want it to end at %d of %d bytes", calls, n, n)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] < calls[i-1][0] {
			t.Errorf("progress went back: %v", calls)
		}
	}
}

// TestStrictCSV: a stray quote is a bad row with its line number, not a
// field that swallows the rows after it; --skip-bad imports the rest.
func TestStrictCSV(t *testing.T) {
	dialects(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		csv := "external_id,name\n" +
			"C-1,Acme\n" +
			"C-2,Glo\"bex\n" + // line 3: bare quote in an unquoted field
			"C-3,\"Initech\" Ltd\n" + // line 4: text after a closing quote
			"C-4,\"Hooli, \"\"the\"\" Inc\"\n" + // line 5: good, quotes doubled
			"C-5,\"Line\nbreak\"\n" + // lines 6-7: a newline in a name
			"C-6,Bell\x07Labs\n" + // line 8: a control character
			"C-7,Umbrella\n" // line 9: good
		rep, err := run(t, st, csvimport.Customers(), csv, false)
		if !errors.Is(err, csvimport.ErrBadRows) {
			t.Fatalf("err = %v, want ErrBadRows", err)
		}
		var got []string
		for _, b := range rep.Bad {
			got = append(got, fmt.Sprintf("%d %s", b.Row, b.Reason))
		}
		want := []string{"3 a stray \"", "4 a stray \"", "6 name: a line break or control character", "8 name: a line break or control character"}
		if len(got) != len(want) {
			t.Fatalf("bad rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("bad row %q, want it to start with %q", got[i], want[i])
			}
		}
		if _, err := st.CustomerByExternalID(ctx, "C-1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("C-1 written by a failed import (err %v)", err)
		}

		rep, err = run(t, st, csvimport.Customers(), csv, true)
		if err != nil {
			t.Fatalf("--skip-bad: %v", err)
		}
		if rep.Created != 3 || len(rep.Bad) != 4 || rep.Rows != 7 {
			t.Errorf("--skip-bad report = %+v, want 3 created, 4 bad of 7 rows", rep)
		}
		c, err := st.CustomerByExternalID(ctx, "C-4")
		if err != nil || c.Name != `Hooli, "the" Inc` {
			t.Errorf("C-4 = %+v, %v", c, err)
		}
		if _, err := st.CustomerByExternalID(ctx, "C-7"); err != nil {
			t.Errorf("C-7 after the bad rows not imported: %v", err)
		}
	})
}

// TestUnclosedQuote: a quote that never closes would swallow the rest of
// the file into one field, so the import stops with its line, SkipBad or
// not, and writes nothing.
func TestUnclosedQuote(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite::memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	csv := "external_id,name\nC-1,Acme\nC-2,\"Globex\nC-3,Initech\n"
	for _, skip := range []bool{false, true} {
		rep, err := run(t, st, csvimport.Customers(), csv, skip)
		if !errors.Is(err, csvimport.ErrFormat) || !strings.Contains(err.Error(), "line 3") || rep.Committed {
			t.Errorf("skip %v: err = %v, committed %v; want ErrFormat naming line 3", skip, err, rep.Committed)
		}
	}
	if _, err := st.CustomerByExternalID(context.Background(), "C-1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("C-1 written (err %v)", err)
	}
}

// TestOrderLinesApart: the lines of one order merge when they are within
// the window, and a line far below its order is a bad row naming both.
func TestOrderLinesApart(t *testing.T) {
	st, err := store.Open(context.Background(), "sqlite:"+t.TempDir()+"/apart.db")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	mustImport(t, st, csvimport.Customers(), "external_id,name\nC-1,Acme\n")
	var b strings.Builder
	b.WriteString("number,customer,sku\nSO-A,C-1,A1\n")
	for i := range csvimport.Window + 10 {
		fmt.Fprintf(&b, "SO-%d,C-1,X\n", i)
		if i == 10 {
			b.WriteString("SO-A,,A2\n") // near: merges
		}
	}
	b.WriteString("SO-A,,A3\n") // far: bad
	rep, err := run(t, st, csvimport.Orders(), b.String(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Bad) != 1 || !strings.Contains(rep.Bad[0].Reason, "also on row 2") || rep.Created != csvimport.Window+11 {
		t.Fatalf("report: created %d, bad %+v", rep.Created, rep.Bad)
	}
	o, err := st.OrderByNumber(context.Background(), "SO-A")
	if err != nil || len(o.Items) != 2 || o.Items[1].SKU != "A2" {
		t.Fatalf("SO-A = %+v, %v; want items A1, A2", o, err)
	}
}
