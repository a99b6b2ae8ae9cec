package schedule_test

import (
	"context"
	"log/slog"
	"os"
	"os/signal"

	"github.com/hibiken/asynq"

	"salesdesk/internal/schedule"
	"salesdesk/tasks"
)

// A scheduler role: any number of these may run against one Redis.
func ExampleNew() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	redis := asynq.RedisClientOpt{Addr: "127.0.0.1:6379"}
	client := asynq.NewClient(redis)
	defer client.Close()

	s, err := schedule.New(client, schedule.Options{
		Redis:  redis,
		Logger: slog.New(slog.NewJSONHandler(os.Stderr, nil)),
		Entries: []schedule.Entry{
			{TaskType: tasks.TypeLeadsSLAScan, Spec: "*/5 * * * *"},
			{TaskType: tasks.TypeReportDaily, Spec: "30 8 * * 1-5", Timezone: "Europe/Berlin"},
			{TaskType: tasks.TypeReportWeekly, Spec: "0 7 * * 1", Timezone: "Europe/Berlin"},
		},
	})
	if err != nil {
		panic(err)
	}
	_ = s.Run(ctx)
}
