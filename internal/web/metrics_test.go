package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hibiken/asynq"
)

func TestMetricsExportQueuesAndProcess(t *testing.T) {
	f := setup(t)
	const queue = "web_metrics"
	f.enqueue(t, queue)
	f.enqueue(t, queue)
	if _, err := f.client.Enqueue(asynq.NewTask("web:test", nil), asynq.Queue(queue), asynq.ProcessIn(3600e9)); err != nil {
		t.Fatal(err)
	}
	if err := f.inspector.PauseQueue(queue); err != nil {
		t.Fatal(err)
	}

	do(t, f.h, "GET", "/healthz", nil, nil)
	w := do(t, f.h, "GET", "/metrics", nil, basic(viewerName, viewerPass))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics = %d: %s", w.Code, w.Body.String())
	}
	body := w.Body.String()
	for _, want := range []string{
		`asynq_tasks_enqueued_total{queue="web_metrics",state="pending"} 2`,
		`asynq_tasks_enqueued_total{queue="web_metrics",state="scheduled"} 1`,
		`asynq_queue_size{queue="web_metrics"} 3`,
		`asynq_queue_paused_total{queue="web_metrics"} 1`,
		`asynq_queue_metrics_up 1`,
		"go_goroutines ",
		"process_cpu_seconds_total ",
		`salesdesk_http_requests_total{code="200",method="get",route="healthz"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}

func TestMetricsCountRefusals(t *testing.T) {
	f := setup(t)
	do(t, f.h, "GET", "/monitoring/", nil, nil)
	do(t, f.h, "GET", "/monitoring/", nil, basic(adminName, "wrong"))
	do(t, f.h, "POST", "/monitoring/api/queues/x:pause", nil, basic(viewerName, viewerPass))
	body := do(t, f.h, "GET", "/metrics", nil, bearer(tokenSecret)).Body.String()
	for _, want := range []string{
		`salesdesk_http_auth_failures_total{reason="missing"} 1`,
		`salesdesk_http_auth_failures_total{reason="invalid"} 1`,
		`salesdesk_http_auth_failures_total{reason="forbidden"} 1`,
		`salesdesk_http_requests_total{code="401",method="get",route="monitoring"} 2`,
		`salesdesk_http_requests_total{code="403",method="post",route="monitoring_api"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

func TestMetricsWithoutRedis(t *testing.T) {
	f := setup(t, func(o *Options) {
		o.RedisConnOpt = asynq.RedisClientOpt{Addr: closedPortClient(t).Options().Addr}
	})
	w := do(t, f.h, "GET", "/metrics", nil, basic(adminName, adminPass))
	if w.Code != http.StatusOK {
		t.Fatalf("GET /metrics with Redis down = %d, want 200 with what can be served", w.Code)
	}
	if !strings.Contains(w.Body.String(), "asynq_queue_metrics_up 0") || !strings.Contains(w.Body.String(), "go_goroutines ") {
		t.Errorf("/metrics with Redis down lacks asynq_queue_metrics_up 0 or go metrics")
	}
}
