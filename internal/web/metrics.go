package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
)

// queueCollector exports asynq's queue state on every scrape. It exports
// the same metric names as github.com/hibiken/asynq/x/metrics'
// QueueMetricsCollector, so dashboards built for that work unchanged; that
// module's only release is a 2021 pseudo-version outside our go.mod, and
// it logs through the standard logger. This one logs through slog and says
// with asynq_queue_metrics_up whether the last scrape reached Redis.
type queueCollector struct {
	inspector *asynq.Inspector
	logger    *slog.Logger
}

var (
	tasksQueuedDesc = prometheus.NewDesc("asynq_tasks_enqueued_total",
		"Number of tasks enqueued; broken down by queue and state.", []string{"queue", "state"}, nil)
	queueSizeDesc = prometheus.NewDesc("asynq_queue_size",
		"Number of tasks in a queue", []string{"queue"}, nil)
	queueLatencyDesc = prometheus.NewDesc("asynq_queue_latency_seconds",
		"Number of seconds the oldest pending task is waiting in pending state to be processed.", []string{"queue"}, nil)
	queueMemDesc = prometheus.NewDesc("asynq_queue_memory_usage_approx_bytes",
		"Number of memory used by a given queue (approximated number by sampling).", []string{"queue"}, nil)
	processedTotalDesc = prometheus.NewDesc("asynq_tasks_processed_total",
		"Number of tasks processed (both succeeded and failed); broken down by queue", []string{"queue"}, nil)
	failedTotalDesc = prometheus.NewDesc("asynq_tasks_failed_total",
		"Number of tasks failed; broken down by queue", []string{"queue"}, nil)
	pausedDesc = prometheus.NewDesc("asynq_queue_paused_total",
		"Number of queues paused", []string{"queue"}, nil)
	queueMetricsUpDesc = prometheus.NewDesc("asynq_queue_metrics_up",
		"1 when the last scrape read every queue's state from Redis, 0 otherwise.", nil, nil)
)

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	prometheus.DescribeByCollect(c, ch)
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	infos, err := c.queueInfos()
	up := 1.0
	if err != nil {
		up = 0
		c.logger.Warn("collect asynq queue metrics", "err", err)
	}
	ch <- prometheus.MustNewConstMetric(queueMetricsUpDesc, prometheus.GaugeValue, up)
	for _, q := range infos {
		for _, st := range []struct {
			state string
			n     int
		}{
			{"active", q.Active},
			{"pending", q.Pending},
			{"aggregating", q.Aggregating},
			{"scheduled", q.Scheduled},
			{"retry", q.Retry},
			{"archived", q.Archived},
			{"completed", q.Completed},
		} {
			ch <- prometheus.MustNewConstMetric(tasksQueuedDesc, prometheus.GaugeValue, float64(st.n), q.Queue, st.state)
		}
		ch <- prometheus.MustNewConstMetric(queueSizeDesc, prometheus.GaugeValue, float64(q.Size), q.Queue)
		ch <- prometheus.MustNewConstMetric(queueLatencyDesc, prometheus.GaugeValue, q.Latency.Seconds(), q.Queue)
		ch <- prometheus.MustNewConstMetric(queueMemDesc, prometheus.GaugeValue, float64(q.MemoryUsage), q.Queue)
		ch <- prometheus.MustNewConstMetric(processedTotalDesc, prometheus.CounterValue, float64(q.ProcessedTotal), q.Queue)
		ch <- prometheus.MustNewConstMetric(failedTotalDesc, prometheus.CounterValue, float64(q.FailedTotal), q.Queue)
		paused := 0.0
		if q.Paused {
			paused = 1
		}
		ch <- prometheus.MustNewConstMetric(pausedDesc, prometheus.GaugeValue, paused, q.Queue)
	}
}

// queueInfos reads every queue's state; a queue that fails is skipped and
// reported, the others are still exported.
func (c *queueCollector) queueInfos() ([]*asynq.QueueInfo, error) {
	names, err := c.inspector.Queues()
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	var errs []error
	infos := make([]*asynq.QueueInfo, 0, len(names))
	for _, name := range names {
		info, err := c.inspector.GetQueueInfo(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("queue %s: %w", name, err))
			continue
		}
		infos = append(infos, info)
	}
	return infos, errors.Join(errs...)
}

// register adds c to reg, or returns the collector already registered
// there under the same descriptors (several Servers may share a registry).
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}

// promLogger feeds promhttp's error log into slog.
type promLogger struct{ logger *slog.Logger }

func (l promLogger) Println(v ...any) {
	l.logger.Log(context.Background(), slog.LevelWarn, "serve metrics", "err", fmt.Sprint(v...))
}
