package storetest

import (
	"os"
	"strings"
	"testing"

	"salesdesk/internal/store"
)

func TestSQLiteDSNIsMigratedAndSeparate(t *testing.T) {
	ctx := t.Context()
	var stores []*store.Store
	for _, name := range []string{"a.db", "b.db"} {
		dsn := SQLiteDSN(t, name)
		path, ok := strings.CutPrefix(dsn, "sqlite:")
		if !ok || !strings.HasSuffix(path, "/"+name) {
			t.Fatalf("SQLiteDSN(%q) = %q, want sqlite:.../%s", name, dsn, name)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", name, fi.Mode().Perm())
		}
		st, err := store.Open(ctx, dsn, store.WithoutMigrations())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		applied, err := st.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) > 0 {
			t.Errorf("%s: Migrate applied %v, want a current schema", name, applied)
		}
		stores = append(stores, st)
	}
	if _, err := stores[0].CreateCustomer(ctx, &store.Customer{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		got, err := stores[i].ListCustomers(ctx, store.CustomerFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != want {
			t.Errorf("database %d holds %d customers, want %d: the copies share rows", i, len(got), want)
		}
	}
}
