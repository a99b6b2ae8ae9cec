package routing

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// CurvePoint is one prediction as the coverage/accuracy curve sees it: how
// sure the model was and whether it was right.
type CurvePoint struct {
	Confidence float64
	Right      bool
}

// thresholdStep is the grid thresholds are chosen from and the curve is
// printed on: a threshold that needs more digits than this claims a
// precision the data cannot give.
const thresholdStep = 0.05

// ChooseThreshold returns the lowest threshold on a grid of 0.05 at which
// the points with at least that confidence are right at least target of
// the time, or 0.95 when none reaches it.
func ChooseThreshold(points []CurvePoint, target float64) float64 {
	for i := 0; i <= 19; i++ {
		t := float64(i) * thresholdStep
		routed, right := countAbove(points, t)
		if routed > 0 && float64(right)/float64(routed) >= target {
			return t
		}
	}
	return 0.95
}

func countAbove(points []CurvePoint, t float64) (routed, right int) {
	for _, p := range points {
		if p.Confidence >= t-1e-9 {
			routed++
			if p.Right {
				right++
			}
		}
	}
	return routed, right
}

// CurveRow is the coverage/accuracy curve at one threshold.
type CurveRow struct {
	Threshold float64
	// Coverage is the share of mails routed automatically (confidence at
	// or above Threshold); Accuracy the share of those that are right.
	Coverage, Accuracy float64
}

// Curve returns coverage and accuracy at thresholds 0, 0.05, ... 0.95 and
// at extra thresholds (the router's, for one).
func Curve(points []CurvePoint, extra ...float64) []CurveRow {
	var ts []float64
	for i := 0; i <= 19; i++ {
		ts = append(ts, float64(i)*thresholdStep)
	}
	for _, t := range extra {
		if !slices.ContainsFunc(ts, func(v float64) bool { return v > t-1e-9 && v < t+1e-9 }) {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	rows := make([]CurveRow, 0, len(ts))
	for _, t := range ts {
		routed, right := countAbove(points, t)
		r := CurveRow{Threshold: t}
		if len(points) > 0 {
			r.Coverage = float64(routed) / float64(len(points))
		}
		if routed > 0 {
			r.Accuracy = float64(right) / float64(routed)
		}
		rows = append(rows, r)
	}
	return rows
}

// WriteCurve writes the coverage/accuracy curve as a table, marking the
// row of threshold mark.
func WriteCurve(w io.Writer, points []CurvePoint, mark float64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "threshold\tcoverage\taccuracy of routed\t\t")
	for _, r := range Curve(points, mark) {
		note := ""
		if r.Threshold > mark-1e-9 && r.Threshold < mark+1e-9 {
			note = "<- threshold"
		}
		fmt.Fprintf(tw, "%.2f\t%.3f\t%.3f\t%s\t\n", r.Threshold, r.Coverage, r.Accuracy, note)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write curve: %w", err)
	}
	return nil
}
