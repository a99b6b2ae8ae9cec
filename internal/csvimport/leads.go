package csvimport

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"salesdesk/internal/store"
)

// Leads returns the kind "leads": new business from another system,
// created by external id (a row whose id exists changes nothing: the
// lead's owner and status are the assigner's from then on). The leads are
// written unassigned; after a committed import the caller starts their
// assignment (dedupe and lead:assign) for each id in Created, e.g. with
// lead.Service.OnLeadCreated.
func Leads() *LeadsKind { return &LeadsKind{} }

// LeadsKind is the leads import kind.
type LeadsKind struct {
	mu      sync.Mutex
	created []int64
}

// Created returns the ids of the leads this import created, in file
// order. They exist only when the report says Committed.
func (k *LeadsKind) Created() []int64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]int64(nil), k.created...)
}

// Name implements Kind.
func (k *LeadsKind) Name() string { return "leads" }

// Columns implements Kind.
func (k *LeadsKind) Columns() []Column {
	return []Column{
		{Name: "external_id", Required: true, Aliases: []string{"id", "lead_id", "lead_ref", "reference", "ref"}},
		{Name: "email", Required: true, Aliases: []string{"e_mail", "email_address", "contact_email", "mail"}},
		{Name: "name", Aliases: []string{"contact_name", "full_name", "contact"}},
		{Name: "company", Aliases: []string{"company_name", "organisation", "organization", "account_name"}},
		{Name: "domain", Aliases: []string{"website", "company_domain", "web"}},
		{Name: "country", Aliases: []string{"country_code"}},
		{Name: "summary", Aliases: []string{"subject", "description", "message", "notes", "title"}},
		{Name: "source", Aliases: []string{"lead_source", "channel"}},
		{Name: "customer_ref", Aliases: customerRefAliases},
	}
}

type leadRecord struct {
	externalID, email, name, company, domain, country, summary, source, customer string
}

func (r *leadRecord) Key() string { return "lead " + r.externalID }

// Parse implements Kind.
func (k *LeadsKind) Parse(row Row) (Record, error) {
	r := &leadRecord{}
	var err error
	if r.externalID, err = text("external_id", row.Get("external_id"), 200); err != nil {
		return nil, err
	}
	if r.externalID == "" {
		return nil, errors.New("external_id: required")
	}
	v := row.Get("email")
	if v == "" {
		return nil, errors.New("email: required")
	}
	if r.email, err = parseEmail("email", v); err != nil {
		return nil, err
	}
	if d := row.Get("domain"); d != "" {
		if r.domain, err = parseDomain(d); err != nil {
			return nil, err
		}
	}
	if c := row.Get("country"); c != "" {
		if len(c) != 2 || strings.ContainsFunc(c, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
			return nil, fmt.Errorf("country: %q is not a two-letter country code", c)
		}
		r.country = strings.ToUpper(c)
	}
	for _, f := range []struct {
		col string
		dst *string
		max int
	}{{"name", &r.name, maxText}, {"company", &r.company, maxText}, {"summary", &r.summary, maxNotes}, {"source", &r.source, 50}} {
		if *f.dst, err = text(f.col, row.Get(f.col), f.max); err != nil {
			return nil, err
		}
	}
	if r.source == "" {
		r.source = "import"
	}
	r.customer = row.Get("customer_ref")
	return r, nil
}

// Apply implements Kind.
func (k *LeadsKind) Apply(ctx context.Context, tx *Tx, rec Record) (Change, error) {
	r := rec.(*leadRecord)
	_, err := tx.LeadIDByExternalID(ctx, r.externalID)
	if err == nil {
		return Unchanged, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return Unchanged, err
	}
	var customerID int64
	if r.customer != "" {
		if customerID, err = customerRef(ctx, tx, r.customer); err != nil {
			return Unchanged, err
		}
	}
	id, err := tx.CreateLead(ctx, &store.Lead{ExternalID: r.externalID, CustomerID: customerID, ContactEmail: r.email,
		ContactName: r.name, Company: r.company, Domain: r.domain, Country: r.country, Source: r.source, Summary: r.summary})
	if err != nil {
		return Unchanged, fmt.Errorf("lead %s: %w", r.externalID, err)
	}
	k.mu.Lock()
	k.created = append(k.created, id)
	k.mu.Unlock()
	return Created, nil
}
