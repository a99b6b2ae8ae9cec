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
	// Timezone of the daily list when the task names none (default UTC).
	Timezone *time.Location
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
}

// leadDesk is what the lead handlers share.
type leadDesk struct {
	Desk
	svc  *lead.Service
	st   InquiryStore
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
	return leadDesk{Desk: desk, svc: d.Leads, st: d.Store, opts: o}, nil
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

func (h leadDesk) loadLead(ctx context.Context, l *store.Lead) (*leadMail, error) {
	lm := &leadMail{lead: l}
	if l.InquiryID == 0 {
		return lm, nil
	}
	cm, err := loadCustomerMail(ctx, h.st, l.InquiryID)
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
	return h.notify(ctx, out.Lead, out.Round)
}

// notify mails the rep holding l in round, once, and schedules the SLA.
func (h *LeadAssignHandler) notify(ctx context.Context, l *store.Lead, round int) error {
	rep, err := h.st.Rep(ctx, l.RepID)
	if err != nil {
		return err
	}
	lm, err := h.loadLead(ctx, l)
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
	h.addScore(ctx, l.ID, &data)
	q := &store.Inquiry{ID: l.InquiryID, ContactEmail: l.ContactEmail, CustomerID: l.CustomerID}
	var inquiryID int64
	if lm.cm != nil {
		q, inquiryID = lm.cm.inquiry, lm.cm.inquiry.ID
		data.Body, data.ReceivedAt = lm.cm.body(), lm.cm.receivedAt()
	}
	var customer *store.Customer
	if l.CustomerID != 0 {
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
	lm, err := h.loadLead(ctx, res.Lead)
	if err != nil {
		return err
	}
	data := mailer.LeadReminderData{
		RepName: name, Lead: res.Lead.Ref(), Reference: lm.reference, CustomerName: lm.customerName(), Company: res.Lead.Company,
		Subject: lm.subject(), AssignedAt: res.Lead.AssignedAt, RespondBy: res.RemindAt, Overdue: overdue,
	}
	if !overdue {
		data.AcceptURL, data.ContactedURL, data.NotMineURL, data.LeadURL = h.links(res.Lead.ID, res.Rep.ID)
		data.Timezone = res.Rep.Timezone
	} else {
		_, _, _, data.LeadURL = h.links(res.Lead.ID, 0)
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

// LeadsDailyDigestHandler handles leads:daily_digest: it delegates the
// pool, then mails every active rep their open leads and the manager the
// new, unassigned and stale ones.
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
	h.retrainScores(ctx)
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
	for _, rl := range dg.Reps {
		data := mailer.DailyLeadsData{RepName: rl.Rep.Name, Date: day, Timezone: rl.Rep.Timezone}
		for _, e := range rl.Leads {
			data.Leads = append(data.Leads, h.dailyLead(e, e.Lead.Status, rl.Rep.ID))
		}
		o := &store.OutboundEmail{IdempotencyKey: DailyLeadsKey(p.Day, fmt.Sprint(rl.Rep.ID)), Kind: "daily_leads", To: []string{rl.Rep.Email}}
		if err := h.queue(ctx, "daily_leads", data, o); err != nil {
			return err
		}
	}
	if h.opts.ManagerAddress != "" {
		data := mailer.DailyLeadsData{Date: day}
		for _, group := range []struct {
			label string
			leads []lead.DigestLead
		}{{"unassigned", dg.Unassigned}, {"stale", dg.Stale}, {"new", dg.New}} {
			for _, e := range group.leads {
				data.Leads = append(data.Leads, h.dailyLead(e, group.label+" ("+e.Lead.Status+")", 0))
			}
		}
		o := &store.OutboundEmail{IdempotencyKey: DailyLeadsKey(p.Day, "manager"), Kind: "daily_leads", To: []string{h.opts.ManagerAddress}}
		if err := h.queue(ctx, "daily_leads", data, o); err != nil {
			return err
		}
	}
	h.Logger.InfoContext(ctx, "daily lead list sent", "day", p.Day, "reps", len(dg.Reps), "delegated", len(dg.Delegated),
		"new", len(dg.New), "unassigned", len(dg.Unassigned), "stale", len(dg.Stale))
	return nil
}

func (h *LeadsDailyDigestHandler) dailyLead(e lead.DigestLead, status string, repID int64) mailer.DailyLead {
	_, _, _, u := h.links(e.Lead.ID, repID)
	return mailer.DailyLead{
		Reference: e.Lead.Ref(), CustomerName: cmp.Or(e.Lead.ContactName, e.Lead.ContactEmail), Company: e.Lead.Company,
		Subject: e.Lead.Summary, Status: status, AssignedAt: e.Lead.AssignedAt, RespondBy: e.RespondBy, Overdue: e.Overdue, URL: u,
	}
}
