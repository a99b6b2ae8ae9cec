package meetingweb

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/link"
	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
)

// maxFormBytes bounds a POST body: at most a short note.
const maxFormBytes = 8 << 10

// Store is what the pages read; *store.Store implements it.
type Store interface {
	Meeting(ctx context.Context, id int64) (*store.Meeting, error)
	MeetingSlotByID(ctx context.Context, id int64) (*store.MeetingSlot, error)
	MeetingAttendees(ctx context.Context, meetingID int64) ([]store.MeetingAttendee, error)
}

// Options configure the pages.
type Options struct {
	Signer   *link.Signer     // required
	Store    Store            // required
	Meetings *meeting.Service // required: books, cancels, records outcomes
	// LinkTTL is how long the buttons minted on a rep's meeting page work
	// (default 7 days).
	LinkTTL time.Duration
	Now     func() time.Time // nil is time.Now
	Logger  *slog.Logger     // nil discards
}

type handler struct {
	Options
}

// NewHandler returns the handler of GET and POST on
// /meetings/slots/{slot_id} and /meetings/{id}/{action}. It panics
// without its required options, a wiring mistake.
func NewHandler(o Options) http.Handler {
	if o.Signer == nil || o.Store == nil || o.Meetings == nil {
		panic("meetingweb: Signer, Store and Meetings are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.LinkTTL <= 0 {
		o.LinkTTL = 7 * 24 * time.Hour
	}
	h := &handler{o}
	mux := http.NewServeMux()
	mux.HandleFunc("/meetings/slots/{id}", h.methods(h.serveSlot))
	mux.HandleFunc("/meetings/{id}/{action}", h.methods(h.serveRep))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { render(w, notFound()) })
	return mux
}

func (h *handler) methods(next func(w http.ResponseWriter, r *http.Request, id int64)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodPost:
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil || id <= 0 {
			render(w, notFound())
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				render(w, page{Status: http.StatusBadRequest, Title: "Bad request"})
				return
			}
		}
		next(w, r, id)
	}
}

func notFound() page { return notFoundIn("en") }

func notFoundIn(lang string) page {
	return page{Status: http.StatusNotFound, Title: say(lang, "notfound.title"), Lines: []string{say(lang, "notfound.line")}, Lang: pageLanguage(lang)}
}

func refused(err error) page { return refusedIn("en", err) }

// refusedIn answers a link whose signature failed, in lang.
func refusedIn(lang string, err error) page {
	if errors.Is(err, link.ErrExpired) {
		return page{Status: http.StatusGone, Title: say(lang, "expired.title"), Lines: []string{say(lang, "expired.line")}, Lang: pageLanguage(lang)}
	}
	return page{Status: http.StatusForbidden, Title: say(lang, "invalid.title"), Lines: []string{say(lang, "invalid.line")}, Lang: pageLanguage(lang)}
}

func failed() page { return failedIn("en") }

func failedIn(lang string) page {
	return page{Status: http.StatusServiceUnavailable, Title: say(lang, "failed.title"), Lines: []string{say(lang, "failed.line")}, Lang: pageLanguage(lang)}
}

// customerZone is the zone the customer of m reads times in.
func customerZone(m *store.Meeting) *time.Location { return meeting.LoadZone(m.CustomerTimezone) }

// serveSlot shows (GET) or books (POST) one offered slot, in the
// language its link carries (signed with it; the page shows nothing but
// its own words in an unsigned one).
func (h *handler) serveSlot(w http.ResponseWriter, r *http.Request, id int64) {
	ctx := r.Context()
	lang := pageLanguage(r.URL.Query().Get(paramLanguage))
	if err := h.Signer.VerifyValues(actionSlot, id, strings.ToLower(strings.TrimSpace(r.URL.Query().Get(paramLanguage))), r.URL.Query(), h.Now()); err != nil {
		render(w, refusedIn(lang, err))
		return
	}
	sl, err := h.Store.MeetingSlotByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		render(w, notFoundIn(lang))
		return
	}
	if err != nil {
		h.Logger.ErrorContext(ctx, "meeting slot page failed", "slot_id", id, "error", err.Error())
		render(w, failedIn(lang))
		return
	}
	m, err := h.Store.Meeting(ctx, sl.MeetingID)
	if err != nil {
		h.Logger.ErrorContext(ctx, "meeting slot page failed", "slot_id", id, "error", err.Error())
		render(w, failedIn(lang))
		return
	}
	loc := customerZone(m)
	when := meeting.WhenIn(lang, sl.StartsAt, loc)
	if m.Status != store.MeetingProposed {
		h.settled(w, r, m, sl, loc, lang)
		return
	}
	if !sl.StartsAt.After(h.Now()) {
		render(w, page{Status: http.StatusGone, Title: say(lang, "passed.title"), Lines: []string{say(lang, "passed.line")}, Lang: lang})
		return
	}
	if r.Method != http.MethodPost {
		render(w, page{Title: say(lang, "book.title"), Lines: []string{say(lang, "book.confirm")}, Lang: lang,
			Details: [][2]string{{say(lang, "meeting"), m.Title}, {say(lang, "when"), when},
				{say(lang, "length"), meeting.LeadIn(lang, sl.EndsAt.Sub(sl.StartsAt))}},
			Forms: []form{{Action: r.URL.RequestURI(), Button: say(lang, "book.button", when)}}})
		return
	}
	m, booked, err := h.Meetings.Book(ctx, id)
	if err != nil {
		h.Logger.ErrorContext(ctx, "booking a meeting slot failed", "slot_id", id, "error", err.Error())
		render(w, failedIn(lang))
		return
	}
	if !booked {
		h.settled(w, r, m, sl, loc, lang)
		return
	}
	h.Logger.InfoContext(ctx, "meeting booked", "meeting_id", m.ID, "slot_id", id, "starts_at", m.StartsAt)
	render(w, page{Title: say(lang, "booked.title"), Done: true, Lang: lang,
		Lines:   []string{say(lang, "booked.line")},
		Details: [][2]string{{say(lang, "meeting"), m.Title}, {say(lang, "when"), when}}})
}

// settled answers a slot link of a proposal that is settled. A POST of
// the very slot that was booked queues its invites once more, in case the
// booking stopped between the row and the task (the TaskID and the mails'
// keys make a repeat harmless).
func (h *handler) settled(w http.ResponseWriter, r *http.Request, m *store.Meeting, sl *store.MeetingSlot, loc *time.Location, lang string) {
	if r.Method == http.MethodPost && m.Status == store.MeetingConfirmed && m.StartsAt.Equal(sl.StartsAt) {
		if err := h.Meetings.Resend(r.Context(), m); err != nil {
			h.Logger.WarnContext(r.Context(), "re-queueing meeting invites failed", "meeting_id", m.ID, "error", err.Error())
		}
	}
	render(w, h.alreadyBooked(m, sl, loc, lang))
}

// alreadyBooked answers a slot link of a proposal that is settled, in lang.
func (h *handler) alreadyBooked(m *store.Meeting, sl *store.MeetingSlot, loc *time.Location, lang string) page {
	switch m.Status {
	case store.MeetingConfirmed, store.MeetingRescheduled:
		p := page{Status: http.StatusConflict, Title: say(lang, "already.title"), Lang: lang,
			Details: [][2]string{{say(lang, "meeting"), m.Title}, {say(lang, "when"), meeting.WhenIn(lang, m.StartsAt, loc)}}}
		if m.StartsAt.Equal(sl.StartsAt) {
			p.Status, p.Lines = http.StatusOK, []string{say(lang, "already.yours")}
		} else {
			p.Lines = []string{say(lang, "already.other")}
		}
		return p
	case store.MeetingCancelled:
		return page{Status: http.StatusGone, Title: say(lang, "cancelled.title"), Lines: []string{say(lang, "cancelled.line")}, Lang: lang}
	}
	return page{Status: http.StatusGone, Title: say(lang, "gone.title"), Lines: []string{say(lang, "gone.line")}, Lang: lang}
}

// serveRep shows the meeting page (view) or confirms (GET) and applies
// (POST) a rep's action.
func (h *handler) serveRep(w http.ResponseWriter, r *http.Request, id int64) {
	ctx := r.Context()
	action := r.PathValue("action")
	switch action {
	case ActionView, ActionCancel, ActionMove, ActionHeld, ActionNoShow:
	default:
		render(w, notFound())
		return
	}
	repID, err := verifyRep(h.Signer, action, id, r.URL.Query(), h.Now())
	if err != nil {
		render(w, refused(err))
		return
	}
	m, err := h.Store.Meeting(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		render(w, notFound())
		return
	}
	if err != nil {
		render(w, failed())
		return
	}
	as, err := h.Store.MeetingAttendees(ctx, id)
	if err != nil {
		render(w, failed())
		return
	}
	var rep *store.MeetingAttendee
	for i := range as {
		if as[i].RepID == repID {
			rep = &as[i]
		}
	}
	if rep == nil {
		render(w, refused(link.ErrInvalid))
		return
	}
	loc := meeting.LoadZone(rep.Timezone)
	if (action == ActionHeld || action == ActionNoShow) && (m.Status == store.MeetingHeld || m.Status == store.MeetingNoShow) {
		h.decided(w, r, m, as, loc)
		return
	}
	p := h.details(m, as, loc)
	// The meeting page's Move button posts no time yet: it opens the form.
	if r.Method != http.MethodPost || (action == ActionMove && strings.TrimSpace(r.PostFormValue(moveInput)) == "") {
		switch action {
		case ActionView:
			p.Forms = h.repForms(m, repID)
		case ActionCancel:
			p.Title, p.Forms = "Cancel this meeting?", []form{{Action: r.URL.RequestURI(), Button: "Cancel the meeting"}}
			p.Lines = []string{"Everyone invited gets a cancellation for their calendar."}
		case ActionMove:
			p.Title, p.Forms = moveTitle(m), []form{moveForm(r, m, loc, "")}
			p.Lines = []string{"Everyone invited gets the new time for their calendar and is asked to accept it."}
		case ActionHeld:
			p.Title, p.Forms = "Was this meeting held?", []form{{Action: r.URL.RequestURI(), Button: "Yes, it was held", Input: noteInput}}
		case ActionNoShow:
			p.Title, p.Forms = "Did the customer not come?", []form{{Action: r.URL.RequestURI(), Button: "Record a no-show", Input: noteInput}}
		}
		render(w, p)
		return
	}
	switch action {
	case ActionCancel:
		m, err = h.Meetings.Cancel(ctx, id)
		p.Title, p.Lines = "The meeting is cancelled", []string{"Everyone invited gets a cancellation for their calendar."}
	case ActionMove:
		input := strings.TrimSpace(r.PostFormValue(moveInput))
		start, perr := time.ParseInLocation(moveLayout, input, loc)
		if perr != nil {
			p.Status, p.Title, p.Lines = http.StatusBadRequest, moveTitle(m),
				[]string{"Please write the new start as " + moveExample + ", in your time zone (" + loc.String() + ")."}
			p.Forms = []form{moveForm(r, m, loc, input)}
			render(w, p)
			return
		}
		booking := unbooked(m)
		m, err = h.Meetings.Reschedule(ctx, id, start)
		if errors.Is(err, meeting.ErrNotFree) || errors.Is(err, meeting.ErrBadInput) {
			p.Status, p.Title = http.StatusConflict, moveTitle(m)
			p.Lines = []string{"You cannot meet at " + meeting.When(start, loc) + ": it is taken or has passed. Please pick another time."}
			p.Forms = []form{moveForm(r, m, loc, input)}
			render(w, p)
			return
		}
		p.Title, p.Lines = "The meeting is moved", []string{"Everyone invited gets the new time for their calendar."}
		if booking {
			p.Title, p.Lines = "The meeting is booked", []string{"Everyone invited gets a calendar invitation."}
		}
	case ActionHeld, ActionNoShow:
		status := store.MeetingHeld
		if action == ActionNoShow {
			status = store.MeetingNoShow
		}
		m, _, err = h.Meetings.SetOutcome(ctx, id, status, strings.TrimSpace(r.PostFormValue("note")), meeting.Recorder(rep.Name, rep.Email))
		if errors.Is(err, meeting.ErrDecided) {
			h.decided(w, r, m, as, loc)
			return
		}
		p.Title, p.Lines = "Outcome recorded", []string{"Thank you. Held meetings count in the KPI report."}
	default:
		render(w, p)
		return
	}
	if errors.Is(err, meeting.ErrNotOpen) {
		render(w, page{Status: http.StatusConflict, Title: "This meeting can no longer change", Details: h.details(m, as, loc).Details})
		return
	}
	if err != nil {
		h.Logger.ErrorContext(ctx, "meeting action failed", "meeting_id", id, "action", action, "error", err.Error())
		render(w, failed())
		return
	}
	h.Logger.InfoContext(ctx, "meeting changed by its rep", "meeting_id", id, "action", action, "rep_id", repID)
	p.Done = true
	p.Details = h.details(m, as, loc).Details
	render(w, p)
}

// The move form's text box: the new start in the rep's zone.
const (
	moveInput   = "start"
	moveLayout  = "2006-01-02 15:04"
	moveExample = "2026-04-07 14:30"
)

// unbooked reports whether m still waits for a time: the move form books it.
func unbooked(m *store.Meeting) bool {
	return m.Status == store.MeetingRequested || m.Status == store.MeetingProposed
}

func moveTitle(m *store.Meeting) string {
	if unbooked(m) {
		return "Book this meeting?"
	}
	return "Move this meeting?"
}

func moveForm(r *http.Request, m *store.Meeting, loc *time.Location, value string) form {
	button, label := "Move the meeting", "New start"
	if unbooked(m) {
		button, label = "Book the meeting", "Start"
	}
	return form{Action: r.URL.RequestURI(), Button: button, Input: &link.PageInput{Name: moveInput,
		Label: label + " (" + moveExample + ", " + loc.String() + ")", Value: value}}
}

// decided answers an outcome link once an outcome is recorded: what was
// decided, by whom and when; a second click changes nothing.
func (h *handler) decided(w http.ResponseWriter, r *http.Request, m *store.Meeting, as []store.MeetingAttendee, loc *time.Location) {
	p := h.details(m, as, loc)
	p.Title, p.Done = "Outcome already recorded", true
	d, err := h.Meetings.Outcome(r.Context(), m.ID)
	switch {
	case err == nil:
		p.Lines = []string{fmt.Sprintf("This meeting was recorded as %s by %s on %s.", outcomeLabel(d.Decision), d.DecidedBy,
			meeting.When(d.DecidedAt, loc)), "This link changes nothing now."}
	case errors.Is(err, store.ErrNotFound): // recorded before decisions were kept
		p.Lines = []string{"This meeting was recorded as " + outcomeLabel(m.Status) + ".", "This link changes nothing now."}
	default:
		render(w, failed())
		return
	}
	render(w, p)
}

func outcomeLabel(status string) string {
	if status == store.MeetingNoShow {
		return "a no-show"
	}
	return strings.ReplaceAll(status, "_", "-")
}

// details is the meeting page: what, when (in the reader's zone), who.
func (h *handler) details(m *store.Meeting, as []store.MeetingAttendee, loc *time.Location) page {
	// The title is a row too: the move, cancel, held and no-show pages
	// put their question in the heading.
	p := page{Title: m.Title, Details: [][2]string{{"Meeting", m.Title}, {"Status", strings.ReplaceAll(m.Status, "_", "-")}}}
	if !m.StartsAt.IsZero() {
		p.Details = append(p.Details, [2]string{"When", meeting.When(m.StartsAt, loc)},
			[2]string{"Length", meeting.Lead(m.EndsAt.Sub(m.StartsAt))})
	}
	for _, kv := range [][2]string{{"Where", m.Location}, {"Video", m.VideoURL}, {"Agenda", m.Agenda}, {"Outcome", m.Outcome}} {
		if kv[1] != "" {
			p.Details = append(p.Details, kv)
		}
	}
	for _, a := range as {
		who := a.Email
		if a.Name != "" {
			who = a.Name + " <" + a.Email + ">"
		}
		p.Details = append(p.Details, [2]string{a.Role, who + " (" + strings.ToLower(a.Partstat) + ")"})
	}
	return p
}

// repForms are the buttons of a rep's meeting page, each a fresh signed
// link for this rep.
func (h *handler) repForms(m *store.Meeting, repID int64) []form {
	exp := h.Now().Add(h.LinkTTL)
	switch m.Status {
	case store.MeetingConfirmed, store.MeetingRescheduled:
	default:
		return nil
	}
	var forms []form
	if m.StartsAt.After(h.Now()) {
		forms = append(forms, form{Action: RepURL(h.Signer, "", ActionMove, m.ID, repID, exp), Button: "Move the meeting"})
	}
	forms = append(forms, form{Action: RepURL(h.Signer, "", ActionCancel, m.ID, repID, exp), Button: "Cancel the meeting"})
	if !m.EndsAt.After(h.Now()) {
		forms = append(forms, form{Action: RepURL(h.Signer, "", ActionHeld, m.ID, repID, exp), Button: "It was held", Input: noteInput},
			form{Action: RepURL(h.Signer, "", ActionNoShow, m.ID, repID, exp), Button: "No-show", Input: noteInput})
	}
	return forms
}
