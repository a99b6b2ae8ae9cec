package store

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

func TestCustomerRoundTrip(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		rep, err := s.CreateRep(ctx, &Rep{Email: "rita@example.net", Name: "Rita", Active: true})
		if err != nil {
			t.Fatal(err)
		}
		c := &Customer{ExternalID: "ERP-1", Name: "Acme GmbH", Domain: " ACME.com ", Country: "DE", Region: "EMEA",
			Phone: "+49 30 1", Notes: "key account", OwnerRepID: rep}
		id, err := s.CreateCustomer(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Customer(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := *c
		want.Domain, want.CreatedAt, want.UpdatedAt = "acme.com", got.CreatedAt, got.UpdatedAt
		if !reflect.DeepEqual(*got, want) || got.CreatedAt.IsZero() {
			t.Errorf("round trip:\n got %+v\nwant %+v", *got, want)
		}
		if _, err := s.CreateCustomer(ctx, &Customer{ExternalID: "ERP-1", Name: "Dup"}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate external id: %v, want ErrConflict", err)
		}
		// Without external ids any number of accounts may exist.
		for range 2 {
			if _, err := s.CreateCustomer(ctx, &Customer{Name: "Beta 100%_"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CreateCustomer(ctx, &Customer{}); err == nil {
			t.Error("customer without a name created")
		}

		got.Name, got.OwnerRepID = "Acme AG", 0
		if err := s.UpdateCustomer(ctx, got); err != nil {
			t.Fatal(err)
		}
		if err := s.SetCustomerOptOut(ctx, id, true); err != nil {
			t.Fatal(err)
		}
		after, _ := s.Customer(ctx, id)
		if after.Name != "Acme AG" || after.OwnerRepID != 0 || !after.OptedOut || after.OptedOutAt.IsZero() {
			t.Errorf("after update and opt-out: %+v", after)
		}
		if err := s.SetCustomerOptOut(ctx, id, false); err != nil {
			t.Fatal(err)
		}
		if after, _ = s.Customer(ctx, id); after.OptedOut || !after.OptedOutAt.IsZero() {
			t.Errorf("after opt-in: %+v", after)
		}
		if byExt, err := s.CustomerByExternalID(ctx, "ERP-1"); err != nil || byExt.ID != id {
			t.Errorf("by external id: %v, %v", byExt, err)
		}

		list, err := s.ListCustomers(ctx, CustomerFilter{Domain: "Acme.com"})
		if err != nil || len(list) != 1 || list[0].ID != id {
			t.Errorf("by domain: %v, %v", list, err)
		}
		list, err = s.ListCustomers(ctx, CustomerFilter{Name: "100%_"})
		if err != nil || len(list) != 2 {
			t.Errorf("by name with wildcards: %d, %v", len(list), err)
		}
		list, err = s.ListCustomers(ctx, CustomerFilter{Name: "0%"})
		if err != nil || len(list) != 2 {
			t.Errorf("escaped %% must match literally: %d, %v", len(list), err)
		}
		list, err = s.ListCustomers(ctx, CustomerFilter{Name: "a_m"})
		if err != nil || len(list) != 0 {
			t.Errorf("escaped _ must match literally: %d, %v", len(list), err)
		}

		if _, err := s.Customer(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		if err := s.UpdateCustomer(ctx, &Customer{ID: 999, Name: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}
		if err := s.SetCustomerOptOut(ctx, 999, true); !errors.Is(err, ErrNotFound) {
			t.Errorf("opt out missing: %v", err)
		}
	})
}

func TestContacts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		cust, _ := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		other, _ := s.CreateCustomer(ctx, &Customer{Name: "Other"})
		c := &Contact{CustomerID: cust, Email: " Ann.Lee@Acme.com", Name: "Ann Lee", Phone: "1", Title: "Buyer"}
		id, err := s.CreateContact(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.ContactByEmail(ctx, "ANN.LEE@acme.COM")
		if err != nil || got.ID != id || got.Email != "ann.lee@acme.com" || got.Name != "Ann Lee" || got.Title != "Buyer" {
			t.Fatalf("by email: %+v, %v", got, err)
		}
		// Email is unique across all accounts, whatever its case.
		if _, err := s.CreateContact(ctx, &Contact{CustomerID: other, Email: "ann.lee@ACME.com"}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate email: %v, want ErrConflict", err)
		}
		id2, err := s.CreateContact(ctx, &Contact{CustomerID: cust, Email: "bob@acme.com"})
		if err != nil {
			t.Fatal(err)
		}
		got.Name = "Ann Lee-Smith"
		if err := s.UpdateContact(ctx, got); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Contact(ctx, id); got.Name != "Ann Lee-Smith" {
			t.Errorf("after update: %+v", got)
		}
		bob, _ := s.Contact(ctx, id2)
		bob.Email = "ann.lee@acme.com"
		if err := s.UpdateContact(ctx, bob); !errors.Is(err, ErrConflict) {
			t.Errorf("update to a taken email: %v, want ErrConflict", err)
		}
		list, err := s.ContactsForCustomer(ctx, cust)
		if err != nil || len(list) != 2 || list[0].ID != id || list[1].ID != id2 {
			t.Errorf("contacts of customer: %+v, %v", list, err)
		}
		if _, err := s.ContactByEmail(ctx, "nobody@acme.com"); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		// A contact needs an existing account.
		if _, err := s.CreateContact(ctx, &Contact{CustomerID: 999, Email: "x@y"}); err == nil {
			t.Error("contact of a missing customer created")
		}
	})
}

func TestReps(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		ooo := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC)
		r := &Rep{Email: "Rita@Example.net", Name: "Rita", Active: true, Weight: 3, Capacity: 20,
			Territories: []string{"DE", "AT"}, Skills: []string{"pumps"}, Timezone: "Europe/Berlin",
			WorkingHours: "Mon-Fri 09:00-17:00", OutOfOfficeUntil: ooo}
		id, err := s.CreateRep(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.RepByEmail(ctx, "rita@example.NET")
		if err != nil {
			t.Fatal(err)
		}
		want := *r
		want.Email, want.CreatedAt, want.UpdatedAt = "rita@example.net", got.CreatedAt, got.UpdatedAt
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("round trip:\n got %+v\nwant %+v", *got, want)
		}
		if _, err := s.CreateRep(ctx, &Rep{Email: "RITA@example.net"}); !errors.Is(err, ErrConflict) {
			t.Errorf("duplicate email: %v, want ErrConflict", err)
		}
		// Defaults.
		sam := &Rep{Email: "sam@example.net"}
		if _, err := s.CreateRep(ctx, sam); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Rep(ctx, sam.ID); got.Weight != 1 || got.Timezone != "" || got.Territories == nil || got.Active {
			t.Errorf("defaults: %+v", got)
		}
		// Upsert: update by email, create when new.
		upd := &Rep{Email: "rita@example.net", Name: "Rita R.", Active: false}
		if uid, created, err := s.UpsertRep(ctx, upd); err != nil || created || uid != id {
			t.Errorf("upsert existing = %d, %v, %v", uid, created, err)
		}
		if got, _ := s.Rep(ctx, id); got.Name != "Rita R." || got.Active || !got.OutOfOfficeUntil.IsZero() {
			t.Errorf("after upsert: %+v", got)
		}
		if _, created, err := s.UpsertRep(ctx, &Rep{Email: "new@example.net", Active: true}); err != nil || !created {
			t.Errorf("upsert new = %v, %v", created, err)
		}
		all, _ := s.ListReps(ctx, false)
		active, _ := s.ListReps(ctx, true)
		if len(all) != 3 || len(active) != 1 || active[0].Email != "new@example.net" {
			t.Errorf("list: all %d, active %+v", len(all), active)
		}
		if _, err := s.Rep(ctx, 999); !errors.Is(err, ErrNotFound) {
			t.Errorf("missing: %v", err)
		}
		if err := s.UpdateRep(ctx, &Rep{ID: 999, Email: "x@y"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("update missing: %v", err)
		}
	})
}
