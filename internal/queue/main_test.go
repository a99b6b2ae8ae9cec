package queue

import (
	"testing"

	"go.uber.org/goleak"
)

// The shutdown tests start and stop asynq servers; every goroutine they
// start must be gone afterwards.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
