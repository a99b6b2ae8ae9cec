package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Percentile returns the p-th percentile (0..1) of ds by linear
// interpolation between the closest ranks, so the median of an even
// count is the mean of the middle two. It returns 0 for no values. ds is
// not modified.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	p = min(max(p, 0), 1)
	rank := p * float64(len(s)-1)
	lo := int(math.Floor(rank))
	hi := int(math.Ceil(rank))
	frac := rank - float64(lo)
	return s[lo] + time.Duration(math.Round(frac*float64(s[hi]-s[lo])))
}

// Mean returns the average of ds, 0 for none.
func Mean(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return sum / time.Duration(len(ds))
}

// Ratio returns part/whole, or 0 when whole is 0.
func Ratio(part, whole int) float64 {
	if whole == 0 {
		return 0
	}
	return float64(part) / float64(whole)
}

// Trend compares a value with the previous period's.
type Trend struct {
	Current  float64
	Previous float64
	Delta    float64 // Current - Previous
	// Percent is Delta relative to Previous (0.25 is +25%); valid only
	// when HasPercent, which is false when Previous is 0.
	Percent    float64
	HasPercent bool
}

// Compare returns the trend from previous to current.
func Compare(current, previous float64) Trend {
	t := Trend{Current: current, Previous: previous, Delta: current - previous}
	if previous != 0 {
		t.Percent = t.Delta / math.Abs(previous)
		t.HasPercent = true
	}
	return t
}

// Money is an amount in minor units (cents) of one currency.
type Money struct {
	Currency string // ISO 4217; "" when the values carry none
	Cents    int64
}

// String formats m as "EUR 1,240.00" (or "1,240.00" without a currency).
func (m Money) String() string { return FormatCents(m.Cents, m.Currency) }

// FormatCents formats an amount of cents with thousands separators and
// the currency code in front, e.g. FormatCents(-124050, "EUR") is
// "EUR -1,240.50".
func FormatCents(cents int64, currency string) string {
	sign := ""
	u := uint64(cents)
	if cents < 0 {
		sign = "-"
		u = uint64(-(cents + 1)) + 1 // safe for math.MinInt64
	}
	whole := strconv.FormatUint(u/100, 10)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	s := fmt.Sprintf("%s%s.%02d", sign, b.String(), u%100)
	if currency != "" {
		s = currency + " " + s
	}
	return s
}

// FormatDuration formats d for a report at the precision people read:
// "<1s", "45s", "12m", "3h 05m", "2d 4h"; "–" for zero.
func FormatDuration(d time.Duration) string {
	if d <= 0 {
		return "–"
	}
	switch {
	case d < time.Second:
		return "<1s"
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Round(time.Second)/time.Second))
	case d < time.Hour:
		d = d.Round(time.Minute)
		if d == time.Hour {
			return "1h 00m"
		}
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%dh %02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	d = d.Round(time.Hour)
	return fmt.Sprintf("%dd %dh", int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour))
}

// FormatPercent formats a ratio (0.256) as "25.6%".
func FormatPercent(r float64) string {
	return strconv.FormatFloat(r*100, 'f', 1, 64) + "%"
}

// addMoney adds cents to the entry for currency in ms, keeping ms sorted
// by currency.
func addMoney(ms []Money, currency string, cents int64) []Money {
	i, found := slices.BinarySearchFunc(ms, currency, func(m Money, c string) int { return strings.Compare(m.Currency, c) })
	if found {
		ms[i].Cents += cents
		return ms
	}
	return slices.Insert(ms, i, Money{Currency: currency, Cents: cents})
}
