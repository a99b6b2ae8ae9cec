package meeting

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"salesdesk/internal/assign"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/internal/zone"
	"salesdesk/tasks"
)

// Store is what the meeting service reads and writes; *store.Store
// implements it.
type Store interface {
	CreateMeeting(ctx context.Context, m *store.Meeting) (int64, bool, error)
	UpdateMeeting(ctx context.Context, m *store.Meeting) error
	Meeting(ctx context.Context, id int64) (*store.Meeting, error)
	MeetingByUID(ctx context.Context, uid string) (*store.Meeting, error)
	ListMeetings(ctx context.Context, f store.MeetingFilter) ([]store.Meeting, error)
	AddMeetingAttendee(ctx context.Context, a *store.MeetingAttendee) (bool, error)
	MeetingAttendees(ctx context.Context, meetingID int64) ([]store.MeetingAttendee, error)
	SetAttendeePartstat(ctx context.Context, meetingID int64, email, partstat string) error
	AddMeetingSlots(ctx context.Context, meetingID int64, slots []store.MeetingSlot) error
	MeetingSlots(ctx context.Context, meetingID int64) ([]store.MeetingSlot, error)
	MeetingSlotByID(ctx context.Context, id int64) (*store.MeetingSlot, error)
	BookMeetingSlot(ctx context.Context, id int64) (*store.Meeting, bool, error)
	Rep(ctx context.Context, id int64) (*store.Rep, error)
	// AddPendingTasks records the invites in the task outbox, so that
	// recovery sends them when Redis loses their task.
	AddPendingTasks(ctx context.Context, ts []store.PendingTask) error
	// RecordMeetingOutcome and LinkDecision keep who recorded a
	// meeting's outcome: the first outcome holds.
	RecordMeetingOutcome(ctx context.Context, d store.LinkDecision, note string) (store.LinkDecision, bool, error)
	LinkDecision(ctx context.Context, action string, subjectID int64) (store.LinkDecision, error)
}

// Options are the meetings: config keys.
type Options struct {
	DefaultDuration time.Duration   // default 30m
	MinNotice       time.Duration   // no slot sooner than now plus this
	Reminders       []time.Duration // before each meeting; default 24h and 1h
	SlotCount       int             // slots offered at once; default 3
	// TeamZone is the team's timezone (scheduler.timezone): a rep
	// without their own meets and reads their meetings in it.
	TeamZone string
}

// Service changes meetings: booking, moving, cancelling and recording
// outcomes, each followed by the task that mails it. Every change that
// attendees must hear about raises the meeting's SEQUENCE, which is also
// its version for reminders.
type Service struct {
	st   Store
	enq  queue.Enqueuer
	opts Options
	now  func() time.Time
}

// NewService returns a Service; now nil is time.Now.
func NewService(st Store, enq queue.Enqueuer, o Options, now func() time.Time) (*Service, error) {
	if st == nil || enq == nil {
		return nil, errors.New("meeting: service needs a store and an enqueuer")
	}
	if o.DefaultDuration <= 0 {
		o.DefaultDuration = 30 * time.Minute
	}
	if o.Reminders == nil {
		o.Reminders = []time.Duration{24 * time.Hour, time.Hour}
	}
	if o.SlotCount <= 0 {
		o.SlotCount = 3
	}
	if now == nil {
		now = time.Now
	}
	return &Service{st: st, enq: enq, opts: o, now: now}, nil
}

// Options returns the service's options with defaults filled.
func (s *Service) Options() Options { return s.opts }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.now() }

// Errors of the service's changes.
var (
	ErrNotOpen  = errors.New("meeting: the meeting is cancelled or over")
	ErrNotFree  = errors.New("meeting: the rep is not free then")
	ErrBadInput = errors.New("meeting: invalid input")
	// ErrDecided: another outcome was recorded first.
	ErrDecided = errors.New("meeting: the outcome is already recorded")
)

// OutcomeAction is the decision a meeting's outcome is recorded under
// (store.LinkDecision, subject the meeting's id).
const OutcomeAction = "meeting_outcome"

// Book books an offered slot. booked is false when another slot of the
// same proposal was booked first (m is then the meeting as booked). On a
// booking the invites are queued.
func (s *Service) Book(ctx context.Context, slotID int64) (m *store.Meeting, booked bool, err error) {
	m, booked, err = s.st.BookMeetingSlot(ctx, slotID)
	if err != nil || !booked {
		return m, booked, err
	}
	if m.Sequence > 0 { // a new time after a decline: everyone answers again
		if err := s.askAgain(ctx, m); err != nil {
			return m, true, err
		}
	}
	return m, true, s.sendVersion(ctx, m)
}

// askAgain resets the customers' responses: a meeting at a new time is a
// new question (RFC 5546 section 2.1.4), and a customer who declined the
// old time gets the new one's reminders.
func (s *Service) askAgain(ctx context.Context, m *store.Meeting) error {
	as, err := s.st.MeetingAttendees(ctx, m.ID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Role == store.AttendeeCustomer && a.Partstat != store.PartstatNeedsAction {
			if err := s.st.SetAttendeePartstat(ctx, m.ID, a.Email, store.PartstatNeedsAction); err != nil {
				return err
			}
		}
	}
	return nil
}

// sendVersion queues the invite (or cancellation) of m's current version.
func (s *Service) sendVersion(ctx context.Context, m *store.Meeting) error {
	t, err := tasks.NewMeetingInviteTask(tasks.MeetingInvitePayload{MeetingID: m.ID, Sequence: m.Sequence})
	if err != nil {
		return err
	}
	return queue.EnqueueDurably(ctx, s.st, s.enq, time.Time{}, t)
}

// Resend queues m's current version again; a version already queued is
// not queued twice (its TaskID is taken).
func (s *Service) Resend(ctx context.Context, m *store.Meeting) error { return s.sendVersion(ctx, m) }

// open reports whether m can still change.
func open(m *store.Meeting) bool {
	switch m.Status {
	case store.MeetingCancelled, store.MeetingHeld, store.MeetingNoShow:
		return false
	}
	return true
}

// Cancel cancels a meeting and queues METHOD:CANCEL to every attendee. A
// meeting already cancelled is left as it is.
func (s *Service) Cancel(ctx context.Context, id int64) (*store.Meeting, error) {
	m, err := s.st.Meeting(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Status == store.MeetingCancelled {
		return m, s.sendVersion(ctx, m)
	}
	if !open(m) {
		return m, ErrNotOpen
	}
	wasBooked := m.Status == store.MeetingConfirmed || m.Status == store.MeetingRescheduled
	m.Status = store.MeetingCancelled
	if wasBooked {
		m.Sequence++
	}
	if err := s.st.UpdateMeeting(ctx, m); err != nil {
		return nil, err
	}
	if !wasBooked {
		return m, nil // no invite went out: nobody's calendar holds it
	}
	return m, s.sendVersion(ctx, m)
}

// Reschedule moves a booked meeting to start (same length) and queues the
// new version's REQUEST. A meeting not yet booked (the rep was asked to
// propose a time, or slots are out) is booked at start instead, with the
// default length, and its slots no longer book. The rep must be free then
// (the meeting's own time does not count against it). A booked meeting
// moved to the time it has changes nothing.
func (s *Service) Reschedule(ctx context.Context, id int64, start time.Time) (*store.Meeting, error) {
	m, err := s.st.Meeting(ctx, id)
	if err != nil {
		return nil, err
	}
	if !open(m) {
		return m, ErrNotOpen
	}
	booking := m.Status == store.MeetingRequested || m.Status == store.MeetingProposed
	dur := m.EndsAt.Sub(m.StartsAt)
	if booking || dur <= 0 {
		dur = s.opts.DefaultDuration
	}
	iv := Interval{Start: start, End: start.Add(dur)}
	if !start.After(s.now()) {
		return m, fmt.Errorf("%w: start must be in the future", ErrBadInput)
	}
	if !booking && m.StartsAt.Equal(start) {
		// Already there: a repeated move (two copies of a rep's mail
		// at once, a second click) is no new version; the current one
		// is queued again, a no-op once queued.
		return m, s.sendVersion(ctx, m)
	}
	if ok, err := s.repFree(ctx, m, iv); err != nil {
		return nil, err
	} else if !ok {
		return m, ErrNotFree
	}
	m.StartsAt, m.EndsAt = iv.Start, iv.End
	if booking {
		// The first invite of this version: its SEQUENCE stays, as when
		// a slot is booked.
		m.Status = store.MeetingConfirmed
	} else {
		m.Status = store.MeetingRescheduled
		m.Sequence++
	}
	if err := s.st.UpdateMeeting(ctx, m); err != nil {
		return nil, err
	}
	if !booking || m.Sequence > 0 {
		if err := s.askAgain(ctx, m); err != nil {
			return nil, err
		}
	}
	return m, s.sendVersion(ctx, m)
}

// Recorder names the rep who recorded a meeting's outcome, the same
// whether by link or by mail: "Name <address>", or the address.
func Recorder(name, email string) string {
	if name == "" {
		return email
	}
	return name + " <" + email + ">"
}

// SetOutcome records how a meeting went: held or no-show, with the
// note of the next step, decided by by (a rep, "api:..."). The first
// outcome holds: a different one later changes nothing and returns
// ErrDecided with the decision that holds; the same one again (a second
// click) is harmless. meetings.status is the record that reports count.
func (s *Service) SetOutcome(ctx context.Context, id int64, status, note, by string) (*store.Meeting, store.LinkDecision, error) {
	if status != store.MeetingHeld && status != store.MeetingNoShow {
		return nil, store.LinkDecision{}, fmt.Errorf("%w: outcome %q", ErrBadInput, status)
	}
	m, err := s.st.Meeting(ctx, id)
	if err != nil {
		return nil, store.LinkDecision{}, err
	}
	if m.Status == store.MeetingCancelled || m.Status == store.MeetingRequested || m.Status == store.MeetingProposed {
		return m, store.LinkDecision{}, ErrNotOpen
	}
	// Nobody knows how a meeting went before it starts; refused before
	// the decision is taken, so a premature call decides nothing.
	if now := s.now(); now.Before(m.StartsAt) {
		return m, store.LinkDecision{}, fmt.Errorf("%w: meeting %d starts at %s: its outcome can be recorded once it has started",
			ErrBadInput, id, m.StartsAt.UTC().Format(time.RFC3339))
	}
	note = strings.TrimSpace(note)
	d, won, err := s.st.RecordMeetingOutcome(ctx, store.LinkDecision{Action: OutcomeAction, SubjectID: id, Decision: status,
		DecidedBy: by, DecidedAt: s.now()}, note)
	switch {
	case errors.Is(err, store.ErrConflict):
		// Cancelled since it was read: say so to the caller, whose
		// answer names why nothing was recorded.
		m.Status = store.MeetingCancelled
		return m, d, ErrNotOpen
	case err != nil:
		return m, d, err
	case won:
		m.Status, m.Outcome = status, note
		return m, d, nil
	case d.Decision != status:
		return m, d, ErrDecided
	case m.Status == status:
		return m, d, nil // a repeat: the first note stands
	}
	// A decision an older version recorded before changing the meeting,
	// which then failed: the same outcome again completes it.
	m.Status, m.Outcome = status, note
	return m, d, s.st.UpdateMeeting(ctx, m)
}

// Outcome is the recorded outcome of meeting id: what, by whom, when
// (store.ErrNotFound while none is).
func (s *Service) Outcome(ctx context.Context, id int64) (store.LinkDecision, error) {
	return s.st.LinkDecision(ctx, OutcomeAction, id)
}

// NewMeeting is a meeting a rep or the API books directly.
type NewMeeting struct {
	RepID     int64
	Customers []store.MeetingAttendee // Email, Name, Timezone
	Start     time.Time
	Duration  time.Duration // default Options.DefaultDuration
	Title     string
	Location  string
	VideoURL  string
	Agenda    string
	UID       string // optional: a caller's idempotency key becomes the UID
	InquiryID int64
}

// Create books a meeting at a time the rep is free, adds its attendees and
// queues the invites.
func (s *Service) Create(ctx context.Context, n NewMeeting, uidHost string) (*store.Meeting, error) {
	if n.RepID == 0 || len(n.Customers) == 0 || n.Start.IsZero() {
		return nil, fmt.Errorf("%w: rep, at least one customer and a start are required", ErrBadInput)
	}
	if !n.Start.After(s.now()) {
		return nil, fmt.Errorf("%w: start must be in the future", ErrBadInput)
	}
	rep, err := s.st.Rep(ctx, n.RepID)
	if err != nil {
		return nil, err
	}
	if n.Duration <= 0 {
		n.Duration = s.opts.DefaultDuration
	}
	m := &store.Meeting{UID: n.UID, InquiryID: n.InquiryID, RepID: rep.ID, CustomerEmail: n.Customers[0].Email,
		Title: n.Title, Location: n.Location, VideoURL: n.VideoURL, Agenda: n.Agenda, Status: store.MeetingConfirmed,
		StartsAt: n.Start, EndsAt: n.Start.Add(n.Duration), Timezone: s.repZone(rep).String(), CustomerTimezone: n.Customers[0].Timezone}
	if m.UID == "" {
		m.UID = NewUID(uidHost)
	}
	if ok, err := s.repFree(ctx, m, Interval{m.StartsAt, m.EndsAt}); err != nil {
		return nil, err
	} else if !ok {
		return nil, ErrNotFree
	}
	if _, _, err := s.st.CreateMeeting(ctx, m); err != nil {
		return nil, err
	}
	if err := s.AddPeople(ctx, m, rep, n.Customers); err != nil {
		return nil, err
	}
	return m, s.sendVersion(ctx, m)
}

// AddPeople adds the rep and the customers as attendees of m.
func (s *Service) AddPeople(ctx context.Context, m *store.Meeting, rep *store.Rep, customers []store.MeetingAttendee) error {
	ra := &store.MeetingAttendee{MeetingID: m.ID, Email: rep.Email, Name: rep.Name, Role: store.AttendeeRep, RepID: rep.ID,
		Timezone: s.repZone(rep).String(), Partstat: store.PartstatAccepted}
	if _, err := s.st.AddMeetingAttendee(ctx, ra); err != nil {
		return err
	}
	for _, c := range customers {
		c.MeetingID, c.Role, c.Partstat = m.ID, store.AttendeeCustomer, store.PartstatNeedsAction
		if _, err := s.st.AddMeetingAttendee(ctx, &c); err != nil {
			return err
		}
	}
	return nil
}

// repZone is where the rep meets: their own timezone, else the team's.
func (s *Service) repZone(rep *store.Rep) *time.Location {
	return zone.Of(rep.Timezone, s.opts.TeamZone)
}

// RepAvailability is when a rep can meet, from the rep's hours, zone,
// time away and booked meetings from..until (except the meeting skip).
func (s *Service) RepAvailability(ctx context.Context, rep *store.Rep, from, until time.Time, skip int64) (Availability, error) {
	hours, err := assign.ParseWorkingHours(rep.WorkingHours)
	if err != nil {
		hours = assign.WorkingHours{} // a bad value was refused by config check; treat as always
	}
	a := Availability{Hours: hours, Location: s.repZone(rep), AwayUntil: rep.OutOfOfficeUntil}
	ms, err := s.st.ListMeetings(ctx, store.MeetingFilter{RepID: rep.ID, From: from.Add(-24 * time.Hour), To: until, Limit: 1000})
	if err != nil {
		return a, err
	}
	for _, bm := range ms {
		if bm.ID == skip || bm.StartsAt.IsZero() {
			continue
		}
		switch bm.Status {
		case store.MeetingConfirmed, store.MeetingRescheduled:
			a.Busy = append(a.Busy, Interval{bm.StartsAt, bm.EndsAt})
		}
	}
	return a, nil
}

func (s *Service) repFree(ctx context.Context, m *store.Meeting, iv Interval) (bool, error) {
	rep, err := s.st.Rep(ctx, m.RepID)
	if err != nil {
		return false, err
	}
	a, err := s.RepAvailability(ctx, rep, iv.Start, iv.End, m.ID)
	if err != nil {
		return false, err
	}
	a.Hours = assign.WorkingHours{} // a rep may book outside their own hours on purpose
	return a.Free(iv), nil
}

// Offer picks the slots to offer for m: the customer's proposals that
// the rep is free for first, in the order the customer wrote them (an
// exact time as it is, a part of a day as its first free slot), then the
// next free slots in time order, up to SlotCount.
func (s *Service) Offer(ctx context.Context, m *store.Meeting, rep *store.Rep, proposals []Proposal) (slots []Interval, proposedFree bool, err error) {
	now := s.now()
	from := now.Add(s.opts.MinNotice)
	dur := s.opts.DefaultDuration
	horizon := 14 * 24 * time.Hour
	a, err := s.RepAvailability(ctx, rep, from, from.Add(horizon+24*time.Hour), m.ID)
	if err != nil {
		return nil, false, err
	}
	seen := map[time.Time]bool{}
	add := func(iv Interval) {
		if !seen[iv.Start] && len(slots) < s.opts.SlotCount {
			seen[iv.Start] = true
			slots = append(slots, iv)
		}
	}
	for _, p := range proposals {
		if p.Start.Before(from) {
			continue
		}
		if p.Exact() {
			if iv := (Interval{p.Start, p.Start.Add(dur)}); a.Free(iv) {
				add(iv)
				proposedFree = true
			}
			continue
		}
		for _, iv := range FindSlots([]Availability{a}, SlotQuery{From: p.Start, Duration: dur, Count: 1, Horizon: p.End.Sub(p.Start)}) {
			if !iv.End.After(p.End) {
				add(iv)
				proposedFree = true
			}
		}
	}
	// The customer's own times come first, as the mail says; the others
	// follow in time order.
	for _, iv := range FindSlots([]Availability{a}, SlotQuery{From: from, Duration: dur, Count: s.opts.SlotCount + len(slots), Horizon: horizon}) {
		add(iv)
	}
	return slots, proposedFree, nil
}

// NewUID returns a fresh iCalendar UID at host.
func NewUID(host string) string {
	if host == "" {
		host = "salesdesk"
	}
	return "meeting-" + strings.ToLower(rand.Text()) + "@" + host
}
