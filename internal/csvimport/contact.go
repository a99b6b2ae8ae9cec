package csvimport

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"salesdesk/internal/store"
)

// Contacts is the kind "contacts": people at accounts, upserted by email.
// The customer column names the account by external id (or by a name only
// one account has). Order details go to contacts, so a contact row that
// moves an address to another account is written as the file says.
func Contacts() Kind { return contactsKind{} }

type contactsKind struct{}

func (contactsKind) Name() string { return "contacts" }

// customerRefAliases are the headers that name an account in contact and
// order files.
var customerRefAliases = []string{"customer", "customer_id", "customer_external_id", "customer_number", "customer_no",
	"account", "account_id", "account_external_id", "account_number", "company_id"}

func (contactsKind) Columns() []Column {
	return []Column{
		{Name: "email", Required: true, Aliases: []string{"e_mail", "email_address", "mail", "contact_email"}},
		{Name: "customer_ref", Required: true, Aliases: customerRefAliases},
		{Name: "name", Aliases: []string{"contact_name", "full_name", "contact"}},
		{Name: "first_name", Aliases: []string{"firstname", "given_name"}},
		{Name: "last_name", Aliases: []string{"lastname", "surname", "family_name"}},
		{Name: "phone", Aliases: []string{"telephone", "tel", "mobile", "phone_number"}},
		{Name: "title", Aliases: []string{"job_title", "position", "role"}},
	}
}

type contactRecord struct {
	email, customer, name, phone, title string
	has                                 map[string]bool
}

func (r *contactRecord) Key() string { return "contact " + r.email }

func (contactsKind) Parse(row Row) (Record, error) {
	r := &contactRecord{has: map[string]bool{
		"name":  row.Has("name") || row.Has("first_name") || row.Has("last_name"),
		"phone": row.Has("phone"),
		"title": row.Has("title"),
	}}
	var err error
	v := row.Get("email")
	if v == "" {
		return nil, errors.New("email: required")
	}
	if r.email, err = parseEmail("email", v); err != nil {
		return nil, err
	}
	if r.customer = row.Get("customer_ref"); r.customer == "" {
		return nil, errors.New("customer: required")
	}
	name := row.Get("name")
	if name == "" {
		name = strings.TrimSpace(row.Get("first_name") + " " + row.Get("last_name"))
	}
	if r.name, err = text("name", name, maxText); err != nil {
		return nil, err
	}
	if r.phone, err = text("phone", row.Get("phone"), 100); err != nil {
		return nil, err
	}
	if r.title, err = text("title", row.Get("title"), maxText); err != nil {
		return nil, err
	}
	return r, nil
}

func (contactsKind) Apply(ctx context.Context, tx *Tx, rec Record) (Change, error) {
	r := rec.(*contactRecord)
	customerID, err := customerRef(ctx, tx, r.customer)
	if err != nil {
		return 0, err
	}
	stored, err := tx.ContactByEmail(ctx, r.email)
	if errors.Is(err, store.ErrNotFound) {
		c := &store.Contact{CustomerID: customerID, Email: r.email, Name: r.name, Phone: r.phone, Title: r.title}
		if _, err := tx.CreateContact(ctx, c); err != nil {
			return 0, fmt.Errorf("insert contact %s: %w", r.email, err)
		}
		return Created, nil
	}
	if err != nil {
		return 0, err
	}
	want := *stored
	want.CustomerID = customerID
	setIf(r.has, "name", &want.Name, r.name)
	setIf(r.has, "phone", &want.Phone, r.phone)
	setIf(r.has, "title", &want.Title, r.title)
	if want == *stored {
		return Unchanged, nil
	}
	if err := tx.UpdateContact(ctx, &want); err != nil {
		return 0, fmt.Errorf("update contact %s: %w", r.email, err)
	}
	return Updated, nil
}
