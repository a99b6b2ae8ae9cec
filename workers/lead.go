package workers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/lang"
	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/internal/zone"
	"salesdesk/tasks"
)

// Idempotency keys of the lead mails: one per lead and round, one digest
// per rep and day.
func LeadAssignedKey(leadID int64, round int) string {
	return fmt.Sprintf("lead_assigned:%d:%d", leadID, round)
}

// LeadReminderKey is the key of a round's reminder to the rep.
func LeadReminderKey(leadID int64, round int) string {
	return fmt.Sprintf("lead_reminder:%d:%d", leadID, round)
}

// LeadBreachKey is the key of the manager's notice of an SLA breach.
func LeadBreachKey(leadID int64, round int) string {
	return fmt.Sprintf("lead_sla_breach:%d:%d", leadID, round)
}

// DailyLeadsKey is the key of one recipient's daily list ("manager" or a
// rep id).
func DailyLeadsKey(day, who string) string { return "daily_leads:" + day + ":" + who }

// DefaultLeadLinkTTL is how long the one-click links in a lead mail work.
const DefaultLeadLinkTTL = 7 * 24 * time.Hour

// LeadOptions configure the lead handlers.
type LeadOptions struct {
	// ManagerAddress gets SLA breaches and the daily summary; empty skips
	// those mails.
	ManagerAddress string
	// Links signs the one-click links (accept, contacted, not mine).
	// Links are left out when it or the desk's BaseURL is empty.
	Links *link.Signer
	// LinkTTL is how long the links work (default 7 days).
	LinkTTL time.Duration
	// Timezone is the team's: the daily list's for a person without one
	// of their own, and when the task names none (default UTC).
	Timezone *time.Location
	// DailyTime is when the daily lists go out, in each reader's local
	// time; leads:daily_scan enqueues each person's list when it comes.
	// The zero value sends none.
	DailyTime lead.DailyTime
	// Scorer scores each lead mailed to a rep (the score and its top
	// three factors go in the mail) and is retrained before each daily
	// list; nil leaves scores out.
	Scorer *lead.Scorer
}

// LeadDeps are what the lead handlers need.
type LeadDeps struct {
	Desk
	Leads *lead.Service // required
	Store InquiryStore  // required; *store.Store
	// Enqueuer enqueues each person's daily list; leads:daily_scan needs it.
	Enqueuer queue.Enqueuer
}

// leadDesk is what the lead handlers share.
type leadDesk struct {
	Desk
	svc  *lead.Service
	st   InquiryStore
	enq  queue.Enqueuer
	opts LeadOptions
}

func newLeadDesk(d LeadDeps, o LeadOptions) (leadDesk, error) {
	desk, err := d.Desk.ready("lead")
	if err != nil {
		return leadDesk{}, err
	}
	if d.Leads == nil || d.Store == nil {
		return leadDesk{}, errors.New("workers: lead handlers need the lead service and a store")
	}
	if o.LinkTTL <= 0 {
		o.LinkTTL = DefaultLeadLinkTTL
	}
	if o.Timezone == nil {
		o.Timezone = time.UTC
	}
	return leadDesk{Desk: desk, svc: d.Leads, st: d.Store, enq: d.Enqueuer, opts: o}, nil
}

// newLeadHandler builds one of the lead handlers, which differ only in
// what their tasks do.
func newLeadHandler[H ~struct{ leadDesk }](d LeadDeps, o LeadOptions) (*H, error) {
	m, err := newLeadDesk(d, o)
	if err != nil {
		return nil, err
	}
	return &H{m}, nil
}

// links returns the one-click links of a lead for its rep, or empty ones.
func (h leadDesk) links(leadID, repID int64) (accept, contacted, notMine, leadURL string) {
	if h.BaseURL == "" {
		return
	}
	leadURL = h.url("/desk/leads/%d", leadID)
	if h.opts.Links == nil {
		return
	}
	exp := h.Clock.Now().Add(h.opts.LinkTTL)
	if repID == 0 {
		return "", "", "", leadURL
	}
	// The rep's "Open the lead" signs them in to the desk page.
	leadURL = h.opts.Links.PersonURL(h.BaseURL, fmt.Sprintf("/desk/leads/%d", leadID), repID, exp)
	return h.opts.Links.LeadURL(h.BaseURL, lead.ActionAccept, leadID, repID, exp),
		h.opts.Links.LeadURL(h.BaseURL, lead.ActionContacted, leadID, repID, exp),
		h.opts.Links.LeadURL(h.BaseURL, lead.ActionNotMine, leadID, repID, exp), leadURL
}

// outcomeLinks returns the rep's one-click won and lost links of a lead,
// or none without a signer, a desk or a rep.
func (h leadDesk) outcomeLinks(leadID, repID int64) (won, lost string) {
	if h.BaseURL == "" || h.opts.Links == nil || repID == 0 {
		return "", ""
	}
	exp := h.Clock.Now().Add(h.opts.LinkTTL)
	return h.opts.Links.LeadURL(h.BaseURL, store.LeadWon, leadID, repID, exp),
		h.opts.Links.LeadURL(h.BaseURL, store.LeadLost, leadID, repID, exp)
}

// leadMail is a lead with what the rep needs to see: its inquiry and the
// customer's mail, when it came from one.
type leadMail struct {
	lead *store.Lead
	// reference is the token of the customer's thread (the inquiry's
	// "SD-19"), "" for a lead that came without a mail; the lead itself
	// is always named by lead.Ref().
	reference string
	cm        *customerMail // nil when the lead has no inquiry
}

// loadLead reads the lead's inquiry and mail; read is its inquiry when the
// caller has it already (nil: read it).
func (h leadDesk) loadLead(ctx context.Context, l *store.Lead, read *store.Inquiry) (*leadMail, error) {
	lm := &leadMail{lead: l}
	if l.InquiryID == 0 {
		return lm, nil
	}
	var cm *customerMail
	var err error
	if read != nil && read.ID == l.InquiryID {
		cm, err = customerMailOf(ctx, h.st, read)
	} else {
		cm, err = loadCustomerMail(ctx, h.st, l.InquiryID)
	}
	if err != nil {
		if queue.IsPermanent(err) { // the inquiry is gone: mail the lead alone
			return lm, nil
		}
		return nil, err
	}
	lm.cm, lm.reference = cm, cm.inquiry.Reference
	return lm, nil
}

func (lm *leadMail) subject() string {
	if lm.cm != nil && lm.cm.parsed.Subject != "" {
		return lm.cm.parsed.Subject
	}
	return lm.lead.Summary
}

// language names the customer's language for the rep when it is not
// English: the lead's inquiry's.
func (lm *leadMail) language() string {
	if lm.cm == nil {
		return ""
	}
	return lang.Foreign(lm.cm.inquiry.Language)
}

func (lm *leadMail) customerName() string {
	if lm.lead.ContactName != "" {
		return lm.lead.ContactName
	}
	if lm.cm != nil {
		return lm.cm.parsed.FromName
	}
	return ""
}

// LeadAssignHandler handles lead:assign: it runs the lead's assignment
// round and mails the rep who holds it the lead, the customer's message,
// the account's history and one-click links, with Reply-To set to the
// customer; then it schedules the round's SLA checks.
type LeadAssignHandler struct{ leadDesk }

// NewLeadAssignHandler returns the lead:assign handler.
func NewLeadAssignHandler(d LeadDeps, o LeadOptions) (*LeadAssignHandler, error) {
	return newLeadHandler[LeadAssignHandler](d, o)
}

// ProcessTask handles one lead:assign task.
func (h *LeadAssignHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseLeadAssignPayload(t.Payload())
	if err != nil {
		return err
	}
	out, err := h.svc.Assign(ctx, p.LeadID, p.Attempt, p.Reason)
	if err != nil {
		return missingIsPermanent(err)
	}
	if out.Lead != nil && out.Lead.Status == store.LeadMerged {
		return h.mergedUpdate(ctx, out.Lead)
	}
	if !out.Assigned {
		h.Logger.InfoContext(ctx, "lead not assigned", "lead_id", p.LeadID, "attempt", p.Attempt, "pooled", out.Pooled, "stale", out.Stale)
		return nil
	}
	return h.notify(ctx, out)
}

// notify mails the rep holding the outcome's lead in its round, once, and
// schedules the SLA. The inquiry and account the assignment read are not
// read again.
func (h *LeadAssignHandler) notify(ctx context.Context, out lead.Outcome) error {
	l, round := out.Lead, out.Round
	rep, err := h.st.Rep(ctx, l.RepID)
	if err != nil {
		return err
	}
	lm, err := h.loadLead(ctx, l, out.Inquiry)
	if err != nil {
		return err
	}
	remindAt, _ := h.svc.Deadlines(rep, l.AssignedAt)
	data := mailer.LeadAssignedData{
		Timezone:      rep.Timezone,
		RepName:       rep.Name,
		Lead:          l.Ref(),
		Reference:     lm.reference,
		CustomerName:  lm.customerName(),
		CustomerEmail: l.ContactEmail,
		Company:       l.Company,
		Subject:       lm.subject(),
		Language:      lm.language(),
		Body:          l.Summary,
		ReceivedAt:    l.CreatedAt,
		RespondBy:     remindAt,
	}
	data.AcceptURL, data.ContactedURL, data.NotMineURL, data.LeadURL = h.links(l.ID, rep.ID)
	data.WonURL, data.LostURL = h.outcomeLinks(l.ID, rep.ID)
	h.addScore(ctx, l.ID, out.Score, &data)
	q := &store.Inquiry{ID: l.InquiryID, ContactEmail: l.ContactEmail, CustomerID: l.CustomerID}
	var inquiryID int64
	if lm.cm != nil {
		q, inquiryID = lm.cm.inquiry, lm.cm.inquiry.ID
		data.Body, data.ReceivedAt = lm.cm.body(), lm.cm.receivedAt()
	}
	customer := out.Customer
	if l.CustomerID != 0 && (customer == nil || customer.ID != l.CustomerID) {
		if customer, err = h.st.Customer(ctx, l.CustomerID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if customer != nil {
		data.Account.Company = customer.Name
		if data.Company == "" {
			data.Company = customer.Name
		}
		if customer.OwnerRepID != 0 {
			if owner, err := h.st.Rep(ctx, customer.OwnerRepID); err == nil {
				data.Account.OwnerRep = owner.Name
			}
		}
	}
	if data.Account, err = accountSummary(ctx, h.st, q, customer, data.Account); err != nil {
		return err
	}
	o := &store.OutboundEmail{IdempotencyKey: LeadAssignedKey(l.ID, round), Kind: "lead_assigned", InquiryID: inquiryID,
		To: []string{rep.Email}, ReplyTo: l.ContactEmail}
	if err := h.queue(ctx, "lead_assigned", data, o); err != nil {
		return err
	}
	if err := h.svc.ScheduleSLA(ctx, l, rep, round); err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "lead sent to rep", "lead_id", l.ID, "rep_id", rep.ID, "round", round)
	return nil
}

// LeadSLACheckHandler handles lead:sla_check: a reminder to the rep at
// stage 1, reassignment and a notice to the manager at stage 2.
type LeadSLACheckHandler struct{ leadDesk }

// NewLeadSLACheckHandler returns the lead:sla_check handler.
func NewLeadSLACheckHandler(d LeadDeps, o LeadOptions) (*LeadSLACheckHandler, error) {
	return newLeadHandler[LeadSLACheckHandler](d, o)
}

// ProcessTask handles one lead:sla_check task.
func (h *LeadSLACheckHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseLeadSLACheckPayload(t.Payload())
	if err != nil {
		return err
	}
	res, err := h.svc.CheckSLA(ctx, p.LeadID, p.Attempt, p.Stage)
	if err != nil {
		return missingIsPermanent(err)
	}
	switch res.Action {
	case lead.SLARemind:
		if err := h.reminder(ctx, res, res.Rep.Email, res.Rep.Name, false, LeadReminderKey(res.Lead.ID, res.Round)); err != nil {
			return err
		}
		return h.svc.RecordReminder(ctx, res.Lead.ID, res.Rep.ID)
	case lead.SLAReassign:
		h.Logger.InfoContext(ctx, "lead reassigned after SLA breach", "lead_id", res.Lead.ID, "from_rep_id", res.Rep.ID,
			"to_rep_id", res.Moved.Lead.RepID, "pooled", res.Moved.Pooled)
		if h.opts.ManagerAddress == "" {
			return nil
		}
		return h.reminder(ctx, res, h.opts.ManagerAddress, "", true, LeadBreachKey(res.Lead.ID, res.Round))
	}
	return nil
}

func (h *LeadSLACheckHandler) reminder(ctx context.Context, res lead.SLAResult, to, name string, overdue bool, key string) error {
	lm, err := h.loadLead(ctx, res.Lead, nil)
	if err != nil {
		return err
	}
	data := mailer.LeadReminderData{
		RepName: name, Lead: res.Lead.Ref(), Reference: lm.reference, CustomerName: lm.customerName(), Company: res.Lead.Company,
		Subject: lm.subject(), AssignedAt: res.Lead.AssignedAt, RespondBy: res.RemindAt, Overdue: overdue,
	}
	if !overdue {
		data.AcceptURL, data.ContactedURL, data.NotMineURL, data.LeadURL = h.links(res.Lead.ID, res.Rep.ID)
		data.WonURL, data.LostURL = h.outcomeLinks(res.Lead.ID, res.Rep.ID)
		data.Timezone = res.Rep.Timezone
	} else {
		// The manager's notice: their timezone, and a link that signs
		// them in when they are a person on the team.
		var mgrID int64
		data.Timezone, mgrID = h.manager(ctx)
		_, _, _, data.LeadURL = h.links(res.Lead.ID, mgrID)
	}
	o := &store.OutboundEmail{IdempotencyKey: key, Kind: "lead_reminder", InquiryID: res.Lead.InquiryID, To: []string{to}}
	return h.queue(ctx, "lead_reminder", data, o)
}

// LeadsSLAScanHandler handles leads:sla_scan: the pool is offered to the
// reps, overdue SLA checks are re-enqueued and leads of reps who became
// unavailable move on.
type LeadsSLAScanHandler struct{ leadDesk }

// NewLeadsSLAScanHandler returns the leads:sla_scan handler.
func NewLeadsSLAScanHandler(d LeadDeps, o LeadOptions) (*LeadsSLAScanHandler, error) {
	return newLeadHandler[LeadsSLAScanHandler](d, o)
}

// ProcessTask handles one leads:sla_scan task.
func (h *LeadsSLAScanHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if _, err := tasks.ParseLeadsSLAScanPayload(t.Payload()); err != nil {
		return err
	}
	res, err := h.svc.Scan(ctx)
	if err != nil {
		return err
	}
	h.Logger.InfoContext(ctx, "lead SLA scan", "from_pool", res.FromPool, "rechecked", res.Rechecked, "unavailable", res.Unavailable)
	return nil
}

// LeadsDailyScanHandler handles leads:daily_scan: it enqueues the daily
// list of every active rep, and the manager's summary, whose local hour
// (LeadOptions.DailyTime in their timezone) has come by the scan's
// scheduled time. Each list's TaskID names its person and local date, so
// the scans that see it due enqueue it once.
type LeadsDailyScanHandler struct{ leadDesk }

// NewLeadsDailyScanHandler returns the leads:daily_scan handler.
func NewLeadsDailyScanHandler(d LeadDeps, o LeadOptions) (*LeadsDailyScanHandler, error) {
	if d.Enqueuer == nil {
		return nil, errors.New("workers: the daily scan needs an enqueuer")
	}
	return newLeadHandler[LeadsDailyScanHandler](d, o)
}

// ProcessTask handles one leads:daily_scan task.
func (h *LeadsDailyScanHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseLeadsDailyScanPayload(t.Payload())
	if err != nil {
		return err
	}
	due, err := h.dueLists(ctx, p.ScheduledAt)
	if err != nil {
		return err
	}
	enqueued := 0
	for _, dp := range due {
		task, err := tasks.NewLeadsDailyDigestTask(dp)
		if err != nil {
			return queue.Permanent(err)
		}
		_, dup, err := queue.Enqueue(ctx, h.enq, task)
		if err != nil {
			return err
		}
		if !dup {
			enqueued++
			h.Logger.InfoContext(ctx, "daily lead list due", "day", dp.Day, "timezone", dp.Timezone, "rep_id", dp.RepID, "manager", dp.Manager)
		}
	}
	if enqueued > 0 {
		// Once per round of lists, not per list: the model learns anew
		// from the closed leads for the scores of the leads that follow.
		h.retrainScores(ctx)
	}
	return nil
}

// dueLists returns the daily lists due at now: each active rep's in their
// timezone, and the manager's in theirs (the manager's rep record's, else
// the team's).
func (h *LeadsDailyScanHandler) dueLists(ctx context.Context, now time.Time) ([]tasks.LeadsDailyDigestPayload, error) {
	reps, err := h.st.ListReps(ctx, true)
	if err != nil {
		return nil, err
	}
	var due []tasks.LeadsDailyDigestPayload
	add := func(tz string, repID int64, manager bool) {
		loc := h.readerLocation(tz)
		if day, at, ok := h.opts.DailyTime.Due(loc, now); ok {
			due = append(due, tasks.LeadsDailyDigestPayload{Day: day, Timezone: loc.String(), ScheduledAt: at, RepID: repID, Manager: manager})
		}
	}
	for _, r := range reps {
		add(r.Timezone, r.ID, false)
	}
	if h.opts.ManagerAddress != "" {
		tz, _ := h.manager(ctx)
		add(tz, 0, true)
	}
	return due, nil
}

// readerLocation is a person's timezone: their own, else the team's.
func (h leadDesk) readerLocation(tz string) *time.Location {
	return zone.Of(tz, h.opts.Timezone.String())
}

// manager returns the manager's timezone ("" for the team's) and the rep
// id their links sign in (0 for a plain link), from the rep record of
// ManagerAddress; a manager who is not a person on the team (a team
// address) gets the team's zone and plain links.
func (h leadDesk) manager(ctx context.Context) (tz string, signInID int64) {
	if h.opts.ManagerAddress == "" {
		return "", 0
	}
	r, err := h.st.RepByEmail(ctx, h.opts.ManagerAddress)
	if err != nil {
		return "", 0
	}
	if r.Active { // links sign in only a person on the team
		signInID = r.ID
	}
	return r.Timezone, signInID
}

// LeadsDailyDigestHandler handles leads:daily_digest: it delegates the
// pool, then mails one rep their open leads, or the manager the new,
// unassigned and stale ones with the rep each is assigned to; a task
// that names nobody mails every active rep and the manager.
type LeadsDailyDigestHandler struct{ leadDesk }

// NewLeadsDailyDigestHandler returns the leads:daily_digest handler.
func NewLeadsDailyDigestHandler(d LeadDeps, o LeadOptions) (*LeadsDailyDigestHandler, error) {
	return newLeadHandler[LeadsDailyDigestHandler](d, o)
}

// ProcessTask handles one leads:daily_digest task.
func (h *LeadsDailyDigestHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseLeadsDailyDigestPayload(t.Payload())
	if err != nil {
		return err
	}
	whole := p.RepID == 0 && !p.Manager
	if whole {
		h.retrainScores(ctx)
	}
	loc := h.opts.Timezone
	if p.Timezone != "" {
		if loc, err = time.LoadLocation(p.Timezone); err != nil {
			return queue.Permanent(fmt.Errorf("digest timezone: %w", err))
		}
	}
	day, err := time.ParseInLocation(time.DateOnly, p.Day, loc)
	if err != nil {
		return queue.Permanent(fmt.Errorf("digest day: %w", err))
	}
	dg, err := h.svc.Compile(ctx, day)
	if err != nil {
		return err
	}
	sent := 0
	for _, rl := range dg.Reps {
		if !whole && rl.Rep.ID != p.RepID {
			continue
		}
		// The rep's day and times in their zone (a task for the whole
		// team names the team's day).
		repLoc := h.readerLocation(rl.Rep.Timezone)
		data := mailer.DailyLeadsData{RepName: rl.Rep.Name, Date: localDay(day, repLoc), Timezone: repLoc.String()}
		for _, e := range rl.Leads {
			data.Leads = append(data.Leads, h.dailyLead(e, e.Lead.Status, rl.Rep.ID))
		}
		o := &store.OutboundEmail{IdempotencyKey: DailyLeadsKey(p.Day, fmt.Sprint(rl.Rep.ID)), Kind: "daily_leads", To: []string{rl.Rep.Email}}
		if err := h.queue(ctx, "daily_leads", data, o); err != nil {
			return err
		}
		sent++
	}
	if (whole || p.Manager) && h.opts.ManagerAddress != "" {
		if err := h.summary(ctx, p.Day, day, dg); err != nil {
			return err
		}
		sent++
	}
	h.Logger.InfoContext(ctx, "daily lead list sent", "day", p.Day, "timezone", loc.String(), "rep_id", p.RepID, "manager", p.Manager,
		"mails", sent, "delegated", len(dg.Delegated), "new", len(dg.New), "unassigned", len(dg.Unassigned), "stale", len(dg.Stale))
	return nil
}

// localDay is the midnight of day's date in loc.
func localDay(day time.Time, loc *time.Location) time.Time {
	y, m, d := day.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// summary queues the manager's daily summary: the unassigned, overdue and
// new leads, each with the rep it is assigned to, in the manager's
// timezone and signed in to the desk as the manager when they are a
// person on the team.
func (h *LeadsDailyDigestHandler) summary(ctx context.Context, dayKey string, day time.Time, dg lead.Digest) error {
	tz, mgrID := h.manager(ctx)
	loc := h.readerLocation(tz)
	data := mailer.DailySummaryData{Date: localDay(day, loc), Timezone: loc.String()}
	names := map[int64]string{}
	for _, rl := range dg.Reps {
		names[rl.Rep.ID] = rl.Rep.Name
	}
	for _, group := range []struct {
		title string
		leads []lead.DigestLead
		n     *int
	}{
		{"Unassigned, waiting for a rep", dg.Unassigned, &data.Unassigned},
		{"Not contacted in time", dg.Stale, &data.Overdue},
		{"New in the last 24 hours", dg.New, &data.New},
	} {
		*group.n = len(group.leads)
		if len(group.leads) == 0 {
			continue
		}
		g := mailer.LeadGroup{Title: group.title}
		for _, e := range group.leads {
			row := h.dailyLead(e, e.Lead.Status, mgrID)
			if e.Lead.RepID != 0 {
				row.RepName = cmp.Or(names[e.Lead.RepID], h.repName(ctx, e.Lead.RepID))
			}
			g.Leads = append(g.Leads, row)
		}
		data.Groups = append(data.Groups, g)
	}
	o := &store.OutboundEmail{IdempotencyKey: DailyLeadsKey(dayKey, "manager"), Kind: "daily_leads", To: []string{h.opts.ManagerAddress}}
	return h.queue(ctx, "daily_summary", data, o)
}

// repName names a rep who is not on the active list (gone, inactive).
func (h leadDesk) repName(ctx context.Context, id int64) string {
	r, err := h.st.Rep(ctx, id)
	if err != nil {
		return fmt.Sprintf("rep %d", id)
	}
	return r.Name
}

// dailyLead is a lead's row in a daily list; its link signs in the
// reader readerID (0: a plain desk link).
func (h *LeadsDailyDigestHandler) dailyLead(e lead.DigestLead, status string, readerID int64) mailer.DailyLead {
	_, _, _, u := h.links(e.Lead.ID, readerID)
	return mailer.DailyLead{
		Reference: e.Lead.Ref(), CustomerName: cmp.Or(e.Lead.ContactName, e.Lead.ContactEmail), Company: e.Lead.Company,
		Subject: e.Lead.Summary, Status: status, AssignedAt: e.Lead.AssignedAt, RespondBy: e.RespondBy, Overdue: e.Overdue, URL: u,
		Score: e.Lead.Score, Scored: e.Lead.Scored,
	}
}
