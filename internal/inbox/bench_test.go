package inbox_test

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"salesdesk/internal/inbox"
	"salesdesk/internal/store"
)

// appendMany appends msgs with pipelined APPENDs (Dovecot has LITERAL+).
func (s imapServer) appendMany(b testing.TB, folder string, msgs [][]byte) {
	b.Helper()
	c := s.client(b)
	const window = 100
	for start := 0; start < len(msgs); start += window {
		var cmds []*imapclient.AppendCommand
		for _, raw := range msgs[start:min(start+window, len(msgs))] {
			cmd := c.Append(folder, int64(len(raw)), nil)
			if _, err := cmd.Write(raw); err != nil {
				b.Fatal(err)
			}
			if err := cmd.Close(); err != nil {
				b.Fatal(err)
			}
			cmds = append(cmds, cmd)
		}
		for _, cmd := range cmds {
			if _, err := cmd.Wait(); err != nil {
				b.Fatal(err)
			}
		}
	}
	c.Logout().Wait()
}

// BenchmarkIngest measures the drain of a 2,000-message backlog on Dovecot
// into stored rows and enqueued inbound:email tasks.
func BenchmarkIngest(b *testing.B) {
	stores := []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", sqliteStore}, {"postgres", postgresStore}}
	for _, st := range stores {
		b.Run("store="+st.name, func(b *testing.B) { benchmarkIngest(b, st.open(b)) })
	}
}

func benchmarkIngest(b *testing.B, st *store.Store) {
	const n = 2000
	e := setup(b, st)
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := dovecotServer(b)
		srv.appendMany(b, "INBOX", messages(n))
		m := mailbox(srv)
		m.BatchSize = 100
		p, err := inbox.New(m, e.deps())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		stop := start(b, p)
		synced(b, p, n)
		total += time.Since(began)
		b.StopTimer()
		stop()
		if got := len(e.inboundTasks(b, m.Name)); got != n {
			b.Fatalf("%d tasks, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "msgs/s")
}

// BenchmarkIdleLatency measures the time from the start of an APPEND on
// Dovecot to the inbound:email task being enqueued by an idling poller
// (20 messages per op, one at a time).
func BenchmarkIdleLatency(b *testing.B) {
	srv := dovecotServer(b)
	e := setup(b, sqliteStore(b))
	m := mailbox(srv)
	m.PollInterval = time.Hour

	var mu sync.Mutex
	enqueued := map[uint32]time.Time{}
	got := make(chan uint32, 1)
	d := e.deps()
	d.Hook = func(step string, uid uint32) error {
		if step == inbox.StepEnqueued {
			mu.Lock()
			enqueued[uid] = time.Now()
			mu.Unlock()
			got <- uid
		}
		return nil
	}
	p, err := inbox.New(m, d)
	if err != nil {
		b.Fatal(err)
	}
	start(b, p)
	waitFor(b, 30*time.Second, "idle", func() bool { return p.Status().State == inbox.StateIdle })

	// Each op is a series of messages, so that the percentiles rest on
	// enough samples even when the framework runs one op.
	const perOp = 20
	c := srv.client(b)
	msgs := messages(b.N * perOp)
	latencies := make([]time.Duration, 0, len(msgs))
	b.ResetTimer()
	for _, raw := range msgs {
		sent := time.Now()
		if err := appendRaw(b, c, "INBOX", raw); err != nil {
			b.Fatal(err)
		}
		uid := <-got
		mu.Lock()
		latencies = append(latencies, enqueued[uid].Sub(sent))
		mu.Unlock()
		// Let the poller settle back into IDLE before the next message.
		waitFor(b, 30*time.Second, "idle again", func() bool { return p.Status().State == inbox.StateIdle })
	}
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(q float64) float64 {
		return float64(latencies[int(q*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50_ms")
	b.ReportMetric(pct(0.95), "p95_ms")
}

// BenchmarkBacklogMemory drains backlogs of 1,000 and 10,000 messages from
// Dovecot and reports the peak heap while draining: with batches streamed,
// it must not grow with the backlog.
func BenchmarkBacklogMemory(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(itoa(n), func(b *testing.B) {
			e := setup(b, sqliteStore(b))
			var peakSum, baseSum float64
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				srv := dovecotServer(b)
				srv.appendMany(b, "INBOX", messages(n))
				m := mailbox(srv)
				m.BatchSize = 100
				p, err := inbox.New(m, e.deps())
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				var peak atomic.Uint64
				peak.Store(base)
				ctx, cancel := context.WithCancel(context.Background())
				sampled := make(chan struct{})
				go func() {
					defer close(sampled)
					tick := time.NewTicker(5 * time.Millisecond)
					defer tick.Stop()
					for {
						select {
						case <-ctx.Done():
							return
						case <-tick.C:
						}
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						if ms.HeapAlloc > peak.Load() {
							peak.Store(ms.HeapAlloc)
						}
					}
				}()
				b.StartTimer()
				stop := start(b, p)
				synced(b, p, uint32(n))
				b.StopTimer()
				cancel()
				<-sampled
				stop()
				peakSum += float64(peak.Load()) / (1 << 20)
				baseSum += float64(base) / (1 << 20)
			}
			b.ReportMetric(peakSum/float64(b.N), "peak_heap_MB")
			b.ReportMetric((peakSum-baseSum)/float64(b.N), "heap_growth_MB")
		})
	}
}

func itoa(n int) string {
	return "backlog=" + map[int]string{1000: "1000", 10000: "10000"}[n]
}
