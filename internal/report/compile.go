package report

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// Source is the database a report is compiled from; *store.Store
// implements it.
type Source interface {
	KPIData(ctx context.Context, from, to, lateBefore time.Time, cuts ...time.Time) (*store.KPIData, error)
}

// DefaultContactSLA is Options.ContactSLA's default, the lead service's
// default time for a rep to contact a new lead.
const DefaultContactSLA = 4 * time.Hour

// Options tune what Compile counts.
type Options struct {
	// ContactSLA is how soon after assignment a rep should contact a
	// lead; default DefaultContactSLA.
	ContactSLA time.Duration
	// Currency is the currency of lead values, which carry none of their
	// own, e.g. "EUR"; empty shows bare amounts.
	Currency string
	// Now is the compile time, for the "now" columns; default time.Now.
	Now func() time.Time
	// Targets are the reps' monthly goals; each rep with one is marked
	// on track or behind, pro rata for the period.
	Targets []Target
}

// Count is a labelled number.
type Count struct {
	Name  string
	Count int
}

// Figures are the numbers of one period.
type Figures struct {
	Inquiries  int
	ByCategory []Count // most first; "" is "unclassified"
	// ByLanguage counts inquiries by the ISO 639-1 code of their
	// language, most first; "" is "unknown".
	ByLanguage []Count

	// Responded counts the new leads (not merged) a person has
	// contacted: the first human contact, by the rep's own reply with the
	// sales inbox in Cc/Bcc, the desk, the "contacted" click or the API;
	// the percentiles of the first response are over those, from the
	// lead's creation. No automatic mail is a response.
	Responded      int
	ResponseMedian time.Duration
	ResponseP90    time.Duration
	// Acknowledged counts inquiries whose sender got an automatic mail:
	// the acknowledgement, or the answer that serves as one (an order's
	// status); AckMedian is the median delay of the first.
	Acknowledged int
	AckMedian    time.Duration

	// LeadsCreated counts new leads, not those merged into another;
	// LeadsMerged counts those.
	LeadsCreated   int
	LeadsMerged    int
	LeadsAssigned  int // leads given to a rep (first assignment or reassignment)
	LeadsContacted int
	LeadsWon       int
	LeadsLost      int
	WinRate        float64 // won / (won + lost) of leads closed in the period
	WonValue       []Money
	// Deals are the won leads per currency, for the average deal size.
	Deals []Deals
	// TimeToContact is the mean time to the first human contact (from
	// creation; from assignment for leads without a recorded first
	// contact) of the leads contacted in the period.
	TimeToContact      time.Duration
	ContactedWithinSLA int

	OrdersCreated  int
	OrdersByStatus []Count // current status of the orders created
	OrderValue     []Money // by currency

	AlertsOpened int
	AlertsByKind []Count

	Meetings Meetings
	// Calibration is the win rate by score band of the leads closed in
	// the period; UnscoredClosed counts closed leads without a score.
	Calibration    []Band
	UnscoredClosed int
}

// HasData reports whether anything happened in the period; a change
// against a period without data would mislead.
func (f Figures) HasData() bool {
	return f.Inquiries+f.LeadsCreated+f.LeadsMerged+f.LeadsAssigned+f.LeadsContacted+f.LeadsWon+f.LeadsLost+
		f.OrdersCreated+f.AlertsOpened+f.Meetings.Booked+f.Meetings.Held+f.Meetings.NoShow > 0
}

// RepRow is one rep's line of the performance table.
type RepRow struct {
	RepID              int64
	Name               string
	Email              string
	Assigned           int
	Contacted          int
	ContactedWithinSLA int
	Won                int
	Lost               int
	// Deals are the rep's won leads per currency, never added across
	// currencies.
	Deals   []Deals
	OpenNow int // leads held now (assigned or contacted)
	// WonTarget and ContactedTarget are the rep's standing against their
	// target; nil without one.
	WonTarget       *Progress
	ContactedTarget *Progress
}

// WonValue lists the rep's won value per currency ("EUR 5,000.00 + USD
// 1,200.00"), "–" for none.
func (r RepRow) WonValue() string {
	if len(r.Deals) == 0 {
		return "–"
	}
	parts := make([]string, len(r.Deals))
	for i, d := range r.Deals {
		parts[i] = d.Value().String()
	}
	return strings.Join(parts, " + ")
}

// WithinSLA is the share of contacted leads contacted within the SLA.
func (r RepRow) WithinSLA() float64 { return Ratio(r.ContactedWithinSLA, r.Contacted) }

// DayRow is one day of the daily series.
type DayRow struct {
	Date          time.Time // local midnight
	Inquiries     int
	LeadsCreated  int
	LeadsWon      int
	OrdersCreated int
	AlertsOpened  int
}

// LateOrder is an open order whose promised date passed before the
// period ended.
type LateOrder struct {
	Number   string
	Status   string
	Promised time.Time // a calendar date
}

// Report is a compiled KPI report: plain values, ready to render.
type Report struct {
	Period      Period
	Previous    Period
	GeneratedAt time.Time
	ContactSLA  time.Duration
	Currency    string // of lead values

	Current Figures
	Prior   Figures // the previous period's

	Reps      []RepRow
	Days      []DayRow
	PriorDays []DayRow

	// Now columns: the state at GeneratedAt, not of the period.
	OpenLeads       int     // unassigned, assigned or contacted
	UnassignedLeads int     // waiting for a rep
	Pipeline        []Money // value of the open leads, per currency
	// Stages are the open leads by stage, with their value per currency.
	Stages []Stage
	// LateOrders are orders open at GeneratedAt whose promised date is
	// before the period's last day ended, oldest promise first.
	LateOrders []LateOrder
}

// Compile reads what happened in p and in the period before it and
// returns the report.
func Compile(ctx context.Context, src Source, p Period, o Options) (Report, error) {
	if !p.From.Before(p.To) {
		return Report{}, fmt.Errorf("report: empty period %s .. %s", p.From, p.To)
	}
	if p.Location == nil {
		p.Location = time.UTC
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ContactSLA <= 0 {
		o.ContactSLA = DefaultContactSLA
	}
	prev := p.Previous()
	rows, err := load(ctx, src, Period{From: prev.From, To: p.To, Location: p.Location}, p, prev)
	if err != nil {
		return Report{}, fmt.Errorf("report: %w", err)
	}
	return build(rows, p, o), nil
}

// rows is everything Compile reads, for both periods.
type rows struct {
	inquiries []inquiryRow
	acks      []ackRow
	leads     []leadRow
	assigns   []assignRow
	orders    []orderRow
	late      []LateOrder
	alerts    []alertRow
	reps      []repRow
	meetings  []store.KPIMeeting
}

// inquiryRow counts the N inquiries of one category and language created
// in one bucket of the span; CreatedAt is the bucket's start. Buckets are
// cut at every day and period boundary, so the start stands for them all.
type inquiryRow struct {
	Category  string
	Language  string
	CreatedAt time.Time
	N         int
}

// ackRow is an acknowledged inquiry.
type ackRow struct {
	CreatedAt time.Time
	Acked     time.Time // the first automatic mail to the sender
}

// orderRow counts the N orders of one status and currency created in one
// bucket, like inquiryRow; AmountCents is their sum.
type orderRow struct {
	Status      string
	Currency    string
	AmountCents int64
	CreatedAt   time.Time
	N           int
}

type assignRow struct {
	LeadID int64
	RepID  int64
	At     time.Time
}

type (
	leadRow  = store.KPILead
	alertRow = store.KPIAlert
	repRow   = store.KPIRep
)

// build aggregates rows into the report for p: a pure function.
func build(rs rows, p Period, o Options) Report {
	prev := p.Previous()
	r := Report{
		Period: p, Previous: prev, GeneratedAt: o.Now(), ContactSLA: o.ContactSLA, Currency: o.Currency,
		Current: figures(rs, p, o), Prior: figures(rs, prev, o),
		Days: days(rs, p), PriorDays: days(rs, prev),
		LateOrders: rs.late, Stages: pipelineByStage(rs.leads, o.Currency),
	}
	byRep := map[int64]*RepRow{}
	rep := func(id int64) *RepRow {
		if row, ok := byRep[id]; ok {
			return row
		}
		row := &RepRow{RepID: id, Name: "rep " + strconv.FormatInt(id, 10)}
		byRep[id] = row
		return row
	}
	active := map[int64]bool{}
	for _, rp := range rs.reps {
		row := rep(rp.ID)
		row.Name, row.Email = cmp.Or(rp.Name, rp.Email), rp.Email
		active[rp.ID] = rp.Active
	}
	for _, a := range assignedIn(rs.assigns, p) {
		rep(a.RepID).Assigned++
	}
	for _, l := range rs.leads {
		if isOpenLead(l.Status) {
			r.OpenLeads++
			if l.ValueCents > 0 {
				r.Pipeline = addMoney(r.Pipeline, cmp.Or(l.Currency, o.Currency), l.ValueCents)
			}
			if l.RepID == 0 {
				r.UnassignedLeads++
			} else {
				rep(l.RepID).OpenNow++
			}
		}
		if l.RepID == 0 {
			continue
		}
		if p.Contains(l.ContactedAt) {
			row := rep(l.RepID)
			row.Contacted++
			if d, ok := contactTime(l); ok && d <= o.ContactSLA {
				row.ContactedWithinSLA++
			}
		}
		if p.Contains(l.ClosedAt) {
			switch l.Status {
			case store.LeadWon:
				row := rep(l.RepID)
				row.Won++
				row.Deals = addDeal(row.Deals, cmp.Or(l.Currency, o.Currency), l.ValueCents)
			case store.LeadLost:
				rep(l.RepID).Lost++
			}
		}
	}
	for id, row := range byRep {
		idle := row.Assigned == 0 && row.Contacted == 0 && row.Won == 0 && row.Lost == 0 && row.OpenNow == 0
		if idle && !active[id] {
			continue
		}
		r.Reps = append(r.Reps, *row)
	}
	slices.SortFunc(r.Reps, func(a, b RepRow) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.RepID, b.RepID))
	})
	applyTargets(r.Reps, o.Targets, p, r.GeneratedAt, o.Currency)
	return r
}

func isOpenLead(status string) bool {
	return status == store.LeadUnassigned || status == store.LeadAssigned || status == store.LeadContacted
}

// humanContact is when a person first reached the lead's customer: the
// recorded first contact, else the time the lead was marked contacted;
// zero when nobody has.
func humanContact(l leadRow) time.Time {
	if !l.FirstContactAt.IsZero() {
		return l.FirstContactAt
	}
	return l.ContactedAt
}

// contactTime is how long a rep took to contact a lead since it was
// given to them (since it was created when no assignment is recorded).
func contactTime(l leadRow) (time.Duration, bool) {
	if !l.FirstContactAt.IsZero() {
		return max(l.FirstContactAt.Sub(l.CreatedAt), 0), true
	}
	if l.ContactedAt.IsZero() {
		return 0, false
	}
	from := l.AssignedAt
	if from.IsZero() || from.After(l.ContactedAt) {
		from = l.CreatedAt
	}
	return max(l.ContactedAt.Sub(from), 0), true
}

// assignedIn returns one assignment per lead and rep in p.
func assignedIn(as []assignRow, p Period) []assignRow {
	type key struct{ lead, rep int64 }
	seen := map[key]bool{}
	var out []assignRow
	for _, a := range as {
		k := key{a.LeadID, a.RepID}
		if a.RepID == 0 || !p.Contains(a.At) || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, a)
	}
	return out
}

// figures computes one period's numbers.
func figures(rs rows, p Period, o Options) Figures {
	var f Figures
	cats, langs := map[string]int{}, map[string]int{}
	var responses, acks []time.Duration
	for _, q := range rs.inquiries {
		if !p.Contains(q.CreatedAt) {
			continue
		}
		f.Inquiries += q.N
		cats[q.Category] += q.N
		langs[q.Language] += q.N
	}
	for _, a := range rs.acks {
		if p.Contains(a.CreatedAt) {
			f.Acknowledged++
			acks = append(acks, max(a.Acked.Sub(a.CreatedAt), 0))
		}
	}
	f.AckMedian = Percentile(acks, 0.5)
	f.ByCategory = counts(cats, "unclassified")
	f.ByLanguage = counts(langs, unknownLanguage)

	leads := map[int64]bool{}
	for _, a := range assignedIn(rs.assigns, p) {
		leads[a.LeadID] = true
	}
	f.LeadsAssigned = len(leads)
	var contact []time.Duration
	for _, l := range rs.leads {
		if p.Contains(l.CreatedAt) {
			if l.Status == store.LeadMerged {
				f.LeadsMerged++
			} else {
				f.LeadsCreated++
				if at := humanContact(l); !at.IsZero() {
					f.Responded++
					responses = append(responses, max(at.Sub(l.CreatedAt), 0))
				}
			}
		}
		if p.Contains(l.ContactedAt) {
			f.LeadsContacted++
			if d, ok := contactTime(l); ok {
				contact = append(contact, d)
				if d <= o.ContactSLA {
					f.ContactedWithinSLA++
				}
			}
		}
		if p.Contains(l.ClosedAt) {
			switch l.Status {
			case store.LeadWon:
				f.LeadsWon++
				f.WonValue = addMoney(f.WonValue, cmp.Or(l.Currency, o.Currency), l.ValueCents)
				f.Deals = addDeal(f.Deals, cmp.Or(l.Currency, o.Currency), l.ValueCents)
			case store.LeadLost:
				f.LeadsLost++
			}
		}
	}
	f.WinRate = Ratio(f.LeadsWon, f.LeadsWon+f.LeadsLost)
	f.Calibration, f.UnscoredClosed = calibration(rs.leads, p)
	f.Meetings = meetingsIn(rs.meetings, p)
	f.TimeToContact = Mean(contact)
	f.ResponseMedian = Percentile(responses, 0.5)
	f.ResponseP90 = Percentile(responses, 0.9)

	statuses := map[string]int{}
	for _, or := range rs.orders {
		if !p.Contains(or.CreatedAt) {
			continue
		}
		f.OrdersCreated += or.N
		statuses[or.Status] += or.N
		f.OrderValue = addMoney(f.OrderValue, or.Currency, or.AmountCents)
	}
	f.OrdersByStatus = counts(statuses, "unknown")

	kinds := map[string]int{}
	for _, a := range rs.alerts {
		if p.Contains(a.CreatedAt) {
			f.AlertsOpened++
			kinds[a.Kind]++
		}
	}
	f.AlertsByKind = counts(kinds, "unknown")
	return f
}

// counts sorts a tally most first, then by name; empty is named empty.
func counts(m map[string]int, empty string) []Count {
	out := make([]Count, 0, len(m))
	for name, n := range m {
		out = append(out, Count{Name: cmp.Or(name, empty), Count: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Name, b.Name)) })
	return out
}

// days computes the daily series of p.
func days(rs rows, p Period) []DayRow {
	loc := p.loc()
	ds := p.Days()
	out := make([]DayRow, len(ds))
	index := map[string]int{}
	for i, d := range ds {
		out[i].Date = d
		index[d.Format(time.DateOnly)] = i
	}
	at := func(t time.Time) *DayRow {
		if !p.Contains(t) {
			return nil
		}
		if i, ok := index[t.In(loc).Format(time.DateOnly)]; ok {
			return &out[i]
		}
		return nil
	}
	for _, q := range rs.inquiries {
		if d := at(q.CreatedAt); d != nil {
			d.Inquiries += q.N
		}
	}
	for _, l := range rs.leads {
		if d := at(l.CreatedAt); d != nil {
			d.LeadsCreated++
		}
		if d := at(l.ClosedAt); d != nil && l.Status == store.LeadWon {
			d.LeadsWon++
		}
	}
	for _, o := range rs.orders {
		if d := at(o.CreatedAt); d != nil {
			d.OrdersCreated += o.N
		}
	}
	for _, a := range rs.alerts {
		if d := at(a.CreatedAt); d != nil {
			d.AlertsOpened++
		}
	}
	return out
}

// load reads the rows of span from src, counting inquiries and orders
// per bucket between cuts: every period boundary in span and every local
// midnight.
func load(ctx context.Context, src Source, span Period, periods ...Period) (rows, error) {
	cuts := cutsOf(span, periods...)
	// A promise is broken once its whole day has passed: promised before
	// the local date the period ends on.
	d, err := src.KPIData(ctx, span.From, span.To, span.To.In(span.loc()), cuts...)
	if err != nil {
		return rows{}, err
	}
	rs := rows{leads: d.Leads, alerts: d.Alerts, reps: d.Reps, meetings: d.Meetings}
	for _, a := range d.Assignments {
		rs.assigns = append(rs.assigns, assignRow(a))
	}
	for _, q := range d.Inquiries {
		rs.inquiries = append(rs.inquiries, inquiryRow{Category: q.Category, Language: q.Language, CreatedAt: cuts[q.Bucket], N: q.N})
	}
	// Every mail salesdesk sends an inquiry's sender by itself is
	// automatic (the acknowledgement, an order's status, a confirmation):
	// the first one is when the sender was acknowledged, never a
	// response. A hand-off to a rep is neither.
	for _, a := range d.Acks {
		rs.acks = append(rs.acks, ackRow{CreatedAt: a.CreatedAt, Acked: a.SentAt})
	}
	for _, o := range d.Orders {
		rs.orders = append(rs.orders, orderRow{Status: o.Status, Currency: o.Currency, AmountCents: o.AmountCents,
			CreatedAt: cuts[o.Bucket], N: o.N})
	}
	for _, o := range d.LateOrders {
		rs.late = append(rs.late, LateOrder{Number: o.Number, Status: o.Status, Promised: o.Promised})
	}
	return rs, nil
}

// cutsOf returns span's bucket boundaries, oldest first: its ends, the
// ends of periods within it and every local midnight between.
func cutsOf(span Period, periods ...Period) []time.Time {
	cuts := []time.Time{span.From, span.To}
	for _, p := range periods {
		cuts = append(cuts, p.From, p.To)
	}
	for _, d := range span.Days() {
		cuts = append(cuts, d)
	}
	cuts = slices.DeleteFunc(cuts, func(t time.Time) bool { return t.Before(span.From) || t.After(span.To) })
	slices.SortFunc(cuts, func(a, b time.Time) int { return a.Compare(b) })
	return slices.CompactFunc(cuts, func(a, b time.Time) bool { return a.Equal(b) })
}
