package api

import (
	"context"
	"errors"
	"net/http"

	"salesdesk/internal/store"
)

// resource is what the shared create and update handlers need to know
// about one kind of row (customer, contact, rep): how a request body In is
// checked and copied onto a row T, and how the row is loaded and stored.
type resource[In, T any] struct {
	name     string // "customer": names the row in 404s
	apply    func(ctx context.Context, in *In, row *T, create bool) error
	load     func(ctx context.Context, id int64) (*T, error)
	insert   func(ctx context.Context, row *T) (int64, error)
	save     func(ctx context.Context, row *T) error
	conflict func(row *T) error // the 409 for a row that breaks a uniqueness constraint
}

// create decodes a create body, applies it to row (the new row with its
// defaults) and inserts it, returning the new id.
func (rs resource[In, T]) create(w http.ResponseWriter, r *http.Request, row *T) (int64, error) {
	var in In
	if err := decode(w, r, &in); err != nil {
		return 0, err
	}
	return rs.insertFrom(r.Context(), &in, row)
}

// insertFrom applies an already decoded create body to row and inserts
// it, returning the new id.
func (rs resource[In, T]) insertFrom(ctx context.Context, in *In, row *T) (int64, error) {
	if err := rs.apply(ctx, in, row, true); err != nil {
		return 0, err
	}
	id, err := rs.insert(ctx, row)
	if errors.Is(err, store.ErrConflict) {
		return 0, rs.conflict(row)
	}
	return id, err
}

// update decodes an update body for the row named by the path's id,
// applies it to the stored row and saves it, returning the id.
func (rs resource[In, T]) update(w http.ResponseWriter, r *http.Request) (int64, error) {
	id, err := pathID(r, "id", rs.name)
	if err != nil {
		return 0, err
	}
	var in In
	if err := decode(w, r, &in); err != nil {
		return 0, err
	}
	ctx := r.Context()
	row, err := rs.load(ctx, id)
	if err != nil {
		return 0, orNotFound(err, rs.name, id)
	}
	if err := rs.apply(ctx, &in, row, false); err != nil {
		return 0, err
	}
	if err := rs.save(ctx, row); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return 0, rs.conflict(row)
		}
		return 0, orNotFound(err, rs.name, id)
	}
	return id, nil
}
