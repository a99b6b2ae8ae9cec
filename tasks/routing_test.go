package tasks

import (
	"testing"
	"time"
)

// TestRetrainRunAt: labels in one window share one run at its end, so a
// burst of clicks is one routing:retrain task; the next window is another.
func TestRetrainRunAt(t *testing.T) {
	w := 10 * time.Second
	base := time.Date(2030, 1, 2, 9, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"window start", base, base.Add(w)},
		{"inside", base.Add(3 * time.Second), base.Add(w)},
		{"last instant", base.Add(w - time.Nanosecond), base.Add(w)},
		{"next window", base.Add(w), base.Add(2 * w)},
		{"other zone, same instant", base.Add(4 * time.Second).In(berlin), base.Add(w)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RetrainRunAt(tt.now, w); !got.Equal(tt.want) {
				t.Errorf("RetrainRunAt(%v) = %v, want %v", tt.now, got, tt.want)
			}
		})
	}
	if got := RetrainRunAt(base.Add(time.Second), 0); !got.Equal(base.Add(DefaultRetrainWindow)) {
		t.Errorf("default window: %v", got)
	}
	a, _ := NewRoutingRetrainTask(RoutingRetrainPayload{RunAt: RetrainRunAt(base.Add(time.Second), w)})
	b, _ := NewRoutingRetrainTask(RoutingRetrainPayload{RunAt: RetrainRunAt(base.Add(8*time.Second), w)})
	if string(a.Payload()) != string(b.Payload()) {
		t.Errorf("two labels in one window make different tasks: %s vs %s", a.Payload(), b.Payload())
	}
}
