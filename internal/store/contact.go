package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Contact is a person at a customer account. Order details go only to an
// address that is a contact of the order's account.
type Contact struct {
	ID         int64
	CustomerID int64
	Email      string // unique across all accounts, stored lower-case
	Name       string
	Phone      string
	Title      string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// CreateContact stores a new contact; an email that already belongs to a
// contact is ErrConflict. On success c.ID is set.
func (s *Store) CreateContact(ctx context.Context, c *Contact) (int64, error) {
	email := normEmail(c.Email)
	if email == "" {
		return 0, errors.New("store: create contact: email required")
	}
	now := s.ts(s.nowUTC())
	var id int64
	err := s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO contacts (customer_id, email, name, phone, title, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		RETURNING id`), c.CustomerID, email, c.Name, c.Phone, c.Title, now, now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create contact %s: %w", email, conflict(err))
	}
	c.ID = id
	return id, nil
}

// UpdateContact saves every field of c (by c.ID), or returns ErrNotFound.
func (s *Store) UpdateContact(ctx context.Context, c *Contact) error {
	email := normEmail(c.Email)
	if email == "" {
		return fmt.Errorf("store: update contact %d: email required", c.ID)
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE contacts SET customer_id = ?, email = ?, name = ?, phone = ?, title = ?, updated_at = ?
		WHERE id = ?`), c.CustomerID, email, c.Name, c.Phone, c.Title, s.ts(s.nowUTC()), c.ID)
	return s.checkUpdated(res, err, "update contact", c.ID)
}

const contactColumns = `id, customer_id, email, name, phone, title, created_at, updated_at`

func scanContact(r row) (*Contact, error) {
	var c Contact
	if err := r.Scan(&c.ID, &c.CustomerID, &c.Email, &c.Name, &c.Phone, &c.Title, tcol(&c.CreatedAt), tcol(&c.UpdatedAt)); err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *Store) contactWhere(ctx context.Context, what, cond string, arg any) (*Contact, error) {
	c, err := queryOne(ctx, s, scanContact, "SELECT "+contactColumns+" FROM contacts WHERE "+cond, arg)
	if err != nil {
		return nil, fmt.Errorf("store: contact %s: %w", what, err)
	}
	return c, nil
}

// Contact returns the contact with the given id, or ErrNotFound.
func (s *Store) Contact(ctx context.Context, id int64) (*Contact, error) {
	return s.contactWhere(ctx, fmt.Sprint(id), "id = ?", id)
}

// ContactByEmail returns the contact with that email (any case), or
// ErrNotFound.
func (s *Store) ContactByEmail(ctx context.Context, email string) (*Contact, error) {
	return s.contactWhere(ctx, email, "email = ?", normEmail(email))
}

// ContactsForCustomer returns an account's contacts ordered by id.
func (s *Store) ContactsForCustomer(ctx context.Context, customerID int64) ([]Contact, error) {
	out, err := queryAll(ctx, s, scanContact, "SELECT "+contactColumns+" FROM contacts WHERE customer_id = ? ORDER BY id", customerID)
	if err != nil {
		return nil, fmt.Errorf("store: contacts of customer %d: %w", customerID, err)
	}
	return out, nil
}
