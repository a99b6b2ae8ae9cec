// Package lease gives one process at a time the right to run a job, such as
// polling a mailbox, through a Redis key that expires unless its holder keeps
// renewing it. A holder that dies stops renewing, so another process takes
// over within the lease's time to live.
package lease

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrHeld means another holder has the lease right now.
var ErrHeld = errors.New("lease: held by another holder")

// ErrLost means the lease expired or was taken over while we thought we held it.
var ErrLost = errors.New("lease: lost")

// Only the holder whose token is stored may extend or delete the key, so a
// holder that paused past its TTL can never extend or release a successor's lease.
var (
	renewScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`)
	releaseScript = redis.NewScript(`
if redis.call("GET", KEYS[1]) == ARGV[1] then
	return redis.call("DEL", KEYS[1])
end
return 0`)
)

// Lease is one acquired hold on a key.
type Lease struct {
	rdb   redis.UniversalClient
	key   string
	token string
	ttl   time.Duration
}

// Acquire takes the lease on key for ttl, or returns ErrHeld when another
// holder has it. It does not wait.
func Acquire(ctx context.Context, rdb redis.UniversalClient, key string, ttl time.Duration) (*Lease, error) {
	if ttl < time.Millisecond {
		return nil, fmt.Errorf("lease %s: ttl %v is below 1ms", key, ttl)
	}
	l := &Lease{rdb: rdb, key: key, token: newToken(), ttl: ttl}
	ok, err := rdb.SetNX(ctx, key, l.token, ttl).Result()
	if err != nil {
		return nil, fmt.Errorf("acquire lease %s: %w", key, err)
	}
	if !ok {
		return nil, ErrHeld
	}
	return l, nil
}

// Wait acquires the lease on key, retrying while another holder has it,
// until ctx is done. Errors other than ErrHeld (Redis unreachable) are
// returned at once so the caller can log them and back off.
func Wait(ctx context.Context, rdb redis.UniversalClient, key string, ttl time.Duration) (*Lease, error) {
	retry := min(max(ttl/10, 10*time.Millisecond), time.Second)
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
		l, err := Acquire(ctx, rdb, key, ttl)
		if !errors.Is(err, ErrHeld) {
			return l, err
		}
		t.Reset(retry)
	}
}

// Key returns the Redis key of the lease.
func (l *Lease) Key() string { return l.key }

// TTL returns the time to live each acquisition or renewal grants.
func (l *Lease) TTL() time.Duration { return l.ttl }

// Renew extends the lease to a full TTL from now. It returns ErrLost when the
// key expired or belongs to another holder.
func (l *Lease) Renew(ctx context.Context) error {
	n, err := renewScript.Run(ctx, l.rdb, []string{l.key}, l.token, l.ttl.Milliseconds()).Int64()
	if err != nil {
		return fmt.Errorf("renew lease %s: %w", l.key, err)
	}
	if n == 0 {
		return fmt.Errorf("renew lease %s: %w", l.key, ErrLost)
	}
	return nil
}

// Release gives the lease up so a waiting holder can take it at once. It
// returns ErrLost when the lease was no longer ours, and never deletes
// another holder's key.
func (l *Lease) Release(ctx context.Context) error {
	n, err := releaseScript.Run(ctx, l.rdb, []string{l.key}, l.token).Int64()
	if err != nil {
		return fmt.Errorf("release lease %s: %w", l.key, err)
	}
	if n == 0 {
		return fmt.Errorf("release lease %s: %w", l.key, ErrLost)
	}
	return nil
}

// Keep runs fn while renewing the lease every TTL/3, cancels fn's context
// (with cause ErrLost) as soon as the lease is lost or can no longer be
// proven held, and releases the lease when fn returns. It returns fn's
// error, or an error wrapping ErrLost when fn stopped because the lease was lost.
func (l *Lease) Keep(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	fnCtx, cancel := context.WithCancelCause(ctx)
	renewerDone := make(chan struct{})
	go func() {
		defer close(renewerDone)
		l.renewUntilDone(fnCtx, cancel)
	}()
	// Deferred, so that a panicking fn still stops the renewer and hands the
	// lease over at once.
	defer func() {
		cancel(nil)
		<-renewerDone
		lost := errors.Is(context.Cause(fnCtx), ErrLost)
		if !lost {
			relCtx, relCancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			if rerr := l.Release(relCtx); errors.Is(rerr, ErrLost) {
				lost = true
			}
			relCancel()
		}
		if lost && (err == nil || errors.Is(err, context.Canceled)) && ctx.Err() == nil {
			err = fmt.Errorf("lease %s: %w", l.key, ErrLost)
		}
	}()
	return fn(fnCtx)
}

// renewUntilDone renews the lease until ctx is done. A renewal that fails
// for a transient reason is retried until the last proven expiry passes.
func (l *Lease) renewUntilDone(ctx context.Context, cancel context.CancelCauseFunc) {
	interval := l.ttl / 3
	// validUntil is conservative: measured from before the command was sent.
	validUntil := time.Now().Add(l.ttl)
	t := time.NewTimer(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		start := time.Now()
		rctx, rcancel := context.WithDeadline(ctx, validUntil)
		err := l.Renew(rctx)
		rcancel()
		switch {
		case err == nil:
			validUntil = start.Add(l.ttl)
			t.Reset(interval)
		case errors.Is(err, ErrLost):
			cancel(err)
			return
		case !time.Now().Before(validUntil):
			cancel(fmt.Errorf("%w: no renewal before expiry: %w", ErrLost, err))
			return
		default:
			t.Reset(min(interval, time.Until(validUntil)/2+time.Millisecond))
		}
	}
}

// Hold waits for the lease on key, then runs fn with a context that is
// cancelled when the lease is lost, renewing it meanwhile and releasing it
// when fn returns. See Keep for the returned error.
func Hold(ctx context.Context, rdb redis.UniversalClient, key string, ttl time.Duration, fn func(ctx context.Context) error) error {
	l, err := Wait(ctx, rdb, key, ttl)
	if err != nil {
		return err
	}
	return l.Keep(ctx, fn)
}

func newToken() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}
