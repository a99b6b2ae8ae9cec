package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Customer is a customer account.
type Customer struct {
	ID         int64
	ExternalID string // unique when set: the key of imports from other systems
	Name       string
	Domain     string // the account's mail domain, lower-case, e.g. "acme.com"
	Country    string
	Region     string
	Phone      string
	Notes      string
	OwnerRepID int64 // the account owner; 0 when none
	OptedOut   bool  // no follow-ups or digests
	OptedOutAt time.Time
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

func (s *Store) customerArgs(c *Customer) ([]any, error) {
	if strings.TrimSpace(c.Name) == "" {
		return nil, errors.New("name required")
	}
	optedOutAt := c.OptedOutAt
	if c.OptedOut && optedOutAt.IsZero() {
		optedOutAt = s.nowUTC()
	}
	if !c.OptedOut {
		optedOutAt = time.Time{}
	}
	return []any{nullString(c.ExternalID), c.Name, strings.ToLower(strings.TrimSpace(c.Domain)), c.Country, c.Region,
		c.Phone, c.Notes, nullID(c.OwnerRepID), c.OptedOut, s.nullTS(optedOutAt)}, nil
}

// CreateCustomer stores a new account; a duplicate ExternalID is
// ErrConflict. On success c.ID is set.
func (s *Store) CreateCustomer(ctx context.Context, c *Customer) (int64, error) {
	args, err := s.customerArgs(c)
	if err != nil {
		return 0, fmt.Errorf("store: create customer: %w", err)
	}
	now := s.ts(s.nowUTC())
	var id int64
	err = s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO customers (external_id, name, domain, country, region, phone, notes, owner_rep_id, opted_out,
			opted_out_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`), append(args, now, now)...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create customer %q: %w", c.Name, conflict(err))
	}
	c.ID = id
	return id, nil
}

// UpdateCustomer saves every field of c (by c.ID), or returns ErrNotFound.
func (s *Store) UpdateCustomer(ctx context.Context, c *Customer) error {
	args, err := s.customerArgs(c)
	if err != nil {
		return fmt.Errorf("store: update customer %d: %w", c.ID, err)
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE customers SET external_id = ?, name = ?, domain = ?, country = ?, region = ?, phone = ?, notes = ?,
			owner_rep_id = ?, opted_out = ?, opted_out_at = ?, updated_at = ?
		WHERE id = ?`), append(args, s.ts(s.nowUTC()), c.ID)...)
	return s.checkUpdated(res, err, "update customer", c.ID)
}

// SetCustomerOptOut opts an account out of (or back into) follow-ups and
// digests, or returns ErrNotFound. Opting out twice keeps the first time.
func (s *Store) SetCustomerOptOut(ctx context.Context, id int64, optedOut bool) error {
	now := s.ts(s.nowUTC())
	query := "UPDATE customers SET opted_out = ?, opted_out_at = NULL, updated_at = ? WHERE id = ?"
	args := []any{false, now, id}
	if optedOut {
		query = "UPDATE customers SET opted_out = ?, opted_out_at = COALESCE(opted_out_at, ?), updated_at = ? WHERE id = ?"
		args = []any{true, now, now, id}
	}
	res, err := s.db.ExecContext(ctx, s.rebind(query), args...)
	return s.checkUpdated(res, err, "set customer opt-out", id)
}

const customerColumns = `id, external_id, name, domain, country, region, phone, notes, owner_rep_id, opted_out,
	opted_out_at, created_at, updated_at`

func scanCustomer(r row) (*Customer, error) {
	var c Customer
	err := r.Scan(&c.ID, scol(&c.ExternalID), &c.Name, &c.Domain, &c.Country, &c.Region, &c.Phone, &c.Notes,
		icol(&c.OwnerRepID), &c.OptedOut, tcol(&c.OptedOutAt), tcol(&c.CreatedAt), tcol(&c.UpdatedAt))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Store) customerWhere(ctx context.Context, what, cond string, arg any) (*Customer, error) {
	c, err := queryOne(ctx, s, scanCustomer, "SELECT "+customerColumns+" FROM customers WHERE "+cond, arg)
	if err != nil {
		return nil, fmt.Errorf("store: customer %s: %w", what, err)
	}
	return c, nil
}

// Customer returns the account with the given id, or ErrNotFound.
func (s *Store) Customer(ctx context.Context, id int64) (*Customer, error) {
	return s.customerWhere(ctx, fmt.Sprint(id), "id = ?", id)
}

// CustomerByExternalID returns the account with that external id, or
// ErrNotFound.
func (s *Store) CustomerByExternalID(ctx context.Context, externalID string) (*Customer, error) {
	return s.customerWhere(ctx, "external id "+externalID, "external_id = ?", externalID)
}

// CustomerFilter selects accounts; zero fields match everything.
type CustomerFilter struct {
	Domain     string
	OwnerRepID int64
	Name       string // case-insensitive substring
	Limit      int    // default 50, at most 1000
	Offset     int
}

// ListCustomers returns accounts matching f, ordered by name and id.
func (s *Store) ListCustomers(ctx context.Context, f CustomerFilter) ([]Customer, error) {
	ctx = asReport(ctx)
	var w where
	if f.Domain != "" {
		w.add("domain = ?", strings.ToLower(strings.TrimSpace(f.Domain)))
	}
	if f.OwnerRepID != 0 {
		w.add("owner_rep_id = ?", f.OwnerRepID)
	}
	if f.Name != "" {
		w.add(`LOWER(name) LIKE ? ESCAPE '\'`, "%"+likeEscape(strings.ToLower(f.Name))+"%")
	}
	clause, args := w.paged("name, id", f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanCustomer, "SELECT "+customerColumns+" FROM customers"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list customers: %w", err)
	}
	return out, nil
}

// likeEscape escapes LIKE wildcards with a backslash.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
