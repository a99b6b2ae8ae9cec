package api

import (
	"errors"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
)

// meetingRoutes are the meeting endpoints; without Options.Meetings they
// are not served.
func (h *handler) meetingRoutes() []route {
	if h.meetings == nil {
		return nil
	}
	return []route{
		{method: "GET", path: "/meetings", serve: h.listMeetings, summary: "List meetings by start; from and to bound the start.",
			query: []string{"rep_id", "status", "from", "to"}},
		{method: "POST", path: "/meetings", serve: h.createMeeting,
			summary: "Book a meeting at a time the rep is free (409 otherwise); invites go to the rep and every customer, reminders follow. uid makes a retry return the same meeting.",
			body:    `{"rep_id": 3, "customers": [{"email": "ann@acme.example", "name": "Ann", "timezone": "America/New_York"}], "starts_at": "2026-03-30T14:00:00Z", "duration_minutes": 30, "title": "Pump demo", "location": "", "video_url": "https://…", "agenda": "…", "uid": ""}`},
		{method: "GET", path: "/meetings/{id}", serve: h.getMeeting, summary: "A meeting with its attendees (and their responses) and the slots offered."},
		{method: "POST", path: "/meetings/{id}/reschedule", serve: h.rescheduleMeeting,
			summary: "Move a booked meeting (everyone gets the invite's next version and the old reminders stop), or book one still waiting for a time.",
			body:    `{"starts_at": "2026-03-31T09:00:00+02:00"}`},
		{method: "POST", path: "/meetings/{id}/cancel", serve: h.cancelMeeting,
			summary: "Cancel a meeting; everyone invited gets METHOD:CANCEL. Cancelling a cancelled one is harmless."},
		{method: "POST", path: "/meetings/{id}/outcome", serve: h.meetingOutcome,
			summary: "Record how a meeting went: held or no_show, with a note of the next step. The first outcome holds; a different one is 409.",
			body:    `{"status": "held", "note": "send a quote"}`},
	}
}

type attendeeJSON struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role,omitempty"`
	Timezone string `json:"timezone"`
	Response string `json:"response,omitempty"`
}

type slotJSON struct {
	ID       int64     `json:"id"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
}

type meetingJSON struct {
	ID               int64          `json:"id"`
	UID              string         `json:"uid"`
	Status           string         `json:"status"`
	Sequence         int            `json:"sequence"`
	RepID            *int64         `json:"rep_id"`
	InquiryID        *int64         `json:"inquiry_id"`
	Title            string         `json:"title"`
	StartsAt         *time.Time     `json:"starts_at"`
	EndsAt           *time.Time     `json:"ends_at"`
	Timezone         string         `json:"timezone"`
	CustomerTimezone string         `json:"customer_timezone"`
	Location         string         `json:"location"`
	VideoURL         string         `json:"video_url"`
	Agenda           string         `json:"agenda"`
	Outcome          string         `json:"outcome"`
	Attendees        []attendeeJSON `json:"attendees,omitempty"`
	Slots            []slotJSON     `json:"slots,omitempty"`
}

func meetingOut(m *store.Meeting) meetingJSON {
	return meetingJSON{ID: m.ID, UID: m.UID, Status: m.Status, Sequence: m.Sequence, RepID: idOrNull(m.RepID),
		InquiryID: idOrNull(m.InquiryID), Title: m.Title, StartsAt: timeOrNull(m.StartsAt), EndsAt: timeOrNull(m.EndsAt),
		Timezone: m.Timezone, CustomerTimezone: m.CustomerTimezone, Location: m.Location, VideoURL: m.VideoURL,
		Agenda: m.Agenda, Outcome: m.Outcome}
}

func (h *handler) listMeetings(w http.ResponseWriter, r *http.Request, q *query) error {
	f := store.MeetingFilter{RepID: q.id("rep_id"), Status: q.str("status"), From: q.time("from"), To: q.time("to"), Limit: MaxLimit}
	if err := q.f.err(); err != nil {
		return err
	}
	ms, err := h.st.ListMeetings(r.Context(), f)
	if err != nil {
		return err
	}
	out := make([]meetingJSON, 0, len(ms))
	for i := range ms {
		out = append(out, meetingOut(&ms[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": out})
	return nil
}

func (h *handler) respondMeeting(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	ctx := r.Context()
	m, err := h.st.Meeting(ctx, id)
	if err != nil {
		return orNotFound(err, "meeting", id)
	}
	out := meetingOut(m)
	as, err := h.st.MeetingAttendees(ctx, id)
	if err != nil {
		return err
	}
	for _, a := range as {
		out.Attendees = append(out.Attendees, attendeeJSON{Email: a.Email, Name: a.Name, Role: a.Role, Timezone: a.Timezone,
			Response: strings.ToLower(a.Partstat)})
	}
	slots, err := h.st.MeetingSlots(ctx, id)
	if err != nil {
		return err
	}
	for _, s := range slots {
		out.Slots = append(out.Slots, slotJSON{ID: s.ID, StartsAt: s.StartsAt, EndsAt: s.EndsAt})
	}
	writeRow(w, status, "meetings", id, out)
	return nil
}

func (h *handler) getMeeting(w http.ResponseWriter, r *http.Request, _ *query) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	return h.respondMeeting(w, r, id, http.StatusOK)
}

// meetingErr maps the meeting service's refusals to answers.
func meetingErr(err error, id int64) error {
	switch {
	case errors.Is(err, meeting.ErrNotFree):
		return conflictErr("the rep is not free at that time")
	case errors.Is(err, meeting.ErrNotOpen):
		return conflictErr("meeting %d cannot change any more (status)", id)
	case errors.Is(err, meeting.ErrBadInput):
		return badRequest("%s", strings.TrimPrefix(err.Error(), "meeting: "))
	}
	return orNotFound(err, "meeting", id)
}

type meetingIn struct {
	RepID           int64          `json:"rep_id"`
	Customers       []attendeeJSON `json:"customers"`
	StartsAt        string         `json:"starts_at"`
	DurationMinutes int            `json:"duration_minutes"`
	Title           string         `json:"title"`
	Location        string         `json:"location"`
	VideoURL        string         `json:"video_url"`
	Agenda          string         `json:"agenda"`
	UID             string         `json:"uid"`
}

func (h *handler) createMeeting(w http.ResponseWriter, r *http.Request, _ *query) error {
	var in meetingIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	start, err := time.Parse(time.RFC3339, in.StartsAt)
	if err != nil {
		f.add("starts_at", "must be an RFC 3339 time with its offset")
	}
	if in.RepID <= 0 {
		f.add("rep_id", "is required")
	}
	if len(in.Customers) == 0 || len(in.Customers) > 20 {
		f.add("customers", "must list 1 to 20 customers")
	}
	n := meeting.NewMeeting{RepID: in.RepID, Start: start, Duration: time.Duration(in.DurationMinutes) * time.Minute,
		Title: strings.TrimSpace(in.Title), Location: in.Location, VideoURL: in.VideoURL, Agenda: in.Agenda, UID: in.UID}
	for _, c := range in.Customers {
		a, err := mail.ParseAddress(c.Email)
		if err != nil || a.Address != strings.TrimSpace(c.Email) {
			f.add("customers", "%q is not an email address", truncate(c.Email, 60))
			continue
		}
		if c.Timezone != "" && meeting.LoadZone(c.Timezone).String() != c.Timezone {
			f.add("customers", "timezone %q is unknown", truncate(c.Timezone, 40))
		}
		n.Customers = append(n.Customers, store.MeetingAttendee{Email: a.Address, Name: c.Name, Timezone: c.Timezone})
	}
	if in.DurationMinutes < 0 || in.DurationMinutes > 24*60 {
		f.add("duration_minutes", "must be 0 (the default) to 1440")
	}
	if n.Title == "" {
		f.add("title", "is required")
	}
	f.line("title", in.Title, 200)
	f.line("location", in.Location, 500)
	f.line("uid", in.UID, 200)
	f.text("agenda", in.Agenda, 5000)
	if in.VideoURL != "" && !strings.HasPrefix(in.VideoURL, "https://") {
		f.add("video_url", "must be an https URL")
	}
	if err := f.err(); err != nil {
		return err
	}
	if n.UID != "" {
		if m, err := h.st.MeetingByUID(r.Context(), n.UID); err == nil {
			return h.respondMeeting(w, r, m.ID, http.StatusOK)
		}
	}
	m, err := h.meetings.Create(r.Context(), n, "salesdesk")
	if err != nil {
		return meetingErr(err, 0)
	}
	return h.respondMeeting(w, r, m.ID, http.StatusCreated)
}

func (h *handler) rescheduleMeeting(w http.ResponseWriter, r *http.Request, _ *query) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	var in struct {
		StartsAt string `json:"starts_at"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	start, err := time.Parse(time.RFC3339, in.StartsAt)
	if err != nil {
		return invalid("starts_at", "must be an RFC 3339 time with its offset")
	}
	if _, err := h.meetings.Reschedule(r.Context(), id, start); err != nil {
		return meetingErr(err, id)
	}
	return h.respondMeeting(w, r, id, http.StatusOK)
}

func (h *handler) cancelMeeting(w http.ResponseWriter, r *http.Request, _ *query) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	if err := noBody(w, r); err != nil {
		return err
	}
	if _, err := h.meetings.Cancel(r.Context(), id); err != nil {
		return meetingErr(err, id)
	}
	return h.respondMeeting(w, r, id, http.StatusOK)
}

func (h *handler) meetingOutcome(w http.ResponseWriter, r *http.Request, _ *query) error {
	id, err := pathID(r, "id", "meeting")
	if err != nil {
		return err
	}
	var in struct {
		Status string `json:"status"`
		Note   string `json:"note"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	if in.Status != store.MeetingHeld && in.Status != store.MeetingNoShow {
		return invalid("status", "must be held or no_show")
	}
	if err := func() error { f := fieldErrors{}; f.text("note", in.Note, 2000); return f.err() }(); err != nil {
		return err
	}
	if _, d, err := h.meetings.SetOutcome(r.Context(), id, in.Status, in.Note, caller(r.Context())); errors.Is(err, meeting.ErrDecided) {
		return conflictErr("meeting %d's outcome was already recorded as %s by %s", id, d.Decision, d.DecidedBy)
	} else if err != nil {
		return meetingErr(err, id)
	}
	return h.respondMeeting(w, r, id, http.StatusOK)
}
