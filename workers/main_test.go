package workers

import (
	"testing"

	"go.uber.org/goleak"
)

// The integration test runs a real asynq server; nothing may outlive it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
