package config

import (
	"crypto/tls"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

func (r RedisConfig) tlsConfig() *tls.Config {
	if !r.TLS {
		return nil
	}
	return &tls.Config{MinVersion: tls.VersionTLS12}
}

// ConnOpt returns asynq's connection options for the configured mode:
// RedisClientOpt, RedisFailoverClientOpt (sentinel) or
// RedisClusterClientOpt.
func (r RedisConfig) ConnOpt() asynq.RedisConnOpt {
	switch r.Mode {
	case RedisSentinel:
		return asynq.RedisFailoverClientOpt{
			MasterName:       r.MasterName,
			SentinelAddrs:    r.Addrs,
			SentinelUsername: r.SentinelUsername,
			SentinelPassword: r.SentinelPassword.Reveal(),
			Username:         r.Username,
			Password:         r.Password.Reveal(),
			DB:               r.DB,
			DialTimeout:      r.DialTimeout,
			TLSConfig:        r.tlsConfig(),
		}
	case RedisCluster:
		return asynq.RedisClusterClientOpt{
			Addrs:       r.Addrs,
			Username:    r.Username,
			Password:    r.Password.Reveal(),
			DialTimeout: r.DialTimeout,
			TLSConfig:   r.tlsConfig(),
		}
	default:
		return asynq.RedisClientOpt{
			Addr:        r.Addr,
			Username:    r.Username,
			Password:    r.Password.Reveal(),
			DB:          r.DB,
			DialTimeout: r.DialTimeout,
			TLSConfig:   r.tlsConfig(),
		}
	}
}

// UniversalClient returns a go-redis client for salesdesk's own keys
// (leases), connected the same way as the queues. The caller closes it.
func (r RedisConfig) UniversalClient() redis.UniversalClient {
	switch r.Mode {
	case RedisSentinel:
		return redis.NewFailoverClient(&redis.FailoverOptions{
			MasterName:       r.MasterName,
			SentinelAddrs:    r.Addrs,
			SentinelUsername: r.SentinelUsername,
			SentinelPassword: r.SentinelPassword.Reveal(),
			Username:         r.Username,
			Password:         r.Password.Reveal(),
			DB:               r.DB,
			DialTimeout:      r.DialTimeout,
			TLSConfig:        r.tlsConfig(),
		})
	case RedisCluster:
		return redis.NewClusterClient(&redis.ClusterOptions{
			Addrs:       r.Addrs,
			Username:    r.Username,
			Password:    r.Password.Reveal(),
			DialTimeout: r.DialTimeout,
			TLSConfig:   r.tlsConfig(),
		})
	default:
		return redis.NewClient(&redis.Options{
			Addr:        r.Addr,
			Username:    r.Username,
			Password:    r.Password.Reveal(),
			DB:          r.DB,
			DialTimeout: r.DialTimeout,
			TLSConfig:   r.tlsConfig(),
		})
	}
}
