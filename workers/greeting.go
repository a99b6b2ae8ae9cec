package workers

import (
	"context"
	"errors"
	"strings"

	"salesdesk/internal/store"
)

// contactFinder finds the contact of an address; *store.Store implements it.
type contactFinder interface {
	ContactByEmail(ctx context.Context, email string) (*store.Contact, error)
}

// recordedName is the name a customer mail greets its recipient with: the
// contact's name from our records, never the display name of a mail (which
// anyone can set to any text, links included). "" means a neutral greeting.
func recordedName(ctx context.Context, st contactFinder, email string) (string, error) {
	if email == "" {
		return "", nil
	}
	c, err := st.ContactByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(c.Name), nil
}
