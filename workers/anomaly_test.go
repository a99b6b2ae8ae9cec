package workers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/anomaly"
	"salesdesk/internal/mailer"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/tasks"
)

var anomalyNow = time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)

// alertMailQueue stores each mail as an outbound row, like the Outbox,
// without Redis; failing makes it refuse every mail.
type alertMailQueue struct {
	st      *store.Store
	mu      sync.Mutex
	failing bool
	queued  int
}

func (q *alertMailQueue) QueueMail(ctx context.Context, o *store.OutboundEmail) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.failing {
		return errors.New("redis: connection refused")
	}
	q.queued++
	if o.MessageID == "" {
		o.MessageID = strings.ReplaceAll(o.IdempotencyKey, ":", ".") + "@ourco.example"
	}
	_, _, err := q.st.CreateOutbound(ctx, o)
	return err
}

type anomalyFixture struct {
	ctx      context.Context
	st       *store.Store
	now      time.Time
	mail     *alertMailQueue
	renderer *mailer.Renderer
	acme     int64
}

func newAnomalyFixture(t *testing.T) *anomalyFixture {
	t.Helper()
	f := &anomalyFixture{ctx: t.Context(), now: anomalyNow}
	st, err := store.Open(f.ctx, storetest.SQLiteDSN(t, "x.db"), store.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st, f.mail = st, &alertMailQueue{st: st}
	if f.renderer, err = mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"}); err != nil {
		t.Fatal(err)
	}
	if f.acme, err = st.CreateCustomer(f.ctx, &store.Customer{Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	return f
}

// seed writes three complaints from Acme and 25 mails from an
// auto-responder in the last hours, and nothing before: a complaint
// finding, a sender flood and an inbound spike.
func (f *anomalyFixture) seed(t *testing.T) {
	t.Helper()
	for i := range 3 {
		f.now = anomalyNow.Add(-time.Duration(i+1) * time.Hour)
		a := &store.Alert{DedupeKey: fmt.Sprintf("complaint:inquiry:%d", i), Kind: "complaint", Subject: "Complaint", CustomerID: f.acme}
		if _, _, err := f.st.CreateAlert(f.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	f.seedFlood(t)
}

func (f *anomalyFixture) handler(t *testing.T, supervisors ...string) *AnomalyScanHandler {
	t.Helper()
	h, err := NewAnomalyScanHandler(
		AnomalyDeps{Desk: Desk{Renderer: f.renderer, Outbox: f.mail, From: "Ourco Sales <sales@ourco.example>",
			Clock: ClockFunc(func() time.Time { return f.now })}, Store: f.st},
		AnomalyOptions{Supervisors: supervisors,
			AlertsURL: "https://desk.ourco.example/admin/alerts"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func (f *anomalyFixture) anomalyAlerts(t *testing.T) []store.Alert {
	t.Helper()
	all, err := f.st.ListAlerts(f.ctx, store.AlertFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []store.Alert
	for _, a := range all {
		if strings.HasPrefix(a.Kind, "anomaly_") {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b store.Alert) int { return strings.Compare(a.Kind, b.Kind) })
	return out
}

func (f *anomalyFixture) alertMails(t *testing.T) []store.OutboundEmail {
	t.Helper()
	mails, err := f.st.ListOutbound(f.ctx, store.OutboundFilter{Kind: KindAnomalyAlert, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return mails
}

func anomalyScanTask(t *testing.T, at time.Time) *asynq.Task {
	t.Helper()
	task, err := tasks.NewAnomalyScanTask(tasks.AnomalyScanPayload{ScheduledAt: at})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestAnomalyScan(t *testing.T) {
	f := newAnomalyFixture(t)
	f.seed(t)
	h := f.handler(t, "boss@ourco.example", " ", "ops@ourco.example")

	if err := h.ProcessTask(f.ctx, anomalyScanTask(t, f.now)); err != nil {
		t.Fatal(err)
	}
	alerts := f.anomalyAlerts(t)
	var kinds []string
	for _, a := range alerts {
		kinds = append(kinds, a.Kind)
		if a.Occurrences != 1 || a.Status != store.AlertOpen || a.Subject == "" || a.Detail == "" {
			t.Errorf("alert %+v", a)
		}
	}
	if want := []string{anomaly.KindComplaints, anomaly.KindInboundSpike, anomaly.KindSenderFlood}; !slices.Equal(kinds, want) {
		t.Fatalf("alerts %q, want %q", kinds, want)
	}
	if alerts[0].CustomerID != f.acme || alerts[0].Severity != anomaly.SeverityWarning || alerts[2].Severity != anomaly.SeverityCritical {
		t.Errorf("complaint alert %+v, flood alert %+v", alerts[0], alerts[2])
	}

	mails := f.alertMails(t)
	if len(mails) != 3 {
		t.Fatalf("%d alert mails, want one per alert (3)", len(mails))
	}
	keys := map[string]bool{}
	for _, a := range alerts {
		keys[AnomalyAlertKey(a.ID)] = true
	}
	for _, m := range mails {
		if !keys[m.IdempotencyKey] {
			t.Errorf("mail %s is about no alert", m.IdempotencyKey)
		}
		if !slices.Equal(m.To, []string{"boss@ourco.example", "ops@ourco.example"}) || m.From != "Ourco Sales <sales@ourco.example>" {
			t.Errorf("mail %s from %s to %q", m.IdempotencyKey, m.From, m.To)
		}
		if !strings.HasPrefix(m.Subject, "CRITICAL: Unusual activity:") && !strings.HasPrefix(m.Subject, "Unusual activity:") {
			t.Errorf("subject %q", m.Subject)
		}
		if !strings.Contains(m.BodyText, "https://desk.ourco.example/admin/alerts") || m.BodyHTML == "" {
			t.Errorf("body of %s:\n%s", m.IdempotencyKey, m.BodyText)
		}
	}
	if !slices.ContainsFunc(mails, func(m store.OutboundEmail) bool {
		return m.Subject == "CRITICAL: Unusual activity: autoreply@loop.example sent 25 mails"
	}) {
		t.Errorf("no flood mail among %d", len(mails))
	}

	t.Run("second scan creates nothing new", func(t *testing.T) {
		f.now = anomalyNow.Add(15 * time.Minute)
		res, err := h.Scan(f.ctx, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if res.Findings != 3 || res.Created != 0 || res.Mailed != 0 {
			t.Errorf("second scan %+v, want 3 findings, nothing created or mailed", res)
		}
		again := f.anomalyAlerts(t)
		if len(again) != 3 {
			t.Fatalf("%d alerts after the second scan, want 3", len(again))
		}
		for _, a := range again {
			if a.Occurrences != 2 {
				t.Errorf("%s occurrences %d, want 2", a.Kind, a.Occurrences)
			}
		}
		if n := len(f.alertMails(t)); n != 3 {
			t.Errorf("%d alert mails after the second scan, want 3", n)
		}
	})

	t.Run("next window raises the finding again", func(t *testing.T) {
		f.now = anomalyNow.Add(13 * time.Hour) // the next UTC day; the flood is still in the 24h window
		res, err := h.Scan(f.ctx, f.now)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created != 3 || res.Mailed != 3 {
			t.Errorf("next day %+v, want 3 created and mailed", res)
		}
	})
}

func TestAnomalyScanMailFailureHeals(t *testing.T) {
	f := newAnomalyFixture(t)
	f.seed(t)
	h := f.handler(t, "boss@ourco.example")

	f.mail.failing = true
	res, err := h.Scan(f.ctx, f.now)
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("scan with the mail queue down: %v", err)
	}
	if res.Created != 3 || len(f.anomalyAlerts(t)) != 3 || len(f.alertMails(t)) != 0 {
		t.Fatalf("first scan %+v, %d alerts, %d mails", res, len(f.anomalyAlerts(t)), len(f.alertMails(t)))
	}

	// The retry finds the alerts already raised and still mails them.
	f.mail.failing = false
	res, err = h.Scan(f.ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 0 || res.Mailed != 3 || len(f.alertMails(t)) != 3 {
		t.Errorf("retry %+v, %d mails; want 0 created, 3 mailed", res, len(f.alertMails(t)))
	}
}

func TestAnomalyScanWithoutSupervisors(t *testing.T) {
	f := newAnomalyFixture(t)
	f.seed(t)
	res, err := f.handler(t).Scan(f.ctx, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created != 3 || res.Mailed != 0 || f.mail.queued != 0 {
		t.Errorf("no supervisors: %+v, %d queued", res, f.mail.queued)
	}
}

func TestAnomalyScanQuietDesk(t *testing.T) {
	f := newAnomalyFixture(t)
	res, err := f.handler(t, "boss@ourco.example").Scan(f.ctx, f.now)
	if err != nil || res != (AnomalyScanResult{}) {
		t.Errorf("empty store: %+v, %v", res, err)
	}
}

func TestAnomalyScanBadPayload(t *testing.T) {
	f := newAnomalyFixture(t)
	err := f.handler(t).ProcessTask(f.ctx, asynq.NewTask(tasks.TypeAnomalyScan, []byte(`{"scheduled_at":"x"}`)))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("bad payload: %v, want SkipRetry", err)
	}
}

func TestNewAnomalyScanHandlerValidates(t *testing.T) {
	f := newAnomalyFixture(t)
	if _, err := NewAnomalyScanHandler(AnomalyDeps{Desk: Desk{Renderer: f.renderer, Outbox: f.mail}, Store: f.st}, AnomalyOptions{}); err == nil {
		t.Error("no From accepted")
	}
	if _, err := NewAnomalyScanHandler(AnomalyDeps{Desk: Desk{From: "a@b.example"}, Store: f.st}, AnomalyOptions{}); err == nil {
		t.Error("no renderer or mail queue accepted")
	}
}
