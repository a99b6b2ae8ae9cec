package workers

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/mail"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/assign"
	"salesdesk/internal/intake"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/meeting"
	"salesdesk/internal/queue"
	"salesdesk/internal/senderauth"
	"salesdesk/internal/store"
	"salesdesk/internal/zone"
)

// MeetingThreadStore finds what a rep's mail replies to; *store.Store
// (and so intake's store) implements it.
type MeetingThreadStore interface {
	OutboundByMessageID(ctx context.Context, messageID string) (*store.OutboundEmail, error)
	InquiryByReference(ctx context.Context, reference string) (*store.Inquiry, error)
	KeepInboundSenderAuth(ctx context.Context, id int64, a store.SenderAuth) (store.SenderAuth, error)
}

// RepMeetingMailOptions configure RepMeetingMail.
type RepMeetingMailOptions struct {
	// Threads finds the meeting mail a reply answers; required.
	Threads MeetingThreadStore
	// Senders checks that the rep really sent the reply; nil trusts the
	// From, as intake does without a checker.
	Senders intake.SenderChecker
	// TeamZone reads the times of a rep without a valid zone of their own
	// (nil: UTC).
	TeamZone *time.Location
	// Reps finds a rep by address, so a mail from anyone else is passed
	// on from its header alone; nil: the meeting store's, when it finds
	// reps (*store.Store does), else every threaded mail is parsed.
	Reps RepFinder
}

// RepFinder finds a rep by email address (any case), or returns
// store.ErrNotFound; *store.Store implements it.
type RepFinder interface {
	RepByEmail(ctx context.Context, email string) (*store.Rep, error)
}

// maxRepMailBytes bounds the rep's mail parsed for an instruction.
const maxRepMailBytes = 1 << 20

// maxRepThreadLookups bounds the Message-IDs looked up for one reply.
const maxRepThreadLookups = 16

// RepMeetingMail takes a rep's reply to one of the meeting's mails out of
// the inbound stream (issue 12, point 6: the rep confirms, moves or
// cancels by mail). A mail is such a reply when it answers a meeting mail
// salesdesk sent (its In-Reply-To or References name that mail's
// Message-ID, or its subject carries the reference of the meeting's
// inquiry), it comes from that meeting's rep, is addressed to none of the
// meeting's customers, and its sender is authenticated. Its first lines
// say what to do (meeting.ParseRepInstruction, times in the rep's zone):
// a move goes the way of the signed move link (Service.Reschedule: a new
// SEQUENCE to everyone), a cancel sends METHOD:CANCEL to everyone. A time
// that is taken, past or outside the rep's hours, or words that say
// nothing understood, change nothing and get the rep a short help reply.
// Such a mail is no inquiry: it is never acknowledged and never a lead.
// Any other mail, a forged one included, is left to intake.
type RepMeetingMail struct {
	meetingDesk
	threads  MeetingThreadStore
	senders  intake.SenderChecker
	reps     RepFinder
	teamZone *time.Location
}

// NewRepMeetingMail returns the inbound hook for reps' replies to meeting
// mails.
func NewRepMeetingMail(d MeetingDeps, o MeetingOptions, ro RepMeetingMailOptions) (*RepMeetingMail, error) {
	m, err := newMeetingDesk(d, o)
	if err != nil {
		return nil, err
	}
	if ro.Threads == nil {
		return nil, errors.New("workers: rep meeting mail needs a thread store")
	}
	if ro.TeamZone == nil {
		ro.TeamZone = time.UTC
	}
	if ro.Reps == nil {
		ro.Reps, _ = d.Store.(RepFinder)
	}
	return &RepMeetingMail{meetingDesk: m, threads: ro.Threads, senders: ro.Senders, reps: ro.Reps, teamZone: ro.TeamZone}, nil
}

// Take handles inbound message in, loaded once per inbound:email task
// (intake.Processor.Inbound), when it is a rep's instruction about a
// meeting and reports whether it did; any other mail is left to intake.
func (h *RepMeetingMail) Take(ctx context.Context, in *store.InboundMessage) (bool, error) {
	if !pending(in) {
		return false, nil
	}
	id := in.ID
	if maybe, err := h.maybeRepReply(ctx, in.Raw); err != nil || !maybe {
		return false, err
	}
	msg, err := mailparse.Parse(in.Raw, mailparse.Options{MaxBytes: maxRepMailBytes, Now: h.Clock.Now})
	if err != nil || msg.Kind != mailparse.KindHuman {
		return false, nil // intake records it; an auto-reply is never an instruction
	}
	from := strings.ToLower(strings.TrimSpace(msg.From.Address))
	if from == "" {
		return false, nil
	}
	m, err := h.repliedMeeting(ctx, msg)
	if err != nil || m == nil {
		return false, err
	}
	rep, err := h.st.Rep(ctx, m.RepID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if rep.Email == "" || !strings.EqualFold(rep.Email, from) {
		return false, nil // a customer in the thread writes to us as ever
	}
	v, err := h.load(ctx, m.ID)
	if queue.IsPermanent(err) {
		return false, nil // gone, or without its rep: intake takes the mail as it is
	}
	if err != nil {
		return false, err
	}
	if toCustomer(msg, v) {
		return false, nil // the rep writing to the customer, the inbox in copy
	}
	log := h.Logger.With("inbound_id", id, "meeting_id", m.ID, "rep_id", rep.ID)
	if ok, err := h.authenticated(ctx, in, from, log); err != nil || !ok {
		return false, err
	}
	loc := zone.Of(rep.Timezone, h.teamZone.String())
	text := msg.NewText
	if strings.TrimSpace(text) == "" {
		text = msg.Text
	}
	ref := msg.Date
	if ref.IsZero() {
		ref = in.ReceivedAt
	}
	ins := meeting.ParseRepInstruction(text, ref, loc)
	key := repMailKey(msg)
	by := "inbound " + strconv.FormatInt(id, 10)
	if held, err := h.taken(ctx, m.ID, key); err != nil {
		return false, err
	} else if held != nil {
		reason := "rep meeting reply: already taken"
		if held.DecidedBy != by {
			reason = "rep meeting reply: a copy of " + held.DecidedBy + ", already taken"
		}
		log.InfoContext(ctx, "rep meeting reply already taken, changes nothing", "first", held.DecidedBy)
		return true, h.st.SetInboundStatus(ctx, id, store.InboundProcessed, reason)
	}
	outcome, problem, err := h.apply(ctx, v, rep, ins)
	if err != nil {
		return false, err
	}
	if problem != "" {
		if err := h.help(ctx, v, rep, msg, key, ins, problem, loc); err != nil {
			return false, err
		}
		outcome = "help sent: " + problem
	}
	if err := h.recordTaken(ctx, m.ID, key, by, ins, log); err != nil {
		return false, err
	}
	log.InfoContext(ctx, "rep meeting reply taken, not answered as an inquiry", "action", string(ins.Action), "outcome", outcome)
	return true, h.st.SetInboundStatus(ctx, id, store.InboundProcessed, "rep meeting reply: "+outcome)
}

// maybeRepReply reads only raw's header and reports whether it may be a
// rep's reply to a meeting mail: it threads onto an earlier mail
// (In-Reply-To, References) or its subject carries a reference, and its
// From is a rep. Whatever it cannot read it leaves to the full parse; a
// customer's mail ends here, before any parse or thread lookup.
func (h *RepMeetingMail) maybeRepReply(ctx context.Context, raw []byte) (bool, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return true, nil
	}
	hdr := msg.Header
	if hdr.Get("In-Reply-To") == "" && hdr.Get("References") == "" {
		subject, unread := hdr.Get("Subject"), false
		if d, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
			subject = d
		} else {
			unread = true // a charset only the full parse reads
		}
		if _, ok := mailparse.ReferenceToken(subject); !ok && !unread {
			return false, nil
		}
	}
	if h.reps == nil || len(hdr["From"]) != 1 {
		return true, nil
	}
	from, err := mail.ParseAddress(hdr.Get("From"))
	if err != nil {
		return true, nil
	}
	switch _, err := h.reps.RepByEmail(ctx, from.Address); {
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// repMailAction is the link decision that records which rep mail was
// taken for a meeting: one per mail (its key) and meeting.
const repMailAction = "meeting_rep_mail:"

// taken is the record that the rep's mail with key (repMailKey) was
// carried out for meeting meetingID, nil when it was not (yet). The
// record is written only once the mail's change or help reply is made
// (recordTaken): a copy of a mail whose first processing failed for good
// is carried out, a copy of one that succeeded changes nothing, whatever
// happened to the meeting since.
func (h *RepMeetingMail) taken(ctx context.Context, meetingID int64, key string) (*store.LinkDecision, error) {
	d, err := h.st.LinkDecision(ctx, repMailAction+key, meetingID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("rep mail taken for meeting %d: %w", meetingID, err)
	}
	return &d, nil
}

// recordTaken records that the rep's mail with key, inbound message by,
// was carried out for meeting meetingID. Two copies processed at once may
// both get here: each step of apply is idempotent (a move to where the
// meeting is, a cancel of a cancelled meeting and the same outcome again
// change nothing; the help reply has one key per mail), so the second
// changes nothing and the first record holds.
func (h *RepMeetingMail) recordTaken(ctx context.Context, meetingID int64, key, by string, ins meeting.RepInstruction, log *slog.Logger) error {
	d, won, err := h.st.DecideOnce(ctx, store.LinkDecision{Action: repMailAction + key, SubjectID: meetingID,
		Decision: string(ins.Action), DecidedBy: by, DecidedAt: h.Clock.Now()})
	if err != nil {
		return fmt.Errorf("record rep mail %s for meeting %d: %w", by, meetingID, err)
	}
	if !won && d.DecidedBy != by {
		log.InfoContext(ctx, "rep meeting reply was taken by a copy at the same time", "first", d.DecidedBy)
	}
	return nil
}

// repMailKey names a rep's mail across its copies: its Message-ID, else
// its subject and text, hashed.
func repMailKey(msg *mailparse.Message) string {
	key := msg.MessageID
	if key == "" {
		key = msg.Subject + "\x00" + msg.Text
	}
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:12])
}

// repliedMeeting is the meeting whose mail msg answers, nil when none.
// The subject's reference counts only for a reply that threads onto none
// of our other mails: a rep's answer to a lead or hand-off mail about the
// same inquiry is no instruction about its meeting.
func (h *RepMeetingMail) repliedMeeting(ctx context.Context, msg *mailparse.Message) (*store.Meeting, error) {
	for i, key := range mailparse.ThreadKeys(msg) {
		if i >= maxRepThreadLookups {
			break
		}
		o, err := h.threads.OutboundByMessageID(ctx, key)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if id, ok := meetingOfMail(o); ok {
			return orNone(h.st.Meeting(ctx, id))
		}
		return nil, nil // the most specific of our mails it answers is about something else
	}
	tok, ok := mailparse.ReferenceToken(msg.Subject)
	if !ok {
		return nil, nil
	}
	q, err := h.threads.InquiryByReference(ctx, store.ReferencePrefix+tok)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return orNone(h.st.MeetingByInquiry(ctx, q.ID))
}

// orNone turns "not found" into no meeting.
func orNone(m *store.Meeting, err error) (*store.Meeting, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return m, err
}

// meetingOfMail is the meeting an outbound meeting mail is about, read
// from its idempotency key (meetingKey: "<kind>:<meeting id>:...").
func meetingOfMail(o *store.OutboundEmail) (int64, bool) {
	if !strings.HasPrefix(o.Kind, "meeting_") {
		return 0, false
	}
	kind, rest, ok := strings.Cut(o.IdempotencyKey, ":")
	if !ok || kind != o.Kind {
		return 0, false
	}
	idText, _, _ := strings.Cut(rest, ":")
	id, err := strconv.ParseInt(idText, 10, 64)
	return id, err == nil && id > 0
}

// toCustomer reports whether msg is addressed to one of v's customers.
func toCustomer(msg *mailparse.Message, v *meetingView) bool {
	for _, a := range v.attendees {
		if a.Role != store.AttendeeCustomer {
			continue
		}
		for _, r := range append(append([]mailparse.Address{}, msg.To...), msg.Cc...) {
			if strings.EqualFold(r.Address, a.Email) {
				return true
			}
		}
	}
	return false
}

// authenticated checks the rep's mail as intake checks every sender, and
// stores the verdict the first time, so intake keeps it for a mail it is
// left to.
func (h *RepMeetingMail) authenticated(ctx context.Context, in *store.InboundMessage, from string, log *slog.Logger) (bool, error) {
	if h.senders == nil {
		return true, nil
	}
	verdict := senderauth.Verdict(in.SenderAuth.Verdict)
	if verdict == "" {
		r := h.senders.Check(ctx, in.Raw, from)
		detail := r.Reason
		if r.Method != "" {
			detail = r.Method + ": " + r.Reason
		}
		held, err := h.threads.KeepInboundSenderAuth(ctx, in.ID, store.SenderAuth{Verdict: string(r.Verdict), Detail: detail})
		if err != nil {
			return false, err
		}
		verdict = senderauth.Verdict(held.Verdict)
	}
	if !verdict.Authenticated() {
		log.WarnContext(ctx, "rep meeting reply not authenticated, changes nothing", "sender_auth", string(verdict))
		return false, nil
	}
	return true, nil
}

// apply carries out ins on v. problem, when not empty, completes
// "Nothing changed because ..." for the rep's help reply. A copy of a
// mail already carried out never gets here (taken), but every branch may
// run twice for one mail (a retry, two copies at once): a move to where
// the meeting already is and a cancel of a cancelled meeting only queue
// the current version again, whose task is already taken, and the same
// outcome again is harmless.
func (h *RepMeetingMail) apply(ctx context.Context, v *meetingView, rep *store.Rep, ins meeting.RepInstruction) (outcome, problem string, err error) {
	m := v.m
	booked := m.Status == store.MeetingConfirmed || m.Status == store.MeetingRescheduled
	closed := m.Status == store.MeetingHeld || m.Status == store.MeetingNoShow
	switch ins.Action {
	case meeting.RepCancel:
		if closed {
			return "", "the meeting is over and its outcome recorded", nil
		}
		if _, err := h.svc.Cancel(ctx, m.ID); errors.Is(err, meeting.ErrNotOpen) {
			return "", "the meeting is over", nil
		} else if err != nil {
			return "", "", err
		}
		return "cancelled", "", nil
	case meeting.RepConfirm:
		switch {
		case booked:
			return "confirmed, nothing to change", "", nil
		case m.Status == store.MeetingCancelled:
			return "", "the meeting is cancelled", nil
		case closed:
			return "", "the meeting is over", nil
		}
		return "", "no time is booked yet: write a day and a time", nil
	case meeting.RepMove:
		return h.move(ctx, m, rep, ins.Start, booked)
	case meeting.RepHeld, meeting.RepNoShow:
		return h.outcome(ctx, m, rep, ins)
	}
	return "", ins.Why, nil
}

// outcome records how m went, as the rep's outcome link does: only once
// it has started, and the first outcome holds.
func (h *RepMeetingMail) outcome(ctx context.Context, m *store.Meeting, rep *store.Rep, ins meeting.RepInstruction) (outcome, problem string, err error) {
	status := store.MeetingHeld
	if ins.Action == meeting.RepNoShow {
		status = store.MeetingNoShow
	}
	now, d, err := h.svc.SetOutcome(ctx, m.ID, status, ins.Note, meeting.Recorder(rep.Name, rep.Email))
	if now != nil {
		m = now // the status SetOutcome saw, which may be newer than the mail's read
	}
	switch {
	case errors.Is(err, meeting.ErrDecided):
		return "", "its outcome is already recorded as " + outcomeWords(d.Decision), nil
	case errors.Is(err, meeting.ErrNotOpen) && m.Status == store.MeetingCancelled:
		return "", "the meeting is cancelled", nil
	case errors.Is(err, meeting.ErrNotOpen):
		return "", "no time is booked yet", nil
	case errors.Is(err, meeting.ErrBadInput):
		return "", "the meeting has not started yet: its outcome can be recorded once it has started", nil
	case err != nil:
		return "", "", err
	}
	return "outcome " + status, "", nil
}

// outcomeWords is how a help mail names a recorded outcome.
func outcomeWords(status string) string {
	if status == store.MeetingNoShow {
		return "no-show"
	}
	return status
}

// move books or moves m to start, as the signed move link does, after
// checking that the rep is free and working then.
func (h *RepMeetingMail) move(ctx context.Context, m *store.Meeting, rep *store.Rep, start time.Time, booked bool) (outcome, problem string, err error) {
	switch m.Status {
	case store.MeetingCancelled:
		return "", "the meeting is cancelled", nil
	case store.MeetingHeld, store.MeetingNoShow:
		return "", "the meeting is over", nil
	}
	if booked && m.StartsAt.Equal(start) {
		// Already there: this mail moved it before, or the rep named the
		// booked time. Queue the current version again (a no-op once sent).
		return "already at that time", "", h.svc.Resend(ctx, m)
	}
	if !start.After(h.svc.Now()) {
		return "", "that time is past", nil
	}
	dur := m.EndsAt.Sub(m.StartsAt)
	if !booked || dur <= 0 {
		dur = h.svc.Options().DefaultDuration
	}
	iv := meeting.Interval{Start: start, End: start.Add(dur)}
	a, err := h.svc.RepAvailability(ctx, rep, iv.Start, iv.End, m.ID)
	if err != nil {
		return "", "", err
	}
	if !a.Free(iv) {
		a.Hours = assign.WorkingHours{}
		if a.Free(iv) {
			return "", "that time is outside your working hours", nil
		}
		return "", "you are not free then (another meeting or time away)", nil
	}
	switch _, err := h.svc.Reschedule(ctx, m.ID, start); {
	case errors.Is(err, meeting.ErrNotFree):
		return "", "you are not free then (another meeting or time away)", nil
	case errors.Is(err, meeting.ErrNotOpen):
		return "", "the meeting is cancelled or over", nil
	case errors.Is(err, meeting.ErrBadInput):
		return "", "that time is past", nil
	case err != nil:
		return "", "", err
	}
	if booked {
		return "moved to " + start.UTC().Format(time.RFC3339), "", nil
	}
	return "booked at " + start.UTC().Format(time.RFC3339), "", nil
}

// help queues the rep's help reply to msg: what was read, why nothing
// changed, what to write and the rep's links. One per rep mail, however
// often it is processed.
func (h *RepMeetingMail) help(ctx context.Context, v *meetingView, rep *store.Rep, msg *mailparse.Message, key string,
	ins meeting.RepInstruction, problem string, loc *time.Location) error {
	m := v.m
	data := meeting.RepHelpData{MailData: h.data(v, *v.rep, ""), Problem: problem, Zone: loc.String()}
	data.Name = rep.Name
	data.When = ""
	if !m.StartsAt.IsZero() {
		data.When = meeting.When(m.StartsAt, loc)
	}
	switch ins.Action {
	case meeting.RepMove:
		data.Understood = "move to " + meeting.When(ins.Start, loc)
	case meeting.RepCancel, meeting.RepConfirm:
		data.Understood = string(ins.Action)
	case meeting.RepHeld, meeting.RepNoShow:
		data.Understood = outcomeWords(string(ins.Action)) // the actions are named as the statuses
		if ins.Note != "" {
			data.Understood += ", next step: " + ins.Note
		}
	default:
		if t := strings.TrimSpace(ins.Text); t != "" {
			if len(t) > 200 {
				t = strings.ToValidUTF8(t[:200], "") + "..."
			}
			data.Understood = `"` + t + `"`
		}
	}
	o := &store.OutboundEmail{IdempotencyKey: meetingKey(meeting.MailRepHelp, m.ID, key),
		Kind: meeting.MailRepHelp, InquiryID: m.InquiryID, To: []string{rep.Email}}
	if msg.MessageID != "" {
		o.InReplyTo = msg.MessageID
		o.References = append(append([]string{}, msg.References...), msg.MessageID)
	}
	if err := h.queue(ctx, meeting.MailRepHelp, data, o); err != nil {
		return fmt.Errorf("rep help for meeting %d: %w", m.ID, err)
	}
	return nil
}
