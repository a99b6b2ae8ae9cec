package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metricsServer returns a role-like function serving /metrics and
// /healthz on worker.metrics_listen, for a process without the web role
// (whose own /metrics would otherwise hold this process's counters).
// It returns nil when there is nothing to serve.
func (a *app) metricsServer(roles []string) func(context.Context) error {
	addr := a.cfg.Worker.MetricsListen
	if addr == "" || slices.Contains(roles, roleWeb) {
		return nil
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{Registry: a.registry}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, "ok") })
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return func(ctx context.Context) error {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("worker.metrics_listen %s: %w", addr, err)
		}
		a.log.Info("metrics listening", "addr", ln.Addr().String())
		go func() {
			<-ctx.Done()
			shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(shut)
		}()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
