package score

import (
	"math"
	"math/rand/v2"
	"testing"
)

// history generates n closed leads whose other features are noise and
// whose outcome is driven by the account's open orders alone.
func history(r *rand.Rand, n int) []Example {
	out := make([]Example, n)
	for i := range out {
		in := Input{
			Subject:      "Inquiry",
			Category:     []string{"quote_request", "meeting_request", "other"}[r.IntN(3)],
			PastOrders:   r.IntN(20),
			RevenueCents: r.Int64N(10_000_000),
			OpenOrders:   r.IntN(6),
			Replies:      r.IntN(4),
			MeetingsSet:  r.IntN(3),
		}
		if r.IntN(2) == 0 {
			in.Text = "We need 500 units, urgent, what is your price?"
		}
		p := 1 / (1 + math.Exp(-(-3 + 1.3*float64(in.OpenOrders))))
		out[i] = Example{X: Features(in), Won: r.Float64() < p}
	}
	return out
}

func TestTrainLearnsTheDrivingFactor(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	train, held := history(r, 400), history(r, 300)
	m := Train(train)
	if !m.Learned() {
		t.Fatalf("model not learned from %d examples", len(train))
	}
	scores, won := make([]float64, len(held)), make([]bool, len(held))
	priorScores := make([]float64, len(held))
	for i, e := range held {
		scores[i], won[i] = float64(m.Score(e.X).Score), e.Won
		priorScores[i] = float64(Prior().Score(e.X).Score)
	}
	auc, priorAUC := AUC(scores, won), AUC(priorScores, won)
	t.Logf("held-out AUC: learned %.3f, prior %.3f (%d leads, %d won in training)", auc, priorAUC, m.Examples, m.Won)
	if auc < 0.8 {
		t.Errorf("learned AUC %.3f, want >= 0.8", auc)
	}
	if auc <= priorAUC {
		t.Errorf("learned AUC %.3f not above the prior's %.3f", auc, priorAUC)
	}
	for _, name := range Names {
		if name != FeatOpenOrders && math.Abs(m.Weights[name]) >= m.Weights[FeatOpenOrders] {
			t.Errorf("weight of %s %.2f >= open_orders %.2f", name, m.Weights[name], m.Weights[FeatOpenOrders])
		}
	}
	// A won lead with many open orders is explained by them first.
	res := m.Score(Features(Input{Subject: "Inquiry", OpenOrders: 5, PastOrders: 3}))
	if len(res.Factors) == 0 || res.Factors[0].Name != FeatOpenOrders {
		t.Fatalf("factors %+v, want open_orders first", res.Factors)
	}
	if got, want := res.Factors[0].Label, "account has 5 open orders"; got != want {
		t.Errorf("label %q, want %q", got, want)
	}
	t.Logf("score %d, factors %+v", res.Score, res.Factors)
}

func TestTrainKeepsPriorWithoutEnoughHistory(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	m := Train(history(r, MinExamples-1))
	if m.Learned() {
		t.Fatalf("learned from %d examples, want the prior", MinExamples-1)
	}
	got := m.Score(Features(Input{Subject: "Meeting?", Text: "Urgent: 200 pcs, budget 5000 EUR", Category: "meeting_request"}))
	plain := m.Score(Features(Input{Subject: "Hello"}))
	if got.Score <= plain.Score {
		t.Errorf("prior: urgent meeting request with budget %d <= empty lead %d", got.Score, plain.Score)
	}
	if len(got.Factors) != 3 {
		t.Errorf("factors %+v, want 3", got.Factors)
	}
}

func TestFeatures(t *testing.T) {
	tests := []struct {
		name, text string
		want       map[string]float64
	}{
		{"quantity", "Please quote 1,000 pcs and 20 boxes", map[string]float64{FeatQuantity: 3.0004, FeatBudget: 1}},
		{"urgency", "We need it ASAP", map[string]float64{FeatUrgency: 1}},
		{"nothing", "Hello, who are you?", map[string]float64{}},
		{"money", "Our budget is €4000", map[string]float64{FeatBudget: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Features(Input{Text: tt.text})
			for i, n := range Names {
				if math.Abs(v[i]-tt.want[n]) > 0.001 {
					t.Errorf("%s = %.4f, want %.4f", n, v[i], tt.want[n])
				}
			}
		})
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := Train(history(rand.New(rand.NewPCG(3, 3)), 100))
	b, err := m.MarshalText()
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	v := Features(Input{OpenOrders: 2, Text: "50 units"})
	if a, b := m.Score(v), got.Score(v); a.Score != b.Score {
		t.Errorf("decoded model scores %d, original %d", b.Score, a.Score)
	}
}

func TestAUCAndCalibration(t *testing.T) {
	if got := AUC([]float64{1, 2, 3, 4}, []bool{false, false, true, true}); got != 1 {
		t.Errorf("AUC separated = %v, want 1", got)
	}
	if got := AUC([]float64{1, 1}, []bool{false, true}); got != 0.5 {
		t.Errorf("AUC tie = %v, want 0.5", got)
	}
	bands := Calibration([]int{5, 25, 95, 100, 81}, []bool{false, true, true, false, true})
	if bands[4].Closed != 3 || bands[4].Won != 2 || bands[0].Closed != 1 || bands[1].Won != 1 {
		t.Errorf("bands %+v", bands)
	}
}
