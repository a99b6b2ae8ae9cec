package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Rep is a sales rep who receives leads, hand-offs and meetings.
type Rep struct {
	ID               int64
	Email            string // unique, stored lower-case
	Name             string
	Active           bool
	Weight           int      // share for weighted assignment
	Capacity         int      // max open leads; 0 is unlimited
	Territories      []string // countries, regions or customer domains
	Skills           []string // skills or product lines
	Languages        []string // ISO 639-1 codes of the languages the rep writes to customers in
	Timezone         string   // IANA name, e.g. "Europe/Berlin"; "" reads the team's (zone.Of)
	WorkingHours     string   // as configured, e.g. "Mon-Fri 09:00-17:00"; "" is always
	OutOfOfficeUntil time.Time
	Title            string // role shown when the rep signs a mail, e.g. "Account Manager"
	Phone            string // direct line shown when the rep signs a mail
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// CreateRep stores a new rep; another rep with the same email is
// ErrConflict. On success r.ID is set.
func (s *Store) CreateRep(ctx context.Context, r *Rep) (int64, error) {
	args, err := s.repArgs(r)
	if err != nil {
		return 0, fmt.Errorf("store: create rep: %w", err)
	}
	now := s.ts(s.nowUTC())
	var id int64
	err = s.db.QueryRowContext(ctx, s.rebind(`
		INSERT INTO reps (email, name, active, weight, capacity, territories, skills, timezone, working_hours,
			out_of_office_until, title, phone, languages, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`), append(args, now, now)...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: create rep %s: %w", r.Email, conflict(err))
	}
	r.ID = id
	return id, nil
}

// UpsertRep creates the rep, or updates the one with the same email; it
// reports whether it created one. Seeding reps from config uses it.
func (s *Store) UpsertRep(ctx context.Context, r *Rep) (id int64, created bool, err error) {
	existing, err := s.RepByEmail(ctx, r.Email)
	switch {
	case errors.Is(err, ErrNotFound):
		id, err = s.CreateRep(ctx, r)
		if errors.Is(err, ErrConflict) { // created concurrently: update it instead
			return s.UpsertRep(ctx, r)
		}
		return id, err == nil, err
	case err != nil:
		return 0, false, err
	}
	r.ID = existing.ID
	return r.ID, false, s.UpdateRep(ctx, r)
}

func (s *Store) repArgs(r *Rep) ([]any, error) {
	email := normEmail(r.Email)
	if email == "" {
		return nil, errors.New("email required")
	}
	territories, err := jsonList(r.Territories)
	if err != nil {
		return nil, err
	}
	skills, err := jsonList(r.Skills)
	if err != nil {
		return nil, err
	}
	languages, err := jsonList(r.Languages)
	if err != nil {
		return nil, err
	}
	weight := r.Weight
	if weight <= 0 {
		weight = 1
	}
	return []any{email, r.Name, r.Active, weight, r.Capacity, territories, skills, r.Timezone, r.WorkingHours,
		s.nullTS(r.OutOfOfficeUntil), r.Title, r.Phone, languages}, nil
}

// UpdateRep saves every field of r (by r.ID), or returns ErrNotFound.
func (s *Store) UpdateRep(ctx context.Context, r *Rep) error {
	args, err := s.repArgs(r)
	if err != nil {
		return fmt.Errorf("store: update rep %d: %w", r.ID, err)
	}
	res, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE reps SET email = ?, name = ?, active = ?, weight = ?, capacity = ?, territories = ?, skills = ?,
			timezone = ?, working_hours = ?, out_of_office_until = ?, title = ?, phone = ?, languages = ?, updated_at = ?
		WHERE id = ?`), append(args, s.ts(s.nowUTC()), r.ID)...)
	return s.checkUpdated(res, err, "update rep", r.ID)
}

const repColumns = `id, email, name, active, weight, capacity, territories, skills, timezone, working_hours,
	out_of_office_until, title, phone, created_at, updated_at, languages`

func scanRep(r row) (*Rep, error) {
	var (
		rep                            Rep
		territories, skills, languages string
	)
	err := r.Scan(&rep.ID, &rep.Email, &rep.Name, &rep.Active, &rep.Weight, &rep.Capacity, &territories, &skills,
		&rep.Timezone, &rep.WorkingHours, tcol(&rep.OutOfOfficeUntil), &rep.Title, &rep.Phone, tcol(&rep.CreatedAt), tcol(&rep.UpdatedAt),
		&languages)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(territories), &rep.Territories); err != nil {
		return nil, fmt.Errorf("territories: %w", err)
	}
	if err := json.Unmarshal([]byte(skills), &rep.Skills); err != nil {
		return nil, fmt.Errorf("skills: %w", err)
	}
	if err := json.Unmarshal([]byte(languages), &rep.Languages); err != nil {
		return nil, fmt.Errorf("languages: %w", err)
	}
	if len(rep.Languages) == 0 {
		rep.Languages = nil // none configured, as before migration 0012
	}
	return &rep, nil
}

func (s *Store) repWhere(ctx context.Context, what, cond string, arg any) (*Rep, error) {
	r, err := queryOne(ctx, s, scanRep, "SELECT "+repColumns+" FROM reps WHERE "+cond, arg)
	if err != nil {
		return nil, fmt.Errorf("store: rep %s: %w", what, err)
	}
	return r, nil
}

// Rep returns the rep with the given id, or ErrNotFound.
func (s *Store) Rep(ctx context.Context, id int64) (*Rep, error) {
	return s.repWhere(ctx, fmt.Sprint(id), "id = ?", id)
}

// RepByEmail returns the rep with that email (any case), or ErrNotFound.
func (s *Store) RepByEmail(ctx context.Context, email string) (*Rep, error) {
	return s.repWhere(ctx, email, "email = ?", normEmail(email))
}

// ListReps returns reps ordered by id; activeOnly leaves out inactive ones.
func (s *Store) ListReps(ctx context.Context, activeOnly bool) ([]Rep, error) {
	query := "SELECT " + repColumns + " FROM reps"
	var args []any
	if activeOnly {
		query += " WHERE active = ?"
		args = append(args, true)
	}
	out, err := queryAll(ctx, s, scanRep, query+" ORDER BY id", args...)
	if err != nil {
		return nil, fmt.Errorf("store: list reps: %w", err)
	}
	return out, nil
}

// jsonList encodes a string list as a JSON array; nil is [].
func jsonList(v []string) (string, error) {
	if v == nil {
		v = []string{}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}
