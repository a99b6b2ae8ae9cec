package routing

import (
	"os"
	"testing"
)

// TestCrossValidation chooses hyperparameters on the training split only
// (5-fold), never looking at the held-out split. Set ROUTING_CV_GRID=1 to
// search the grid; by default it checks that the defaults cross-validate
// well.
func TestCrossValidation(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	train, _ := Split(DefaultExamples())
	def := CrossValidate(train, TrainOptions{}, 5)
	t.Logf("defaults: 5-fold accuracy %.3f", def)
	if def < 0.80 {
		t.Errorf("defaults cross-validate at %.3f < 0.80", def)
	}
	if os.Getenv("ROUTING_CV_GRID") == "" {
		return
	}
	for _, lambda := range []float64{1e-5, 3e-5, 1e-4, 3e-4, 1e-3} {
		for _, epochs := range []int{8, 15, 30} {
			for _, lr := range []float64{0.2, 0.5, 1} {
				o := TrainOptions{Lambda: lambda, Epochs: epochs, LearningRate: lr}
				t.Logf("lambda=%g epochs=%d lr=%g: %.3f", lambda, epochs, lr, CrossValidate(train, o, 5))
			}
		}
	}
}
