package lease_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"salesdesk/internal/lease"
	"salesdesk/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestAcquireRenewRelease(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBLease)
	ctx := context.Background()
	key := "lease:" + t.Name()

	a, err := lease.Acquire(ctx, rdb, key, time.Minute)
	if err != nil {
		t.Fatalf("acquire: %v", err)
	}
	if _, err := lease.Acquire(ctx, rdb, key, time.Minute); !errors.Is(err, lease.ErrHeld) {
		t.Fatalf("second acquire: got %v, want ErrHeld", err)
	}

	// Renew restores a full TTL.
	if err := rdb.PExpire(ctx, key, 2*time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	if err := a.Renew(ctx); err != nil {
		t.Fatalf("renew: %v", err)
	}
	if ttl := rdb.PTTL(ctx, key).Val(); ttl <= 2*time.Second {
		t.Fatalf("pttl after renew = %v, want > 2s", ttl)
	}

	if err := a.Release(ctx); err != nil {
		t.Fatalf("release: %v", err)
	}
	if err := a.Renew(ctx); !errors.Is(err, lease.ErrLost) {
		t.Fatalf("renew after release: got %v, want ErrLost", err)
	}
	b, err := lease.Acquire(ctx, rdb, key, time.Minute)
	if err != nil {
		t.Fatalf("acquire after release: %v", err)
	}

	// A stale holder can neither extend nor delete its successor's lease.
	if err := a.Release(ctx); !errors.Is(err, lease.ErrLost) {
		t.Fatalf("stale release: got %v, want ErrLost", err)
	}
	if err := b.Renew(ctx); err != nil {
		t.Fatalf("successor's lease was disturbed by the stale holder: %v", err)
	}
}

func TestHoldCancelsWhenLost(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBLease)
	ctx := context.Background()
	key := "lease:" + t.Name()

	started := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- lease.Hold(ctx, rdb, key, 300*time.Millisecond, func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	<-started
	// Someone else takes the key over (as after an expiry during a long pause).
	if err := rdb.Set(ctx, key, "intruder", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, lease.ErrLost) {
		t.Fatalf("Hold returned %v, want ErrLost", err)
	}
	if v := rdb.Get(ctx, key).Val(); v != "intruder" {
		t.Fatalf("key = %q after the loser stopped, want the new holder's token kept", v)
	}
}

func TestHoldWaitsAndReleases(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBLease)
	ctx := context.Background()
	key := "lease:" + t.Name()

	first, err := lease.Acquire(ctx, rdb, key, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ran := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- lease.Hold(ctx, rdb, key, time.Minute, func(ctx context.Context) error {
			close(ran)
			return nil
		})
	}()
	select {
	case <-ran:
		t.Fatal("Hold ran fn while another holder had the lease")
	case <-time.After(300 * time.Millisecond):
	}
	if err := first.Release(ctx); err != nil {
		t.Fatal(err)
	}
	<-ran
	if err := <-errc; err != nil {
		t.Fatalf("Hold: %v", err)
	}
	if n := rdb.Exists(ctx, key).Val(); n != 0 {
		t.Fatal("Hold did not release the lease when fn returned")
	}
}

// TestTakeoverAfterHolderDies: the holder loses its Redis connection (as when
// its process dies or is partitioned away). It must stop on its own once it
// can no longer prove the lease, and a waiting holder takes over once the key
// expires, without anyone releasing it.
func TestTakeoverAfterHolderDies(t *testing.T) {
	rdb := testenv.Redis(t, testenv.RedisDBLease)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	key := "lease:" + t.Name()
	const ttl = 600 * time.Millisecond

	doomed := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(), DB: testenv.RedisDBLease, MaxRetries: -1})
	aStarted := make(chan struct{})
	aErr := make(chan error, 1)
	go func() {
		aErr <- lease.Hold(ctx, doomed, key, ttl, func(ctx context.Context) error {
			close(aStarted)
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	<-aStarted

	type took struct {
		at    time.Time
		token string
	}
	bTook := make(chan took, 1)
	bErr := make(chan error, 1)
	go func() {
		bErr <- lease.Hold(ctx, rdb, key, ttl, func(hctx context.Context) error {
			bTook <- took{at: time.Now(), token: rdb.Get(ctx, key).Val()}
			<-hctx.Done()
			return nil
		})
	}()

	died := time.Now()
	doomed.Close()

	if err := <-aErr; !errors.Is(err, lease.ErrLost) {
		t.Fatalf("dead holder: Hold returned %v, want ErrLost", err)
	}
	b := <-bTook
	if b.token == "" {
		t.Fatal("second holder runs but the key is empty")
	}
	t.Logf("takeover %v after the holder died (ttl %v)", b.at.Sub(died), ttl)
	cancel()
	if err := <-bErr; err != nil && !errors.Is(err, context.Canceled) {
		t.Fatalf("second holder: %v", err)
	}
}
