package config

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"salesdesk/internal/testenv"
)

func TestRedisConnOpt(t *testing.T) {
	tests := []struct {
		name      string
		cfg       RedisConfig
		wantOpt   asynq.RedisConnOpt
		wantTypes string // go-redis client type
	}{
		{
			name: "single",
			cfg:  RedisConfig{Mode: RedisSingle, Addr: "r:6379", Username: "u", Password: "p", DB: 2, DialTimeout: time.Second},
			wantOpt: asynq.RedisClientOpt{Addr: "r:6379", Username: "u", Password: "p", DB: 2,
				DialTimeout: time.Second},
			wantTypes: "*redis.Client",
		},
		{
			name: "sentinel",
			cfg: RedisConfig{Mode: RedisSentinel, Addrs: []string{"s1:26379", "s2:26379"}, MasterName: "m",
				Password: "p", SentinelUsername: "su", SentinelPassword: "sp", DB: 1},
			wantOpt: asynq.RedisFailoverClientOpt{MasterName: "m", SentinelAddrs: []string{"s1:26379", "s2:26379"},
				SentinelUsername: "su", SentinelPassword: "sp", Password: "p", DB: 1},
			wantTypes: "*redis.Client",
		},
		{
			name:      "cluster",
			cfg:       RedisConfig{Mode: RedisCluster, Addrs: []string{"n1:6379"}, Password: "p"},
			wantOpt:   asynq.RedisClusterClientOpt{Addrs: []string{"n1:6379"}, Password: "p"},
			wantTypes: "*redis.ClusterClient",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.cfg.ConnOpt(); !reflect.DeepEqual(got, tt.wantOpt) {
				t.Fatalf("ConnOpt() = %#v\nwant %#v", got, tt.wantOpt)
			}
			c := tt.cfg.UniversalClient()
			t.Cleanup(func() { c.Close() })
			if got := reflect.TypeOf(c).String(); got != tt.wantTypes {
				t.Fatalf("UniversalClient() is %s, want %s", got, tt.wantTypes)
			}
		})
	}
	withTLS := RedisConfig{Mode: RedisSingle, Addr: "r:6380", TLS: true}
	if opt := withTLS.ConnOpt().(asynq.RedisClientOpt); opt.TLSConfig == nil {
		t.Fatal("tls: true gives no TLSConfig")
	}
}

// The default single-server settings reach the test Redis, both through
// asynq and through our own client.
func TestRedisConnects(t *testing.T) {
	cfg := Default().Redis
	cfg.Addr, cfg.DB = testenv.RedisAddr(), testenv.RedisDBConfig
	own := cfg.UniversalClient()
	t.Cleanup(func() { own.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := own.Ping(ctx).Err(); err != nil {
		testenv.Unavailable(t, "redis", err)
	}
	viaAsynq := cfg.ConnOpt().MakeRedisClient().(redis.UniversalClient)
	t.Cleanup(func() { viaAsynq.Close() })
	if err := viaAsynq.Ping(ctx).Err(); err != nil {
		t.Fatalf("asynq's client: %v", err)
	}
	insp := asynq.NewInspector(cfg.ConnOpt())
	t.Cleanup(func() { insp.Close() })
	if _, err := insp.Queues(); err != nil {
		t.Fatalf("asynq inspector: %v", err)
	}
}
