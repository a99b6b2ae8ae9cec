package lead

import (
	"context"
	"fmt"
	"time"

	"salesdesk/internal/assign"
	"salesdesk/internal/store"
)

// RepSeed is one rep from the config file (leads.reps).
type RepSeed struct {
	Name             string
	Email            string
	Active           bool
	Weight           int
	Capacity         int
	Territories      []string
	Skills           []string
	Languages        []string // ISO 639-1 codes the rep writes to customers in
	Timezone         string   // IANA name; "" is UTC
	Days             []string // working days mon .. sun; none means always
	Start, End       string   // HH:MM
	OutOfOfficeUntil time.Time
}

// SeedReps creates or updates the reps of the config by email; reps not in
// the list are left as they are (the API and CSV import manage them too).
func SeedReps(ctx context.Context, st *store.Store, seeds []RepSeed) (created, updated int, err error) {
	for _, rs := range seeds {
		hours := assign.FormatWorkingHours(rs.Days, rs.Start, rs.End)
		if _, err := assign.ParseWorkingHours(hours); err != nil {
			return created, updated, fmt.Errorf("lead: seed rep %s: %w", rs.Email, err)
		}
		if rs.Timezone != "" {
			if _, err := time.LoadLocation(rs.Timezone); err != nil {
				return created, updated, fmt.Errorf("lead: seed rep %s: timezone: %w", rs.Email, err)
			}
		}
		r := &store.Rep{
			Email: rs.Email, Name: rs.Name, Active: rs.Active, Weight: rs.Weight, Capacity: rs.Capacity,
			Territories: rs.Territories, Skills: rs.Skills, Languages: rs.Languages, Timezone: rs.Timezone, WorkingHours: hours,
			OutOfOfficeUntil: rs.OutOfOfficeUntil,
		}
		_, isNew, err := st.UpsertRep(ctx, r)
		if err != nil {
			return created, updated, fmt.Errorf("lead: seed rep %s: %w", rs.Email, err)
		}
		if isNew {
			created++
		} else {
			updated++
		}
	}
	return created, updated, nil
}
