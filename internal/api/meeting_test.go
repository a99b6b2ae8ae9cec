package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/meeting"
	"salesdesk/internal/store"
)

// taskLog records enqueued tasks, as a stand-in for asynq's client.
type taskLog struct {
	mu  sync.Mutex
	ids []string
}

func (l *taskLog) EnqueueContext(_ context.Context, t *asynq.Task, _ ...asynq.Option) (*asynq.TaskInfo, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids = append(l.ids, t.Type())
	return &asynq.TaskInfo{}, nil
}

func TestMeetingEndpoints(t *testing.T) {
	f := setup(t)
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	q := &taskLog{}
	svc, err := meeting.NewService(f.st, q, meeting.Options{}, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	f.h = New(Options{Store: f.st, Clock: func() time.Time { return now }, Meetings: svc})
	rep := &store.Rep{Email: "rita@ourco.example", Name: "Rita", Active: true, Timezone: "Europe/Berlin"}
	if _, err := f.st.CreateRep(context.Background(), rep); err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"rep_id": rep.ID, "title": "Pump demo", "starts_at": "2026-03-30T16:00:00+02:00",
		"customers": []map[string]string{{"email": "ann@acme.com", "name": "Ann", "timezone": "America/New_York"}},
		"video_url": "https://meet.example/abc", "uid": "crm-42"}
	r := f.do("POST", "/api/v1/meetings", body)
	if r.Code != http.StatusCreated {
		t.Fatalf("create = %d %s", r.Code, r.Body)
	}
	var m meetingJSON
	r.json(t, &m)
	if m.Status != store.MeetingConfirmed || !m.StartsAt.Equal(time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)) || len(m.Attendees) != 2 ||
		m.Attendees[1].Response != "needs-action" || m.UID != "crm-42" {
		t.Errorf("created = %+v", m)
	}
	if r := f.do("POST", "/api/v1/meetings", body); r.Code != http.StatusOK {
		t.Errorf("same uid again = %d %s", r.Code, r.Body)
	}
	body["uid"] = "crm-43"
	if r := f.do("POST", "/api/v1/meetings", body); r.Code != http.StatusConflict {
		t.Errorf("busy rep = %d %s", r.Code, r.Body)
	}
	bad := map[string]any{"rep_id": rep.ID, "title": "x", "starts_at": "monday", "customers": []map[string]string{{"email": "nope"}}}
	if r := f.do("POST", "/api/v1/meetings", bad); r.Code != http.StatusUnprocessableEntity {
		t.Errorf("bad body = %d %s", r.Code, r.Body)
	}
	path := fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	if r := f.do("POST", path+"/reschedule", map[string]string{"starts_at": "2026-03-31T09:00:00Z"}); r.Code != http.StatusOK {
		t.Errorf("reschedule = %d %s", r.Code, r.Body)
	} else if r.json(t, &m); m.Sequence != 1 || m.Status != store.MeetingRescheduled {
		t.Errorf("rescheduled = %+v", m)
	}
	if r := f.do("POST", path+"/cancel", nil); r.Code != http.StatusOK {
		t.Errorf("cancel = %d %s", r.Code, r.Body)
	}
	if r := f.do("POST", path+"/outcome", map[string]string{"status": "held"}); r.Code != http.StatusConflict {
		t.Errorf("outcome of a cancelled meeting = %d %s", r.Code, r.Body)
	}
	// The first outcome holds; a different one is refused and names it.
	body["uid"], body["starts_at"] = "crm-44", "2026-04-01T10:00:00Z"
	r = f.do("POST", "/api/v1/meetings", body)
	r.json(t, &m)
	path = fmt.Sprintf("/api/v1/meetings/%d", m.ID)
	// Before it starts, nobody can say it was held (or a no-show).
	for _, status := range []string{"held", "no_show"} {
		if r := f.do("POST", path+"/outcome", map[string]string{"status": status}); r.Code != http.StatusBadRequest ||
			!strings.Contains(string(r.Body), "starts at 2026-04-01T10:00:00Z: its outcome can be recorded once it has started") {
			t.Errorf("outcome %s before the start = %d %s", status, r.Code, r.Body)
		}
	}
	now = time.Date(2026, 4, 1, 10, 45, 0, 0, time.UTC)
	if r := f.do("POST", path+"/outcome", map[string]string{"status": "held", "note": "send the quote"}); r.Code != http.StatusOK {
		t.Errorf("outcome held = %d %s", r.Code, r.Body)
	} else if r.json(t, &m); m.Status != store.MeetingHeld {
		t.Errorf("after outcome = %+v", m)
	}
	if r := f.do("POST", path+"/outcome", map[string]string{"status": "no_show"}); r.Code != http.StatusConflict ||
		!strings.Contains(string(r.Body), "already recorded as held by api") {
		t.Errorf("second outcome = %d %s", r.Code, r.Body)
	}
	if r := f.do("POST", path+"/outcome", map[string]string{"status": "held"}); r.Code != http.StatusOK {
		t.Errorf("same outcome again = %d %s", r.Code, r.Body)
	}
	if got, err := f.st.Meeting(context.Background(), m.ID); err != nil || got.Status != store.MeetingHeld || got.Outcome != "send the quote" {
		t.Errorf("stored = %+v, %v; want held with the first note", got, err)
	}
	if r := f.do("GET", "/api/v1/meetings?status=cancelled", nil); r.Code != http.StatusOK {
		t.Errorf("list = %d %s", r.Code, r.Body)
	}
	if r := f.do("GET", "/api/v1/meetings/999", nil); r.Code != http.StatusNotFound {
		t.Errorf("missing = %d", r.Code)
	}
	if len(q.ids) != 4 {
		t.Errorf("enqueued %v, want four meeting:invite (book, move, cancel, book)", q.ids)
	}
}
