package order

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"salesdesk/internal/store"
)

// Named is the answer to a mail that may name several orders: what the
// sender may see, what they named that we cannot show them, and the
// orders of other accounts they named, for the alert.
type Named struct {
	// Visible are the orders of the sender's account the mail named or,
	// when it named none, the account's most recent open ones (at most
	// MaxStatusOrders), with their items.
	Visible []store.Order
	// NotFound are the order numbers the mail named (as the configured
	// patterns found them) that are not on the sender's account: unknown
	// and other accounts' orders alike, so the answer reads the same
	// whether or not such an order exists.
	NotFound []string
	// Foreign are the other accounts' orders the mail named; the sender
	// is told nothing about them.
	Foreign []store.Order
	// Contact is the sender as a contact of some account; nil when none.
	Contact *store.Contact
	// Named: the mail named an order (an order number, or a code that is
	// one of the sender's orders). When it did not, Visible are the
	// account's open orders.
	Named bool
}

// Outcome is OutcomeStatus when there is an order to show, else
// OutcomeUnknown.
func (n Named) Outcome() Outcome {
	if len(n.Visible) > 0 {
		return OutcomeStatus
	}
	return OutcomeUnknown
}

// ResolveNamed looks up every order a mail names. numbers are what the
// configured order-number patterns found: each is answered, with its
// status or as not found. codes are other code-like tokens (product
// codes, the customer's own references): one counts only when a real
// order has that number, and an unmatched code is never reported as a
// missing order. With no order named at all, a contact gets their open
// orders.
func ResolveNamed(ctx context.Context, st LookupStore, sender string, numbers, codes []string) (Named, error) {
	var n Named
	if sender = strings.TrimSpace(sender); sender != "" {
		c, err := st.ContactByEmail(ctx, sender)
		switch {
		case err == nil:
			n.Contact = c
		case !errors.Is(err, store.ErrNotFound):
			return Named{}, fmt.Errorf("order: contact %s: %w", sender, err)
		}
	}
	seen := map[int64]bool{}
	named := false
	look := func(number string, isOrderNumber bool) error {
		o, err := findOrder(ctx, st, number)
		switch {
		case errors.Is(err, store.ErrNotFound):
			if isOrderNumber {
				named = true
				n.NotFound = appendOnce(n.NotFound, strings.ToUpper(strings.TrimSpace(number)))
			}
			return nil
		case err != nil:
			return err
		}
		own := n.Contact != nil && n.Contact.CustomerID == o.CustomerID
		// A code names an order only when it is the sender's: whether
		// another account's order has it must change nothing they see.
		named = named || isOrderNumber || own
		if seen[o.ID] {
			return nil
		}
		seen[o.ID] = true
		if own {
			n.Visible = append(n.Visible, *o)
			return nil
		}
		n.Foreign = append(n.Foreign, *o)
		if isOrderNumber {
			n.NotFound = appendOnce(n.NotFound, strings.ToUpper(strings.TrimSpace(number)))
		}
		return nil
	}
	for _, num := range numbers {
		if err := look(num, true); err != nil {
			return Named{}, err
		}
	}
	for _, c := range codes {
		if err := look(c, false); err != nil {
			return Named{}, err
		}
	}
	n.Named = named
	if named || n.Contact == nil {
		return n, nil
	}
	open, err := st.OpenOrdersForCustomer(ctx, n.Contact.CustomerID)
	if err != nil {
		return Named{}, fmt.Errorf("order: open orders of customer %d: %w", n.Contact.CustomerID, err)
	}
	if len(open) > MaxStatusOrders {
		open = open[:MaxStatusOrders]
	}
	n.Visible = open
	return n, nil
}

func appendOnce(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
