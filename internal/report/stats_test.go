package report

import (
	"math"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	m := time.Minute
	for _, tc := range []struct {
		name string
		ds   []time.Duration
		p    float64
		want time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", []time.Duration{3 * m}, 0.9, 3 * m},
		{"odd median", []time.Duration{9 * m, 1 * m, 5 * m}, 0.5, 5 * m},
		{"even median", []time.Duration{30 * m, 2 * m, 10 * m, 4 * m}, 0.5, 7 * m},
		{"p90 interpolates", []time.Duration{2 * m, 4 * m, 10 * m, 30 * m}, 0.9, 24 * m},
		{"p0 is the least", []time.Duration{2 * m, 4 * m}, 0, 2 * m},
		{"p100 is the most", []time.Duration{2 * m, 4 * m}, 1, 4 * m},
		{"out of range clamps", []time.Duration{2 * m, 4 * m}, 7, 4 * m},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := append([]time.Duration(nil), tc.ds...)
			if got := Percentile(tc.ds, tc.p); got != tc.want {
				t.Errorf("Percentile(%v, %v) = %v; want %v", tc.ds, tc.p, got, tc.want)
			}
			for i := range before {
				if before[i] != tc.ds[i] {
					t.Fatal("Percentile changed its argument")
				}
			}
		})
	}
}

func TestCompare(t *testing.T) {
	for _, tc := range []struct {
		name        string
		cur, prev   float64
		wantDelta   float64
		wantPercent float64
		wantHas     bool
	}{
		{"up", 5, 4, 1, 0.25, true},
		{"down", 3, 4, -1, -0.25, true},
		{"flat", 4, 4, 0, 0, true},
		{"from zero", 3, 0, 3, 0, false},
		{"from negative", 1, -2, 3, 1.5, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Compare(tc.cur, tc.prev)
			if got.Delta != tc.wantDelta || math.Abs(got.Percent-tc.wantPercent) > 1e-12 || got.HasPercent != tc.wantHas {
				t.Errorf("Compare(%v, %v) = %+v; want delta %v, percent %v (%v)", tc.cur, tc.prev, got, tc.wantDelta, tc.wantPercent, tc.wantHas)
			}
		})
	}
}

func TestFormatCents(t *testing.T) {
	for _, tc := range []struct {
		cents    int64
		currency string
		want     string
	}{
		{0, "EUR", "EUR 0.00"},
		{5, "", "0.05"},
		{124050, "EUR", "EUR 1,240.50"},
		{-124050, "USD", "USD -1,240.50"},
		{100000000, "GBP", "GBP 1,000,000.00"},
		{math.MinInt64, "", "-92,233,720,368,547,758.08"},
	} {
		if got := FormatCents(tc.cents, tc.currency); got != tc.want {
			t.Errorf("FormatCents(%d, %q) = %q; want %q", tc.cents, tc.currency, got, tc.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "–"},
		{-time.Second, "–"},
		{300 * time.Millisecond, "<1s"},
		{1400 * time.Millisecond, "1s"},
		{59 * time.Second, "59s"},
		{7 * time.Minute, "7m"},
		{59*time.Minute + 40*time.Second, "1h 00m"},
		{3*time.Hour + 5*time.Minute, "3h 05m"},
		{47 * time.Hour, "47h 00m"},
		{52 * time.Hour, "2d 4h"},
	} {
		if got := FormatDuration(tc.d); got != tc.want {
			t.Errorf("FormatDuration(%v) = %q; want %q", tc.d, got, tc.want)
		}
	}
}

func TestKPIChange(t *testing.T) {
	for _, tc := range []struct {
		name     string
		k        KPI
		wantText string
		wantGood bool
	}{
		{"more inquiries", KPI{ID: "inquiries", Trend: Compare(5, 4)}, "+1 (+25%)", true},
		{"fewer from zero", KPI{ID: "inquiries", Trend: Compare(0, 0)}, "±0", false},
		{"new", KPI{ID: "leads-won", Trend: Compare(2, 0)}, "+2", true},
		{"slower response", KPI{ID: "response-median", Trend: Compare(600, 300), LowerIsBetter: true}, "+5m (+100%)", false},
		{"faster response", KPI{ID: "response-median", Trend: Compare(300, 600), LowerIsBetter: true}, "−5m (−50%)", true},
		{"win rate in points", KPI{ID: "win-rate", Trend: Compare(0.5, 1)}, "−50.0 pts", false},
		{"won value", KPI{ID: "won-value", Trend: Compare(500000, 200000)}, "+3,000.00 (+150%)", true},
		{"sub-second", KPI{ID: "response-median", Trend: Compare(0.8, 0.3), LowerIsBetter: true}, "+<1s (+167%)", false},
		{"nothing to compare", KPI{ID: "response-median", Trend: Compare(300, 0), LowerIsBetter: true, NoTrend: true}, "no comparison", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.k.Change(); got != tc.wantText {
				t.Errorf("Change() = %q; want %q", got, tc.wantText)
			}
			if got := tc.k.Good(); got != tc.wantGood {
				t.Errorf("Good() = %v; want %v", got, tc.wantGood)
			}
		})
	}
}

func TestNiceMax(t *testing.T) {
	for _, tc := range []struct{ in, want float64 }{
		{0, 1}, {1, 1}, {3, 5}, {7, 10}, {11, 20}, {24, 25}, {26, 50}, {180, 200}, {1001, 2000},
	} {
		if got := niceMax(tc.in); got != tc.want {
			t.Errorf("niceMax(%v) = %v; want %v", tc.in, got, tc.want)
		}
	}
}

func TestGridlines(t *testing.T) {
	for _, tc := range []struct {
		ymax float64
		want int
	}{{1, 1}, {2, 2}, {5, 5}, {10, 5}, {20, 4}, {25, 5}, {50, 5}, {200, 4}, {2.5, 5}} {
		if got := gridlines(tc.ymax); got != tc.want {
			t.Errorf("gridlines(%v) = %d; want %d", tc.ymax, got, tc.want)
		}
	}
}

func TestCell(t *testing.T) {
	for in, want := range map[string]string{"Ann": "Ann", "=HYPERLINK()": "'=HYPERLINK()", "+1": "'+1", "@x": "'@x", "": ""} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q; want %q", in, got, want)
		}
	}
}
