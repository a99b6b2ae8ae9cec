package routing

import "strings"

// Category is what a customer mail is about; it decides the follow-on work.
type Category string

// The categories an inquiry can have. See the package documentation for the
// policy that separates neighbours.
const (
	OrderStatus    Category = "order_status"
	OrderChange    Category = "order_change"
	QuoteRequest   Category = "quote_request"
	MeetingRequest Category = "meeting_request"
	Support        Category = "support"
	Billing        Category = "billing"
	Account        Category = "account"
	Complaint      Category = "complaint"
	Unsubscribe    Category = "unsubscribe"
	Other          Category = "other"
)

// numCategories is the length of [Categories].
const numCategories = 10

// categories lists every category in a fixed order; models index their
// weights by this order.
var categories = [numCategories]Category{
	OrderStatus, OrderChange, QuoteRequest, MeetingRequest, Support,
	Billing, Account, Complaint, Unsubscribe, Other,
}

// Categories returns every category in a fixed order.
func Categories() []Category {
	out := make([]Category, numCategories)
	copy(out, categories[:])
	return out
}

// Valid reports whether c is one of the known categories.
func (c Category) Valid() bool {
	return c.index() >= 0
}

func (c Category) index() int {
	for i, k := range categories {
		if k == c {
			return i
		}
	}
	return -1
}

// ParseCategory reads a category label leniently: case, surrounding space
// and "-" or " " in place of "_" are forgiven. ok is false for unknown labels.
func ParseCategory(s string) (c Category, ok bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.NewReplacer("-", "_", " ", "_").Replace(s)
	c = Category(s)
	return c, c.Valid()
}
