package report

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// KPI is one headline number with its trend against the previous period.
type KPI struct {
	ID       string // stable, for page anchors and tests: "inquiries", "win-rate", ...
	Label    string
	Value    string // formatted
	Previous string // formatted
	Trend    Trend
	// LowerIsBetter marks numbers that improve by going down (response
	// times, alerts).
	LowerIsBetter bool
	// NoTrend is set when one of the periods has nothing to measure (no
	// answered inquiry, no closed lead), so a change would mislead.
	NoTrend bool
}

// Change formats the trend as "+3 (+25.0%)", "−2", "±0" for people.
func (k KPI) Change() string {
	if k.NoTrend {
		return "no comparison"
	}
	d := k.Trend.Delta
	if math.Abs(d) < 1e-9 {
		return "±0"
	}
	s := ""
	switch k.ID {
	case "response-median", "response-p90", "time-to-contact", "acknowledged-in":
		s = FormatDuration(time.Duration(math.Abs(d) * float64(time.Second)))
	case "win-rate":
		s = fmt.Sprintf("%.1f pts", math.Abs(d)*100)
	case "won-value", "avg-deal":
		s = FormatCents(int64(math.Abs(d)), "")
	default:
		s = formatTick(math.Abs(d))
	}
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	s = sign + s
	if k.Trend.HasPercent && k.ID != "win-rate" {
		s += fmt.Sprintf(" (%s%.0f%%)", sign, math.Abs(k.Trend.Percent)*100)
	}
	return s
}

// Direction is "up", "down" or "flat".
func (k KPI) Direction() string {
	if k.NoTrend {
		return "flat"
	}
	switch d := k.Trend.Delta; {
	case d > 1e-9:
		return "up"
	case d < -1e-9:
		return "down"
	}
	return "flat"
}

// Good reports whether the change is an improvement; flat is neither.
func (k KPI) Good() bool {
	dir := k.Direction()
	return dir != "flat" && (dir == "down") == k.LowerIsBetter
}

// KPIs returns the report's headline numbers, in display order.
func (r Report) KPIs() []KPI {
	c, p := r.Current, r.Prior
	count := func(id, label string, cur, prev int, lower bool) KPI {
		return KPI{ID: id, Label: label, Value: fmt.Sprint(cur), Previous: fmt.Sprint(prev),
			Trend: Compare(float64(cur), float64(prev)), LowerIsBetter: lower}
	}
	dur := func(id, label string, cur, prev time.Duration, n, prevN int) KPI {
		return KPI{ID: id, Label: label, Value: FormatDuration(cur), Previous: FormatDuration(prev),
			Trend: Compare(cur.Seconds(), prev.Seconds()), LowerIsBetter: true, NoTrend: n == 0 || prevN == 0}
	}
	rate := func(won, lost int, r float64) string {
		if won+lost == 0 {
			return "–"
		}
		return FormatPercent(r)
	}
	won := func(ms []Money) int64 {
		var n int64
		for _, m := range ms {
			n += m.Cents
		}
		return n
	}
	// Values in different currencies are never added: each is shown, and
	// a change is given only when both periods are in the one currency.
	money := func(ms []Money) string {
		if len(ms) == 0 {
			return FormatCents(0, r.Currency)
		}
		parts := make([]string, len(ms))
		for i, m := range ms {
			parts[i] = FormatCents(m.Cents, m.Currency)
		}
		return strings.Join(parts, " + ")
	}
	oneCurrency := len(c.WonValue) <= 1 && len(p.WonValue) <= 1 &&
		(len(c.WonValue) == 0 || len(p.WonValue) == 0 || c.WonValue[0].Currency == p.WonValue[0].Currency)
	// The average deal compares only one currency against itself, with
	// deals in both periods.
	avg := func(ds []Deals) (string, int64) {
		if len(ds) == 0 {
			return "–", 0
		}
		parts := make([]string, len(ds))
		for i, d := range ds {
			parts[i] = d.AverageMoney().String()
		}
		return strings.Join(parts, " + "), ds[0].Average()
	}
	avgCur, avgCurN := avg(c.Deals)
	avgPrev, avgPrevN := avg(p.Deals)
	sameDeals := len(c.Deals) == 1 && len(p.Deals) == 1 && c.Deals[0].Currency == p.Deals[0].Currency
	kpis := []KPI{
		count("inquiries", "Inquiries", c.Inquiries, p.Inquiries, false),
		dur("response-median", "First human contact (median)", c.ResponseMedian, p.ResponseMedian, c.Responded, p.Responded),
		dur("response-p90", "First human contact (90th pct)", c.ResponseP90, p.ResponseP90, c.Responded, p.Responded),
		dur("acknowledged-in", "Acknowledged in (median)", c.AckMedian, p.AckMedian, c.Acknowledged, p.Acknowledged),
		count("leads-created", "New leads", c.LeadsCreated, p.LeadsCreated, false),
		count("leads-merged", "Merged duplicates", c.LeadsMerged, p.LeadsMerged, false),
		count("leads-won", "Leads won", c.LeadsWon, p.LeadsWon, false),
		{ID: "win-rate", Label: "Win rate", Value: rate(c.LeadsWon, c.LeadsLost, c.WinRate), Previous: rate(p.LeadsWon, p.LeadsLost, p.WinRate),
			Trend: Compare(c.WinRate, p.WinRate), NoTrend: c.LeadsWon+c.LeadsLost == 0 || p.LeadsWon+p.LeadsLost == 0},
		{ID: "won-value", Label: "Won value", Value: money(c.WonValue), Previous: money(p.WonValue),
			Trend: Compare(float64(won(c.WonValue)), float64(won(p.WonValue))), NoTrend: !oneCurrency},
		{ID: "avg-deal", Label: "Average deal size", Value: avgCur, Previous: avgPrev,
			Trend: Compare(float64(avgCurN), float64(avgPrevN)), NoTrend: !sameDeals},
		count("meetings-held", "Meetings held", c.Meetings.Held, p.Meetings.Held, false),
		count("orders", "Orders created", c.OrdersCreated, p.OrdersCreated, false),
		dur("time-to-contact", "Avg time to contact", c.TimeToContact, p.TimeToContact, c.LeadsContacted, p.LeadsContacted),
		count("alerts", "Alerts opened", c.AlertsOpened, p.AlertsOpened, true),
	}
	if !c.HasData() || !p.HasData() {
		// A period without any data has nothing to compare with.
		for i := range kpis {
			kpis[i].NoTrend = true
		}
	}
	return kpis
}
