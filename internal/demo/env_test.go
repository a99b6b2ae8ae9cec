package demo

import (
	"context"
	"os/exec"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/redis/go-redis/v9"
)

func TestStartRedis(t *testing.T) {
	kinds := []string{RedisMini}
	if _, err := exec.LookPath("redis-server"); err == nil {
		kinds = append(kinds, RedisServer)
	} else {
		t.Log("redis-server is not on PATH; testing miniredis only")
	}
	for _, kind := range kinds {
		t.Run(kind, func(t *testing.T) {
			ctx := context.Background()
			r, err := StartRedis(ctx, RedisOptions{Dir: t.TempDir(), Kind: kind})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			c := redis.NewClient(&redis.Options{Addr: r.Addr})
			defer c.Close()
			if err := c.Set(ctx, "lease", "x", time.Second).Err(); err != nil {
				t.Fatal(err)
			}
			// Keys must expire with the wall clock, miniredis included:
			// asynq's leases depend on it.
			deadline := time.Now().Add(10 * time.Second)
			for {
				n, err := c.Exists(ctx, "lease").Result()
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("a key with a 1s TTL still exists after 10s")
				}
				time.Sleep(100 * time.Millisecond)
			}
			if err := r.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := r.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if c.Ping(ctx).Err() == nil {
				t.Error("Redis still answers after Close")
			}
		})
	}
}

func TestIMAPAppendReachesTheInbox(t *testing.T) {
	srv, err := StartIMAP("sales", "pw-123")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	_, sim := newTestSimulator(1, false)
	ctx := context.Background()
	for range 3 {
		if err := srv.Append(ctx, sim.Next().Raw); err != nil {
			t.Fatal(err)
		}
	}
	c, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("sales", "pw-123").Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 3 || srv.Appended() != 3 {
		t.Errorf("INBOX holds %d messages, Appended() = %d; want 3", sel.NumMessages, srv.Appended())
	}
	c2, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if err := c2.Login("sales", "wrong").Wait(); err == nil {
		t.Error("login with a wrong password succeeded")
	}
}
