package web_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"os/signal"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"salesdesk/internal/web"
)

// A web role as cmd/salesdesk wires it: users from the config, Redis for
// the dashboard and the readiness check, the API and admin pages mounted.
func ExampleNew() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	redisOpt := asynq.RedisClientOpt{Addr: "127.0.0.1:6379"}
	rdb := redis.NewClient(&redis.Options{Addr: redisOpt.Addr})
	defer rdb.Close()

	srv, err := web.New(web.Options{
		Listen: "127.0.0.1:8080",
		Admins: []web.User{{
			Username: "admin",
			// From web.admin.password_hash (htpasswd -nbBC 10 admin PASSWORD).
			PasswordHash: os.Getenv("SALESDESK_WEB_ADMIN_PASSWORD_HASH"),
		}},
		APITokens:    []web.Token{{Name: "crm", Secret: os.Getenv("SALESDESK_WEB_API_TOKEN")}},
		RedisConnOpt: redisOpt,
		Checks: map[string]func(context.Context) error{
			"redis": func(ctx context.Context) error { return rdb.Ping(ctx).Err() },
		},
		API:    http.NotFoundHandler(),
		Logger: slog.Default(),
	})
	if err != nil {
		slog.Error("web", "err", err) // e.g. no admin user configured
		return
	}
	if err := srv.Run(ctx); err != nil {
		slog.Error("web", "err", err)
	}
}
