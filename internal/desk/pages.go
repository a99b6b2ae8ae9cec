package desk

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/lead"
	"salesdesk/internal/report"
	"salesdesk/internal/routing"
	"salesdesk/internal/score"
	"salesdesk/internal/store"
)

// pageLimit bounds every list on a page.
const pageLimit = 100

// FormatTime shows t in loc with the zone, as every desk page and mail to
// a person does: "Wed 2 Dec 2026 12:00 PST".
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

// dueLead is a lead on "my work" with its SLA due time.
type dueLead struct {
	store.Lead
	Due     time.Time
	Left    string
	Overdue bool
}

func (d *Desk) myWork(w http.ResponseWriter, r *http.Request, p *person) {
	ctx := r.Context()
	data := map[string]any{"Now": d.now()}
	if p.RepID != 0 {
		var leads []dueLead
		for _, status := range []string{store.LeadAssigned, store.LeadContacted} {
			ls, err := d.o.Store.ListLeads(ctx, store.LeadFilter{RepID: p.RepID, Status: status, Limit: pageLimit})
			if err != nil {
				d.serverError(w, r, p, err)
				return
			}
			for _, l := range ls {
				dl := dueLead{Lead: l}
				if l.Status == store.LeadAssigned && !l.AssignedAt.IsZero() {
					dl.Due = l.AssignedAt.Add(d.o.ContactSLA)
					left := dl.Due.Sub(d.now())
					dl.Overdue = left < 0
					dl.Left = humanDuration(left)
				}
				leads = append(leads, dl)
			}
		}
		sort.SliceStable(leads, func(i, j int) bool {
			a, b := leads[i], leads[j]
			if a.Due.IsZero() != b.Due.IsZero() {
				return !a.Due.IsZero()
			}
			return a.Due.Before(b.Due)
		})
		handoffs, err := d.o.Store.OwnerInquiries(ctx, p.RepID, pageLimit)
		if err != nil {
			d.serverError(w, r, p, err)
			return
		}
		local := d.now().In(p.Loc)
		start := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, p.Loc)
		meetings, err := d.o.Store.ListMeetings(ctx, store.MeetingFilter{RepID: p.RepID, From: start, To: start.AddDate(0, 0, 1)})
		if err != nil {
			d.serverError(w, r, p, err)
			return
		}
		data["Leads"], data["Handoffs"], data["Meetings"] = leads, handoffs, meetings
	}
	d.render(w, r, p, http.StatusOK, "mywork", data)
}

// humanDuration says how long is left until a due time, or how long it
// is overdue for a negative d.
func humanDuration(d time.Duration) string {
	if d < 0 {
		return report.FormatDuration(-d) + " overdue"
	}
	return report.FormatDuration(d) + " left"
}

// canWriteLead says whether p may act on l: its own rep, a manager or an
// admin.
func canWriteLead(p *person, l *store.Lead) bool {
	return p.writesAll() || (p.RepID != 0 && l.RepID == p.RepID)
}

func (d *Desk) leadPage(w http.ResponseWriter, r *http.Request, p *person) {
	ctx := r.Context()
	id, ok := formID(r.PathValue("id"))
	if !ok {
		d.fail(w, r, p, http.StatusNotFound, "There is no such lead.")
		return
	}
	l, err := d.o.Store.Lead(ctx, id)
	if err != nil {
		d.notFoundOr(w, r, p, err, "There is no such lead.")
		return
	}
	events, err := d.o.Store.LeadEvents(ctx, id)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	data := map[string]any{"Lead": l, "Events": events, "Writable": canWriteLead(p, l),
		"Open": l.Status == store.LeadAssigned || l.Status == store.LeadContacted, "Notice": r.URL.Query().Get("done")}
	if l.RepID != 0 {
		if rep, err := d.o.Store.Rep(ctx, l.RepID); err == nil {
			data["Rep"] = rep
		}
	}
	if l.CustomerID != 0 {
		if c, err := d.o.Store.Customer(ctx, l.CustomerID); err == nil {
			data["Customer"] = c
		}
	}
	if l.InquiryID != 0 {
		if q, err := d.o.Store.Inquiry(ctx, l.InquiryID); err == nil {
			mails, err := d.o.Store.ThreadMails(ctx, threadOf(q))
			if err != nil {
				d.serverError(w, r, p, err)
				return
			}
			data["Inquiry"], data["Mails"] = q, mails
		}
	}
	if !l.AssignedAt.IsZero() && l.Status == store.LeadAssigned {
		data["Due"] = l.AssignedAt.Add(d.o.ContactSLA)
	}
	data["ScoreFactors"], data["LostReasons"] = scoreFactors(l), d.o.LostReasons
	d.render(w, r, p, http.StatusOK, "lead", data)
}

// lostReason is the configured reason the form names (any text when none
// is configured); false when it names none.
func (d *Desk) lostReason(typed string) (string, bool) {
	typed = strings.TrimSpace(typed)
	if len(d.o.LostReasons) == 0 {
		return typed, typed != ""
	}
	for _, r := range d.o.LostReasons {
		if strings.EqualFold(r, typed) {
			return r, true
		}
	}
	return "", false
}

// scoreFactors are the labels of the lead's top score factors, as the
// rep's mail showed them; none when the lead is not scored or its stored
// factors cannot be read.
func scoreFactors(l *store.Lead) []string {
	if !l.Scored || l.ScoreFactors == "" {
		return nil
	}
	var fs []score.Factor
	if err := json.Unmarshal([]byte(l.ScoreFactors), &fs); err != nil {
		return nil
	}
	labels := make([]string, 0, len(fs))
	for _, f := range fs {
		labels = append(labels, f.Label)
	}
	return labels
}

// threadOf is the id of the thread an inquiry belongs to.
func threadOf(q *store.Inquiry) int64 {
	if q.ThreadID != 0 {
		return q.ThreadID
	}
	return q.ID
}

// leadAction applies a button of the lead page.
func (d *Desk) leadAction(w http.ResponseWriter, r *http.Request, p *person) {
	ctx := r.Context()
	id, ok := formID(r.PathValue("id"))
	if !ok || !parseForm(w, r) {
		return
	}
	l, err := d.o.Store.Lead(ctx, id)
	if err != nil {
		d.notFoundOr(w, r, p, err, "There is no such lead.")
		return
	}
	if !canWriteLead(p, l) {
		d.fail(w, r, p, http.StatusForbidden, "This lead belongs to another rep; only they or a manager can change it.")
		return
	}
	f := r.PostForm
	action := r.PathValue("action")
	var done string
	switch action {
	case lead.ActionAccept, lead.ActionContacted:
		_, err = d.o.Leads.ApplyLinkAction(ctx, id, action, l.RepID)
		done = map[string]string{lead.ActionAccept: "Lead accepted.", lead.ActionContacted: "Marked as contacted."}[action]
	case store.LeadWon:
		var cents int64
		cents, err = parseMoney(f.Get("value"))
		if err != nil {
			d.fail(w, r, p, http.StatusBadRequest, "The value must be an amount such as 1200 or 1200.50.")
			return
		}
		cur := strings.ToUpper(strings.TrimSpace(f.Get("currency")))
		if cur != "" && !validCurrency(cur) {
			d.fail(w, r, p, http.StatusBadRequest, "The currency must be a three-letter code such as EUR.")
			return
		}
		if err = d.closeLead(r, p, l, store.LeadOutcome{Status: store.LeadWon, ValueCents: cents, Currency: cur}); err == nil && cur != "" {
			err = d.o.Store.AddLeadEvent(ctx, &store.LeadEvent{LeadID: id, Kind: "value", RepID: l.RepID,
				Note: "value " + report.FormatCents(cents, cur)})
		}
		done = "Marked as won."
	case store.LeadLost:
		reason, ok := d.lostReason(f.Get("reason"))
		if !ok {
			d.fail(w, r, p, http.StatusBadRequest, "Please say why the lead was lost: one of "+strings.Join(d.o.LostReasons, ", ")+".")
			return
		}
		err = d.closeLead(r, p, l, store.LeadOutcome{Status: store.LeadLost, Reason: reason})
		done = "Marked as lost."
	case "reopen":
		if l.Status != store.LeadWon && l.Status != store.LeadLost {
			d.fail(w, r, p, http.StatusConflict, "Only a won or lost lead can be reopened.")
			return
		}
		_, err = d.o.Store.ReopenLead(ctx, id, "desk:"+p.Name)
		done = "Reopened."
	case "reassign":
		note := strings.TrimSpace(f.Get("note"))
		if l.RepID == 0 {
			d.fail(w, r, p, http.StatusConflict, "The lead is not assigned to anyone; it waits for the next free rep.")
			return
		}
		_, err = d.o.Leads.Reassign(ctx, id, l.RepID, strings.TrimSpace("reassigned by "+p.Name+": "+note))
		done = "Handed on to the next rep."
	default:
		d.fail(w, r, p, http.StatusNotFound, "There is no such action.")
		return
	}
	if errors.Is(err, lead.ErrNotYours) {
		d.fail(w, r, p, http.StatusConflict, "This lead is no longer open with its rep; nothing was changed.")
		return
	}
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	d.log.InfoContext(ctx, "desk lead action", "lead_id", id, "action", action, "by", p.Name)
	http.Redirect(w, r, fmt.Sprintf("%s/leads/%d?done=%s", Prefix, id, urlQuery(done)), http.StatusSeeOther)
}

// closeLead records won or lost, with who did it in the history, as the
// API and the one-click links do (lead.Service.Close).
func (d *Desk) closeLead(r *http.Request, p *person, l *store.Lead, o store.LeadOutcome) error {
	if l.Status != store.LeadAssigned && l.Status != store.LeadContacted && l.Status != store.LeadUnassigned {
		return lead.ErrNotYours
	}
	o.By = p.Name
	_, err := d.o.Leads.Close(r.Context(), l.ID, o)
	if errors.Is(err, store.ErrConflict) {
		return lead.ErrNotYours // closed or merged meanwhile
	}
	return err
}

func (d *Desk) inquiryPage(w http.ResponseWriter, r *http.Request, p *person) {
	ctx := r.Context()
	id, ok := formID(r.PathValue("id"))
	if !ok {
		d.fail(w, r, p, http.StatusNotFound, "There is no such inquiry.")
		return
	}
	q, err := d.o.Store.Inquiry(ctx, id)
	if err != nil {
		d.notFoundOr(w, r, p, err, "There is no such inquiry.")
		return
	}
	mails, err := d.o.Store.ThreadMails(ctx, threadOf(q))
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	data := map[string]any{"Inquiry": q, "Mails": mails, "Notice": r.URL.Query().Get("done")}
	if q.InboundMessageID != 0 {
		atts, err := d.o.Store.InboundAttachments(ctx, q.InboundMessageID)
		if err != nil {
			d.serverError(w, r, p, err)
			return
		}
		data["Attachments"] = atts
	}
	writable := p.writesAll()
	if q.CustomerID != 0 {
		if c, err := d.o.Store.Customer(ctx, q.CustomerID); err == nil {
			data["Customer"] = c
			writable = writable || (p.RepID != 0 && c.OwnerRepID == p.RepID)
			if c.OwnerRepID != 0 {
				if rep, err := d.o.Store.Rep(ctx, c.OwnerRepID); err == nil {
					data["Owner"] = rep
				}
			}
		}
	}
	if l, err := d.leadOfInquiry(r, q.ID); err == nil {
		data["Lead"] = l
		writable = writable || (p.RepID != 0 && l.RepID == p.RepID)
	}
	data["Writable"] = writable && d.o.Relabel != nil
	data["Categories"] = routing.Categories()
	d.render(w, r, p, http.StatusOK, "inquiry", data)
}

// leadOfInquiry finds the lead made from an inquiry.
func (d *Desk) leadOfInquiry(r *http.Request, inquiryID int64) (*store.Lead, error) {
	return d.o.Store.LeadByInquiry(r.Context(), inquiryID)
}

func (d *Desk) inquiryLabel(w http.ResponseWriter, r *http.Request, p *person) {
	ctx := r.Context()
	id, ok := formID(r.PathValue("id"))
	if !ok || !parseForm(w, r) {
		return
	}
	q, err := d.o.Store.Inquiry(ctx, id)
	if err != nil {
		d.notFoundOr(w, r, p, err, "There is no such inquiry.")
		return
	}
	cat, known := routing.ParseCategory(r.PostForm.Get("category"))
	if !known || d.o.Relabel == nil {
		d.fail(w, r, p, http.StatusBadRequest, "Choose one of the listed categories.")
		return
	}
	allowed := p.writesAll()
	if !allowed && q.CustomerID != 0 {
		c, err := d.o.Store.Customer(ctx, q.CustomerID)
		allowed = err == nil && c.OwnerRepID == p.RepID
	}
	if !allowed {
		if l, err := d.leadOfInquiry(r, q.ID); err == nil {
			allowed = l.RepID == p.RepID
		}
	}
	if !allowed {
		d.fail(w, r, p, http.StatusForbidden, "Only the account's owner or a manager can re-label this inquiry.")
		return
	}
	if err := d.o.Relabel(ctx, id, string(cat), "desk:"+p.Name); err != nil {
		d.serverError(w, r, p, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("%s/inquiries/%d?done=%s", Prefix, id, urlQuery("Filed as "+string(cat)+".")), http.StatusSeeOther)
}

// timelineEntry is one line of an account's timeline.
type timelineEntry struct {
	At   time.Time
	Kind string
	Text string
	URL  string
	Tag  string
}

func (d *Desk) accountPage(w http.ResponseWriter, r *http.Request, p *person) {
	ctx := r.Context()
	id, ok := formID(r.PathValue("id"))
	if !ok {
		d.fail(w, r, p, http.StatusNotFound, "There is no such account.")
		return
	}
	c, err := d.o.Store.Customer(ctx, id)
	if err != nil {
		d.notFoundOr(w, r, p, err, "There is no such account.")
		return
	}
	contacts, err := d.o.Store.ContactsForCustomer(ctx, id)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	// Each list is read one past the page's limit: a list that has more
	// is cut, and the timeline with it at that list's oldest row shown, so
	// what the page shows is complete back to Since.
	var since time.Time
	more := func(n int, oldest func(i int) time.Time) int {
		if n <= pageLimit {
			return n
		}
		if t := oldest(pageLimit - 1); t.After(since) {
			since = t
		}
		return pageLimit
	}
	orders, err := d.o.Store.ListOrders(ctx, store.OrderFilter{CustomerID: id, Limit: pageLimit + 1})
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	moreOrders := len(orders) > pageLimit
	orders = orders[:more(len(orders), func(i int) time.Time { return orders[i].CreatedAt })]
	requests, err := d.o.Store.ListOrderRequests(ctx, store.OrderRequestFilter{CustomerID: id, NewestFirst: true, Limit: pageLimit + 1})
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	requests = requests[:more(len(requests), func(i int) time.Time { return requests[i].CreatedAt })]
	leads, err := d.o.Store.AccountLeads(ctx, id, pageLimit+1)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	leads = leads[:more(len(leads), func(i int) time.Time { return leads[i].CreatedAt })]
	inquiries, err := d.o.Store.ListInquiries(ctx, store.InquiryFilter{CustomerID: id, Limit: pageLimit + 1})
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	inquiries = inquiries[:more(len(inquiries), func(i int) time.Time { return inquiries[i].CreatedAt })]
	leadIDs := make([]int64, len(leads))
	for i, l := range leads {
		leadIDs[i] = l.ID
	}
	meetings, err := d.o.Store.LeadMeetings(ctx, leadIDs)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	orderIDs := make([]int64, len(orders))
	for i, o := range orders {
		orderIDs[i] = o.ID
	}
	history, err := d.o.Store.OrderHistories(ctx, orderIDs)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	number := map[int64]string{}
	var tl []timelineEntry
	for _, o := range orders {
		number[o.ID] = o.Number
		tl = append(tl, timelineEntry{At: o.CreatedAt, Kind: "order", Text: fmt.Sprintf("Order %s (%s)", o.Number, report.FormatCents(o.AmountCents, o.Currency)), Tag: o.Status})
		for _, h := range history[o.ID] {
			tl = append(tl, timelineEntry{At: h.ChangedAt, Kind: "order status", Text: strings.TrimSpace(fmt.Sprintf("Order %s is %s. %s", o.Number, h.Status, h.Note)), Tag: h.Status})
		}
	}
	for _, q := range requests {
		tl = append(tl, timelineEntry{At: q.CreatedAt, Kind: "order request", Text: fmt.Sprintf("%s request for order %s: %s", q.Kind, number[q.OrderID], q.Words), Tag: q.Status,
			URL: inquiryURL(q.InquiryID)})
	}
	for _, l := range leads {
		tl = append(tl, timelineEntry{At: l.CreatedAt, Kind: "lead", Text: "Lead: " + l.Summary, Tag: l.Status, URL: fmt.Sprintf("%s/leads/%d", Prefix, l.ID)})
	}
	for _, m := range meetings {
		tl = append(tl, timelineEntry{At: m.StartsAt, Kind: "meeting", Text: "Meeting: " + m.Title, Tag: m.Status})
	}
	for _, q := range inquiries {
		tl = append(tl, timelineEntry{At: q.CreatedAt, Kind: "inquiry", Text: q.Reference + " " + q.Subject, Tag: q.Category, URL: inquiryURL(q.ID)})
	}
	if !since.IsZero() {
		tl = slices.DeleteFunc(tl, func(e timelineEntry) bool { return e.At.Before(since) })
	}
	sort.SliceStable(tl, func(i, j int) bool { return tl[i].At.After(tl[j].At) })
	data := map[string]any{"Customer": c, "Contacts": contacts, "Orders": orders, "MoreOrders": moreOrders, "Timeline": tl, "Since": since}
	if c.OwnerRepID != 0 {
		if rep, err := d.o.Store.Rep(ctx, c.OwnerRepID); err == nil {
			data["Owner"] = rep
		}
	}
	d.render(w, r, p, http.StatusOK, "account", data)
}

func inquiryURL(id int64) string {
	if id == 0 {
		return ""
	}
	return fmt.Sprintf("%s/inquiries/%d", Prefix, id)
}

func (d *Desk) searchPage(w http.ResponseWriter, r *http.Request, p *person) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if len(q) > 200 {
		q = q[:200]
	}
	var hits []store.SearchHit
	if q != "" {
		var err error
		if hits, err = d.o.Store.Search(r.Context(), q, 25); err != nil {
			d.serverError(w, r, p, err)
			return
		}
	}
	d.render(w, r, p, http.StatusOK, "search", map[string]any{"Query": q, "Hits": hits})
}

func (d *Desk) teamPage(w http.ResponseWriter, r *http.Request, p *person) {
	now := d.now()
	local := now.In(p.Loc)
	since := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, p.Loc).AddDate(0, 0, -6)
	load, err := d.o.Store.TeamLoad(r.Context(), now.Add(-d.o.ContactSLA), since)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	var open []store.Lead
	for _, status := range []string{store.LeadUnassigned, store.LeadAssigned, store.LeadContacted} {
		ls, err := d.o.Store.ListLeads(r.Context(), store.LeadFilter{Status: status, Limit: pageLimit, ByScore: status == store.LeadUnassigned})
		if err != nil {
			d.serverError(w, r, p, err)
			return
		}
		open = append(open, ls...)
	}
	names := map[int64]string{}
	for _, l := range load {
		names[l.Rep.ID] = l.Rep.Name
	}
	d.render(w, r, p, http.StatusOK, "team", map[string]any{"Load": load, "Since": since, "Open": open, "Names": names})
}

func (d *Desk) orderRequestsPage(w http.ResponseWriter, r *http.Request, p *person) {
	status := r.URL.Query().Get("status")
	if !slices.Contains([]string{store.OrderRequestPending, store.OrderRequestDone, store.OrderRequestRejected}, status) {
		status = store.OrderRequestPending
	}
	reqs, err := d.o.Store.ListOrderRequests(r.Context(), store.OrderRequestFilter{Status: status, Limit: pageLimit})
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	type row struct {
		store.OrderRequest
		Order *store.Order
	}
	rows := make([]row, len(reqs))
	for i, q := range reqs {
		rows[i].OrderRequest = q
		if o, err := d.o.Store.Order(r.Context(), q.OrderID); err == nil {
			rows[i].Order = o
		}
	}
	d.render(w, r, p, http.StatusOK, "orderrequests", map[string]any{"Rows": rows, "Status": status, "Notice": r.URL.Query().Get("done")})
}

func (d *Desk) orderRequestResolve(w http.ResponseWriter, r *http.Request, p *person) {
	id, ok := formID(r.PathValue("id"))
	if !ok || !parseForm(w, r) {
		return
	}
	status := r.PathValue("status")
	if status != store.OrderRequestDone && status != store.OrderRequestRejected {
		d.fail(w, r, p, http.StatusNotFound, "There is no such action.")
		return
	}
	note := strings.TrimSpace(r.PostForm.Get("note"))
	var err error
	if d.o.ResolveOrderRequest != nil {
		err = d.o.ResolveOrderRequest(r.Context(), id, status, note, p.Name)
	} else {
		err = d.o.Store.SetOrderRequestStatus(r.Context(), id, status)
	}
	if errors.Is(err, store.ErrConflict) {
		d.fail(w, r, p, http.StatusConflict, err.Error())
		return
	}
	if err != nil {
		d.notFoundOr(w, r, p, err, "There is no such order request.")
		return
	}
	d.log.InfoContext(r.Context(), "desk order request resolved", "order_request_id", id, "status", status, "by", p.Name)
	http.Redirect(w, r, Prefix+"/order-requests?done="+urlQuery(fmt.Sprintf("Request %d marked %s.", id, status)), http.StatusSeeOther)
}

// alertStates are the alerts page's state filters.
var alertStates = []string{"active", store.AlertOpen, store.AlertAcknowledged, store.AlertClosed, "all"}

func (d *Desk) alertsPage(w http.ResponseWriter, r *http.Request, p *person) {
	q := r.URL.Query()
	state := q.Get("state")
	if !slices.Contains(alertStates, state) {
		state = "active"
	}
	f := store.AlertFilter{Status: state, Kind: q.Get("kind"), Limit: pageLimit}
	if state == "all" {
		f.Status = ""
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	f.Offset = max(0, offset)
	alerts, err := d.o.Store.ListDeskAlerts(r.Context(), f)
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	kinds, err := d.o.Store.AlertKinds(r.Context())
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	next := ""
	if len(alerts) == pageLimit {
		next = fmt.Sprintf("%s/alerts?state=%s&kind=%s&offset=%d", Prefix, urlQuery(state), urlQuery(f.Kind), f.Offset+pageLimit)
	}
	d.render(w, r, p, http.StatusOK, "alerts", map[string]any{"Alerts": alerts, "Kinds": kinds, "State": state, "Kind": f.Kind,
		"States": alertStates, "Next": next,
		"Notice": q.Get("done")})
}

// alertPage shows one alert with its evidence: the page each alert in
// the supervisors' digest links to.
func (d *Desk) alertPage(w http.ResponseWriter, r *http.Request, p *person) {
	id, ok := formID(r.PathValue("id"))
	if !ok {
		d.fail(w, r, p, http.StatusNotFound, "There is no such alert.")
		return
	}
	alerts, err := d.o.Store.ListDeskAlerts(r.Context(), store.AlertFilter{ID: id, Limit: 1})
	switch {
	case err != nil:
		d.serverError(w, r, p, err)
		return
	case len(alerts) == 0:
		d.fail(w, r, p, http.StatusNotFound, "There is no such alert.")
		return
	}
	kinds, err := d.o.Store.AlertKinds(r.Context())
	if err != nil {
		d.serverError(w, r, p, err)
		return
	}
	d.render(w, r, p, http.StatusOK, "alerts", map[string]any{"Alerts": alerts, "Kinds": kinds, "State": "all",
		"States": alertStates})
}

func (d *Desk) alertAction(w http.ResponseWriter, r *http.Request, p *person) {
	id, ok := formID(r.PathValue("id"))
	if !ok || !parseForm(w, r) {
		return
	}
	var err error
	switch r.PathValue("action") {
	case "acknowledge":
		err = d.o.Store.AcknowledgeAlert(r.Context(), id, p.Name)
	case "resolve":
		err = d.o.Store.CloseAlert(r.Context(), id)
	default:
		d.fail(w, r, p, http.StatusNotFound, "There is no such action.")
		return
	}
	if err != nil {
		d.notFoundOr(w, r, p, err, "There is no such alert.")
		return
	}
	d.log.InfoContext(r.Context(), "desk alert "+r.PathValue("action"), "alert_id", id, "by", p.Name)
	back := safeNext(r.PostForm.Get("back"))
	if !strings.HasPrefix(back, Prefix+"/alerts") {
		back = Prefix + "/alerts"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// notFoundOr answers 404 for ErrNotFound and 500 otherwise.
func (d *Desk) notFoundOr(w http.ResponseWriter, r *http.Request, p *person, err error, msg string) {
	if errors.Is(err, store.ErrNotFound) {
		d.fail(w, r, p, http.StatusNotFound, msg)
		return
	}
	d.serverError(w, r, p, err)
}

func (d *Desk) serverError(w http.ResponseWriter, r *http.Request, p *person, err error) {
	d.log.ErrorContext(r.Context(), "desk page failed", "path", r.URL.Path, "error", err.Error())
	d.fail(w, r, p, http.StatusInternalServerError, "Something went wrong; please try again.")
}
