package routing

import (
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"sync"
)

// Example is one labelled mail the model learns from.
type Example struct {
	Subject  string   `json:"subject,omitempty"`
	Text     string   `json:"text"`
	Category Category `json:"category"`
	// Weight scales how much the example counts; 0 means 1. A decision a
	// human made in triage can count more than a written example.
	Weight float64 `json:"weight,omitempty"`
}

// TrainOptions tune training. The zero value gives the defaults chosen by
// cross-validation on the embedded example set (see TestCrossValidation).
type TrainOptions struct {
	Features FeatureOptions
	// Epochs over the data (default 20).
	Epochs int
	// Lambda is the L2 regularisation strength (default 1e-4).
	Lambda float64
	// LearningRate is the initial SGD step (default 0.5).
	LearningRate float64
	// Seed makes the example order, and so the model, reproducible.
	Seed uint64
	// CalibrationFolds, when at least 2, fits the softmax temperature on
	// out-of-fold predictions so that confidences are calibrated
	// probabilities; it costs that many extra trainings. 0 keeps 1.0, or
	// the default temperature below.
	CalibrationFolds int
	// Temperature divides the logits when CalibrationFolds is 0
	// (default 1).
	Temperature float64
	// TargetPrecision is the share of automatically routed mails that
	// must be right on the calibration predictions; the model's
	// [Model.Threshold] is the lowest confidence that reaches it (default
	// 0.95: out-of-fold predictions are on text written like the training
	// set, and unseen text is harder, so the margin keeps unseen text
	// above 0.90).
	TargetPrecision float64
}

func (o TrainOptions) withDefaults() TrainOptions {
	o.Features = o.Features.withDefaults()
	if o.Epochs <= 0 {
		o.Epochs = 20
	}
	if o.Lambda <= 0 {
		o.Lambda = 1e-4
	}
	if o.LearningRate <= 0 {
		o.LearningRate = 0.5
	}
	if o.Temperature <= 0 {
		o.Temperature = 1
	}
	if o.TargetPrecision <= 0 || o.TargetPrecision > 1 {
		o.TargetPrecision = 0.95
	}
	return o
}

// Model is a trained classifier: multinomial logistic regression over
// hashed word and character n-grams. A Model is immutable after training
// and safe for concurrent use.
type Model struct {
	features    FeatureOptions
	w           []float32 // weight of feature i for category c at i*numCategories+c
	b           [numCategories]float32
	temperature float64
	threshold   float64
}

// Score is the probability the model gives one category.
type Score struct {
	Category    Category `json:"category"`
	Probability float64  `json:"probability"`
}

// Prediction is the model's answer for one mail.
type Prediction struct {
	Category Category `json:"category"`
	// Confidence is the probability of Category, in [0, 1].
	Confidence float64 `json:"confidence"`
	// Scores holds every category's probability, highest first.
	Scores []Score `json:"scores,omitempty"`
}

var featurePool = sync.Pool{New: func() any { return new(features) }}

// Classify predicts the category of a mail from its subject and the new
// part of its body, as the router reads it (mailparse's new text, with a
// forwarded mail under a short note); it does not strip quotes or
// signatures itself.
func (m *Model) Classify(subject, newText string) Prediction {
	f := featurePool.Get().(*features)
	f.extract(m.features, subject, newText)
	var p [numCategories]float64
	m.logits(f, &p)
	featurePool.Put(f)
	softmax(&p, m.temperature)

	pred := Prediction{Scores: make([]Score, numCategories)}
	for i, c := range categories {
		pred.Scores[i] = Score{Category: c, Probability: p[i]}
	}
	sort.SliceStable(pred.Scores, func(i, j int) bool {
		return pred.Scores[i].Probability > pred.Scores[j].Probability
	})
	pred.Category = pred.Scores[0].Category
	pred.Confidence = pred.Scores[0].Probability
	return pred
}

func (m *Model) logits(f *features, out *[numCategories]float64) {
	var acc [numCategories]float32
	start := 0
	for g := range numGroups {
		var ga [numCategories]float32
		for _, i := range f.idx[start:f.end[g]] {
			row := m.w[int(i)*numCategories : int(i)*numCategories+numCategories]
			for c := range numCategories {
				ga[c] += row[c]
			}
		}
		for c := range numCategories {
			acc[c] += ga[c] * f.val[g]
		}
		start = f.end[g]
	}
	for c := range numCategories {
		out[c] = float64(acc[c] + m.b[c])
	}
}

// softmax turns logits into probabilities in place.
func softmax(p *[numCategories]float64, temperature float64) {
	hi := math.Inf(-1)
	for _, v := range p {
		hi = max(hi, v)
	}
	sum := 0.0
	for c := range p {
		p[c] = math.Exp((p[c] - hi) / temperature)
		sum += p[c]
	}
	for c := range p {
		p[c] /= sum
	}
}

// encoded is one training example as features.
type encoded struct {
	idx    []uint32
	end    [numGroups]int
	val    [numGroups]float32
	label  int
	weight float32
}

func encode(fo FeatureOptions, examples []Example) []encoded {
	out := make([]encoded, 0, len(examples))
	var f features
	for _, ex := range examples {
		c := ex.Category.index()
		if c < 0 {
			continue
		}
		f.extract(fo, ex.Subject, TextInput(ex.Subject, ex.Text).words())
		w := ex.Weight
		if w <= 0 {
			w = 1
		}
		out = append(out, encoded{
			idx:    append([]uint32(nil), f.idx...),
			end:    f.end,
			val:    f.val,
			label:  c,
			weight: float32(w),
		})
	}
	return out
}

// Train fits a model to the examples. Examples with an unknown category
// are ignored. Training is deterministic for a given Seed.
func Train(examples []Example, o TrainOptions) *Model {
	o = o.withDefaults()
	data := encode(o.Features, examples)
	m := train(data, o)
	if o.CalibrationFolds >= 2 && len(data) >= 2*o.CalibrationFolds {
		m.temperature, m.threshold = calibrate(data, o)
	}
	return m
}

// train runs SGD on the multinomial log loss with L2 regularisation, using
// the scaled-weights trick (w = scale * v) so that decay costs O(1) a step.
//
// It is not instrumented by the race detector (go:norace): it reads its
// examples and writes only the model it allocates, on one goroutine, and
// under -race its inner loops cost about 10 s of CPU per training of the
// default model (six trainings with the calibration folds), paid by
// every test binary that builds a classifier. Callers, and the model once
// returned, are still checked.
//
//go:norace
func train(data []encoded, o TrainOptions) *Model {
	dim := 1 << o.Features.Bits
	m := &Model{
		features:    o.Features,
		w:           make([]float32, dim*numCategories),
		temperature: o.Temperature,
	}
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5a1e5de5))
	scale := 1.0
	lambda := o.Lambda
	t := 0.0
	var bias [numCategories]float64
	for range o.Epochs {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, k := range order {
			ex := &data[k]
			eta := o.LearningRate / (1 + o.LearningRate*lambda*t)
			t++

			var z [numCategories]float64
			start := 0
			for g := range numGroups {
				var ga [numCategories]float32
				for _, i := range ex.idx[start:ex.end[g]] {
					row := m.w[int(i)*numCategories : int(i)*numCategories+numCategories]
					for c := range numCategories {
						ga[c] += row[c]
					}
				}
				for c := range numCategories {
					z[c] += float64(ga[c]*ex.val[g]) * scale
				}
				start = ex.end[g]
			}
			for c := range numCategories {
				z[c] += bias[c]
			}
			softmax(&z, 1)
			var grad [numCategories]float32
			for c := range numCategories {
				y := 0.0
				if c == ex.label {
					y = 1
				}
				g := (z[c] - y) * float64(ex.weight)
				bias[c] -= eta * g
				grad[c] = float32(g)
			}
			scale *= 1 - eta*lambda
			start = 0
			for g := range numGroups {
				step := float32(eta/scale) * ex.val[g]
				var d [numCategories]float32
				for c := range numCategories {
					d[c] = step * grad[c]
				}
				for _, i := range ex.idx[start:ex.end[g]] {
					row := m.w[int(i)*numCategories : int(i)*numCategories+numCategories]
					for c := range numCategories {
						row[c] -= d[c]
					}
				}
				start = ex.end[g]
			}
			if scale < 1e-3 {
				for i := range m.w {
					m.w[i] *= float32(scale)
				}
				scale = 1
			}
		}
	}
	for i := range m.w {
		m.w[i] *= float32(scale)
	}
	for c := range numCategories {
		m.b[c] = float32(bias[c])
	}
	return m
}

// folds splits data into k folds deterministically (round robin after a
// seeded shuffle) and returns, for each fold, the indices held out.
func folds(n, k int, seed uint64) [][]int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(seed, 0xf01d))
	rng.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	out := make([][]int, k)
	for i, j := range order {
		out[i%k] = append(out[i%k], j)
	}
	return out
}

// outOfFold returns the logits of every example from a model that did not
// train on it.
func outOfFold(data []encoded, o TrainOptions, k int) [][numCategories]float64 {
	logits := make([][numCategories]float64, len(data))
	for _, held := range folds(len(data), k, o.Seed) {
		isHeld := make(map[int]bool, len(held))
		for _, i := range held {
			isHeld[i] = true
		}
		train_ := make([]encoded, 0, len(data)-len(held))
		for i := range data {
			if !isHeld[i] {
				train_ = append(train_, data[i])
			}
		}
		m := train(train_, o)
		for _, i := range held {
			d := &data[i]
			f := features{idx: d.idx, end: d.end, val: d.val}
			m.logits(&f, &logits[i])
		}
	}
	return logits
}

// calibrate picks the softmax temperature that minimises the log loss of
// out-of-fold predictions, and then the threshold: the lowest confidence
// at which the calibrated out-of-fold predictions at or above it are right
// at least o.TargetPrecision of the time.
func calibrate(data []encoded, o TrainOptions) (temperature, threshold float64) {
	logits := outOfFold(data, o, o.CalibrationFolds)
	best, bestLoss := 1.0, math.Inf(1)
	for t := 0.2; t <= 3.0001; t += 0.05 {
		loss := 0.0
		for i, l := range logits {
			p := l
			softmax(&p, t)
			loss -= math.Log(max(p[data[i].label], 1e-12))
		}
		if loss < bestLoss {
			best, bestLoss = t, loss
		}
	}
	points := make([]CurvePoint, 0, len(logits))
	for i, l := range logits {
		p := l
		softmax(&p, best)
		top := 0
		for c := range numCategories {
			if p[c] > p[top] {
				top = c
			}
		}
		points = append(points, CurvePoint{Confidence: p[top], Right: top == data[i].label})
	}
	return best, ChooseThreshold(points, o.TargetPrecision)
}

// CrossValidate trains k models, each without one fold of the examples,
// and returns the accuracy on the held-out folds. It is how the default
// TrainOptions were chosen without looking at the held-out split.
func CrossValidate(examples []Example, o TrainOptions, k int) float64 {
	o = o.withDefaults()
	data := encode(o.Features, examples)
	if len(data) == 0 || k < 2 {
		return 0
	}
	logits := outOfFold(data, o, k)
	right := 0
	for i, l := range logits {
		best := 0
		for c := range numCategories {
			if l[c] > l[best] {
				best = c
			}
		}
		if best == data[i].label {
			right++
		}
	}
	return float64(right) / float64(len(data))
}

// modelFile is the saved form of a Model.
type modelFile struct {
	Version     int
	Features    FeatureOptions
	Categories  []Category
	Weights     []float32
	Bias        []float32
	Temperature float64
}

const modelVersion = 1

// Save writes the model in a binary form that [Load] reads.
func (m *Model) Save(w io.Writer) error {
	mf := modelFile{
		Version:     modelVersion,
		Features:    m.features,
		Categories:  categories[:],
		Weights:     m.w,
		Bias:        m.b[:],
		Temperature: m.temperature,
	}
	if err := gob.NewEncoder(w).Encode(&mf); err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	return nil
}

// ErrModelFormat means a saved model cannot be used by this version.
var ErrModelFormat = errors.New("routing: incompatible model file")

// Load reads a model written by [Model.Save].
func Load(r io.Reader) (*Model, error) {
	var mf modelFile
	if err := gob.NewDecoder(r).Decode(&mf); err != nil {
		return nil, fmt.Errorf("decode model: %w", err)
	}
	if mf.Version != modelVersion {
		return nil, fmt.Errorf("%w: version %d", ErrModelFormat, mf.Version)
	}
	if len(mf.Categories) != numCategories {
		return nil, fmt.Errorf("%w: %d categories", ErrModelFormat, len(mf.Categories))
	}
	for i, c := range mf.Categories {
		if c != categories[i] {
			return nil, fmt.Errorf("%w: category %d is %q", ErrModelFormat, i, c)
		}
	}
	fo := mf.Features
	if fo.Bits < 1 || fo.Bits > 26 || len(mf.Weights) != (1<<fo.Bits)*numCategories || len(mf.Bias) != numCategories {
		return nil, fmt.Errorf("%w: weights do not match %d bits", ErrModelFormat, fo.Bits)
	}
	if !(mf.Temperature > 0) {
		return nil, fmt.Errorf("%w: temperature %v", ErrModelFormat, mf.Temperature)
	}
	for _, ws := range [][]float32{mf.Weights, mf.Bias} {
		for _, v := range ws {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%w: weight is not finite", ErrModelFormat)
			}
		}
	}
	m := &Model{features: fo, w: mf.Weights, temperature: mf.Temperature}
	copy(m.b[:], mf.Bias)
	return m, nil
}

// Threshold is the confidence at or above which the model's answer may be
// routed without a human, chosen at training time from calibrated
// out-of-fold predictions; 0.5 for a model trained without calibration.
func (m *Model) Threshold() float64 {
	if m.threshold <= 0 {
		return 0.5
	}
	return m.threshold
}
