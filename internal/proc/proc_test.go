package proc

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/redis/go-redis/v9"

	"salesdesk/internal/testenv"
)

func TestConfigSet(t *testing.T) {
	c, err := NewConfig(Services{RedisAddr: "127.0.0.1:1", DSN: "sqlite:x.db", SMTPAddr: "127.0.0.1:2",
		IMAPAddr: "127.0.0.1:3", IMAPUser: "u", IMAPPassword: "p"})
	if err != nil {
		t.Fatal(err)
	}
	c.Set("mailboxes.0.lease_ttl", "5s").Set("reports.targets.rita@ourco.example.won_value", 1000)
	b, err := c.YAML()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"lease_ttl: 5s", "addr: 127.0.0.1:1", "username: u", "triage_address: triage@ourco.example"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("config lacks %q:\n%s", want, b)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("Set through a string did not panic")
		}
	}()
	c.Set("log.level.deeper", 1)
}

func TestRedisRestart(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		testenv.Unavailable(t, "redis-server binary", err)
	}
	tests := []struct {
		name string
		p    Persistence
		keep bool
		want bool // the key is there after the restart
	}{
		{"append-only, with data", AppendOnly, true, true},
		{"append-only, without data", AppendOnly, false, false},
		{"in memory", InMemory, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			r, err := StartRedis(ctx, t.TempDir(), tt.p)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(r.Kill)
			c := redis.NewClient(&redis.Options{Addr: r.Addr})
			t.Cleanup(func() { c.Close() })
			if err := c.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatal(err)
			}
			if err := r.Restart(ctx, tt.keep); err != nil {
				t.Fatal(err)
			}
			n, err := c.Exists(ctx, "k").Result()
			if err != nil {
				t.Fatal(err)
			}
			if got := n == 1; got != tt.want {
				t.Errorf("key there after restart = %v, want %v", got, tt.want)
			}
		})
	}
}
