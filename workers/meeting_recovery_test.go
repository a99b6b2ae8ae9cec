package workers

import (
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"salesdesk/internal/meeting"
	"salesdesk/internal/recovery"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// TestMeetingInviteRecoveredAfterRedisFlush: a meeting is booked (its
// invite task is in Redis and its row in the task outbox), then Redis
// loses everything before a worker ran it. Recovery finds the row and
// enqueues the invite again; the customer and the rep each get the
// invitation exactly once, and a later pass finds nothing left.
func TestMeetingInviteRecoveredAfterRedisFlush(t *testing.T) {
	ctx := t.Context()
	e := buildMeetingDesk(t, func() time.Time { return fakeNow }, nil)
	const ann, rita = "ann@acme.com", "rita@ourco.example"
	start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
	m, _ := e.bookWithAnn(t, "Pump review", start)
	rows, err := e.st.PendingTasks(ctx)
	if err != nil || len(rows) != 1 || rows[0].Type != tasks.TypeMeetingInvite {
		t.Fatalf("outbox after booking = %+v, %v; want the invite's row", rows, err)
	}

	rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWorkers})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.FlushDB(ctx).Err(); err != nil { // Redis forgets the invite
		t.Fatal(err)
	}
	e.start(t)

	rec := recovery.New(e.st, e.client, recovery.Options{Now: func() time.Time { return time.Now().Add(time.Hour) }})
	res, err := rec.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Tasks != 1 {
		t.Errorf("recovery pass = %+v, want the invite enqueued again", res)
	}
	for _, to := range []string{ann, rita} {
		inv := e.waitMails(t, to, "Invitation: Pump review", 1)
		got := parseCalendar(t, inv[0], meeting.MethodRequest)
		if got.UID != m.UID || got.Sequence != 0 || !got.Start.Equal(start) {
			t.Errorf("recovered invite to %s = %+v", to, got)
		}
	}
	// The invite planned the reminders and the outcome request, each with
	// its own row; once every row is done, nothing is left for recovery.
	waitOutboxDone(t, e.st, 4) // the invite, 2 reminders, the outcome request
	waitIdle(t, e.redisOpt)
	if res, err := rec.Once(ctx); err != nil || res.Lost() != 0 || res.StillQueued != 0 {
		t.Errorf("second pass = %+v, %v; want nothing lost and nothing pending", res, err)
		queued, _ := e.st.ListOutbound(ctx, store.OutboundFilter{Status: store.OutboundQueued, Limit: 100})
		for _, o := range queued {
			t.Logf("still queued: outbound %d %s to %v created %s", o.ID, o.Kind, o.To, o.CreatedAt)
		}
		rows, _ := e.st.PendingTasks(ctx)
		for _, p := range rows {
			t.Logf("outbox row %d %s done=%v %q", p.ID, p.Type, !p.DoneAt.IsZero(), p.Outcome)
		}
	}
	waitIdle(t, e.redisOpt)
	for _, to := range []string{ann, rita} {
		if n := len(e.mails(t, to, "Invitation: Pump review")); n != 1 {
			t.Errorf("%s got %d invitations, want exactly 1", to, n)
		}
	}
}
