package workers

import (
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/lead"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// TestDailyListsAtEachLocalHour runs the daily scan every five minutes,
// as the scheduler does (twice per fire, as two schedulers would), over a
// weekend with America's spring clock change, against real Redis: every
// rep's list and the manager's summary is enqueued once per local
// weekday, at 08:00 in that person's timezone, and no earlier.
func TestDailyListsAtEachLocalHour(t *testing.T) {
	f := newLeadFixture(t)
	testenv.Redis(t, testenv.RedisDBWorkers)
	redisOpt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWorkers}
	client := asynq.NewClient(redisOpt)
	t.Cleanup(func() { client.Close() })
	inspector := asynq.NewInspector(redisOpt)
	t.Cleanup(func() { inspector.Close() })

	// Rita and Bob work in Berlin. (A rep record always has a zone: the
	// store and the config default it to UTC, so the team's zone applies
	// only to a manager address that is not a rep.)
	for _, r := range []*store.Rep{f.rep, f.bob} {
		r.Timezone = "Europe/Berlin"
		if err := f.st.UpdateRep(f.ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	lou := &store.Rep{Email: "lou@ourco.example", Name: "Lou Seller", Active: true, Timezone: "America/Los_Angeles"}
	kai := &store.Rep{Email: "kai@ourco.example", Name: "Kai Seller", Active: true, Timezone: "Asia/Kolkata"}
	boss := &store.Rep{Email: "boss@ourco.example", Name: "Bea Boss", Active: true, Timezone: "America/New_York"}
	for _, r := range []*store.Rep{lou, kai, boss} {
		if _, err := f.st.CreateRep(f.ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	f.deps.Enqueuer = client
	f.opts.Timezone, _ = time.LoadLocation("Europe/Berlin")
	if f.opts.DailyTime, err = lead.ParseDailyTime("0 8 * * 1-5"); err != nil {
		t.Fatal(err)
	}
	scan, err := NewLeadsDailyScanHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}

	enqueued := func() map[string]tasks.LeadsDailyDigestPayload {
		t.Helper()
		got := map[string]tasks.LeadsDailyDigestPayload{}
		infos, err := inspector.ListPendingTasks("low", asynq.PageSize(1000))
		if errors.Is(err, asynq.ErrQueueNotFound) {
			return got // nothing enqueued yet: the queue is made by its first task
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, ti := range infos {
			var p tasks.LeadsDailyDigestPayload
			if err := json.Unmarshal(ti.Payload, &p); err != nil {
				t.Fatal(err)
			}
			got[ti.ID] = p
		}
		return got
	}
	// From Friday 6 March 2026 to Tuesday 10 March (America springs
	// forward on Sunday the 8th; Europe and India do not move).
	from, to := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)
	seen := map[string]time.Time{} // TaskID -> the scan that enqueued it
	for now := from; now.Before(to); now = now.Add(5 * time.Minute) {
		task, err := tasks.NewLeadsDailyScanTask(tasks.LeadsDailyScanPayload{ScheduledAt: now})
		if err != nil {
			t.Fatal(err)
		}
		run(t, scan, task)
		for id, p := range enqueued() {
			if _, ok := seen[id]; ok {
				continue
			}
			seen[id] = now
			if !p.ScheduledAt.Equal(now) {
				t.Errorf("%s enqueued by the scan at %s, due %s", id, now, p.ScheduledAt)
			}
		}
	}

	rep := func(r *store.Rep) string { return ":rep:" + itoa(r.ID) }
	tests := []struct {
		name   string
		taskID string
		wantAt string // the UTC instant, 08:00 local
	}{
		{"Rita, Berlin, Friday", "leads:daily_digest:2026-03-06" + rep(f.rep), "2026-03-06T07:00:00Z"},
		{"Rita, Berlin, Monday", "leads:daily_digest:2026-03-09" + rep(f.rep), "2026-03-09T07:00:00Z"},
		{"Bob, Berlin, Monday", "leads:daily_digest:2026-03-09" + rep(f.bob), "2026-03-09T07:00:00Z"},
		{"Bob, Berlin, Friday", "leads:daily_digest:2026-03-06" + rep(f.bob), "2026-03-06T07:00:00Z"},
		{"Lou, Los Angeles, Friday (PST)", "leads:daily_digest:2026-03-06" + rep(lou), "2026-03-06T16:00:00Z"},
		{"Lou, Los Angeles, Monday (PDT)", "leads:daily_digest:2026-03-09" + rep(lou), "2026-03-09T15:00:00Z"},
		{"Kai, Kolkata, Friday", "leads:daily_digest:2026-03-06" + rep(kai), "2026-03-06T02:30:00Z"},
		{"Kai, Kolkata, Monday", "leads:daily_digest:2026-03-09" + rep(kai), "2026-03-09T02:30:00Z"},
		{"Kai, Kolkata, Tuesday before UTC midnight ends", "", ""},
		{"Bea's own list, New York, Friday (EST)", "leads:daily_digest:2026-03-06" + rep(boss), "2026-03-06T13:00:00Z"},
		{"Bea's own list, New York, Monday (EDT)", "leads:daily_digest:2026-03-09" + rep(boss), "2026-03-09T12:00:00Z"},
		{"manager's summary, New York, Friday (EST)", "leads:daily_digest:2026-03-06:manager", "2026-03-06T13:00:00Z"},
		{"manager's summary, New York, Monday (EDT)", "leads:daily_digest:2026-03-09:manager", "2026-03-09T12:00:00Z"},
	}
	for _, tt := range tests {
		if tt.taskID == "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			at, ok := seen[tt.taskID]
			if !ok {
				t.Fatalf("%s never enqueued", tt.taskID)
			}
			if want, _ := time.Parse(time.RFC3339, tt.wantAt); !at.Equal(want) {
				t.Errorf("%s enqueued at %s, want %s", tt.taskID, at, want)
			}
		})
	}
	// Nothing else: one list per person and local weekday (no weekend
	// lists, no second list from a repeated scan). Kai's Tuesday list is
	// due at 02:30 UTC on the 10th, after the scans stop.
	if len(seen) != len(tests)-1 {
		ids := make([]string, 0, len(seen))
		for id := range seen {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		t.Errorf("%d lists enqueued, want %d:\n%s", len(seen), len(tests)-1, strings.Join(ids, "\n"))
	}

	// Each list, read as its recipient: Lou's day and times in Los
	// Angeles time; the manager's summary names the rep of each lead.
	f.now = time.Date(2026, 3, 9, 11, 0, 0, 0, time.UTC)
	q := f.take(t, "Ann Buyer <ann@acme.com>", "Request for quote: 500 conveyor belts",
		"q1@acme.com", "Hello,\nplease send us a quote for 500 conveyor belts, delivery in May.\nThanks, Ann")
	f.drain(t)
	leads, err := f.st.ListLeads(f.ctx, store.LeadFilter{ContactEmail: "ann@acme.com"})
	if err != nil || len(leads) != 1 {
		t.Fatalf("leads %v %v", leads, err)
	}
	l := leads[0]
	if l.RepID != f.rep.ID || l.InquiryID != q.ID {
		t.Fatalf("lead went to rep %d, want Rita", l.RepID)
	}
	digest, err := NewLeadsDailyDigestHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"leads:daily_digest:2026-03-09" + rep(lou), "leads:daily_digest:2026-03-09:manager",
		"leads:daily_digest:2026-03-09" + rep(f.rep)} {
		ti, err := inspector.GetTaskInfo("low", id)
		if err != nil {
			t.Fatal(err)
		}
		run(t, digest, asynq.NewTask(ti.Type, ti.Payload))
	}
	louList := f.outbound(t, DailyLeadsKey("2026-03-09", itoa(lou.ID)))
	if louList.To[0] != lou.Email || !strings.Contains(louList.Subject, "Mon 9 Mar 2026") || !strings.Contains(louList.BodyText, "no open leads") {
		t.Errorf("Lou's list to %v, %q:\n%s", louList.To, louList.Subject, louList.BodyText)
	}
	ritaList := f.outbound(t, DailyLeadsKey("2026-03-09", itoa(f.rep.ID)))
	for _, want := range []string{"L-" + itoa(l.ID), "given to you", " CET", "/desk/leads/" + itoa(l.ID)} {
		if !strings.Contains(ritaList.BodyText, want) {
			t.Errorf("Rita's list lacks %q:\n%s", want, ritaList.BodyText)
		}
	}
	sum := f.outbound(t, DailyLeadsKey("2026-03-09", "manager"))
	if sum.To[0] != "boss@ourco.example" {
		t.Errorf("summary to %v", sum.To)
	}
	for _, want := range []string{"Team leads for Mon 9 Mar 2026", "New in the last 24 hours", "assigned to Rita Rep", " EDT",
		"/desk/leads/" + itoa(l.ID) + "?"} {
		if !strings.Contains(sum.Subject+"\n"+sum.BodyText, want) {
			t.Errorf("manager's summary lacks %q:\n%s\n%s", want, sum.Subject, sum.BodyText)
		}
	}
	if strings.Contains(sum.BodyText, "given to you") || strings.Contains(sum.BodyText, "You have") {
		t.Errorf("the manager's summary talks to a rep:\n%s", sum.BodyText)
	}
	if !strings.Contains(sum.BodyHTML, ">Rep</th>") || !strings.Contains(sum.BodyHTML, ">Rita Rep</td>") {
		t.Errorf("the summary's table has no rep column:\n%s", sum.BodyHTML)
	}
}
