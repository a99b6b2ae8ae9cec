package routing

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"salesdesk/internal/entity"
)

// testModel is trained once per test binary on the training split.
var testModel = sync.OnceValue(func() *Model {
	return Train(DefaultTrainingExamples(), TrainOptions{})
})

// testClassifier is DefaultClassifier(nil), the shipped model with its
// calibration, trained once per test binary; tests must not Reload it.
var testClassifier = sync.OnceValue(func() *Classifier { return DefaultClassifier(nil) })

func TestRouterRuleWins(t *testing.T) {
	r, err := NewRouter(RouterOptions{
		Rules:      []Rule{{Name: "vip", SenderDomain: "bigco.com", Category: QuoteRequest, Assignee: "rep-7", Priority: entity.PriorityHigh}},
		Classifier: testModel(),
	})
	if err != nil {
		t.Fatal(err)
	}
	d := r.Route(Input{From: "Ann <ann@bigco.com>", Subject: "Invoice", NewText: "Please resend invoice 2025-0311."})
	if d.Category != QuoteRequest || d.Confidence != 1 || d.Rule != "vip" || d.Assignee != "rep-7" || d.Priority != entity.PriorityHigh || d.Triage {
		t.Errorf("Route = %+v, want the vip rule's decision", d)
	}
}

func TestRouterModel(t *testing.T) {
	now := time.Date(2025, 3, 12, 9, 0, 0, 0, time.UTC)
	r, err := NewRouter(RouterOptions{Classifier: testModel(), MinConfidence: 0.3, Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   Input
		want Category
	}{
		{name: "status", in: Input{Subject: "Order 55120", NewText: "Hi, where is my order 55120? It should have arrived on Monday."}, want: OrderStatus},
		{name: "cancel", in: Input{NewText: "Please cancel my order 4471, we ordered by mistake."}, want: OrderChange},
		{name: "invoice", in: Input{NewText: "Hi, where is my invoice for the last delivery? Accounting needs it."}, want: Billing},
		{name: "unsubscribe", in: Input{NewText: "stop emailing me"}, want: Unsubscribe},
		{name: "meeting", in: Input{NewText: "Can we meet next Tuesday at 3pm to discuss the project?"}, want: MeetingRequest},
		{name: "quoted history ignored", in: Input{Text: "Please take me off your mailing list.\n\nOn Mon, 3 Mar 2025 at 09:12, Sales <s@x.example> wrote:\n> Your order 4471 has shipped, tracking below.\n> Where is my order? Invoice attached."}, want: Unsubscribe},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := r.Route(tt.in)
			if d.Category != tt.want {
				t.Errorf("Category = %s (%.2f), want %s", d.Category, d.Confidence, tt.want)
			}
			if d.Rule != "" || d.Confidence <= 0 || d.Confidence > 1 {
				t.Errorf("Decision = %+v", d)
			}
			if d.Triage != (d.Confidence < 0.3) {
				t.Errorf("Triage = %v at confidence %.2f", d.Triage, d.Confidence)
			}
		})
	}
	d := r.Route(Input{NewText: "Could we meet next Tuesday at 3pm?"})
	if len(d.Entities.RequestedTimes) != 1 || !d.Entities.RequestedTimes[0].Start.Equal(time.Date(2025, 3, 18, 15, 0, 0, 0, time.UTC)) {
		t.Errorf("RequestedTimes = %+v, want next Tuesday 15:00 from the clock", d.Entities.RequestedTimes)
	}
}

func TestRouterNeedsClassifier(t *testing.T) {
	if _, err := NewRouter(RouterOptions{}); err != ErrNoClassifier {
		t.Errorf("NewRouter = %v, want ErrNoClassifier", err)
	}
}

func TestTriageBelowMinConfidence(t *testing.T) {
	r, err := NewRouter(RouterOptions{Classifier: testModel(), MinConfidence: 0.999})
	if err != nil {
		t.Fatal(err)
	}
	if d := r.Route(Input{NewText: "hello there"}); !d.Triage {
		t.Errorf("Triage = false at confidence %.3f with MinConfidence 0.999", d.Confidence)
	}
}

func TestModelSaveLoad(t *testing.T) {
	m := testModel()
	var buf bytes.Buffer
	if err := m.Save(&buf); err != nil {
		t.Fatal(err)
	}
	m2, err := Load(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range DefaultExamples()[:50] {
		p1, p2 := m.Classify(ex.Subject, ex.Text), m2.Classify(ex.Subject, ex.Text)
		if p1.Category != p2.Category || p1.Confidence != p2.Confidence {
			t.Fatalf("loaded model predicts %v, saved one %v", p2, p1)
		}
	}
	if _, err := Load(bytes.NewReader([]byte("not a model"))); err == nil {
		t.Error("Load of garbage succeeded")
	}
}

func TestTrainDeterministic(t *testing.T) {
	ex := DefaultTrainingExamples()[:200]
	a, b := Train(ex, TrainOptions{Seed: 3}), Train(ex, TrainOptions{Seed: 3})
	for i := range a.w {
		if a.w[i] != b.w[i] {
			t.Fatalf("weight %d differs between two trainings with one seed", i)
		}
	}
}

func TestClassifierReload(t *testing.T) {
	base := DefaultTrainingExamples()
	c := NewClassifier(testModel(), base, TrainOptions{})
	// A made-up phrase the base set never labels: humans teach it.
	const subject, text = "", "zorblax frobnicate quantum widget"
	before := c.Model()

	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				p := c.Classify(subject, text)
				if !p.Category.Valid() {
					t.Errorf("invalid category %q during reload", p.Category)
					return
				}
			}
		})
	}
	var extra []Example
	for range 8 {
		extra = append(extra, Example{Text: text, Category: Unsubscribe, Weight: 2})
	}
	err := c.Reload(extra)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if c.Model() == before {
		t.Fatal("Reload did not swap the model")
	}
	if p := c.Classify(subject, text); p.Category != Unsubscribe {
		t.Errorf("after Reload with human labels: %s (%.2f), want unsubscribe", p.Category, p.Confidence)
	}
	if err := NewClassifier(testModel(), nil, TrainOptions{}).Reload(nil); err != ErrNoExamples {
		t.Errorf("Reload with nothing = %v, want ErrNoExamples", err)
	}
}

func TestExamplesWellFormed(t *testing.T) {
	all := DefaultExamples()
	count := map[Category]int{}
	seen := map[string]bool{}
	for _, ex := range all {
		count[ex.Category]++
		if seen[ex.Text] {
			t.Errorf("duplicate example text %q", ex.Text)
		}
		seen[ex.Text] = true
	}
	for _, c := range Categories() {
		if count[c] < 70 {
			t.Errorf("%s has %d examples, want at least 70", c, count[c])
		}
	}
	train, held := Split(all)
	if len(train)+len(held) != len(all) {
		t.Fatal("split lost examples")
	}
	heldCount := map[Category]int{}
	for _, ex := range held {
		heldCount[ex.Category]++
	}
	for _, c := range Categories() {
		if want := (count[c] + 4) / 5; heldCount[c] != want {
			t.Errorf("%s: %d held out, want %d", c, heldCount[c], want)
		}
	}
	// The split does not depend on order.
	rev := make([]Example, len(all))
	for i := range all {
		rev[len(all)-1-i] = all[i]
	}
	_, held2 := Split(rev)
	if len(held2) != len(held) {
		t.Errorf("reversed input holds out %d, want %d", len(held2), len(held))
	}
}
