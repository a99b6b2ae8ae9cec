package score

import (
	"cmp"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Model is a logistic model over [Names]: P(won) = σ(Bias + Σ Weights·(x − Means)).
// Means centre the features, so a factor's contribution says how much this
// lead differs from the typical one the model learned from.
type Model struct {
	Bias    float64            `json:"bias"`
	Weights map[string]float64 `json:"weights"`
	Means   map[string]float64 `json:"means"`
	// Examples and Won count the closed leads it learned from; 0 for the
	// prior.
	Examples int `json:"examples"`
	Won      int `json:"won"`
}

// Prior is the model used before the team has enough history: sensible
// hand-set weights (engagement and meetings weigh most, then budget,
// urgency and an existing account) around a base rate of about one win
// in four, centred on a lead that says and has nothing.
func Prior() *Model {
	return &Model{
		Bias: -1.1,
		Weights: map[string]float64{
			FeatQuantity: 0.3, FeatBudget: 0.5, FeatUrgency: 0.4, FeatQuote: 0.3, FeatMeeting: 0.5,
			FeatPastOrders: 0.3, FeatRevenue: 0.1, FeatOpenOrders: 0.1, FeatReplies: 0.3, FeatMeetingsSet: 0.7,
		},
		Means: map[string]float64{},
	}
}

// Learned reports whether m was trained on history rather than the prior.
func (m *Model) Learned() bool { return m.Examples > 0 }

// Factor is one feature's part in a score.
type Factor struct {
	Name         string  `json:"name"`         // one of Names
	Label        string  `json:"label"`        // for a rep: "asks for 500 units"
	Contribution float64 `json:"contribution"` // in log-odds; positive raises the score
}

// Result is a lead's score and its top three factors, largest effect first.
type Result struct {
	Score   int      `json:"score"` // 0..100, the model's win probability in percent
	Factors []Factor `json:"factors"`
}

// Score rates v.
func (m *Model) Score(v Vector) Result {
	z := m.Bias
	factors := make([]Factor, 0, len(Names))
	for i, name := range Names {
		c := m.Weights[name] * (v[i] - m.Means[name])
		z += c
		if math.Abs(c) >= 0.01 {
			factors = append(factors, Factor{Name: name, Label: label(name, v[i], c > 0), Contribution: round2(c)})
		}
	}
	slices.SortStableFunc(factors, func(a, b Factor) int { return cmp.Compare(math.Abs(b.Contribution), math.Abs(a.Contribution)) })
	if len(factors) > 3 {
		factors = factors[:3]
	}
	return Result{Score: int(math.Round(100 * sigmoid(z))), Factors: factors}
}

// label says in words what feature name with value x means for a lead;
// up tells whether it raised the score.
func label(name string, x float64, up bool) string {
	switch name {
	case FeatQuantity:
		if x == 0 {
			return "names no quantity"
		}
		return fmt.Sprintf("asks for about %d units", int64(math.Round(math.Pow(10, x)-1)))
	case FeatBudget:
		return yesNo(x, "speaks of price or budget", "says nothing of price or budget")
	case FeatUrgency:
		return yesNo(x, "is urgent", "is not urgent")
	case FeatQuote:
		return yesNo(x, "asks for a quote", "is not a quote request")
	case FeatMeeting:
		return yesNo(x, "asks for a meeting", "is not a meeting request")
	case FeatPastOrders:
		n := int(math.Round(math.Exp2(x) - 1))
		if n == 0 {
			return "account has no earlier orders"
		}
		return fmt.Sprintf("account has %d earlier orders", n)
	case FeatRevenue:
		if x == 0 {
			return "account has no earlier revenue"
		}
		if up {
			return "account's earlier revenue is high"
		}
		return "account's earlier revenue is low"
	case FeatOpenOrders:
		return count(int(x), "open order", "account has")
	case FeatReplies:
		return count(int(x), "reply", "customer sent")
	case FeatMeetingsSet:
		return count(int(x), "meeting booked", "")
	}
	return name
}

func yesNo(x float64, yes, no string) string {
	if x > 0 {
		return yes
	}
	return no
}

func count(n int, what, prefix string) string {
	s := fmt.Sprintf("%d %s", n, what)
	switch {
	case n == 0:
		s = "no " + what
	case n > 1 && what == "reply":
		s = fmt.Sprintf("%d replies", n)
	case n > 1:
		s += "s"
	}
	if prefix != "" {
		s = prefix + " " + s
	}
	return s
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// MarshalText stores a model as JSON.
func (m *Model) MarshalText() ([]byte, error) {
	type plain Model
	return json.Marshal((*plain)(m))
}

// Decode reads a model stored by MarshalText; features it does not know
// take the prior's weight and a zero mean.
func Decode(b []byte) (*Model, error) {
	m := &Model{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("score: decode model: %w", err)
	}
	p := Prior()
	if m.Weights == nil {
		m.Weights = map[string]float64{}
	}
	if m.Means == nil {
		m.Means = map[string]float64{}
	}
	for _, n := range Names {
		if _, ok := m.Weights[n]; !ok {
			m.Weights[n] = p.Weights[n]
		}
	}
	return m, nil
}
