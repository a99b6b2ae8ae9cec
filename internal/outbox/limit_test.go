package outbox

import (
	"testing"
	"time"
)

func TestFormatWindow(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{time.Hour, "1h"},
		{24 * time.Hour, "24h"},
		{15 * time.Minute, "15m"},
		{90 * time.Minute, "90m"},
		{90 * time.Second, "1m30s"},
	}
	for _, tc := range tests {
		if got := formatWindow(tc.d); got != tc.want {
			t.Errorf("formatWindow(%s) = %s, want %s", tc.d, got, tc.want)
		}
	}
}
