package routing

import (
	"math"
	"testing"
	"time"

	"salesdesk/internal/entity"
)

func FuzzClassify(f *testing.F) {
	f.Add("Order SO-48213", "where is my order?")
	f.Add("", "")
	f.Add("Re: Re: AW:", "> quoted only\n> more")
	f.Add("\xff\xfe", "caf\xc3\xa9 \xe2\x82\xac 1.200,00 !!! ??? 3pm-4pm next Tuesday 31/02/2025")
	f.Add("x", "-- \n")
	m := testModel()
	now := time.Date(2025, 3, 12, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, subject, body string) {
		p := m.Classify(subject, body)
		if !p.Category.Valid() {
			t.Fatalf("invalid category %q", p.Category)
		}
		if !(p.Confidence >= 0 && p.Confidence <= 1) || math.IsNaN(p.Confidence) {
			t.Fatalf("confidence %v outside [0,1]", p.Confidence)
		}
		sum := 0.0
		for _, s := range p.Scores {
			sum += s.Probability
		}
		if math.Abs(sum-1) > 1e-6 {
			t.Fatalf("scores sum to %v", sum)
		}
		e := entity.ExtractText(subject, body, entity.Options{Now: now})
		for _, ts := range e.RequestedTimes {
			if !ts.End.IsZero() && ts.End.Before(ts.Start) {
				t.Fatalf("span ends before it starts: %+v", ts)
			}
		}
	})
}

// BenchmarkClassify measures classifications per second of typical mails.
func BenchmarkClassify(b *testing.B) {
	m := testModel()
	ex := DefaultExamples()
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		e := ex[i%len(ex)]
		m.Classify(e.Subject, e.Text)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "classifications/s")
}

// BenchmarkTrain measures training the default model (with calibration)
// on the training split.
func BenchmarkTrain(b *testing.B) {
	ex := DefaultTrainingExamples()
	b.ReportAllocs()
	for b.Loop() {
		Train(ex, DefaultTrainOptions())
	}
	b.ReportMetric(float64(len(ex)), "examples")
}

// BenchmarkTrainUncalibrated measures one training run without calibration.
func BenchmarkTrainUncalibrated(b *testing.B) {
	ex := DefaultTrainingExamples()
	b.ReportAllocs()
	for b.Loop() {
		Train(ex, TrainOptions{})
	}
}
