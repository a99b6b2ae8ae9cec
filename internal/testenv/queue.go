package testenv

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// Busy says what work is left in every served queue (the keys of queues,
// as asynq.Config takes them: tasks.Queues()) in the Redis of opt: pending, active and retrying tasks,
// and scheduled ones when withScheduled (an SLA check hours ahead is not
// work now). It is "" when there is none. An archived (permanently
// failed) task fails the test.
//
// asynq's Inspector knows a queue only from the set of queue names an
// asynq client adds a queue to on its first enqueue, once per client:
// after Redis lost its data (a flush, a restart without it) a running
// desk enqueues into queues the Inspector no longer lists nor reads
// (GetQueueInfo says "does not exist"), so a wait for idle would end at
// once. Busy names every served queue to asynq again (an empty queue is
// harmless) before it asks.
func Busy(t testing.TB, opt asynq.RedisClientOpt, queues map[string]int, withScheduled bool) string {
	t.Helper()
	var names []string
	for name := range queues {
		names = append(names, name)
	}
	slices.Sort(names)
	c := redis.NewClient(&redis.Options{Addr: opt.Addr, DB: opt.DB, Username: opt.Username, Password: opt.Password})
	defer c.Close()
	if err := c.SAdd(t.Context(), asynqQueuesKey, names).Err(); err != nil {
		t.Fatalf("register queues %v: %v", names, err)
	}
	in := asynq.NewInspectorFromRedisClient(c)
	var busy []string
	for _, q := range names {
		info, err := in.GetQueueInfo(q)
		if err != nil {
			t.Fatalf("queue %s: %v", q, err)
		}
		if info.Archived > 0 {
			archived, _ := in.ListArchivedTasks(q)
			for _, a := range archived {
				t.Errorf("archived %s %s: %s", a.Type, a.Payload, a.LastErr)
			}
			t.FailNow()
		}
		n := info.Pending + info.Active + info.Retry
		if withScheduled {
			n += info.Scheduled
		}
		if n > 0 {
			busy = append(busy, fmt.Sprintf("%s: %d", q, n))
		}
	}
	if len(busy) == 0 {
		return ""
	}
	return "tasks left in " + strings.Join(busy, ", ")
}

// asynqQueuesKey is the Redis set of queue names asynq's Inspector lists
// (base.AllQueues in asynq's internal/base).
const asynqQueuesKey = "asynq:queues"
