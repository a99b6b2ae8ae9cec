package main

import (
	"context"
	"io"
	"sync/atomic"
	"testing"
	"time"

	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// TestFollowExamplesRetrainsOnChange: a routing example stored by another
// process makes the worker retrain once, and only once.
func TestFollowExamplesRetrainsOnChange(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBCmd)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := newApp(ctx, testConfig(t, testenv.RedisAddr()), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()

	var reloads atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		a.followExamples(ctx, func(context.Context) error { reloads.Add(1); return nil }, 20*time.Millisecond)
	}()

	time.Sleep(100 * time.Millisecond) // several checks with nothing new
	if n := reloads.Load(); n != 0 {
		t.Fatalf("retrained %d times with no new example", n)
	}
	if _, err := a.store.AddRoutingExample(ctx, &store.RoutingExample{Text: "please cancel my order", Category: "order_change", Source: "label"}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 5*time.Second, func() bool { return reloads.Load() == 1 })
	time.Sleep(100 * time.Millisecond)
	if n := reloads.Load(); n != 1 {
		t.Errorf("retrained %d times for one new example, want 1", n)
	}
	cancel()
	<-done
}
