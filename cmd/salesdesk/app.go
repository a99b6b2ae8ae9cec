package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"salesdesk/config"
	"salesdesk/internal/inbox"
	"salesdesk/internal/logging"
	"salesdesk/internal/store"
)

// app holds what every role shares: the configuration, the logger, the
// store, the Redis connections and the metrics registry. Roles take what
// they need from it; close releases it in reverse order of opening.
type app struct {
	cfg      config.Config
	log      *slog.Logger
	store    *store.Store
	redisOpt asynq.RedisConnOpt
	rdb      redis.UniversalClient
	client   *asynq.Client
	registry *prometheus.Registry
	pollers  []*inbox.Poller // built by the poller role, checked by the web role
	// pages, when set, replaces the admin pages the web role serves (the
	// demo adds its sent-mail page).
	pages http.Handler
	deskCache
}

// newApp opens the store (applying migrations) and the Redis clients.
func newApp(ctx context.Context, cfg config.Config, logOut io.Writer) (*app, error) {
	logger, err := logging.New(logOut, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return nil, fmt.Errorf("log: %w", err)
	}
	st, err := store.Open(ctx, cfg.Database.DSN.Reveal())
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opt := cfg.Redis.ConnOpt()
	return &app{
		cfg:      cfg,
		log:      logger,
		store:    st,
		redisOpt: opt,
		rdb:      cfg.Redis.UniversalClient(),
		client:   asynq.NewClient(opt),
		registry: reg,
	}, nil
}

func (a *app) close() {
	if a.deskVal != nil && a.deskVal.scheduled != nil {
		a.deskVal.scheduled.Close()
	}
	if err := a.client.Close(); err != nil {
		a.log.Warn("close asynq client", "error", err)
	}
	if err := a.rdb.Close(); err != nil {
		a.log.Warn("close redis", "error", err)
	}
	if err := a.store.Close(); err != nil {
		a.log.Warn("close database", "error", err)
	}
}

// pingRedis is the readiness check for Redis.
func (a *app) pingRedis(ctx context.Context) error {
	return a.rdb.Ping(ctx).Err()
}
