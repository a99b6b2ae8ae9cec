package link

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"salesdesk/internal/lead"
	"salesdesk/internal/report"
	"salesdesk/internal/store"
	"salesdesk/internal/zone"
)

// LeadOutcomeAction is the action under which a won or lost link's use is
// recorded: one per lead, so the won and the lost link of one mail are
// together single-use.
const LeadOutcomeAction = "lead_outcome"

// Outcomes are the one-click outcomes of a lead, as the links name them.
var Outcomes = []string{store.LeadWon, store.LeadLost}

// CloseLeadFunc marks a lead won or lost for the rep a link was sent
// to, e.g. (*lead.Service).CloseForRep: the function the API and the
// desk page close leads through. changed is false when the lead was
// already closed that way; lead.ErrNotYours when it is no longer open
// with the rep; store.ErrConflict when it was closed the other way.
type CloseLeadFunc func(ctx context.Context, leadID, repID int64, o store.LeadOutcome) (changed bool, err error)

// LeadReader reads a lead and its rep for the won and lost pages;
// *store.Store implements it.
type LeadReader interface {
	Lead(ctx context.Context, id int64) (*store.Lead, error)
	Rep(ctx context.Context, id int64) (*store.Rep, error)
}

// outcomeForm is what the rep fills in on the confirmation page.
type outcomeForm struct {
	cents    int64
	currency string
	reason   string
}

// serveLeadOutcome confirms (GET) or applies (POST) a won or lost link.
// GET asks for the value and currency (won) or the reason (lost); POST
// closes the lead once. A second use of either link of the mail shows
// what the first decided, by whom and when.
func (h *handler) serveLeadOutcome(w http.ResponseWriter, r *http.Request, outcome string) {
	id, ok := parseID(r.PathValue("id"))
	if !ok || h.closeLead == nil || h.leads == nil || h.decisions == nil {
		render(w, notFoundPage())
		return
	}
	q, ok := h.query(w, r)
	if !ok {
		return
	}
	repID, err := h.signer.VerifyLead(outcome, id, q, h.now())
	if err != nil {
		h.refuse(w, r, err, "lead_id", id)
		return
	}
	ctx := r.Context()
	rep, err := h.leads.Rep(ctx, repID)
	if err != nil {
		h.failed(w, r, err, "lead_id", id, "rep_id", repID)
		return
	}
	loc := h.repLocation(rep)
	if held, err := h.decisions.LinkDecision(ctx, LeadOutcomeAction, id); err == nil {
		h.outcomeDecided(w, r, id, held, loc)
		return
	} else if !errors.Is(err, store.ErrNotFound) {
		h.failed(w, r, err, "lead_id", id)
		return
	}
	l, err := h.leads.Lead(ctx, id)
	if err != nil {
		h.failed(w, r, err, "lead_id", id)
		return
	}
	if l.Status == store.LeadWon || l.Status == store.LeadLost {
		render(w, leadClosedPage(l, loc))
		return
	}
	if l.RepID != repID || (l.Status != store.LeadAssigned && l.Status != store.LeadContacted) {
		h.failed(w, r, lead.ErrNotYours, "lead_id", id, "rep_id", repID)
		return
	}
	var in outcomeForm
	if r.Method == http.MethodPost {
		var problem string
		in, problem = h.readOutcome(outcome, q)
		if problem == "" {
			h.applyOutcome(w, r, l, rep, outcome, in)
			return
		}
		p := h.outcomeConfirm(r, q, l, rep, outcome, q)
		p.Status = http.StatusBadRequest
		p.Lines = append([]string{problem}, p.Lines...)
		render(w, p)
		return
	}
	render(w, h.outcomeConfirm(r, q, l, rep, outcome, nil))
}

// outcomeConfirm is the confirmation page of a won or lost link, its
// boxes filled from typed (a form sent back with a problem) or the
// defaults.
func (h *handler) outcomeConfirm(r *http.Request, q url.Values, l *store.Lead, rep *store.Rep, outcome string, typed url.Values) page {
	get := func(name, def string) string {
		if v := typed[name]; len(v) > 0 {
			return v[0]
		}
		return def
	}
	fields := []field{{Name: "rep", Value: strconv.FormatInt(rep.ID, 10)}}
	title := fmt.Sprintf("Lead %s: %s", l.Ref(), leadName(l))
	if outcome == store.LeadWon {
		fields = append(fields,
			field{Name: "value", Label: "Deal value, e.g. 12,500.00", Line: true, Value: get("value", valueText(l.ValueCents))},
			field{Name: "currency", Label: "Currency (ISO 4217 code)", Line: true, Value: get("currency", h.currency)})
		return confirmPage(r, q, title, fmt.Sprintf("Mark lead #%d won? Give the deal's value; the reports count it as won in its currency.", l.ID),
			"Mark won", fields)
	}
	fields = append(fields, field{Name: "reason", Label: "Why was it lost?", Options: h.lostReasons, Value: get("reason", "")})
	return confirmPage(r, q, title, fmt.Sprintf("Mark lead #%d lost? Choose the reason; the reports count lost leads by reason.", l.ID),
		"Mark lost", fields)
}

// readOutcome checks the filled-in form; problem says what to correct.
func (h *handler) readOutcome(outcome string, q url.Values) (in outcomeForm, problem string) {
	get := func(name string) string {
		if v := q[name]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	if outcome == store.LeadWon {
		cents, err := report.ParseAmount(get("value"))
		if err != nil || get("value") == "" {
			return in, "The value must be an amount such as 12500 or 12,500.50."
		}
		cur := strings.ToUpper(get("currency"))
		if !report.IsCurrency(cur) {
			return in, "The currency must be a three-letter code such as EUR."
		}
		return outcomeForm{cents: cents, currency: cur}, ""
	}
	reason := get("reason")
	for _, r := range h.lostReasons {
		if strings.EqualFold(r, reason) {
			return outcomeForm{reason: r}, ""
		}
	}
	return in, "Please choose one of the reasons in the list."
}

// applyOutcome closes the lead and records the link's use.
func (h *handler) applyOutcome(w http.ResponseWriter, r *http.Request, l *store.Lead, rep *store.Rep, outcome string, in outcomeForm) {
	ctx := r.Context()
	by := rep.Name
	if by == "" {
		by = rep.Email
	}
	o := store.LeadOutcome{Status: outcome, ValueCents: in.cents, Currency: in.currency, Reason: in.reason, By: by}
	changed, err := h.closeLead(ctx, l.ID, rep.ID, o)
	switch {
	case errors.Is(err, store.ErrConflict):
		err = nil // closed the other way meanwhile: show that
	case err != nil:
		h.failed(w, r, err, "lead_id", l.ID, "outcome", outcome, "rep_id", rep.ID)
		return
	}
	if !changed {
		cur, err := h.leads.Lead(ctx, l.ID)
		if err != nil {
			h.failed(w, r, err, "lead_id", l.ID)
			return
		}
		render(w, leadClosedPage(cur, h.repLocation(rep)))
		return
	}
	if _, _, err := h.decisions.DecideOnce(ctx, store.LinkDecision{Action: LeadOutcomeAction, SubjectID: l.ID,
		Decision: outcomeNote(o), DecidedBy: by, DecidedAt: h.now()}); err != nil {
		// The lead is closed; only the record of the link's use is missing.
		h.log.ErrorContext(ctx, "lead outcome link: use not recorded", "lead_id", l.ID, "error", err.Error())
	}
	h.log.InfoContext(ctx, "lead outcome link applied", "lead_id", l.ID, "outcome", outcome, "rep_id", rep.ID)
	render(w, donePage(fmt.Sprintf("Done: lead #%d marked %s.", l.ID, outcomeNote(o))))
}

// outcomeNote says what was decided: "won (EUR 12,500.00)", "lost
// (price)".
func outcomeNote(o store.LeadOutcome) string {
	if o.Status == store.LeadWon {
		return fmt.Sprintf("won (%s)", report.FormatCents(o.ValueCents, o.Currency))
	}
	return fmt.Sprintf("lost (%s)", o.Reason)
}

// outcomeDecided says what an earlier use of a won or lost link of this
// lead decided, by whom and when.
func (h *handler) outcomeDecided(w http.ResponseWriter, r *http.Request, id int64, d store.LinkDecision, loc *time.Location) {
	lines := []string{
		fmt.Sprintf("Lead %s was already marked %s by %s on %s.", store.LeadRef(id), d.Decision, d.DecidedBy, stamp(d.DecidedAt, loc)),
		"The links in a lead mail work once; this one changes nothing now. To change the outcome, reopen the lead on its desk page.",
	}
	render(w, page{Title: "Already decided", Done: true, Lines: lines})
}

// leadClosedPage says a lead was closed by other means (the desk, the
// API) before the link was used.
func leadClosedPage(l *store.Lead, loc *time.Location) page {
	o := store.LeadOutcome{Status: l.Status, ValueCents: l.ValueCents, Currency: l.Currency, Reason: l.LostReason}
	line := fmt.Sprintf("Lead %s is already marked %s", l.Ref(), outcomeNote(o))
	if !l.ClosedAt.IsZero() {
		line += " since " + stamp(l.ClosedAt, loc)
	}
	return page{Title: "Already decided", Done: true, Lines: []string{line + ".",
		"This link changes nothing now. To change the outcome, reopen the lead on its desk page."}}
}

// repLocation is the rep's timezone, else the team's.
func (h *handler) repLocation(rep *store.Rep) *time.Location {
	if rep == nil {
		return zone.Of("", h.teamZone)
	}
	return zone.Of(rep.Timezone, h.teamZone)
}

func stamp(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

// leadName names a lead's customer for a page title.
func leadName(l *store.Lead) string {
	for _, s := range []string{l.Company, l.ContactName, l.ContactEmail} {
		if s != "" {
			return s
		}
	}
	return "lead"
}

// valueText shows a lead's estimated value as the won box's default.
func valueText(cents int64) string {
	if cents <= 0 {
		return ""
	}
	return report.FormatCents(cents, "")
}
