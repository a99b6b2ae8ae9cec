package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// customerJSON is a customer account as the API shows it.
type customerJSON struct {
	ID         int64      `json:"id"`
	ExternalID string     `json:"external_id"`
	Name       string     `json:"name"`
	Domain     string     `json:"domain"`
	Country    string     `json:"country"`
	Region     string     `json:"region"`
	Phone      string     `json:"phone"`
	Notes      string     `json:"notes"`
	OwnerRepID *int64     `json:"owner_rep_id"`
	OptedOut   bool       `json:"opted_out"`
	OptedOutAt *time.Time `json:"opted_out_at"`
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
}

func customerOut(c *store.Customer) customerJSON {
	return customerJSON{
		ID: c.ID, ExternalID: c.ExternalID, Name: c.Name, Domain: c.Domain, Country: c.Country, Region: c.Region,
		Phone: c.Phone, Notes: c.Notes, OwnerRepID: idOrNull(c.OwnerRepID), OptedOut: c.OptedOut,
		OptedOutAt: timeOrNull(c.OptedOutAt), CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// customerIn is the body of a customer create or update; nil fields are
// left as they are.
type customerIn struct {
	ExternalID *string `json:"external_id"`
	Name       *string `json:"name"`
	Domain     *string `json:"domain"`
	Country    *string `json:"country"`
	Region     *string `json:"region"`
	Phone      *string `json:"phone"`
	Notes      *string `json:"notes"`
	OwnerRepID *int64  `json:"owner_rep_id"`
	OptedOut   *bool   `json:"opted_out"`
}

// apply checks the fields in and copies them to c.
func (h *handler) applyCustomer(ctx context.Context, in *customerIn, c *store.Customer, create bool) error {
	f := fieldErrors{}
	if create && in.Name == nil {
		f.add("name", "required")
	}
	set := func(field string, dst *string, v *string, check func(string, string)) {
		if v != nil {
			check(field, *v)
			*dst = strings.TrimSpace(*v)
		}
	}
	line := func(max int) func(string, string) { return func(k, v string) { f.line(k, v, max) } }
	set("name", &c.Name, in.Name, func(k, v string) { f.required(k, v, maxLine) })
	set("external_id", &c.ExternalID, in.ExternalID, line(maxLine))
	set("country", &c.Country, in.Country, line(64))
	set("region", &c.Region, in.Region, line(maxLine))
	set("phone", &c.Phone, in.Phone, line(64))
	if in.Notes != nil {
		f.text("notes", *in.Notes, maxNotes)
		c.Notes = *in.Notes
	}
	if in.Domain != nil {
		d := strings.ToLower(*in.Domain)
		if d != "" && !validDomain(d) {
			f.add("domain", "must be a mail domain such as acme.com")
		}
		c.Domain = d
	}
	if in.OptedOut != nil {
		c.OptedOut = *in.OptedOut
	}
	if in.OwnerRepID != nil {
		c.OwnerRepID = *in.OwnerRepID
		if err := h.checkRep(ctx, f, "owner_rep_id", c.OwnerRepID, true); err != nil {
			return err
		}
	}
	return f.err()
}

// checkRep adds a field error unless id names an existing rep; zero is
// allowed when optional.
func (h *handler) checkRep(ctx context.Context, f fieldErrors, field string, id int64, optional bool) error {
	switch {
	case id == 0 && optional:
		return nil
	case id <= 0:
		f.add(field, "must be a rep id")
		return nil
	}
	if _, err := h.st.Rep(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			f.add(field, "no rep with id %d", id)
			return nil
		}
		return err
	}
	return nil
}

// checkCustomer adds a field error unless id names an existing customer.
func (h *handler) checkCustomer(ctx context.Context, f fieldErrors, field string, id int64) error {
	if id <= 0 {
		f.add(field, "required")
		return nil
	}
	if _, err := h.st.Customer(ctx, id); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			f.add(field, "no customer with id %d", id)
			return nil
		}
		return err
	}
	return nil
}

func (h *handler) listCustomers(w http.ResponseWriter, r *http.Request, q *query) error {
	f := store.CustomerFilter{Name: q.str("q"), Domain: q.str("domain"), OwnerRepID: q.id("owner_rep_id")}
	if name := q.str("name"); name != "" {
		if f.Name != "" {
			q.f.add("name", "give either q or name, not both")
		}
		f.Name = name
	}
	p := q.page()
	if err := q.f.err(); err != nil {
		return err
	}
	rows, next, err := collectByID(p, func(c *store.Customer) int64 { return c.ID },
		func(limit, offset int) ([]store.Customer, error) {
			f.Limit, f.Offset = limit, offset
			return h.st.ListCustomers(r.Context(), f)
		})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(rows, next, customerOut))
	return nil
}

// customers is how customer create and update bodies are applied and
// stored.
func (h *handler) customers() resource[customerIn, store.Customer] {
	return resource[customerIn, store.Customer]{
		name: "customer", apply: h.applyCustomer, load: h.st.Customer,
		insert: h.st.CreateCustomer, save: h.st.UpdateCustomer,
		conflict: func(c *store.Customer) error {
			return conflictErr("a customer with external_id %q exists", c.ExternalID)
		},
	}
}

func (h *handler) createCustomer(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := h.customers().create(w, r, &store.Customer{})
	if err != nil {
		return err
	}
	return h.respondCustomer(w, r, id, http.StatusCreated)
}

func (h *handler) respondCustomer(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	c, err := h.st.Customer(r.Context(), id)
	if err != nil {
		return orNotFound(err, "customer", id)
	}
	writeRow(w, status, "customers", id, customerOut(c))
	return nil
}

func (h *handler) getCustomer(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "customer")
	if err != nil {
		return err
	}
	return h.respondCustomer(w, r, id, http.StatusOK)
}

func (h *handler) updateCustomer(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := h.customers().update(w, r)
	if err != nil {
		return err
	}
	return h.respondCustomer(w, r, id, http.StatusOK)
}

// contactJSON is a contact as the API shows it.
type contactJSON struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	Email      string    `json:"email"`
	Name       string    `json:"name"`
	Phone      string    `json:"phone"`
	Title      string    `json:"title"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func contactOut(c *store.Contact) contactJSON {
	return contactJSON{ID: c.ID, CustomerID: c.CustomerID, Email: c.Email, Name: c.Name, Phone: c.Phone,
		Title: c.Title, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// contactIn is the body of a contact create or update; nil fields are
// left as they are.
type contactIn struct {
	CustomerID *int64  `json:"customer_id"`
	Email      *string `json:"email"`
	Name       *string `json:"name"`
	Phone      *string `json:"phone"`
	Title      *string `json:"title"`
}

func (h *handler) applyContact(ctx context.Context, in *contactIn, c *store.Contact, create bool) error {
	f := fieldErrors{}
	switch {
	case in.Email != nil:
		f.email("email", *in.Email, true)
		c.Email = *in.Email
	case create:
		f.add("email", "required")
	}
	if in.Name != nil {
		f.line("name", *in.Name, maxLine)
		c.Name = strings.TrimSpace(*in.Name)
	}
	if in.Phone != nil {
		f.line("phone", *in.Phone, 64)
		c.Phone = *in.Phone
	}
	if in.Title != nil {
		f.line("title", *in.Title, maxLine)
		c.Title = *in.Title
	}
	if in.CustomerID != nil {
		if create {
			if *in.CustomerID != c.CustomerID {
				f.add("customer_id", "must be the customer of the path, or left out")
			}
		} else if *in.CustomerID != c.CustomerID {
			if err := h.checkCustomer(ctx, f, "customer_id", *in.CustomerID); err != nil {
				return err
			}
			c.CustomerID = *in.CustomerID
		}
	}
	return f.err()
}

func (h *handler) listContacts(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "customer")
	if err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := h.st.Customer(ctx, id); err != nil {
		return orNotFound(err, "customer", id)
	}
	rows, err := h.st.ContactsForCustomer(ctx, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, listOf(rows, "", contactOut))
	return nil
}

// contacts is how contact create and update bodies are applied and
// stored.
func (h *handler) contacts() resource[contactIn, store.Contact] {
	return resource[contactIn, store.Contact]{
		name: "contact", apply: h.applyContact, load: h.st.Contact,
		insert: h.st.CreateContact, save: h.st.UpdateContact,
		conflict: func(c *store.Contact) error {
			return conflictErr("a contact with email %q exists", strings.ToLower(c.Email))
		},
	}
}

func (h *handler) createContact(w http.ResponseWriter, r *http.Request, q *query) error {
	customerID, err := pathID(r, "id", "customer")
	if err != nil {
		return err
	}
	var in contactIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := h.st.Customer(ctx, customerID); err != nil {
		return orNotFound(err, "customer", customerID)
	}
	id, err := h.contacts().insertFrom(ctx, &in, &store.Contact{CustomerID: customerID})
	if err != nil {
		return err
	}
	return h.respondContact(w, r, id, http.StatusCreated)
}

func (h *handler) respondContact(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	c, err := h.st.Contact(r.Context(), id)
	if err != nil {
		return orNotFound(err, "contact", id)
	}
	writeRow(w, status, "contacts", id, contactOut(c))
	return nil
}

func (h *handler) getContact(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "contact")
	if err != nil {
		return err
	}
	return h.respondContact(w, r, id, http.StatusOK)
}

func (h *handler) updateContact(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := h.contacts().update(w, r)
	if err != nil {
		return err
	}
	return h.respondContact(w, r, id, http.StatusOK)
}
