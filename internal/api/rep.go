package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// repJSON is a rep as the API shows it.
type repJSON struct {
	ID               int64      `json:"id"`
	Email            string     `json:"email"`
	Name             string     `json:"name"`
	Active           bool       `json:"active"`
	Weight           int        `json:"weight"`
	Capacity         int        `json:"capacity"`
	Territories      []string   `json:"territories"`
	Skills           []string   `json:"skills"`
	Timezone         string     `json:"timezone"`
	WorkingHours     string     `json:"working_hours"`
	OutOfOfficeUntil *time.Time `json:"out_of_office_until"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	// OpenLeads is how many assigned or contacted leads the rep holds
	// (single-rep answers only).
	OpenLeads *int `json:"open_leads,omitempty"`
}

func repOut(r *store.Rep) repJSON {
	return repJSON{
		ID: r.ID, Email: r.Email, Name: r.Name, Active: r.Active, Weight: r.Weight, Capacity: r.Capacity,
		Territories: nonNil(r.Territories), Skills: nonNil(r.Skills), Timezone: r.Timezone,
		WorkingHours: r.WorkingHours, OutOfOfficeUntil: timeOrNull(r.OutOfOfficeUntil),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

// repIn is the body of a rep create or update; nil fields are left as
// they are.
type repIn struct {
	Email            *string   `json:"email"`
	Name             *string   `json:"name"`
	Active           *bool     `json:"active"`
	Weight           *int      `json:"weight"`
	Capacity         *int      `json:"capacity"`
	Territories      *[]string `json:"territories"`
	Skills           *[]string `json:"skills"`
	Timezone         *string   `json:"timezone"`
	WorkingHours     *string   `json:"working_hours"`
	OutOfOfficeUntil *string   `json:"out_of_office_until"`
}

// Bounds of rep numbers.
const (
	maxWeight   = 1000
	maxCapacity = 100000
)

func applyRep(in *repIn, r *store.Rep, create bool) error {
	f := fieldErrors{}
	switch {
	case in.Email != nil:
		f.email("email", *in.Email, true)
		r.Email = *in.Email
	case create:
		f.add("email", "required")
	}
	switch {
	case in.Name != nil:
		f.required("name", *in.Name, maxLine)
		r.Name = strings.TrimSpace(*in.Name)
	case create:
		f.add("name", "required")
	}
	if in.Active != nil {
		r.Active = *in.Active
	}
	if in.Weight != nil {
		if *in.Weight < 1 || *in.Weight > maxWeight {
			f.add("weight", "must be from 1 to %d", maxWeight)
		}
		r.Weight = *in.Weight
	}
	if in.Capacity != nil {
		if *in.Capacity < 0 || *in.Capacity > maxCapacity {
			f.add("capacity", "must be from 0 (unlimited) to %d", maxCapacity)
		}
		r.Capacity = *in.Capacity
	}
	if in.Territories != nil {
		f.list("territories", *in.Territories)
		r.Territories = *in.Territories
	}
	if in.Skills != nil {
		f.list("skills", *in.Skills)
		r.Skills = *in.Skills
	}
	if in.Timezone != nil {
		f.timezone("timezone", *in.Timezone) // "" clears it: the team's zone
		r.Timezone = *in.Timezone
	}
	if in.WorkingHours != nil {
		f.workingHours("working_hours", *in.WorkingHours)
		r.WorkingHours = *in.WorkingHours
	}
	if in.OutOfOfficeUntil != nil {
		r.OutOfOfficeUntil = f.timestamp("out_of_office_until", *in.OutOfOfficeUntil)
	}
	return f.err()
}

func (h *handler) listReps(w http.ResponseWriter, r *http.Request, q *query) error {
	active, set := q.boolean("active")
	if err := q.f.err(); err != nil {
		return err
	}
	reps, err := h.st.ListReps(r.Context(), set && active)
	if err != nil {
		return err
	}
	out := list[repJSON]{Items: make([]repJSON, 0, len(reps))}
	for i := range reps {
		if set && reps[i].Active != active {
			continue
		}
		out.Items = append(out.Items, repOut(&reps[i]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *handler) respondRep(ctx context.Context, w http.ResponseWriter, id int64, status int) error {
	rep, err := h.st.Rep(ctx, id)
	if err != nil {
		return orNotFound(err, "rep", id)
	}
	open, err := h.st.OpenLeadCount(ctx, id)
	if err != nil {
		return err
	}
	out := repOut(rep)
	out.OpenLeads = &open
	writeRow(w, status, "reps", id, out)
	return nil
}

func (h *handler) getRep(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "rep")
	if err != nil {
		return err
	}
	return h.respondRep(r.Context(), w, id, http.StatusOK)
}

// reps is how rep create and update bodies are applied and stored.
func (h *handler) reps() resource[repIn, store.Rep] {
	return resource[repIn, store.Rep]{
		name: "rep",
		apply: func(_ context.Context, in *repIn, rep *store.Rep, create bool) error {
			return applyRep(in, rep, create)
		},
		load: h.st.Rep, insert: h.st.CreateRep, save: h.st.UpdateRep,
		conflict: func(rep *store.Rep) error {
			return conflictErr("a rep with email %q exists", strings.ToLower(rep.Email))
		},
	}
}

func (h *handler) createRep(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := h.reps().create(w, r, &store.Rep{Active: true, Weight: 1})
	if err != nil {
		return err
	}
	ctx := r.Context()
	h.log.InfoContext(ctx, "rep created", "rep_id", id, "by", caller(ctx))
	return h.respondRep(ctx, w, id, http.StatusCreated)
}

func (h *handler) updateRep(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := h.reps().update(w, r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	h.log.InfoContext(ctx, "rep updated", "rep_id", id, "by", caller(ctx))
	return h.respondRep(ctx, w, id, http.StatusOK)
}
