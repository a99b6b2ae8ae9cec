package inbox_test

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"salesdesk/internal/inbox"
	"salesdesk/internal/store"
)

// Wiring one mailbox: the store records messages and checkpoints, asynq
// receives the tasks, Redis holds the lease, and RunAll keeps the pollers
// running until shutdown.
func Example() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	st, err := store.Open(ctx, "sqlite:salesdesk.db")
	if err != nil {
		panic(err)
	}
	defer st.Close()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:6379"})
	defer client.Close()
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:6379"})
	defer rdb.Close()

	p, err := inbox.New(inbox.Mailbox{
		Name:         "sales",
		Addr:         "imap.example.com:993",
		Username:     "sales@example.com",
		Password:     os.Getenv("SALES_IMAP_PASSWORD"),
		IDLE:         true,
		PollInterval: time.Minute,
	}, inbox.Deps{
		Store:    st,
		Enqueuer: client,
		Redis:    rdb,
		Logger:   slog.Default(),
		Metrics:  prometheus.DefaultRegisterer,
	})
	if err != nil {
		panic(err)
	}
	inbox.RunAll(ctx, []*inbox.Poller{p})
}
