package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// leadStatuses are the statuses leads can be listed by.
var leadStatuses = []string{store.LeadUnassigned, store.LeadAssigned, store.LeadContacted, store.LeadWon,
	store.LeadLost, store.LeadMerged}

// leadJSON is a lead as the API shows it.
type leadJSON struct {
	ID int64 `json:"id"`
	// Ref is the identifier people see in mails and pages: "L-3".
	Ref          string     `json:"ref"`
	ExternalID   string     `json:"external_id"`
	InquiryID    *int64     `json:"inquiry_id"`
	CustomerID   *int64     `json:"customer_id"`
	ContactEmail string     `json:"contact_email"`
	ContactName  string     `json:"contact_name"`
	Company      string     `json:"company"`
	Domain       string     `json:"domain"`
	Country      string     `json:"country"`
	Source       string     `json:"source"`
	Summary      string     `json:"summary"`
	Status       string     `json:"status"`
	RepID        *int64     `json:"rep_id"`
	ValueCents   int64      `json:"value_cents"`
	Currency     string     `json:"currency"`
	LostReason   string     `json:"lost_reason"`
	AssignedAt   *time.Time `json:"assigned_at"`
	ContactedAt  *time.Time `json:"contacted_at"`
	ClosedAt     *time.Time `json:"closed_at"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	// FirstContactAt is the first human contact (never the acknowledgement).
	FirstContactAt  *time.Time       `json:"first_contact_at"`
	FirstContactVia string           `json:"first_contact_via"`
	Score           *int             `json:"score"`
	ScoreFactors    json.RawMessage  `json:"score_factors,omitempty"`
	Events          *[]leadEventJSON `json:"events,omitempty"`
	Warnings        []string         `json:"warnings,omitempty"`
}

type leadEventJSON struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"`
	RepID     *int64    `json:"rep_id"`
	FromRepID *int64    `json:"from_rep_id"`
	Note      string    `json:"note"`
	CreatedAt time.Time `json:"created_at"`
}

func leadOut(l *store.Lead) leadJSON {
	return leadJSON{
		ID: l.ID, Ref: l.Ref(), ExternalID: l.ExternalID, InquiryID: idOrNull(l.InquiryID), CustomerID: idOrNull(l.CustomerID),
		ContactEmail: l.ContactEmail, ContactName: l.ContactName, Company: l.Company, Domain: l.Domain,
		Country: l.Country, Source: l.Source, Summary: l.Summary, Status: l.Status, RepID: idOrNull(l.RepID),
		ValueCents: l.ValueCents, Currency: l.Currency, LostReason: l.LostReason, AssignedAt: timeOrNull(l.AssignedAt),
		ContactedAt: timeOrNull(l.ContactedAt), ClosedAt: timeOrNull(l.ClosedAt), CreatedAt: l.CreatedAt,
		UpdatedAt: l.UpdatedAt, FirstContactAt: timeOrNull(l.FirstContactAt), FirstContactVia: l.FirstContactVia,
		Score: scoreOrNull(l), ScoreFactors: factorsOrNull(l.ScoreFactors),
	}
}

func scoreOrNull(l *store.Lead) *int {
	if !l.Scored {
		return nil
	}
	return &l.Score
}

func factorsOrNull(s string) json.RawMessage {
	if s == "" || !json.Valid([]byte(s)) {
		return nil
	}
	return json.RawMessage(s)
}

// Pipeline holds the rules of winning and losing leads.
type Pipeline struct {
	// LostReasons are the reasons a lead may be lost for (compared
	// without case); empty accepts any reason.
	LostReasons []string
}

// lostReason returns the configured spelling of reason, or false.
func (p Pipeline) lostReason(reason string) (string, bool) {
	reason = strings.TrimSpace(reason)
	if len(p.LostReasons) == 0 {
		return reason, reason != ""
	}
	for _, r := range p.LostReasons {
		if strings.EqualFold(strings.TrimSpace(r), reason) {
			return r, true
		}
	}
	return "", false
}

// leadIn is the body of POST /leads.
type leadIn struct {
	ContactEmail string `json:"contact_email"`
	ContactName  string `json:"contact_name"`
	Company      string `json:"company"`
	Country      string `json:"country"`
	Message      string `json:"message"`
	Source       string `json:"source"`
	ExternalID   string `json:"external_id"`
}

// DefaultLeadSource is the source of leads posted without one.
const DefaultLeadSource = "api"

func (in *leadIn) lead() (*store.Lead, error) {
	f := fieldErrors{}
	f.email("contact_email", in.ContactEmail, true)
	f.line("contact_name", in.ContactName, maxLine)
	f.line("company", in.Company, maxLine)
	f.line("country", in.Country, 64)
	f.text("message", in.Message, maxText)
	f.line("external_id", in.ExternalID, maxLine)
	source := in.Source
	if source == "" {
		source = DefaultLeadSource
	}
	if !sourceRe.MatchString(source) {
		f.add("source", "must be 1-40 lower-case letters, digits or . _ : -")
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	email := strings.ToLower(in.ContactEmail)
	return &store.Lead{
		ExternalID: in.ExternalID, ContactEmail: email, ContactName: strings.TrimSpace(in.ContactName),
		Company: strings.TrimSpace(in.Company), Domain: email[strings.LastIndexByte(email, '@')+1:],
		Country: strings.TrimSpace(in.Country), Source: source, Summary: in.Message,
	}, nil
}

func (h *handler) createLead(w http.ResponseWriter, r *http.Request, q *query) error {
	var in leadIn
	if err := decode(w, r, &in); err != nil {
		return err
	}
	l, err := in.lead()
	if err != nil {
		return err
	}
	ctx := r.Context()
	// A contact we know links the lead to the account (for owner
	// stickiness); matching by domain and merging duplicates is
	// assignment's business.
	if c, err := h.st.ContactByEmail(ctx, l.ContactEmail); err == nil {
		l.CustomerID = c.CustomerID
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, created, err := h.st.CreateLead(ctx, l)
	if err != nil {
		return err
	}
	out := leadOut(l)
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		h.log.InfoContext(ctx, "lead received", "lead_id", l.ID, "source", l.Source, "by", caller(ctx))
		if h.hooks.OnLeadCreated != nil {
			if err := h.hooks.OnLeadCreated(ctx, l.ID); err != nil {
				h.log.ErrorContext(ctx, "lead created hook failed", "lead_id", l.ID,
					"request_id", w.Header().Get("X-Request-Id"), "err", err)
				out.Warnings = append(out.Warnings, "the lead was saved, but its assignment could not be started; it waits in the unassigned pool")
			}
		}
	}
	w.Header().Set("Location", joinPath("leads", strconv.FormatInt(l.ID, 10)))
	writeJSON(w, status, out)
	return nil
}

func (h *handler) listLeads(w http.ResponseWriter, r *http.Request, q *query) error {
	f := store.LeadFilter{Status: q.str("status"), RepID: q.id("rep_id"), Source: q.str("source"),
		Since: q.time("since"), Until: q.time("until")}
	if f.Status != "" {
		q.f.oneOf("status", f.Status, leadStatuses...)
	}
	q.window(f.Since, f.Until)
	p := q.page()
	if err := q.f.err(); err != nil {
		return err
	}
	fetch := func(limit, offset int) ([]store.Lead, error) {
		f.Limit, f.Offset = limit, offset
		return h.st.ListLeads(r.Context(), f)
	}
	if f.Status == store.LeadUnassigned {
		// The pool is listed as it is worked: highest score first.
		f.ByScore = true
		rows, next, err := collectByID(p, func(l *store.Lead) int64 { return l.ID }, fetch)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, listOf(rows, next, leadOut))
		return nil
	}
	return writePage(w, p, false, func(l *store.Lead) sortKey { return sortKey{l.CreatedAt, l.ID} }, fetch, leadOut)
}

// respondLead answers a lead with its events.
const closedHookWarning = "the lead was closed, but its freed capacity was not handed on yet; the next SLA scan does it"

// respondLeadAfter runs hook (when set) after a committed lead change and
// answers with the lead; a hook failure becomes a warning, since the
// change itself stands.
func (h *handler) respondLeadAfter(ctx context.Context, w http.ResponseWriter, id int64, hook func(context.Context, int64) error, warning string) error {
	var warnings []string
	if hook != nil {
		if err := hook(ctx, id); err != nil {
			h.log.ErrorContext(ctx, "lead hook failed", "lead_id", id, "request_id", w.Header().Get("X-Request-Id"), "err", err)
			warnings = append(warnings, warning)
		}
	}
	return h.writeLead(ctx, w, id, warnings)
}

func (h *handler) respondLead(ctx context.Context, w http.ResponseWriter, id int64) error {
	return h.writeLead(ctx, w, id, nil)
}

func (h *handler) writeLead(ctx context.Context, w http.ResponseWriter, id int64, warnings []string) error {
	l, err := h.st.Lead(ctx, id)
	if err != nil {
		return orNotFound(err, "lead", id)
	}
	evs, err := h.st.LeadEvents(ctx, id)
	if err != nil {
		return err
	}
	out := leadOut(l)
	events := make([]leadEventJSON, 0, len(evs))
	for _, e := range evs {
		events = append(events, leadEventJSON{ID: e.ID, Kind: e.Kind, RepID: idOrNull(e.RepID),
			FromRepID: idOrNull(e.FromRepID), Note: e.Note, CreatedAt: e.CreatedAt})
	}
	out.Events = &events
	out.Warnings = append(out.Warnings, warnings...)
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) getLead(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "lead")
	if err != nil {
		return err
	}
	return h.respondLead(r.Context(), w, id)
}

// openLead loads a lead that is not won, lost or merged.
func (h *handler) openLead(ctx context.Context, id int64) (*store.Lead, error) {
	l, err := h.st.Lead(ctx, id)
	if err != nil {
		return nil, orNotFound(err, "lead", id)
	}
	switch l.Status {
	case store.LeadWon, store.LeadLost, store.LeadMerged:
		return nil, conflictErr("lead %d is %s", id, l.Status)
	}
	return l, nil
}

func (h *handler) reassignLead(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "lead")
	if err != nil {
		return err
	}
	var in struct {
		RepID int64  `json:"rep_id"`
		Note  string `json:"note"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	ctx := r.Context()
	f := fieldErrors{}
	f.line("note", in.Note, 1000)
	if in.RepID <= 0 {
		f.add("rep_id", "required")
	} else if rep, err := h.st.Rep(ctx, in.RepID); errors.Is(err, store.ErrNotFound) {
		f.add("rep_id", "no rep with id %d", in.RepID)
	} else if err != nil {
		return err
	} else if !rep.Active {
		f.add("rep_id", "rep %d is inactive", in.RepID)
	}
	if err := f.err(); err != nil {
		return err
	}
	l, err := h.openLead(ctx, id)
	if err != nil {
		return err
	}
	if l.RepID != in.RepID {
		note := "reassigned by " + caller(ctx)
		if in.Note != "" {
			note += ": " + in.Note
		}
		// Compare-and-set from the owner just read: an assignment that
		// happened in between wins and the client is told.
		ok, err := h.st.AssignLead(ctx, id, l.RepID, in.RepID, note)
		if err != nil {
			return orNotFound(err, "lead", id)
		}
		if !ok {
			return conflictErr("lead %d changed meanwhile (another assignment or it was closed); reload it and retry", id)
		}
		h.log.InfoContext(ctx, "lead reassigned", "lead_id", id, "from_rep_id", l.RepID, "rep_id", in.RepID,
			"by", caller(ctx))
		return h.respondLeadAfter(ctx, w, id, h.hooks.OnLeadReassigned, "the lead moved, but the new rep could not be notified yet")
	}
	return h.respondLead(ctx, w, id)
}

func (h *handler) leadContacted(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := bodilessLeadAction(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	l, err := h.openLead(ctx, id)
	if err != nil {
		return err
	}
	switch l.Status {
	case store.LeadContacted:
		return h.respondLead(ctx, w, id)
	case store.LeadUnassigned:
		return conflictErr("lead %d has no rep yet", id)
	}
	if _, err := h.st.RecordLeadContact(ctx, id, time.Time{}, store.ContactViaAPI); err != nil {
		return orNotFound(err, "lead", id)
	}
	h.log.InfoContext(ctx, "lead contacted", "lead_id", id, "by", caller(ctx))
	return h.respondLead(ctx, w, id)
}

func (h *handler) leadWon(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "lead")
	if err != nil {
		return err
	}
	var in struct {
		ValueCents *int64 `json:"value_cents"`
		Currency   string `json:"currency"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	switch {
	case in.ValueCents == nil:
		f.add("value_cents", "required")
	case *in.ValueCents < 0 || *in.ValueCents > 1<<53:
		f.add("value_cents", "must be a non-negative number of cents")
	}
	f.currency("currency", in.Currency, true)
	if err := f.err(); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := h.openLead(ctx, id); err != nil {
		return err
	}
	if err := h.closeLead(ctx, id, store.LeadOutcome{Status: store.LeadWon, ValueCents: *in.ValueCents,
		Currency: in.Currency, By: caller(ctx)}); err != nil {
		return err
	}
	h.log.InfoContext(ctx, "lead won", "lead_id", id, "value_cents", *in.ValueCents, "currency", in.Currency,
		"by", caller(ctx))
	return h.respondLeadAfter(ctx, w, id, h.hooks.OnLeadClosed, closedHookWarning)
}

func (h *handler) leadLost(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "lead")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	f := fieldErrors{}
	reason, ok := h.pipe.lostReason(in.Reason)
	switch {
	case strings.TrimSpace(in.Reason) == "":
		f.add("reason", "required")
	case !ok:
		f.add("reason", "must be one of %s", strings.Join(h.pipe.LostReasons, ", "))
	}
	f.text("reason", in.Reason, 1000)
	if err := f.err(); err != nil {
		return err
	}
	ctx := r.Context()
	if _, err := h.openLead(ctx, id); err != nil {
		return err
	}
	if err := h.closeLead(ctx, id, store.LeadOutcome{Status: store.LeadLost, Reason: reason, By: caller(ctx)}); err != nil {
		return err
	}
	h.log.InfoContext(ctx, "lead lost", "lead_id", id, "by", caller(ctx))
	return h.respondLeadAfter(ctx, w, id, h.hooks.OnLeadClosed, closedHookWarning)
}

// closeLead records a won or lost outcome; a lead closed meanwhile is a
// conflict.
func (h *handler) closeLead(ctx context.Context, id int64, o store.LeadOutcome) error {
	changed, err := h.st.CloseLead(ctx, id, o)
	if errors.Is(err, store.ErrConflict) || (err == nil && !changed) {
		return conflictErr("lead %d changed meanwhile (it was closed); reload it", id)
	}
	return orNotFound(err, "lead", id)
}

func (h *handler) leadReopen(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := bodilessLeadAction(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	changed, err := h.st.ReopenLead(ctx, id, caller(ctx))
	if err != nil {
		return orNotFound(err, "lead", id)
	}
	if !changed {
		l, err := h.st.Lead(ctx, id)
		if err != nil {
			return orNotFound(err, "lead", id)
		}
		if l.Status == store.LeadMerged {
			return conflictErr("lead %d is merged into another lead", id)
		}
		return h.respondLead(ctx, w, id)
	}
	h.log.InfoContext(ctx, "lead reopened", "lead_id", id, "by", caller(ctx))
	return h.respondLead(ctx, w, id)
}

// bodilessLeadAction reads the lead id of an action that takes no body.
func bodilessLeadAction(w http.ResponseWriter, r *http.Request) (int64, error) {
	id, err := pathID(r, "id", "lead")
	if err != nil {
		return 0, err
	}
	return id, noBody(w, r)
}
