package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// Our side of the demo: the company that runs salesdesk.
const (
	CompanyName    = "Northwind Supply"
	CompanyDomain  = "northwind.example"
	SalesAddress   = "sales@" + CompanyDomain
	TeamAddress    = "sales-team@" + CompanyDomain
	TriageAddress  = "triage@" + CompanyDomain
	ManagerAddress = "sales-manager@" + CompanyDomain
)

// RepSpec is a seeded sales rep.
type RepSpec struct {
	Name        string
	Email       string
	Territories []string
	Skills      []string
	Timezone    string
	Days        []string // mon .. sun
	Start, End  string   // HH:MM in Timezone
	Weight      int
	Capacity    int
}

// WorkingHours renders the hours the way the store keeps them, e.g.
// "Mon-Fri 09:00-17:00".
func (r RepSpec) WorkingHours() string {
	if len(r.Days) == 0 {
		return ""
	}
	first, last := strings.ToUpper(r.Days[0][:1])+r.Days[0][1:], strings.ToUpper(r.Days[len(r.Days)-1][:1])+r.Days[len(r.Days)-1][1:]
	return first + "-" + last + " " + r.Start + "-" + r.End
}

// Account is a seeded customer account with its contacts and orders.
type Account struct {
	Customer store.Customer
	// OwnerRep indexes World.Reps.
	OwnerRep int
	Contacts []store.Contact
	Orders   []store.Order
}

// World is the demo's data: our reps and the customers who write to us.
type World struct {
	Reps     []RepSpec
	Accounts []Account
	// Prospects are people at companies we do not know yet (new leads),
	// some on free-mail domains.
	Prospects []Person
}

// Person is someone who writes to the sales inbox.
type Person struct {
	Name    string
	Email   string
	Company string
}

// NewWorld builds the demo world; the same seed and now give the same
// world. Promised dates are relative to now.
func NewWorld(seed int64, now time.Time) *World {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
	w := &World{Reps: demoReps()}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	orderNo := 10040 + rng.IntN(50)
	for i, c := range demoCustomers {
		a := Account{
			Customer: store.Customer{
				ExternalID: fmt.Sprintf("CRM-%04d", 101+i),
				Name:       c.name,
				Domain:     c.domain,
				Country:    c.country,
				Region:     c.region,
				Phone:      c.phone,
			},
			OwnerRep: c.owner,
		}
		for j, p := range c.people {
			first, _, _ := strings.Cut(p, " ")
			a.Contacts = append(a.Contacts, store.Contact{
				Email: strings.ToLower(first) + "@" + c.domain,
				Name:  p,
				Title: titles[(i+j)%len(titles)],
			})
		}
		n := 2 + rng.IntN(3)
		for range n {
			orderNo += 1 + rng.IntN(7)
			a.Orders = append(a.Orders, newOrder(rng, orderNo, day))
		}
		w.Accounts = append(w.Accounts, a)
	}
	w.Prospects = demoProspects
	return w
}

func newOrder(rng *rand.Rand, number int, day time.Time) store.Order {
	statuses := []string{store.OrderPending, store.OrderConfirmed, store.OrderProcessing, store.OrderProcessing,
		store.OrderShipped, store.OrderShipped, store.OrderDelivered, store.OrderCancelled}
	o := store.Order{
		Number:   fmt.Sprintf("SO-%d", number),
		Status:   statuses[rng.IntN(len(statuses))],
		Currency: []string{"EUR", "USD", "GBP"}[rng.IntN(3)],
	}
	lines := 1 + rng.IntN(3)
	for range lines {
		p := products[rng.IntN(len(products))]
		qty := []int{1, 2, 5, 10, 20, 50, 100}[rng.IntN(7)]
		o.Items = append(o.Items, store.OrderItem{SKU: p.sku, Description: p.name, Quantity: qty, UnitPriceCents: p.cents})
		o.AmountCents += int64(qty) * p.cents
	}
	switch o.Status {
	case store.OrderPending, store.OrderConfirmed, store.OrderProcessing:
		// Some promised dates are already past: late orders to chase.
		o.PromisedDate = day.AddDate(0, 0, rng.IntN(21)-4)
	case store.OrderShipped:
		o.PromisedDate = day.AddDate(0, 0, rng.IntN(5))
		o.TrackingNumber = fmt.Sprintf("1Z%03dE%08d", rng.IntN(1000), rng.IntN(100000000))
		o.TrackingURL = "https://track.parcel.example/" + o.TrackingNumber
	case store.OrderDelivered:
		o.PromisedDate = day.AddDate(0, 0, -1-rng.IntN(20))
		o.TrackingNumber = fmt.Sprintf("1Z%03dE%08d", rng.IntN(1000), rng.IntN(100000000))
		o.TrackingURL = "https://track.parcel.example/" + o.TrackingNumber
	case store.OrderCancelled:
		o.Notes = "cancelled at the customer's request"
	}
	return o
}

// Seed writes the world into st: reps, then accounts with their owner,
// contacts and orders. Accounts already there (by external id) are left
// alone, so seeding twice is harmless.
func (w *World) Seed(ctx context.Context, st *store.Store) error {
	repIDs := make([]int64, len(w.Reps))
	for i, r := range w.Reps {
		id, _, err := st.UpsertRep(ctx, &store.Rep{
			Email:        r.Email,
			Name:         r.Name,
			Active:       true,
			Weight:       r.Weight,
			Capacity:     r.Capacity,
			Territories:  r.Territories,
			Skills:       r.Skills,
			Timezone:     r.Timezone,
			WorkingHours: r.WorkingHours(),
		})
		if err != nil {
			return fmt.Errorf("demo: seed rep %s: %w", r.Email, err)
		}
		repIDs[i] = id
	}
	for _, a := range w.Accounts {
		if _, err := st.CustomerByExternalID(ctx, a.Customer.ExternalID); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("demo: seed customer %s: %w", a.Customer.Name, err)
		}
		c := a.Customer
		c.OwnerRepID = repIDs[a.OwnerRep]
		if _, err := st.CreateCustomer(ctx, &c); err != nil {
			return fmt.Errorf("demo: seed customer %s: %w", c.Name, err)
		}
		for _, p := range a.Contacts {
			p.CustomerID = c.ID
			if _, err := st.CreateContact(ctx, &p); err != nil {
				return fmt.Errorf("demo: seed contact %s: %w", p.Email, err)
			}
		}
		for _, o := range a.Orders {
			o.CustomerID = c.ID
			if _, err := st.CreateOrder(ctx, &o); err != nil {
				return fmt.Errorf("demo: seed order %s: %w", o.Number, err)
			}
		}
	}
	return nil
}

// RecipientKind tells who an address belongs to: "rep", "manager" (the
// manager, team and triage addresses) or "customer" (everyone else).
func (w *World) RecipientKind(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	switch addr {
	case ManagerAddress, TeamAddress, TriageAddress:
		return "manager"
	}
	for _, r := range w.Reps {
		if strings.EqualFold(r.Email, addr) {
			return "rep"
		}
	}
	if strings.HasSuffix(addr, "@"+CompanyDomain) {
		return "manager"
	}
	return "customer"
}

func demoReps() []RepSpec {
	weekdays := []string{"mon", "tue", "wed", "thu", "fri"}
	return []RepSpec{
		{Name: "Maria Lopez", Email: "maria.lopez@" + CompanyDomain, Territories: []string{"ES", "PT", "MX"},
			Skills: []string{"tools", "fasteners"}, Timezone: "Europe/Madrid", Days: weekdays, Start: "09:00", End: "18:00", Weight: 2, Capacity: 40},
		{Name: "Jonas Weber", Email: "jonas.weber@" + CompanyDomain, Territories: []string{"DE", "AT", "CH"},
			Skills: []string{"safety", "tools"}, Timezone: "Europe/Berlin", Days: weekdays, Start: "08:00", End: "16:30", Weight: 2, Capacity: 40},
		{Name: "Aisha Khan", Email: "aisha.khan@" + CompanyDomain, Territories: []string{"GB", "IE"},
			Skills: []string{"electrical"}, Timezone: "Europe/London", Days: weekdays, Start: "09:00", End: "17:30", Weight: 1, Capacity: 30},
		{Name: "Daniel Brooks", Email: "daniel.brooks@" + CompanyDomain, Territories: []string{"US-East", "CA"},
			Skills: []string{"fasteners", "hydraulics"}, Timezone: "America/New_York", Days: weekdays, Start: "08:30", End: "17:00", Weight: 2, Capacity: 40},
		{Name: "Sofia Ramirez", Email: "sofia.ramirez@" + CompanyDomain, Territories: []string{"US-West"},
			Skills: []string{"hydraulics", "safety"}, Timezone: "America/Los_Angeles", Days: weekdays, Start: "08:00", End: "16:00", Weight: 1, Capacity: 30},
		{Name: "Kenji Sato", Email: "kenji.sato@" + CompanyDomain, Territories: []string{"JP", "SG", "AU"},
			Skills: []string{"electrical", "tools"}, Timezone: "Asia/Tokyo", Days: weekdays, Start: "09:00", End: "18:00", Weight: 1, Capacity: 25},
	}
}

type customerSpec struct {
	name, domain, country, region, phone string
	owner                                int
	people                               []string
}

var demoCustomers = []customerSpec{
	{"Acme Tools GmbH", "acme-tools.example", "DE", "Bavaria", "+49 89 5550 1200", 1, []string{"Petra Hoffmann", "Lukas Brandt"}},
	{"Globex Logistics", "globex.example", "US", "US-East", "+1 212 555 0147", 3, []string{"Hank Scorpio", "Linda Park", "Omar Haddad"}},
	{"Initech Manufacturing", "initech.example", "US", "US-West", "+1 512 555 0199", 4, []string{"Bill Lumbergh", "Joanna Mills"}},
	{"Soylent Foods", "soylent.example", "GB", "England", "+44 20 7946 0321", 2, []string{"Grace Whitmore", "Tom Ellis"}},
	{"Umbrella Facilities", "umbrella.example", "IE", "Leinster", "+353 1 555 0110", 2, []string{"Niamh Byrne"}},
	{"Ferreira & Filhos", "ferreira.example", "PT", "Lisboa", "+351 21 555 0175", 0, []string{"Beatriz Ferreira", "Rui Costa"}},
	{"Construcciones Vega", "vega-construcciones.example", "ES", "Madrid", "+34 91 555 0133", 0, []string{"Carmen Vega", "Javier Ortiz"}},
	{"Alpenbau AG", "alpenbau.example", "CH", "Zürich", "+41 44 555 0190", 1, []string{"Ursula Meier"}},
	{"Maple Leaf Hydraulics", "mapleleaf.example", "CA", "Ontario", "+1 416 555 0162", 3, []string{"Chloe Tremblay", "Ethan Roy"}},
	{"Sakura Denki", "sakura-denki.example", "JP", "Tokyo", "+81 3 5550 0144", 5, []string{"Yuki Tanaka", "Haruto Mori"}},
	{"Outback Mining Supplies", "outback.example", "AU", "Western Australia", "+61 8 5550 0188", 5, []string{"Jack Wilson"}},
	{"Pacific Rim Builders", "pacificrim.example", "US", "US-West", "+1 415 555 0123", 4, []string{"Marcus Lee", "Dana Scully"}},
}

var demoProspects = []Person{
	{"Elena Petrova", "elena.petrova@brightworks.example", "Brightworks Engineering"},
	{"Samuel Okafor", "s.okafor@lagos-industrial.example", "Lagos Industrial"},
	{"Ingrid Larsen", "ingrid@nordfjord-marine.example", "Nordfjord Marine"},
	{"Lucas Martin", "lucas.martin@atelier-martin.example", "Atelier Martin"},
	{"Priya Natarajan", "priya.n@gmail.com", ""},
	{"Tom Becker", "tombecker72@gmx.de", ""},
	{"Chen Wei", "chen.wei@greatwall-parts.example", "Great Wall Parts"},
	{"Olivia Brown", "olivia.brown@outlook.com", ""},
	{"Mateo Rossi", "m.rossi@rossi-impianti.example", "Rossi Impianti"},
	{"Fatima Zahra", "fatima@atlas-build.example", "Atlas Build"},
}

var titles = []string{"Purchasing Manager", "Operations Lead", "Buyer", "Plant Manager", "Procurement Specialist", "Facilities Manager", "Accounts Payable"}

type product struct {
	sku, name string
	cents     int64
}

var products = []product{
	{"TL-2201", "Cordless impact driver 18V", 18900},
	{"TL-1104", "Torque wrench 40-200 Nm", 12450},
	{"FS-0810", "Stainless hex bolts M8x40 (box of 200)", 3890},
	{"FS-1215", "Anchor bolts M12 (box of 50)", 5420},
	{"SF-3002", "Safety helmet, vented, EN 397", 2490},
	{"SF-3120", "Cut-resistant gloves, level D (12 pairs)", 7680},
	{"EL-5003", "Industrial extension reel 25 m", 9900},
	{"EL-5210", "LED work light 50 W", 6450},
	{"HY-7011", "Hydraulic hose 1/2\" (per metre)", 1120},
	{"HY-7400", "Bottle jack 20 t", 15900},
}
