package routing

import (
	"strings"
	"testing"
)

// fixed predicts from a keyword, so the report's numbers are known.
type fixed struct{}

func (fixed) Classify(_, body string) Prediction {
	switch {
	case strings.Contains(body, "invoice"):
		return Prediction{Category: Billing, Confidence: 1}
	case strings.Contains(body, "where"):
		return Prediction{Category: OrderStatus, Confidence: 1}
	}
	return Prediction{Category: Other, Confidence: 1}
}

func TestEval(t *testing.T) {
	in := "text\tcategory\n" +
		"where is my order\torder_status\textra\tcolumns\n" +
		"where is my invoice\tbilling\n" + // predicted billing: "invoice" wins
		"resend the invoice\tBilling\n" +
		"where\\nis it\torder-status\n" +
		"hello\tother\n" +
		"please cancel\torder_change\n" +
		"\n" +
		"no tab here\n" +
		"where are you\tsales_pitch\n"
	var out strings.Builder
	e, err := Eval(&out, strings.NewReader(in), fixed{})
	if err != nil {
		t.Fatal(err)
	}
	report := out.String()
	lines := strings.Split(strings.TrimRight(report, "\n"), "\n")
	if last := lines[len(lines)-1]; last != "accuracy=0.714 n=7" {
		t.Errorf("last line = %q, want accuracy=0.714 n=7\n%s", last, report)
	}
	if e.Skipped != 1 {
		t.Errorf("Skipped = %d, want 1", e.Skipped)
	}
	if got := e.Recall(OrderChange); got != 0 {
		t.Errorf("recall(order_change) = %v, want 0", got)
	}
	if got := e.Precision(OrderStatus); got != 2.0/3 {
		t.Errorf("precision(order_status) = %v, want 2/3", got)
	}
	if got := e.Recall(Billing); got != 1 {
		t.Errorf("recall(billing) = %v, want 1", got)
	}
	for _, want := range []string{"confusion matrix", "precision", "recall", "sales_pitch", "order_change"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}
