package demo

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"salesdesk/internal/store"
)

func TestNewWorldIsDeterministic(t *testing.T) {
	a, b := NewWorld(4, testNow), NewWorld(4, testNow)
	if !reflect.DeepEqual(a, b) {
		t.Error("two worlds from seed 4 differ")
	}
	if reflect.DeepEqual(a.Accounts, NewWorld(5, testNow).Accounts) {
		t.Error("worlds from seeds 4 and 5 are the same")
	}
}

func TestNewWorldCoversWhatTheDemoShows(t *testing.T) {
	w := NewWorld(1, testNow)
	zones, territories := map[string]bool{}, map[string]bool{}
	for _, r := range w.Reps {
		zones[r.Timezone] = true
		for _, t := range r.Territories {
			territories[t] = true
		}
		if w.RecipientKind(r.Email) != "rep" {
			t.Errorf("RecipientKind(%s) = %s, want rep", r.Email, w.RecipientKind(r.Email))
		}
	}
	if len(zones) < 4 || len(territories) < 8 {
		t.Errorf("reps cover %d timezones and %d territories, want several", len(zones), len(territories))
	}
	statuses := map[string]bool{}
	tracked := 0
	for _, a := range w.Accounts {
		for _, o := range a.Orders {
			statuses[o.Status] = true
			if o.TrackingNumber != "" {
				tracked++
			}
		}
		for _, c := range a.Contacts {
			if w.RecipientKind(c.Email) != "customer" {
				t.Errorf("RecipientKind(%s) = %s, want customer", c.Email, w.RecipientKind(c.Email))
			}
		}
	}
	if len(statuses) < 5 || tracked == 0 {
		t.Errorf("orders have statuses %v and %d tracking numbers, want variety", statuses, tracked)
	}
	for _, addr := range []string{ManagerAddress, TeamAddress, TriageAddress} {
		if w.RecipientKind(addr) != "manager" {
			t.Errorf("RecipientKind(%s) = %s, want manager", addr, w.RecipientKind(addr))
		}
	}
}

func TestWorldSeed(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w := NewWorld(1, testNow)
	for range 2 { // seeding twice is harmless
		if err := w.Seed(ctx, st); err != nil {
			t.Fatal(err)
		}
	}
	reps, err := st.ListReps(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(reps) != len(w.Reps) {
		t.Errorf("%d reps stored, want %d", len(reps), len(w.Reps))
	}
	custs, err := st.ListCustomers(ctx, store.CustomerFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(custs) != len(w.Accounts) {
		t.Fatalf("%d customers stored, want %d", len(custs), len(w.Accounts))
	}
	a := w.Accounts[0]
	c, err := st.ContactByEmail(ctx, a.Contacts[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	o, err := st.OrderByNumber(ctx, a.Orders[0].Number)
	if err != nil {
		t.Fatal(err)
	}
	if o.CustomerID != c.CustomerID || o.Status != a.Orders[0].Status || len(o.Items) != len(a.Orders[0].Items) {
		t.Errorf("order %s stored as %+v; want it on the contact's account %d with status %s", o.Number, o, c.CustomerID, a.Orders[0].Status)
	}
	cust, err := st.Customer(ctx, c.CustomerID)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := st.Rep(ctx, cust.OwnerRepID)
	if err != nil || owner.Email != w.Reps[a.OwnerRep].Email {
		t.Errorf("owner of %s = %v (%v), want %s", cust.Name, owner, err, w.Reps[a.OwnerRep].Email)
	}
}
