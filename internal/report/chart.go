package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
)

// Series is one line of a line chart.
type Series struct {
	Name   string
	Values []float64
	Dashed bool
	Color  string // CSS colour; default the report blue
}

// niceMax rounds v up to 1, 2, 2.5 or 5 times a power of ten, so that
// gridlines fall on round numbers; at least 1.
func niceMax(v float64) float64 {
	if v <= 1 {
		return 1
	}
	exp := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if v <= m*exp {
			return m * exp
		}
	}
	return 10 * exp
}

// gridlines picks how many steps divide 0..ymax into round numbers.
func gridlines(ymax float64) int {
	if ymax < 4 && ymax == math.Trunc(ymax) {
		return int(ymax)
	}
	for _, unit := range []float64{1, 0.5} {
		for _, n := range []int{4, 5, 2} {
			if step := ymax / float64(n) / unit; step == math.Trunc(step) {
				return n
			}
		}
	}
	return 4
}

// formatTick formats a gridline value without needless decimals.
func formatTick(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// LineChart draws series over the x labels as an inline SVG, width by
// height user units, scaled to its container. Values beyond a series'
// length are left out; labels are thinned to fit.
func LineChart(title string, labels []string, series []Series, width, height int) template.HTML {
	const left, right, top, bottom = 36.0, 22.0, 12.0, 28.0
	w, h := float64(width), float64(height)
	plotW, plotH := w-left-right, h-top-bottom
	peak := 0.0
	for _, s := range series {
		for _, v := range s.Values {
			peak = max(peak, v)
		}
	}
	ymax := niceMax(peak)
	x := func(i int) float64 {
		if len(labels) <= 1 {
			return left + plotW/2
		}
		return left + plotW*float64(i)/float64(len(labels)-1)
	}
	y := func(v float64) float64 { return top + plotH - plotH*v/ymax }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		width, height, html.EscapeString(title))
	ticks := gridlines(ymax)
	for i := 0; i <= ticks; i++ {
		v := ymax * float64(i) / float64(ticks)
		fmt.Fprintf(&b, `<line x1="%.1f" x2="%.1f" y1="%.1f" y2="%.1f" stroke="#e3e8ef"/>`, left, w-right, y(v), y(v))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="10" fill="#6b7686">%s</text>`, left-6, y(v)+3.5, formatTick(v))
	}
	step := max(1, int(math.Ceil(float64(len(labels))/8)))
	for i, l := range labels {
		if i%step != 0 && i != len(labels)-1 {
			continue
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" font-size="10" fill="#6b7686">%s</text>`, x(i), h-8, html.EscapeString(l))
	}
	for _, s := range series {
		color := s.Color
		if color == "" {
			color = "#2457c5"
		}
		var pts []string
		for i, v := range s.Values {
			if i >= len(labels) {
				break
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(i), y(v)))
		}
		if len(pts) == 0 {
			continue
		}
		dash := ""
		if s.Dashed {
			dash = ` stroke-dasharray="5 4"`
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke="%s" stroke-width="2"%s points="%s"><title>%s</title></polyline>`,
			html.EscapeString(color), dash, strings.Join(pts, " "), html.EscapeString(s.Name))
		if !s.Dashed {
			for i, v := range s.Values {
				if i >= len(labels) {
					break
				}
				fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>%s: %s</title></circle>`,
					x(i), y(v), html.EscapeString(color), html.EscapeString(labels[i]), formatTick(v))
			}
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped
}

// BarChart draws one horizontal bar per count, largest first as given, as
// an inline SVG width units wide.
func BarChart(title string, items []Count, width int) template.HTML {
	const rowH, labelW, numW = 22.0, 130.0, 40.0
	w := float64(width)
	barW := w - labelW - numW
	height := max(1, len(items)) * int(rowH)
	peak := 0
	for _, it := range items {
		peak = max(peak, it.Count)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`,
		width, height, html.EscapeString(title))
	if len(items) == 0 {
		fmt.Fprintf(&b, `<text x="0" y="15" font-size="12" fill="#6b7686">none</text>`)
	}
	for i, it := range items {
		top := float64(i) * rowH
		length := 0.0
		if peak > 0 {
			length = barW * float64(it.Count) / float64(peak)
		}
		name := html.EscapeString(label(it.Name))
		fmt.Fprintf(&b, `<text x="0" y="%.1f" font-size="12" fill="#1d2530">%s</text>`, top+15, name)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="12" rx="3" fill="#edf0f4"/>`, labelW, top+5, barW)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="12" rx="3" fill="#2457c5"><title>%s: %d</title></rect>`,
			labelW, top+5, length, name, it.Count)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" font-size="12" fill="#1d2530">%d</text>`, w, top+15, it.Count)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped
}

// label turns a snake_case name into words: "quote_request" is "quote
// request".
func label(name string) string { return strings.ReplaceAll(name, "_", " ") }
