package csvimport

import (
	"context"
	"errors"
	"fmt"

	"salesdesk/internal/store"
)

// Customers is the kind "customers": accounts, upserted by external id.
// An owner column names the owner rep by email; the rep must exist.
func Customers() Kind { return customersKind{} }

type customersKind struct{}

func (customersKind) Name() string { return "customers" }

func (customersKind) Columns() []Column {
	return []Column{
		{Name: "external_id", Required: true, Aliases: []string{"id", "customer_id", "customer_number", "customer_no", "account_id", "account_number", "account_no", "ext_id"}},
		{Name: "name", Required: true, Aliases: []string{"company", "company_name", "customer_name", "account_name", "customer", "account"}},
		{Name: "domain", Aliases: []string{"email_domain", "website", "web", "url"}},
		{Name: "country", Aliases: []string{"country_code"}},
		{Name: "region", Aliases: []string{"state", "province", "territory"}},
		{Name: "phone", Aliases: []string{"telephone", "tel", "phone_number"}},
		{Name: "notes", Aliases: []string{"note", "comment", "comments"}},
		{Name: "owner_email", Aliases: []string{"owner", "rep", "rep_email", "account_owner", "sales_rep", "account_manager"}},
		{Name: "opted_out", Aliases: []string{"opt_out", "opted_out_of_mail", "unsubscribed", "do_not_email"}},
	}
}

// customerRecord is one checked customer row. has says which optional
// columns the file has: absent ones keep the stored value.
type customerRecord struct {
	externalID, name, domain, country, region, phone, notes, owner string
	optedOut                                                       bool
	has                                                            map[string]bool
}

func (r *customerRecord) Key() string { return "customer " + r.externalID }

func (customersKind) Parse(row Row) (Record, error) {
	r := &customerRecord{has: map[string]bool{}}
	for _, c := range []string{"domain", "country", "region", "phone", "notes", "owner_email", "opted_out"} {
		r.has[c] = row.Has(c)
	}
	var err error
	if r.externalID = row.Get("external_id"); r.externalID == "" {
		return nil, errors.New("external_id: required")
	}
	if r.externalID, err = text("external_id", r.externalID, 100); err != nil {
		return nil, err
	}
	if r.name = row.Get("name"); r.name == "" {
		return nil, errors.New("name: required")
	}
	if r.name, err = text("name", r.name, maxText); err != nil {
		return nil, err
	}
	if v := row.Get("domain"); v != "" {
		if r.domain, err = parseDomain(v); err != nil {
			return nil, err
		}
	}
	if r.country, err = text("country", row.Get("country"), 100); err != nil {
		return nil, err
	}
	if r.region, err = text("region", row.Get("region"), 100); err != nil {
		return nil, err
	}
	if r.phone, err = text("phone", row.Get("phone"), 100); err != nil {
		return nil, err
	}
	if r.notes, err = text("notes", row.Get("notes"), maxNotes); err != nil {
		return nil, err
	}
	if v := row.Get("owner_email"); v != "" {
		if r.owner, err = parseEmail("owner_email", v); err != nil {
			return nil, err
		}
	}
	if r.optedOut, err = parseBool("opted_out", row.Get("opted_out")); err != nil {
		return nil, err
	}
	return r, nil
}

func (customersKind) Apply(ctx context.Context, tx *Tx, rec Record) (Change, error) {
	r := rec.(*customerRecord)
	var ownerID int64
	if r.owner != "" {
		id, err := tx.RepIDByEmail(ctx, r.owner)
		if errors.Is(err, store.ErrNotFound) {
			return 0, rowErr("owner_email: no rep with the address %s", r.owner)
		}
		if err != nil {
			return 0, err
		}
		ownerID = id
	}
	stored, err := tx.CustomerByExternalID(ctx, r.externalID)
	if errors.Is(err, store.ErrNotFound) {
		c := &store.Customer{ExternalID: r.externalID, Name: r.name, Domain: r.domain, Country: r.country, Region: r.region,
			Phone: r.phone, Notes: r.notes, OwnerRepID: ownerID, OptedOut: r.optedOut}
		if _, err := tx.CreateCustomer(ctx, c); err != nil {
			return 0, fmt.Errorf("insert customer %s: %w", r.externalID, err)
		}
		return Created, nil
	}
	if err != nil {
		return 0, err
	}
	want := *stored
	want.Name = r.name
	setIf(r.has, "domain", &want.Domain, r.domain)
	setIf(r.has, "country", &want.Country, r.country)
	setIf(r.has, "region", &want.Region, r.region)
	setIf(r.has, "phone", &want.Phone, r.phone)
	setIf(r.has, "notes", &want.Notes, r.notes)
	if r.has["owner_email"] {
		want.OwnerRepID = ownerID
	}
	if r.has["opted_out"] {
		want.OptedOut = r.optedOut
	}
	if want == *stored {
		return Unchanged, nil
	}
	if err := tx.UpdateCustomer(ctx, &want); err != nil {
		return 0, fmt.Errorf("update customer %s: %w", r.externalID, err)
	}
	return Updated, nil
}
