package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/testenv"
)

func TestImportTx(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		rita, _ := s.CreateRep(ctx, &Rep{Email: "rita@desk.example", Active: true})
		var custID, orderID, leadID int64
		err := s.Import(ctx, at, func(tx *ImportTx) error {
			if id, err := tx.RepIDByEmail(ctx, "Rita@Desk.example"); err != nil || id != rita {
				t.Errorf("RepIDByEmail = %d, %v; want %d", id, err, rita)
			}
			if _, err := tx.RepIDByEmail(ctx, "nobody@desk.example"); !errors.Is(err, ErrNotFound) {
				t.Errorf("RepIDByEmail of nobody: %v", err)
			}
			c := &Customer{ExternalID: "C-1", Name: "Acme", Domain: "acme.example", OwnerRepID: rita, OptedOut: true}
			var err error
			if custID, err = tx.CreateCustomer(ctx, c); err != nil {
				return err
			}
			for _, name := range []string{"Twin", "twin"} {
				if _, err := tx.CreateCustomer(ctx, &Customer{ExternalID: "X-" + name, Name: name}); err != nil {
					return err
				}
			}
			for _, tt := range []struct {
				ref  string
				want int
			}{{"C-1", 1}, {"ACME", 1}, {"twin", 2}, {"X-Twin", 1}, {"nobody", 0}} {
				if ids, err := tx.CustomerIDsByRef(ctx, tt.ref); err != nil || len(ids) != tt.want {
					t.Errorf("CustomerIDsByRef(%q) = %v, %v; want %d ids", tt.ref, ids, err, tt.want)
				}
			}

			if _, err := tx.CreateContact(ctx, &Contact{CustomerID: custID, Email: "Kim@Acme.example", Name: "Kim"}); err != nil {
				return err
			}
			k, err := tx.ContactByEmail(ctx, "kim@acme.example")
			if err != nil || k.Name != "Kim" || k.Email != "kim@acme.example" {
				t.Errorf("ContactByEmail = %+v, %v", k, err)
			}
			k.Title = "Buyer"
			if err := tx.UpdateContact(ctx, k); err != nil {
				return err
			}

			o := &Order{CustomerID: custID, Number: "SO-1", Currency: "EUR", AmountCents: 1000,
				PromisedDate: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), Items: []OrderItem{{SKU: "P-1", Quantity: 2, UnitPriceCents: 500}}}
			if orderID, err = tx.CreateOrder(ctx, o); err != nil {
				return err
			}
			got, err := tx.OrderByNumber(ctx, " SO-1 ")
			if err != nil || got.Status != OrderPending || !got.PromisedDate.Equal(o.PromisedDate) || !slices.Equal(got.Items, o.Items) {
				t.Errorf("OrderByNumber = %+v, %v", got, err)
			}
			got.AmountCents, got.PromisedDate, got.Notes = 2000, time.Time{}, "rush"
			if err := tx.UpdateOrder(ctx, got); err != nil {
				return err
			}
			if err := tx.SetOrderStatus(ctx, orderID, OrderShipped); err != nil {
				return err
			}
			if err := tx.ReplaceOrderItems(ctx, orderID, []OrderItem{{SKU: "P-2", Quantity: 1}}); err != nil {
				return err
			}
			if err := tx.SetOrderStatus(ctx, 999, OrderShipped); !errors.Is(err, ErrNotFound) {
				t.Errorf("status of a missing order: %v", err)
			}

			if _, err := tx.LeadIDByExternalID(ctx, "L-1"); !errors.Is(err, ErrNotFound) {
				t.Errorf("LeadIDByExternalID before: %v", err)
			}
			if leadID, err = tx.CreateLead(ctx, &Lead{ExternalID: "L-1", CustomerID: custID, ContactEmail: "Lee@Acme.example", Source: "import"}); err != nil {
				return err
			}
			if id, err := tx.LeadIDByExternalID(ctx, "L-1"); err != nil || id != leadID {
				t.Errorf("LeadIDByExternalID = %d, %v; want %d", id, err, leadID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}

		c, _ := s.Customer(ctx, custID)
		if !c.OptedOut || !c.OptedOutAt.Equal(at) || !c.CreatedAt.Equal(at) || c.OwnerRepID != rita {
			t.Errorf("customer = %+v; want opted out, created at the import's time", c)
		}
		k, _ := s.ContactByEmail(ctx, "kim@acme.example")
		if k.Title != "Buyer" || !k.UpdatedAt.Equal(at) {
			t.Errorf("contact = %+v", k)
		}
		o, _ := s.Order(ctx, orderID)
		if o.Status != OrderShipped || o.AmountCents != 2000 || !o.PromisedDate.IsZero() || o.Notes != "rush" ||
			!o.StatusChangedAt.Equal(at) || !slices.Equal(o.Items, []OrderItem{{SKU: "P-2", Quantity: 1}}) {
			t.Errorf("order = %+v", o)
		}
		h, _ := s.OrderHistory(ctx, orderID)
		if len(h) != 2 || h[0].Status != OrderPending || h[1].Status != OrderShipped || h[1].Source != "import" {
			t.Errorf("history = %+v", h)
		}
		l, _ := s.Lead(ctx, leadID)
		if l.Status != LeadUnassigned || l.ContactEmail != "lee@acme.example" || l.CustomerID != custID || !l.CreatedAt.Equal(at) {
			t.Errorf("lead = %+v", l)
		}
		evs, _ := s.LeadEvents(ctx, leadID)
		if len(evs) != 1 || evs[0].Kind != LeadEventCreated || evs[0].Note != "import" || !evs[0].CreatedAt.Equal(at) {
			t.Errorf("lead events = %+v", evs)
		}

		// Opting back in clears the time; staying out keeps it.
		later := at.Add(time.Hour)
		err = s.Import(ctx, later, func(tx *ImportTx) error {
			c, err := tx.CustomerByExternalID(ctx, "C-1")
			if err != nil {
				return err
			}
			c.Phone = "+49 30 1"
			if err := tx.UpdateCustomer(ctx, c); err != nil {
				return err
			}
			c2, _ := tx.CustomerByExternalID(ctx, "C-1")
			if !c2.OptedOutAt.Equal(at) || !c2.UpdatedAt.Equal(later) {
				t.Errorf("still opted out: %+v", c2)
			}
			c2.OptedOut = false
			return tx.UpdateCustomer(ctx, c2)
		})
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := s.Customer(ctx, custID); c.OptedOut || !c.OptedOutAt.IsZero() || c.Phone != "+49 30 1" {
			t.Errorf("after opting in: %+v", c)
		}

		// An error from fn rolls everything back and comes back as it is.
		errStop := errors.New("stop")
		err = s.Import(ctx, later, func(tx *ImportTx) error {
			if _, err := tx.CreateCustomer(ctx, &Customer{ExternalID: "C-9", Name: "Gone"}); err != nil {
				return err
			}
			return errStop
		})
		if !errors.Is(err, errStop) {
			t.Errorf("err = %v, want errStop", err)
		}
		if _, err := s.CustomerByExternalID(ctx, "C-9"); !errors.Is(err, ErrNotFound) {
			t.Errorf("rolled-back customer: %v", err)
		}
		err = s.Import(ctx, later, func(tx *ImportTx) error {
			_, err := tx.CreateCustomer(ctx, &Customer{ExternalID: "C-1", Name: "Again"})
			return err
		})
		if !errors.Is(err, ErrConflict) {
			t.Errorf("second C-1: %v, want ErrConflict", err)
		}
	})
}

// TestImportCreateOrdersKeys: orders copied in many at a time keep their
// foreign keys whoever checks them (PostgreSQL checks the batch's accounts
// with one statement when it may, internal/store/import_copy.go; a role
// that may not set session_replication_role leaves the checks to
// PostgreSQL, row by row). An order of an account that does not exist
// fails the import, naming the order when the import checks it, and
// leaves nothing behind; every other statement of the import is still
// checked row by row; a number already stored is ErrConflict.
func TestImportCreateOrdersKeys(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		want := map[Dialect]int8{SQLite: 0, Postgres: 1}[s.dialect]
		testImportCreateOrdersKeys(t, s, want)
	})
	t.Run("postgres without the grant", func(t *testing.T) {
		t.Parallel()
		testImportCreateOrdersKeys(t, openAsPlainRole(t), -1)
	})
}

// openAsPlainRole opens a migrated PostgreSQL test database as a new
// role that is no superuser and may read and write its tables, but not
// set session_replication_role.
func openAsPlainRole(t *testing.T) *Store {
	t.Helper()
	ctx := testCtx(t)
	dsn := dialectDSN(t, Postgres)
	owner, err := Open(ctx, dsn) // migrates as the superuser
	if err != nil {
		t.Fatal(err)
	}
	owner.Close()
	admin := testenv.SQL(t, dsn)
	role := "import_" + testenv.RandomName(6)
	var schema string
	if err := admin.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE ROLE " + role + " LOGIN NOSUPERUSER",
		"GRANT USAGE ON SCHEMA " + schema + " TO " + role,
		"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA " + schema + " TO " + role,
		"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA " + schema + " TO " + role,
	} {
		if _, err := admin.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(role)
	s, err := Open(ctx, u.String(), WithoutMigrations())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Close()
		ctx := context.WithoutCancel(ctx)
		for _, q := range []string{"DROP OWNED BY " + role, "DROP ROLE " + role} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})
	return s
}

// testImportCreateOrdersKeys is TestImportCreateOrdersKeys on s, whose
// imports check the foreign keys of the orders they copy themselves
// (wantKeys 1) or leave them to the database (-1; 0 on SQLite).
func testImportCreateOrdersKeys(t *testing.T, s *Store, wantKeys int8) {
	{
		ctx := testCtx(t)
		at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		acme, err := s.CreateCustomer(ctx, &Customer{ExternalID: "C-1", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		newOrders := func(numbers ...string) []*Order {
			var orders []*Order
			for _, n := range numbers {
				orders = append(orders, &Order{CustomerID: acme, Number: n, Items: []OrderItem{{SKU: "P-" + n, Quantity: 1}}})
			}
			return orders
		}

		bad := newOrders("SO-A", "SO-B", "SO-C")
		bad[1].CustomerID = acme + 1000
		err = s.Import(ctx, at, func(tx *ImportTx) error { return tx.CreateOrders(ctx, bad) })
		if err == nil {
			t.Fatal("orders of a missing account imported")
		}
		if wantKeys > 0 && !strings.Contains(err.Error(), "SO-B") {
			t.Errorf("err = %v; want it to name SO-B", err)
		}
		if _, err := s.OrderByNumber(ctx, "SO-A"); !errors.Is(err, ErrNotFound) {
			t.Errorf("SO-A after the failed import: %v", err)
		}

		good := newOrders("SO-1", "SO-2")
		err = s.Import(ctx, at, func(tx *ImportTx) error {
			if err := tx.CreateOrders(ctx, good); err != nil {
				return err
			}
			if tx.keys != wantKeys {
				t.Errorf("keys = %d; want %d (1: checked per batch, -1: by PostgreSQL per row)", tx.keys, wantKeys)
			}
			// The import's later statements are checked row by row again.
			_, err := tx.tx.ExecContext(ctx, s.rebind(`
				INSERT INTO order_status_history (order_id, status, note, source, changed_at) VALUES (?, 'pending', '', 'import', ?)`),
				good[1].ID+1000, s.ts(at))
			if err == nil {
				t.Error("a history row of a missing order was accepted after CreateOrders")
			}
			return errors.New("roll back")
		})
		if err == nil || err.Error() != "roll back" {
			t.Fatalf("err = %v", err)
		}

		if err := s.Import(ctx, at, func(tx *ImportTx) error { return tx.CreateOrders(ctx, good) }); err != nil {
			t.Fatal(err)
		}
		for _, o := range good {
			got, err := s.Order(ctx, o.ID)
			if err != nil || got.Number != o.Number || !slices.Equal(got.Items, o.Items) {
				t.Errorf("order %s = %+v, %v", o.Number, got, err)
			}
			if h, err := s.OrderHistory(ctx, o.ID); err != nil || len(h) != 1 {
				t.Errorf("history of %s = %+v, %v", o.Number, h, err)
			}
		}
		// The keys stay: the account cannot go while it has orders.
		if _, err := s.db.ExecContext(ctx, s.rebind("DELETE FROM customers WHERE id = ?"), acme); err == nil {
			t.Error("an account with imported orders was deleted")
		}
		err = s.Import(ctx, at, func(tx *ImportTx) error { return tx.CreateOrders(ctx, newOrders("SO-3", "SO-1")) })
		if !errors.Is(err, ErrConflict) {
			t.Errorf("a stored number again: %v, want ErrConflict", err)
		}
	}
}

// TestImportSetsIndexesAside: an import that creates more orders than
// the table held drops the orders' secondary indexes on SQLite (never the
// unique number) and builds them again before it commits; other
// connections see every index throughout; a failed import leaves them as
// they were; an import smaller than the table keeps them. PostgreSQL
// keeps them all the time (import_index.go).
func TestImportSetsIndexesAside(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		s.indexAsideMin = 3
		at := time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
		acme, err := s.CreateCustomer(ctx, &Customer{ExternalID: "C-1", Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		newOrders := func(from, n int) []*Order {
			var orders []*Order
			for i := from; i < from+n; i++ {
				orders = append(orders, &Order{CustomerID: acme, Number: fmt.Sprintf("SO-%d", i), Status: OrderConfirmed,
					PromisedDate: at.AddDate(0, 0, i), Items: []OrderItem{{SKU: "P-1", Quantity: 1}}})
			}
			return orders
		}
		indexes := func(q querier) []string {
			t.Helper()
			query := `SELECT name || ': ' || COALESCE(sql, '') FROM sqlite_master
				WHERE type = 'index' AND tbl_name IN ('orders', 'order_items', 'order_status_history') ORDER BY name`
			if s.dialect == Postgres {
				query = `SELECT indexname || ': ' || indexdef FROM pg_indexes
					WHERE schemaname = current_schema() AND tablename IN ('orders', 'order_items', 'order_status_history')
					ORDER BY indexname`
			}
			defs, err := queryAllOn(ctx, s, q, scanString, query)
			if err != nil {
				t.Fatal(err)
			}
			return defs
		}
		before := indexes(s.db)
		if !slices.ContainsFunc(before, func(d string) bool { return strings.HasPrefix(d, "orders_customer_created_idx:") }) {
			t.Fatalf("indexes before = %q; want orders_customer_created_idx among them", before)
		}
		// What the import sets aside on SQLite: the indexes on orders that
		// a migration created, not the one of the unique number
		// (sqlite_autoindex_orders_1).
		wantAside := 0
		for _, d := range before {
			if s.dialect == SQLite && strings.HasPrefix(d, "orders_") {
				wantAside++
			}
		}

		first := newOrders(0, 10)
		err = s.Import(ctx, at, func(tx *ImportTx) error {
			if err := tx.CreateOrders(ctx, first[:2]); err != nil {
				return err
			}
			if got := indexes(tx.tx); !slices.Equal(got, before) {
				t.Errorf("after 2 orders: indexes = %q; want all %q", got, before)
			}
			if err := tx.CreateOrders(ctx, first[2:]); err != nil {
				return err
			}
			if got := len(before) - len(indexes(tx.tx)); got != wantAside {
				t.Errorf("after 10 orders: %d indexes set aside; want %d", got, wantAside)
			}
			// A reader: the writer is the import's until it commits.
			if got := indexes(s.db.read); !slices.Equal(got, before) {
				t.Errorf("another connection during the import sees %q; want %q", got, before)
			}
			found, err := tx.OrdersByNumbers(ctx, []string{"SO-3", "SO-9"})
			if err != nil || len(found) != 2 || len(found["SO-9"].Items) != 1 {
				t.Errorf("OrdersByNumbers after the indexes went = %v, %v", found, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := indexes(s.db); !slices.Equal(got, before) {
			t.Errorf("after the import: indexes = %q; want %q", got, before)
		}
		if s.dialect == SQLite {
			// Every index holds every row again.
			if got, err := queryOneOn(ctx, s, s.db, scanString, "PRAGMA integrity_check"); err != nil || *got != "ok" {
				t.Errorf("integrity_check = %v, %v", got, err)
			}
		}
		late, err := s.db.QueryContext(ctx, s.rebind("SELECT number FROM orders WHERE customer_id = ? AND promised_date < ? ORDER BY number"),
			acme, s.nullDate(at.AddDate(0, 0, 2)))
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for late.Next() {
			var n string
			if err := late.Scan(&n); err != nil {
				t.Fatal(err)
			}
			numbers = append(numbers, n)
		}
		if err := late.Close(); err != nil || !slices.Equal(numbers, []string{"SO-0", "SO-1"}) {
			t.Errorf("orders promised before day 2 = %q, %v", numbers, err)
		}

		// A failed import puts the indexes back with everything else; the
		// unique number still holds while the others are aside.
		err = s.Import(ctx, at, func(tx *ImportTx) error {
			if err := tx.CreateOrders(ctx, newOrders(100, 20)); err != nil {
				return err
			}
			if got := len(before) - len(indexes(tx.tx)); got != wantAside {
				t.Errorf("after 20 more orders: %d indexes set aside; want %d", got, wantAside)
			}
			return tx.CreateOrders(ctx, newOrders(9, 1))
		})
		if !errors.Is(err, ErrConflict) {
			t.Errorf("a stored number while the indexes are aside: %v, want ErrConflict", err)
		}
		if got := indexes(s.db); !slices.Equal(got, before) {
			t.Errorf("after the failed import: indexes = %q; want %q", got, before)
		}
		if _, err := s.OrderByNumber(ctx, "SO-100"); !errors.Is(err, ErrNotFound) {
			t.Errorf("SO-100 after the failed import: %v", err)
		}

		// Fewer new orders than the table holds: the indexes stay.
		err = s.Import(ctx, at, func(tx *ImportTx) error {
			if err := tx.CreateOrders(ctx, newOrders(200, 8)); err != nil {
				return err
			}
			if got := indexes(tx.tx); !slices.Equal(got, before) {
				t.Errorf("8 orders into 10: indexes = %q; want all %q", got, before)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func scanString(r row) (*string, error) {
	var v string
	if err := r.Scan(&v); err != nil {
		return nil, err
	}
	return &v, nil
}
