package workers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"slices"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/link"
	"salesdesk/internal/meeting"
	"salesdesk/internal/meetingweb"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// MeetingStore is what the meeting handlers read and write;
// *store.Store implements it.
type MeetingStore interface {
	meeting.Store
	mailReader
	contactFinder
	InboundMessage(ctx context.Context, id int64) (*store.InboundMessage, error)
	Customer(ctx context.Context, id int64) (*store.Customer, error)
	CustomerTimezone(ctx context.Context, customerID int64) (string, error)
	ListReps(ctx context.Context, activeOnly bool) ([]store.Rep, error)
	MeetingByInquiry(ctx context.Context, inquiryID int64) (*store.Meeting, error)
	ListInquiries(ctx context.Context, f store.InquiryFilter) ([]store.Inquiry, error)
	SetInboundStatus(ctx context.Context, id int64, status, reason string) error
	// DecideOnce records which rep mail was carried out for a meeting.
	DecideOnce(ctx context.Context, d store.LinkDecision) (store.LinkDecision, bool, error)
	FinishPendingTask(ctx context.Context, typ string, payload []byte, outcome string) (bool, error)
}

// ScheduledTasks lists and deletes scheduled tasks; *asynq.Inspector
// implements it. The meeting handlers use it to delete the reminders of a
// meeting's older versions; without it those reminders still fire and do
// nothing (their version no longer matches).
type ScheduledTasks interface {
	ListScheduledTasks(queue string, opts ...asynq.ListOption) ([]*asynq.TaskInfo, error)
	DeleteTask(queue, id string) error
}

// DefaultMeetingLinkTTL is how long slot and rep links in meeting mails
// work at most.
const DefaultMeetingLinkTTL = 7 * 24 * time.Hour

// MeetingOptions configure the meeting handlers.
type MeetingOptions struct {
	// Links signs the slot and rep links; without it (or the desk's
	// BaseURL) no slots are offered and a rep proposes every time.
	Links *link.Signer
	// LinkTTL caps how long the links work (default 7 days).
	LinkTTL time.Duration
	// Organizer is the address calendar replies must reach: the sales
	// inbox (default: the Desk's From).
	Organizer string
}

// MeetingDeps are what the meeting handlers need.
type MeetingDeps struct {
	Desk
	Store    MeetingStore     // required
	Meetings *meeting.Service // required
	Enqueuer queue.Enqueuer   // required: reminders, outcome requests, replies
	// Scheduled deletes older versions' reminders; optional.
	Scheduled ScheduledTasks
}

// meetingDesk is what the meeting handlers share.
type meetingDesk struct {
	Desk
	st    MeetingStore
	svc   *meeting.Service
	enq   queue.Enqueuer
	sched ScheduledTasks
	opts  MeetingOptions
}

func newMeetingDesk(d MeetingDeps, o MeetingOptions) (meetingDesk, error) {
	desk, err := d.Desk.ready("meeting")
	if err != nil {
		return meetingDesk{}, err
	}
	if d.Store == nil || d.Meetings == nil || d.Enqueuer == nil {
		return meetingDesk{}, errors.New("workers: meeting handlers need a store, the meeting service and an enqueuer")
	}
	if o.LinkTTL <= 0 {
		o.LinkTTL = DefaultMeetingLinkTTL
	}
	return meetingDesk{Desk: desk, st: d.Store, svc: d.Meetings, enq: d.Enqueuer, sched: d.Scheduled, opts: o}, nil
}

// meetingTask is a handler of a task about one meeting: it decodes the
// payload, loads the meeting it names with its people and runs.
type meetingTask[P any] struct {
	meetingDesk
	parse func([]byte) (P, error)
	id    func(P) int64
	run   func(meetingDesk, context.Context, P, *meetingView) error
}

func newMeetingTask[P any](d MeetingDeps, o MeetingOptions, parse func([]byte) (P, error), id func(P) int64,
	run func(meetingDesk, context.Context, P, *meetingView) error) (*meetingTask[P], error) {
	m, err := newMeetingDesk(d, o)
	if err != nil {
		return nil, err
	}
	return &meetingTask[P]{meetingDesk: m, parse: parse, id: id, run: run}, nil
}

// ProcessTask handles one task.
func (h *meetingTask[P]) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := h.parse(t.Payload())
	if err != nil {
		return err
	}
	v, err := h.load(ctx, h.id(p))
	if err != nil {
		return err
	}
	return h.run(h.meetingDesk, ctx, p, v)
}

// Idempotency keys of the meeting mails.
func meetingKey(kind string, meetingID int64, parts ...any) string {
	k := fmt.Sprintf("%s:%d", kind, meetingID)
	for _, p := range parts {
		k += fmt.Sprintf(":%v", p)
	}
	return k
}

// MeetingRequestHandler answers meeting:request: it makes the meeting of
// a meeting_request inquiry with the customer and a rep (the account's
// owner, else the first active rep), reads the times the customer
// proposed in their timezone and mails them free slots as one-click links
// (a proposed time first when it is free). When no slot can be offered
// the customer is told that the rep will propose a time, and the rep is
// asked to.
type MeetingRequestHandler struct{ meetingDesk }

// NewMeetingRequestHandler returns the meeting:request handler.
func NewMeetingRequestHandler(d MeetingDeps, o MeetingOptions) (*MeetingRequestHandler, error) {
	m, err := newMeetingDesk(d, o)
	if err != nil {
		return nil, err
	}
	return &MeetingRequestHandler{m}, nil
}

// ProcessTask handles one meeting:request task.
func (h *MeetingRequestHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseMeetingRequestPayload(t.Payload())
	cm, err := loadTaskMail(ctx, h.st, p.InquiryID, err)
	if err != nil {
		return err
	}
	sender := cm.sender()
	if sender == "" {
		return queue.Permanent(fmt.Errorf("meeting request %d: no sender address", p.InquiryID))
	}
	m, err := h.st.MeetingByInquiry(ctx, cm.inquiry.ID)
	if errors.Is(err, store.ErrNotFound) {
		m, err = h.open(ctx, cm, sender)
	}
	if err != nil {
		return err
	}
	rep, err := h.st.Rep(ctx, m.RepID)
	if err != nil {
		return missingIsPermanent(err)
	}
	loc := meeting.LoadZone(m.CustomerTimezone)
	proposals := meeting.ParseProposals(cm.words(), cm.receivedAt(), loc, cm.inquiry.Language)
	// Greet by the name on file: the From's display name proves nothing.
	name, err := recordedName(ctx, h.st, sender)
	if err != nil {
		return err
	}
	// The customer's mails are in the language of their request; the
	// rep's in the team's.
	lang := cm.inquiry.Language
	data := meeting.MailData{Name: name, Reference: cm.inquiry.Reference, Subject: cm.parsed.Subject,
		Title: m.Title, RepName: rep.Name, CustomerName: cm.parsed.FromName, CustomerEmail: sender, Words: cm.words(),
		Proposed: proposedText(proposals)}
	switch m.Status {
	case store.MeetingProposed:
		slots, err := h.st.MeetingSlots(ctx, m.ID)
		if err != nil {
			return err
		}
		if len(slots) == 0 { // a crash between the meeting and its slots
			if slots, err = h.offer(ctx, m, rep, proposals); err != nil {
				return err
			}
		}
		data.ProposedFree = proposalsFree(proposals, slots)
		h.slotLinks(&data, slots, loc, lang)
		o := &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailSlots, m.ID, m.Sequence), Kind: meeting.MailSlots,
			To: []string{sender}}
		cm.thread(o)
		return h.queueIn(ctx, meeting.MailSlots, lang, data, o)
	case store.MeetingRequested:
		o := &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailPending, m.ID), Kind: meeting.MailPending, To: []string{sender}}
		cm.thread(o)
		if err := h.queueIn(ctx, meeting.MailPending, lang, data, o); err != nil {
			return err
		}
		data.Name = rep.Name
		if h.canOffer() {
			exp := h.Clock.Now().Add(h.opts.LinkTTL)
			data.Actions = []meeting.Link{{Label: "Book a time",
				URL: meetingweb.RepURL(h.opts.Links, h.BaseURL, meetingweb.ActionMove, m.ID, rep.ID, exp)}}
		}
		o = &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailPropose, m.ID), Kind: meeting.MailPropose,
			InquiryID: cm.inquiry.ID, To: []string{rep.Email}, ReplyTo: sender}
		return h.queue(ctx, meeting.MailPropose, data, o)
	}
	h.Logger.InfoContext(ctx, "meeting request already booked", "meeting_id", m.ID, "status", m.Status)
	return nil
}

// open makes the meeting of an inquiry, with its attendees and, when
// slots can be offered, its slots.
func (h *MeetingRequestHandler) open(ctx context.Context, cm *customerMail, sender string) (*store.Meeting, error) {
	q := cm.inquiry
	rep, accountTZ, err := h.repFor(ctx, q)
	if err != nil {
		return nil, err
	}
	loc, zone := meeting.CustomerZone(accountTZ, h.dateHeader(ctx, q.InboundMessageID))
	title := strings.TrimSpace(cm.parsed.Subject)
	if title == "" {
		title = "Meeting"
	}
	m := &store.Meeting{UID: fmt.Sprintf("inquiry-%d@%s", q.ID, hostOf(h.From)), InquiryID: q.ID, RepID: rep.ID,
		CustomerEmail: sender, Title: title, Status: store.MeetingRequested, Timezone: rep.Timezone, CustomerTimezone: zone}
	var slots []meeting.Interval
	if h.canOffer() {
		m.Status = store.MeetingProposed // set before the slots exist; a re-run finds and adds them
		if slots, _, err = h.svc.Offer(ctx, m, rep, meeting.ParseProposals(cm.words(), cm.receivedAt(), loc, cm.inquiry.Language)); err != nil {
			return nil, err
		}
		if len(slots) == 0 {
			m.Status = store.MeetingRequested
		}
	}
	if _, _, err := h.st.CreateMeeting(ctx, m); err != nil {
		return nil, err
	}
	if err := h.svc.AddPeople(ctx, m, rep, []store.MeetingAttendee{{Email: sender, Name: cm.parsed.FromName, Timezone: zone}}); err != nil {
		return nil, err
	}
	if len(slots) > 0 {
		if err := h.st.AddMeetingSlots(ctx, m.ID, toSlots(slots)); err != nil {
			return nil, err
		}
	}
	h.Logger.InfoContext(ctx, "meeting opened", "meeting_id", m.ID, "inquiry_id", q.ID, "rep_id", rep.ID,
		"status", m.Status, "slots", len(slots), "customer_timezone", zone)
	return h.st.Meeting(ctx, m.ID)
}

// repFor picks the meeting's rep: the account's owner when available,
// else the first active rep. It also returns the account's timezone.
func (h *MeetingRequestHandler) repFor(ctx context.Context, q *store.Inquiry) (*store.Rep, string, error) {
	var tz string
	if q.CustomerID != 0 {
		c, err := h.st.Customer(ctx, q.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, "", err
		}
		if tz, err = h.st.CustomerTimezone(ctx, q.CustomerID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, "", err
		}
		if c != nil {
			if rep := h.availableOwner(ctx, h.st, c); rep != nil {
				return rep, tz, nil
			}
		}
	}
	reps, err := h.st.ListReps(ctx, true)
	if err != nil {
		return nil, "", err
	}
	for i := range reps {
		if reps[i].Email != "" && !reps[i].OutOfOfficeUntil.After(h.Clock.Now()) {
			return &reps[i], tz, nil
		}
	}
	return nil, "", queue.Permanent(fmt.Errorf("meeting request %d: no active rep", q.ID))
}

// dateHeader is the Date header of the customer's mail, "" when unknown.
func (h *MeetingRequestHandler) dateHeader(ctx context.Context, inboundID int64) string {
	if inboundID == 0 {
		return ""
	}
	in, err := h.st.InboundMessage(ctx, inboundID)
	if err != nil {
		return ""
	}
	msg, err := mail.ReadMessage(bytes.NewReader(in.Raw))
	if err != nil {
		return ""
	}
	return msg.Header.Get("Date")
}

// canOffer reports whether slot links can be made.
func (h meetingDesk) canOffer() bool { return h.opts.Links != nil && h.BaseURL != "" }

// offer finds and stores slots for m.
func (h meetingDesk) offer(ctx context.Context, m *store.Meeting, rep *store.Rep, proposals []meeting.Proposal) ([]store.MeetingSlot, error) {
	ivs, _, err := h.svc.Offer(ctx, m, rep, proposals)
	if err != nil {
		return nil, err
	}
	slots := toSlots(ivs)
	if err := h.st.AddMeetingSlots(ctx, m.ID, slots); err != nil {
		return nil, err
	}
	return slots, nil
}

func toSlots(ivs []meeting.Interval) []store.MeetingSlot {
	out := make([]store.MeetingSlot, len(ivs))
	for i, iv := range ivs {
		out[i] = store.MeetingSlot{StartsAt: iv.Start, EndsAt: iv.End}
	}
	return out
}

// slotLinks fills the slot links of data, each labelled in loc and
// language, whose page they open in. They work until the last slot begins
// (at most LinkTTL); a slot whose time has come is refused by the page.
func (h meetingDesk) slotLinks(data *meeting.MailData, slots []store.MeetingSlot, loc *time.Location, language string) {
	if len(slots) == 0 || !h.canOffer() {
		return
	}
	last := slices.MaxFunc(slots, func(a, b store.MeetingSlot) int { return a.StartsAt.Compare(b.StartsAt) }).StartsAt
	exp := h.Clock.Now().Add(h.opts.LinkTTL)
	if last.Before(exp) {
		exp = last
	}
	for _, s := range slots {
		data.Slots = append(data.Slots, meeting.Link{Label: meeting.WhenIn(language, s.StartsAt, loc),
			URL: meetingweb.SlotURL(h.opts.Links, h.BaseURL, s.ID, language, exp)})
	}
	data.SlotsExpire = meeting.WhenIn(language, exp, loc)
}

// proposalsFree reports whether a slot is one of the customer's times.
func proposalsFree(ps []meeting.Proposal, slots []store.MeetingSlot) bool {
	for _, p := range ps {
		for _, s := range slots {
			if s.StartsAt.Equal(p.Start) || (!p.Exact() && !s.StartsAt.Before(p.Start) && !s.EndsAt.After(p.End)) {
				return true
			}
		}
	}
	return false
}

func proposedText(ps []meeting.Proposal) string {
	var words []string
	for _, p := range ps {
		words = append(words, p.Text)
	}
	return strings.Join(words, "; ")
}

// hostOf is the domain of an address such as "Sales <sales@acme.example>".
func hostOf(from string) string {
	if a, err := mail.ParseAddress(from); err == nil {
		if _, host, ok := strings.Cut(a.Address, "@"); ok {
			return host
		}
	}
	return "salesdesk"
}

// meetingView is a meeting with its people, as the mails about it show it.
type meetingView struct {
	m         *store.Meeting
	attendees []store.MeetingAttendee
	rep       *store.MeetingAttendee // the organizer
	reference string
	inquiry   *store.Inquiry // the request the meeting came from; nil when a rep or the API booked it
}

func (h meetingDesk) load(ctx context.Context, id int64) (*meetingView, error) {
	m, err := h.st.Meeting(ctx, id)
	if err != nil {
		return nil, missingIsPermanent(err)
	}
	as, err := h.st.MeetingAttendees(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &meetingView{m: m, attendees: as}
	for i := range as {
		if as[i].Role == store.AttendeeRep && (v.rep == nil || as[i].RepID == m.RepID) {
			v.rep = &as[i]
		}
	}
	if v.rep == nil {
		return nil, queue.Permanent(fmt.Errorf("meeting %d has no rep", id))
	}
	if m.InquiryID != 0 {
		if q, err := h.st.Inquiry(ctx, m.InquiryID); err == nil {
			v.reference, v.inquiry = q.Reference, q
		}
	}
	return v, nil
}

// language is the language attendee a reads meeting mails in: a rep the
// team's (""); the customer who asked for the meeting by mail that mail's
// detected language; any other customer (a rep- or API-booked meeting, a
// colleague) the language of their newest inquiry with one detected; else
// "" (English).
func (h meetingDesk) language(ctx context.Context, v *meetingView, a store.MeetingAttendee) (string, error) {
	if a.Role == store.AttendeeRep {
		return "", nil
	}
	if v.inquiry != nil && v.inquiry.Language != "" && strings.EqualFold(a.Email, v.inquiry.ContactEmail) {
		return v.inquiry.Language, nil
	}
	qs, err := h.st.ListInquiries(ctx, store.InquiryFilter{ContactEmail: a.Email, Limit: 10})
	if err != nil {
		return "", err
	}
	for _, q := range qs {
		if q.Language != "" {
			return q.Language, nil
		}
	}
	return "", nil
}

// data is the mail data of v for attendee a, every time in a's zone and
// every word the data carries in language.
func (h meetingDesk) data(v *meetingView, a store.MeetingAttendee, language string) meeting.MailData {
	m := v.m
	d := meeting.MailData{Name: a.Name, Reference: v.reference, Title: m.Title,
		When: meeting.WhenIn(language, m.StartsAt, meeting.LoadZone(a.Timezone)), Duration: meeting.LeadIn(language, m.EndsAt.Sub(m.StartsAt)),
		Location: m.Location, VideoURL: m.VideoURL, Agenda: m.Agenda, RepName: v.rep.Name, CustomerEmail: m.CustomerEmail}
	for _, o := range v.attendees {
		name := o.Email
		if o.Name != "" {
			name = o.Name + " <" + o.Email + ">"
		}
		d.Attendees = append(d.Attendees, name+" ("+meeting.PartstatIn(language, o.Partstat)+")")
		if o.Role == store.AttendeeCustomer && d.CustomerName == "" && strings.EqualFold(o.Email, m.CustomerEmail) {
			d.CustomerName = o.Name
		}
	}
	if a.Role == store.AttendeeRep && a.RepID != 0 && h.canOffer() {
		exp := h.Clock.Now().Add(h.opts.LinkTTL)
		if end := m.EndsAt.Add(h.opts.LinkTTL); end.After(exp) {
			exp = end
		}
		d.Actions = []meeting.Link{
			{Label: "Open the meeting", URL: meetingweb.RepURL(h.opts.Links, h.BaseURL, meetingweb.ActionView, m.ID, a.RepID, exp)},
			{Label: "Move the meeting", URL: meetingweb.RepURL(h.opts.Links, h.BaseURL, meetingweb.ActionMove, m.ID, a.RepID, exp)},
			{Label: "Cancel the meeting", URL: meetingweb.RepURL(h.opts.Links, h.BaseURL, meetingweb.ActionCancel, m.ID, a.RepID, exp)},
		}
	}
	return d
}

// MeetingInviteHandler answers meeting:invite: it sends the meeting's
// iTIP message for one version to every attendee, as a text/calendar
// attachment with the method in its content type: METHOD:REQUEST while the
// meeting stands (then it also plans that version's reminders and the
// outcome request, and deletes older ones), METHOD:CANCEL once it is
// cancelled. A task for a version that is no longer current does nothing.
type MeetingInviteHandler = meetingTask[tasks.MeetingInvitePayload]

// NewMeetingInviteHandler returns the meeting:invite handler.
func NewMeetingInviteHandler(d MeetingDeps, o MeetingOptions) (*MeetingInviteHandler, error) {
	return newMeetingTask(d, o, tasks.ParseMeetingInvitePayload, func(p tasks.MeetingInvitePayload) int64 { return p.MeetingID }, meetingDesk.sendInvite)
}

func (h meetingDesk) sendInvite(ctx context.Context, p tasks.MeetingInvitePayload, v *meetingView) error {
	m := v.m
	if m.Sequence != p.Sequence {
		h.Logger.InfoContext(ctx, "meeting invite of an older version skipped", "meeting_id", m.ID, "sequence", p.Sequence, "current", m.Sequence)
		return nil
	}
	method, name := meeting.MethodRequest, meeting.MailInvite
	switch m.Status {
	case store.MeetingConfirmed, store.MeetingRescheduled:
	case store.MeetingCancelled:
		method, name = meeting.MethodCancel, meeting.MailCancel
	default:
		h.Logger.InfoContext(ctx, "meeting not booked, no invite", "meeting_id", m.ID, "status", m.Status)
		return nil
	}
	ct := "text/calendar; method=" + method + "; charset=utf-8"
	// One calendar object per language and side: the same event (UID,
	// SEQUENCE, times, people), its SUMMARY and DESCRIPTION in its
	// reader's words (the team's copy keeps the meeting's own).
	icsIn := map[string][]byte{}
	for _, a := range v.attendees {
		lang, err := h.language(ctx, v, a)
		if err != nil {
			return err
		}
		customer := a.Role == store.AttendeeCustomer
		key := fmt.Sprintf("%s/%t", lang, customer)
		ics, ok := icsIn[key]
		if !ok {
			inv, err := h.inviteIn(v, method, lang, customer)
			if err != nil {
				return queue.Permanent(err)
			}
			if ics, err = inv.Encode(); err != nil {
				return queue.Permanent(err)
			}
			icsIn[key] = ics
		}
		data := h.data(v, a, lang)
		data.Updated = m.Sequence > 0 && method == meeting.MethodRequest
		o := &store.OutboundEmail{IdempotencyKey: meetingKey(name, m.ID, m.Sequence, a.Email), Kind: name, InquiryID: m.InquiryID,
			To: []string{a.Email}, Attachments: []store.Attachment{{Name: "invite.ics", ContentType: ct, Data: ics}}}
		if err := h.queueIn(ctx, name, lang, data, o); err != nil {
			return err
		}
	}
	h.dropOlder(ctx, m)
	if method == meeting.MethodCancel {
		return nil
	}
	return h.plan(ctx, m)
}

// invite is the iTIP message of v's current version.
func (h meetingDesk) invite(v *meetingView, method string) meeting.Invite {
	m := v.m
	desc := m.Agenda
	if m.VideoURL != "" {
		desc = strings.TrimSpace(desc + "\n\nVideo: " + m.VideoURL)
	}
	inv := meeting.Invite{Method: method, UID: m.UID, Sequence: m.Sequence, Start: m.StartsAt, End: m.EndsAt, Stamp: m.UpdatedAt,
		Summary: m.Title, Description: desc, Location: m.Location, URL: m.VideoURL,
		Organizer: meeting.Person{Email: h.organizer(), Name: v.rep.Name}}
	for _, a := range v.attendees {
		inv.Attendees = append(inv.Attendees, meeting.Person{Email: a.Email, Name: a.Name, Partstat: a.Partstat,
			Customer: a.Role == store.AttendeeCustomer, Chair: strings.EqualFold(a.Email, v.rep.Email)})
	}
	return inv
}

// inviteIn is the iTIP message of v's current version for a reader of
// language: a customer's (customer) has its SUMMARY and DESCRIPTION in
// their words from the phrase catalog, naming the rep they meet; the
// team's keeps the meeting's own title and agenda.
func (h meetingDesk) inviteIn(v *meetingView, method, language string, customer bool) (meeting.Invite, error) {
	inv := h.invite(v, method)
	if !customer {
		return inv, nil
	}
	m := v.m
	title := strings.TrimSpace(m.Title)
	if title == "" {
		title, _ = h.Renderer.Say(language, "meeting.default_title")
	}
	var err error
	if inv.Summary, err = h.Renderer.Say(language, "ics.summary", "rep", v.rep.Name, "title", title); err != nil {
		return inv, err
	}
	desc := []string{strings.TrimSpace(m.Agenda)}
	if m.VideoURL != "" {
		line, err := h.Renderer.Say(language, "ics.video", "url", m.VideoURL)
		if err != nil {
			return inv, err
		}
		desc = append(desc, line)
	}
	if method == meeting.MethodRequest {
		line, err := h.Renderer.Say(language, "ics.reply")
		if err != nil {
			return inv, err
		}
		desc = append(desc, line)
	}
	inv.Description = strings.TrimSpace(strings.Join(desc, "\n\n"))
	return inv, nil
}

// organizer is the invites' ORGANIZER address: the sales inbox, named
// after the rep (CN). Calendar clients send their iMIP REPLY to the
// ORGANIZER's address (RFC 5546 section 3.2.3; RFC 6047 carries it by mail), not to
// a SENT-BY or the mail's Reply-To, so only this brings an Accept or a
// Decline back to salesdesk; the rep attends as CHAIR.
func (h meetingDesk) organizer() string {
	from := h.opts.Organizer
	if from == "" {
		from = h.From
	}
	if a, err := mail.ParseAddress(from); err == nil {
		return a.Address
	}
	return from
}

// plan schedules the reminders and the outcome request of m's version,
// each with its outbox row due when it is to run: a reminder Redis lost
// is sent by recovery (late, or not at all once the meeting began).
func (h meetingDesk) plan(ctx context.Context, m *store.Meeting) error {
	now := h.Clock.Now()
	for _, r := range meeting.PlanReminders(m.StartsAt, h.svc.Options().Reminders, now) {
		t, err := tasks.NewMeetingReminderTask(tasks.MeetingReminderPayload{MeetingID: m.ID, Sequence: m.Sequence, RemindAt: r.At, Before: r.Before})
		if err != nil {
			return err
		}
		if err := queue.EnqueueDurably(ctx, h.st, h.enq, r.At, t); err != nil {
			return err
		}
	}
	if !m.EndsAt.After(now) {
		return nil
	}
	t, err := tasks.NewMeetingOutcomeTask(tasks.MeetingOutcomePayload{MeetingID: m.ID, Sequence: m.Sequence, At: m.EndsAt})
	if err != nil {
		return err
	}
	return queue.EnqueueDurably(ctx, h.st, h.enq, m.EndsAt, t)
}

// dropOlder deletes the scheduled reminders and outcome requests of m's
// older versions (all of them once m is cancelled). It is best effort:
// a reminder it misses checks the version and does nothing.
func (h meetingDesk) dropOlder(ctx context.Context, m *store.Meeting) {
	if h.sched == nil {
		return
	}
	current := fmt.Sprintf("%s:%d:v%d:", tasks.TypeMeetingReminder, m.ID, m.Sequence)
	currentOutcome := fmt.Sprintf("%s:%d:%d", tasks.TypeMeetingOutcome, m.ID, m.Sequence)
	prefixes := []string{fmt.Sprintf("%s:%d:", tasks.TypeMeetingReminder, m.ID), fmt.Sprintf("%s:%d:", tasks.TypeMeetingOutcome, m.ID)}
	cancelled := m.Status == store.MeetingCancelled
	for page := 1; page <= 100; page++ {
		infos, err := h.sched.ListScheduledTasks(tasks.QueueDefault, asynq.PageSize(500), asynq.Page(page))
		if err != nil {
			h.Logger.WarnContext(ctx, "listing scheduled reminders failed", "meeting_id", m.ID, "error", err.Error())
			return
		}
		for _, ti := range infos {
			if !slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(ti.ID, p) }) {
				continue
			}
			if !cancelled && (strings.HasPrefix(ti.ID, current) || ti.ID == currentOutcome) {
				continue
			}
			if err := h.sched.DeleteTask(ti.Queue, ti.ID); err != nil {
				h.Logger.WarnContext(ctx, "deleting an old reminder failed", "task_id", ti.ID, "error", err.Error())
				continue
			}
			// Its outbox row is settled too, or recovery would run it
			// (harmlessly) once it is overdue.
			if _, err := h.st.FinishPendingTask(ctx, ti.Type, ti.Payload, "superseded"); err != nil {
				h.Logger.WarnContext(ctx, "settling an old reminder's outbox row failed", "task_id", ti.ID, "error", err.Error())
			}
		}
		if len(infos) < 500 {
			return
		}
	}
}

// current reports whether a task for version seq of m should act: the
// version is current and the meeting is booked.
func current(m *store.Meeting, seq int) bool {
	return m.Sequence == seq && (m.Status == store.MeetingConfirmed || m.Status == store.MeetingRescheduled)
}

// MeetingReminderHandler answers meeting:reminder: it reminds every
// attendee who has not declined, in their own timezone. A reminder of an
// older version or of a cancelled meeting does nothing; one key per
// meeting, version, offset and attendee means never two.
type MeetingReminderHandler = meetingTask[tasks.MeetingReminderPayload]

// NewMeetingReminderHandler returns the meeting:reminder handler.
func NewMeetingReminderHandler(d MeetingDeps, o MeetingOptions) (*MeetingReminderHandler, error) {
	return newMeetingTask(d, o, tasks.ParseMeetingReminderPayload, func(p tasks.MeetingReminderPayload) int64 { return p.MeetingID }, meetingDesk.remind)
}

func (h meetingDesk) remind(ctx context.Context, p tasks.MeetingReminderPayload, v *meetingView) error {
	m := v.m
	if !current(m, p.Sequence) || !m.StartsAt.After(h.Clock.Now()) {
		h.Logger.InfoContext(ctx, "stale meeting reminder skipped", "meeting_id", m.ID, "sequence", p.Sequence,
			"current", m.Sequence, "status", m.Status)
		return nil
	}
	before := p.Before
	if before <= 0 {
		before = m.StartsAt.Sub(p.RemindAt)
	}
	for _, a := range v.attendees {
		if a.Partstat == store.PartstatDeclined {
			continue
		}
		lang, err := h.language(ctx, v, a)
		if err != nil {
			return err
		}
		data := h.data(v, a, lang)
		data.Before = meeting.LeadIn(lang, before)
		o := &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailReminder, m.ID, m.Sequence, before, a.Email),
			Kind: meeting.MailReminder, InquiryID: m.InquiryID, To: []string{a.Email}}
		if err := h.queueIn(ctx, meeting.MailReminder, lang, data, o); err != nil {
			return err
		}
	}
	return nil
}

// MeetingReplyHandler answers meeting:reply: a decline tells the rep and,
// when a customer declined a meeting still ahead, offers them new slots
// (the meeting goes back to proposed with a new version).
type MeetingReplyHandler = meetingTask[tasks.MeetingReplyPayload]

// NewMeetingReplyHandler returns the meeting:reply handler.
func NewMeetingReplyHandler(d MeetingDeps, o MeetingOptions) (*MeetingReplyHandler, error) {
	return newMeetingTask(d, o, tasks.ParseMeetingReplyPayload, func(p tasks.MeetingReplyPayload) int64 { return p.MeetingID }, meetingDesk.answerReply)
}

func (h meetingDesk) answerReply(ctx context.Context, p tasks.MeetingReplyPayload, v *meetingView) error {
	if p.Partstat != store.PartstatDeclined {
		return nil
	}
	m := v.m
	var who *store.MeetingAttendee
	for i := range v.attendees {
		if strings.EqualFold(v.attendees[i].Email, p.Email) {
			who = &v.attendees[i]
		}
	}
	if who == nil {
		return queue.Permanent(fmt.Errorf("meeting %d: %s is no attendee", m.ID, p.Email))
	}
	if who.Role == store.AttendeeRep {
		// The invite reaches the rep too (the sales inbox organizes it);
		// their own answer is recorded, nobody needs telling.
		h.Logger.InfoContext(ctx, "rep answered the invite", "meeting_id", m.ID, "email", who.Email, "partstat", p.Partstat)
		return nil
	}
	repData := h.data(v, *v.rep, "")
	repData.CustomerName, repData.CustomerEmail = who.Name, who.Email
	var slots []store.MeetingSlot
	reoffer := who.Role == store.AttendeeCustomer && h.canOffer() && m.StartsAt.After(h.Clock.Now())
	switch {
	case reoffer && current(m, p.Sequence):
		rep, err := h.st.Rep(ctx, m.RepID)
		if err != nil {
			return missingIsPermanent(err)
		}
		ivs, _, err := h.svc.Offer(ctx, m, rep, nil)
		if err != nil {
			return err
		}
		if len(ivs) == 0 {
			break
		}
		m.Status, m.Sequence = store.MeetingProposed, m.Sequence+1
		if err := h.st.UpdateMeeting(ctx, m); err != nil {
			return err
		}
		slots = toSlots(ivs)
		if err := h.st.AddMeetingSlots(ctx, m.ID, slots); err != nil {
			return err
		}
	case reoffer && m.Status == store.MeetingProposed && m.Sequence == p.Sequence+1: // a re-run
		var err error
		if slots, err = h.st.MeetingSlots(ctx, m.ID); err != nil {
			return err
		}
		slots = slices.DeleteFunc(slots, func(s store.MeetingSlot) bool { return !s.CreatedAt.IsZero() && s.StartsAt.Before(h.Clock.Now()) })
	}
	if len(slots) > 0 {
		lang, err := h.language(ctx, v, *who)
		if err != nil {
			return err
		}
		data := h.data(v, *who, lang)
		data.Declined = true
		h.slotLinks(&data, slots, meeting.LoadZone(who.Timezone), lang)
		// The rep reads the same times in their own words and zone.
		for _, s := range slots {
			repData.Slots = append(repData.Slots, meeting.Link{Label: meeting.When(s.StartsAt, meeting.LoadZone(v.rep.Timezone))})
		}
		o := &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailSlots, m.ID, m.Sequence), Kind: meeting.MailSlots,
			InquiryID: m.InquiryID, To: []string{who.Email}}
		if err := h.queueIn(ctx, meeting.MailSlots, lang, data, o); err != nil {
			return err
		}
	}
	o := &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailDeclined, m.ID, p.Sequence, who.Email), Kind: meeting.MailDeclined,
		InquiryID: m.InquiryID, To: []string{v.rep.Email}}
	return h.queue(ctx, meeting.MailDeclined, repData, o)
}

// MeetingOutcomeHandler answers meeting:outcome: after a booked meeting
// it asks the rep, with one-click links, whether it was held.
type MeetingOutcomeHandler = meetingTask[tasks.MeetingOutcomePayload]

// NewMeetingOutcomeHandler returns the meeting:outcome handler.
func NewMeetingOutcomeHandler(d MeetingDeps, o MeetingOptions) (*MeetingOutcomeHandler, error) {
	return newMeetingTask(d, o, tasks.ParseMeetingOutcomePayload, func(p tasks.MeetingOutcomePayload) int64 { return p.MeetingID }, meetingDesk.askOutcome)
}

func (h meetingDesk) askOutcome(ctx context.Context, p tasks.MeetingOutcomePayload, v *meetingView) error {
	if !current(v.m, p.Sequence) || !h.canOffer() {
		return nil
	}
	data := h.data(v, *v.rep, "")
	exp := h.Clock.Now().Add(h.opts.LinkTTL)
	data.Actions = []meeting.Link{
		{Label: "It was held", URL: meetingweb.RepURL(h.opts.Links, h.BaseURL, meetingweb.ActionHeld, v.m.ID, v.rep.RepID, exp)},
		{Label: "The customer did not come", URL: meetingweb.RepURL(h.opts.Links, h.BaseURL, meetingweb.ActionNoShow, v.m.ID, v.rep.RepID, exp)},
	}
	o := &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailOutcome, v.m.ID, v.m.Sequence), Kind: meeting.MailOutcome,
		InquiryID: v.m.InquiryID, To: []string{v.rep.Email}}
	return h.queue(ctx, meeting.MailOutcome, data, o)
}

// CalendarReplies takes iMIP replies out of the inbound stream: a mail
// whose calendar part is a METHOD:REPLY is no inquiry and gets no
// acknowledgement; it records the attendee's response and queues
// meeting:reply.
type CalendarReplies struct {
	st     MeetingStore
	enq    queue.Enqueuer
	logger *slog.Logger
}

// NewCalendarReplies returns the inbound hook for calendar replies; a nil
// logger discards.
func NewCalendarReplies(st MeetingStore, enq queue.Enqueuer, logger *slog.Logger) *CalendarReplies {
	logger, _ = orDefault(logger, nil)
	return &CalendarReplies{st: st, enq: enq, logger: logger}
}

// pending reports whether in is left for an inbound hook to take: not
// yet processed or quarantined.
func pending(in *store.InboundMessage) bool {
	return in.Status != store.InboundProcessed && in.Status != store.InboundQuarantined
}

// Take handles inbound message in, loaded once per inbound:email task
// (intake.Processor.Inbound), when it is a calendar reply and reports
// whether it did; any other mail is left to intake.
func (c *CalendarReplies) Take(ctx context.Context, in *store.InboundMessage) (bool, error) {
	if !pending(in) {
		return false, nil
	}
	id := in.ID
	inv, ok := meeting.FindReply(in.Raw)
	if !ok {
		return false, nil
	}
	log := c.logger.With("inbound_id", id, "uid", inv.UID)
	done := func(reason string) (bool, error) {
		log.InfoContext(ctx, "calendar reply recorded, not answered", "outcome", reason)
		return true, c.st.SetInboundStatus(ctx, id, store.InboundProcessed, "calendar reply: "+reason)
	}
	att := inv.Attendees[0]
	from := ""
	if msg, err := mail.ReadMessage(bytes.NewReader(in.Raw)); err == nil {
		if a, err := mail.ParseAddress(msg.Header.Get("From")); err == nil {
			from = strings.ToLower(a.Address)
		}
	}
	m, err := c.st.MeetingByUID(ctx, inv.UID)
	if errors.Is(err, store.ErrNotFound) {
		return done("unknown meeting")
	}
	if err != nil {
		return false, err
	}
	// The reply may only speak for its sender: an attendee's response is
	// taken from that attendee's own address.
	if from == "" || from != att.Email {
		return done("sender is not the replying attendee")
	}
	if inv.Sequence < m.Sequence {
		return done("reply to an older version")
	}
	switch att.Partstat {
	case store.PartstatAccepted, store.PartstatDeclined, store.PartstatTentative:
	default:
		return done("no response in the reply")
	}
	if err := c.st.SetAttendeePartstat(ctx, m.ID, att.Email, att.Partstat); errors.Is(err, store.ErrNotFound) {
		return done("sender is not an attendee")
	} else if err != nil {
		return false, err
	}
	t, err := tasks.NewMeetingReplyTask(tasks.MeetingReplyPayload{MeetingID: m.ID, Sequence: inv.Sequence, Email: att.Email, Partstat: att.Partstat})
	if err != nil {
		return false, err
	}
	if err := queue.EnqueueDurably(ctx, c.st, c.enq, time.Time{}, t); err != nil {
		return false, err
	}
	log.InfoContext(ctx, "attendee responded", "meeting_id", m.ID, "email", att.Email, "partstat", att.Partstat)
	return done(strings.ToLower(att.Partstat))
}
