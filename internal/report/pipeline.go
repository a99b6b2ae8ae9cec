package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// Deals are the leads won in one currency: how many and their value.
type Deals struct {
	Currency string
	Won      int
	Cents    int64
}

// Average is the average deal size, in cents; 0 for no deal.
func (d Deals) Average() int64 {
	if d.Won == 0 {
		return 0
	}
	return d.Cents / int64(d.Won)
}

// AverageMoney is Average with its currency.
func (d Deals) AverageMoney() Money { return Money{Currency: d.Currency, Cents: d.Average()} }

// Value is the deals' total with its currency.
func (d Deals) Value() Money { return Money{Currency: d.Currency, Cents: d.Cents} }

// addDeal counts a won deal in its currency, keeping ds sorted by
// currency.
func addDeal(ds []Deals, currency string, cents int64) []Deals {
	i, found := slices.BinarySearchFunc(ds, currency, func(d Deals, c string) int { return strings.Compare(d.Currency, c) })
	if !found {
		ds = slices.Insert(ds, i, Deals{Currency: currency})
	}
	ds[i].Won++
	ds[i].Cents += cents
	return ds
}

// Stage is one open stage of the pipeline at the report's time: its
// leads and their value per currency.
type Stage struct {
	Name  string // unassigned, assigned or contacted
	Leads int
	Value []Money // by currency; leads without a value count in Leads only
}

// stages are the open stages in pipeline order.
var stages = []string{store.LeadUnassigned, store.LeadAssigned, store.LeadContacted}

// Band is one score band of the calibration table: the leads closed in
// the period whose score was in [From, To), and how many were won.
type Band struct {
	From, To int // To is 101 for the top band, so 100 falls in it
	Won      int
	Lost     int
}

// Closed is the number of leads closed in the band.
func (b Band) Closed() int { return b.Won + b.Lost }

// WinRate is won of closed; 0 for none.
func (b Band) WinRate() float64 { return Ratio(b.Won, b.Closed()) }

// Label names the band as people read it: "0–20", "80–100".
func (b Band) Label() string { return fmt.Sprintf("%d–%d", b.From, min(b.To, 100)) }

// bandWidth is the width of a score band.
const bandWidth = 20

// calibration counts the closed leads of p by score band. Every band is
// listed, empty ones too, so two reports line up; unscored leads are
// left out (Figures.UnscoredClosed counts them).
func calibration(leads []leadRow, p Period) (bands []Band, unscored int) {
	for from := 0; from < 100; from += bandWidth {
		bands = append(bands, Band{From: from, To: from + bandWidth})
	}
	bands[len(bands)-1].To = 101
	for _, l := range leads {
		if !p.Contains(l.ClosedAt) || (l.Status != store.LeadWon && l.Status != store.LeadLost) {
			continue
		}
		if !l.Scored {
			unscored++
			continue
		}
		b := &bands[min(max(l.Score, 0)/bandWidth, len(bands)-1)]
		if l.Status == store.LeadWon {
			b.Won++
		} else {
			b.Lost++
		}
	}
	return bands, unscored
}

// Meetings are the meeting counts of a period: booked counts meetings
// created in it that got a time (confirmed, rescheduled, held or
// no-show); held and no-show count meetings that started in it.
type Meetings struct {
	Booked int
	Held   int
	NoShow int
}

func meetingsIn(ms []store.KPIMeeting, p Period) Meetings {
	var m Meetings
	for _, x := range ms {
		switch x.Status {
		case store.MeetingConfirmed, store.MeetingRescheduled, store.MeetingHeld, store.MeetingNoShow:
			if p.Contains(x.CreatedAt) {
				m.Booked++
			}
		}
		if !p.Contains(x.StartsAt) {
			continue
		}
		switch x.Status {
		case store.MeetingHeld:
			m.Held++
		case store.MeetingNoShow:
			m.NoShow++
		}
	}
	return m
}

// Target is a rep's goal for a calendar month (config reports.targets):
// a won value in one currency, a number of leads contacted, or both.
type Target struct {
	RepEmail       string
	WonCents       int64
	Currency       string // of WonCents; "" is the team currency
	LeadsContacted int
}

// Progress is a rep's standing against one target in the report's
// period: Due is the goal pro rata for the part of the period that has
// passed (goal × elapsed ÷ the month's length).
type Progress struct {
	Goal, Due, Actual int64
	Currency          string // for a value target; "" for a count
}

// OnTrack reports whether Actual has reached Due.
func (p Progress) OnTrack() bool { return p.Actual >= p.Due }

// Status is "on track" or "behind".
func (p Progress) Status() string {
	if p.OnTrack() {
		return "on track"
	}
	return "behind"
}

// Format shows an amount of the target: money for a value target.
func (p Progress) Format(v int64) string {
	if p.Currency != "" {
		return FormatCents(v, p.Currency)
	}
	return fmt.Sprint(v)
}

// Line says where the rep stands, what being "won" or "contacted":
// "won EUR 800.00 of EUR 1,000.00 due: behind". The HTML report and the
// report mail both show it.
func (p Progress) Line(what string) string {
	return fmt.Sprintf("%s %s of %s due: %s", what, p.Format(p.Actual), p.Format(p.Due), p.Status())
}

// TargetLine is where a rep stands against one target, in words.
type TargetLine struct {
	Text    string // Progress.Line
	OnTrack bool
}

// TargetLines are the rep's standing against each target, won first;
// none without a target.
func (r RepRow) TargetLines() []TargetLine {
	var lines []TargetLine
	if p := r.WonTarget; p != nil {
		lines = append(lines, TargetLine{Text: p.Line("won"), OnTrack: p.OnTrack()})
	}
	if p := r.ContactedTarget; p != nil {
		lines = append(lines, TargetLine{Text: p.Line("contacted"), OnTrack: p.OnTrack()})
	}
	return lines
}

// proRata is the share of a monthly goal due by the end of the part of p
// that has passed at now: the elapsed time over the length of the month
// the period starts in.
func proRata(p Period, now time.Time) float64 {
	end := p.To
	if now.Before(end) {
		end = now
	}
	elapsed := end.Sub(p.From)
	if elapsed <= 0 {
		return 0
	}
	start := p.From.In(p.loc())
	month := time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, p.loc())
	return elapsed.Hours() / month.AddDate(0, 1, 0).Sub(month).Hours()
}

// applyTargets sets each rep's progress against their target.
func applyTargets(reps []RepRow, targets []Target, p Period, now time.Time, team string) {
	share := proRata(p, now)
	due := func(goal int64) int64 { return int64(float64(goal)*share + 0.5) }
	for _, t := range targets {
		i := slices.IndexFunc(reps, func(r RepRow) bool { return strings.EqualFold(r.Email, t.RepEmail) })
		if i < 0 {
			continue
		}
		r := &reps[i]
		if t.WonCents > 0 {
			cur := cmp.Or(t.Currency, team)
			var actual int64
			for _, d := range r.Deals {
				if d.Currency == cur {
					actual = d.Cents
				}
			}
			r.WonTarget = &Progress{Goal: t.WonCents, Due: due(t.WonCents), Actual: actual, Currency: cur}
		}
		if t.LeadsContacted > 0 {
			g := int64(t.LeadsContacted)
			r.ContactedTarget = &Progress{Goal: g, Due: due(g), Actual: int64(r.Contacted)}
		}
	}
}

// pipelineByStage sums the open leads at the report's time by stage and
// currency.
func pipelineByStage(leads []leadRow, team string) []Stage {
	out := make([]Stage, len(stages))
	for i, s := range stages {
		out[i].Name = s
	}
	for _, l := range leads {
		i := slices.Index(stages, l.Status)
		if i < 0 {
			continue
		}
		out[i].Leads++
		if l.ValueCents > 0 {
			out[i].Value = addMoney(out[i].Value, cmp.Or(l.Currency, team), l.ValueCents)
		}
	}
	return out
}
