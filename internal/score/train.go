package score

import (
	"cmp"
	"math"
	"slices"
)

// Training needs at least this much history before it replaces the prior.
const (
	MinExamples = 30 // closed (won or lost) leads
	MinEach     = 5  // of each outcome
)

// Example is a closed lead: its features when it was scored and whether
// it was won.
type Example struct {
	X   Vector
	Won bool
}

// Enough reports whether examples are enough history to learn from.
func Enough(examples []Example) bool {
	won := 0
	for _, e := range examples {
		if e.Won {
			won++
		}
	}
	return len(examples) >= MinExamples && won >= MinEach && len(examples)-won >= MinEach
}

// Prior strength: the weights are pulled towards the prior's as if by
// this many leads, so a small history moves them a little and a large
// one decides.
const priorStrength = 10.0

// Train learns a model from examples, or returns the prior when there are
// not Enough of them. It fits a logistic regression by gradient descent
// on the mean log-loss plus an L2 pull towards the prior's weights.
func Train(examples []Example) *Model {
	prior := Prior()
	if !Enough(examples) {
		return prior
	}
	n, k := float64(len(examples)), len(Names)
	means := make([]float64, k)
	won := 0
	for _, e := range examples {
		for j := range k {
			means[j] += e.X[j] / n
		}
		if e.Won {
			won++
		}
	}
	// Start from the base rate and the prior's weights.
	rate := (float64(won) + 0.5) / (n + 1)
	bias := math.Log(rate / (1 - rate))
	w := make([]float64, k)
	w0 := make([]float64, k)
	for j, name := range Names {
		w[j], w0[j] = prior.Weights[name], prior.Weights[name]
	}
	lambda := priorStrength / n
	grad := make([]float64, k)
	const steps, rateLearn = 3000, 0.3
	for range steps {
		clear(grad)
		var gb float64
		for _, e := range examples {
			z := bias
			for j := range k {
				z += w[j] * (e.X[j] - means[j])
			}
			d := sigmoid(z)
			if e.Won {
				d--
			}
			gb += d / n
			for j := range k {
				grad[j] += d * (e.X[j] - means[j]) / n
			}
		}
		bias -= rateLearn * gb
		for j := range k {
			w[j] -= rateLearn * (grad[j] + lambda*(w[j]-w0[j]))
		}
	}
	m := &Model{Bias: bias, Weights: map[string]float64{}, Means: map[string]float64{}, Examples: len(examples), Won: won}
	for j, name := range Names {
		m.Weights[name], m.Means[name] = w[j], means[j]
	}
	return m
}

// AUC is the probability that a randomly chosen won lead scores above a
// randomly chosen lost one (ties count half); NaN without both outcomes.
func AUC(scores []float64, won []bool) float64 {
	type sw struct {
		s float64
		w bool
	}
	all := make([]sw, len(scores))
	var pos, neg float64
	for i := range scores {
		all[i] = sw{scores[i], won[i]}
		if won[i] {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	slices.SortFunc(all, func(a, b sw) int { return cmp.Compare(a.s, b.s) })
	// Mann–Whitney U with average ranks for ties.
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			j++
		}
		avg := float64(i+j+1) / 2 // ranks i+1..j
		for t := i; t < j; t++ {
			if all[t].w {
				rankSum += avg
			}
		}
		i = j
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// Band is the win rate of closed leads whose score fell in [Low, High].
type Band struct {
	Low, High int
	Closed    int
	Won       int
}

// Calibration groups closed leads into the score bands 0-19, 20-39,
// 40-59, 60-79 and 80-100: a good score wins more often in higher bands.
func Calibration(scores []int, won []bool) []Band {
	bands := []Band{{0, 19, 0, 0}, {20, 39, 0, 0}, {40, 59, 0, 0}, {60, 79, 0, 0}, {80, 100, 0, 0}}
	for i, s := range scores {
		b := &bands[min(max(s, 0)/20, 4)]
		b.Closed++
		if won[i] {
			b.Won++
		}
	}
	return bands
}
