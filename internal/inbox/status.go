package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// State is what a poller is doing right now.
type State string

// Poller states.
const (
	StateWaitingLease State = "waiting_lease" // another process polls this mailbox
	StateConnecting   State = "connecting"
	StateSyncing      State = "syncing"
	StateIdle         State = "idle"    // IDLE running, waiting for news
	StatePolling      State = "polling" // waiting for the next poll
	StateBackoff      State = "backoff" // waiting to reconnect after an error
	StateStopped      State = "stopped"
)

var allStates = []State{StateWaitingLease, StateConnecting, StateSyncing, StateIdle, StatePolling, StateBackoff, StateStopped}

// Status is a snapshot of one poller, for /readyz and the admin pages.
type Status struct {
	Mailbox     string
	State       State
	Since       time.Time // when State was entered
	LastSync    time.Time // last completed sync; zero before the first
	LastError   string
	LastErrorAt time.Time
	UIDValidity uint32 // of the last sync
	LastUID     uint32 // checkpoint after the last sync
}

// Status returns the poller's current status.
func (p *Poller) Status() Status {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.status
}

// Check reports whether the mailbox is being read: nil while a recent sync
// succeeded (within 2 resync intervals plus a minute) or while another
// process holds the mailbox's lease; an error in backoff, when syncs are
// overdue, before the first sync and when the poller is not running.
func (p *Poller) Check(ctx context.Context) error {
	st := p.Status()
	now := p.clock.Now()
	switch {
	case st.State == StateWaitingLease:
		return nil
	case st.State == StateStopped:
		return fmt.Errorf("mailbox %s: poller not running", st.Mailbox)
	case st.State == StateBackoff:
		return fmt.Errorf("mailbox %s: reconnecting after error: %s", st.Mailbox, st.LastError)
	case st.LastSync.IsZero():
		return fmt.Errorf("mailbox %s: not synced yet (state %s)", st.Mailbox, st.State)
	}
	limit := 2*p.mbox.resyncInterval() + time.Minute
	if age := now.Sub(st.LastSync); age > limit {
		return fmt.Errorf("mailbox %s: last sync %v ago (limit %v), state %s", st.Mailbox, age.Round(time.Second), limit, st.State)
	}
	return nil
}

func (p *Poller) setState(s State) {
	p.mu.Lock()
	changed := p.status.State != s
	if changed {
		p.status.State = s
		p.status.Since = p.clock.Now()
	}
	p.mu.Unlock()
	if changed {
		for _, o := range allStates {
			v := 0.0
			if o == s {
				v = 1
			}
			p.metrics.state.WithLabelValues(p.mbox.Name, string(o)).Set(v)
		}
	}
}

func (p *Poller) setError(err error) {
	p.mu.Lock()
	p.status.LastError = err.Error()
	p.status.LastErrorAt = p.clock.Now()
	p.mu.Unlock()
}

func (p *Poller) setSynced(uidValidity, lastUID uint32) {
	now := p.clock.Now()
	p.mu.Lock()
	p.status.LastSync = now
	p.status.UIDValidity = uidValidity
	p.status.LastUID = lastUID
	p.mu.Unlock()
	p.metrics.lastSync.WithLabelValues(p.mbox.Name).Set(float64(now.UnixNano()) / 1e9)
}

// metrics are shared by every poller registered on the same Registerer.
type metrics struct {
	state       *prometheus.GaugeVec
	lastSync    *prometheus.GaugeVec
	stored      *prometheus.CounterVec
	duplicates  *prometheus.CounterVec
	enqueued    *prometheus.CounterVec
	failures    *prometheus.CounterVec
	quarantined *prometheus.CounterVec
	restarts    *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	if reg == nil {
		reg = prometheus.NewRegistry() // nobody scrapes it
	}
	m := &metrics{}
	var err error
	gauge := func(dst **prometheus.GaugeVec, name, help string, labels ...string) {
		if err == nil {
			*dst, err = register(reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels))
		}
	}
	counter := func(dst **prometheus.CounterVec, name, help string) {
		if err == nil {
			*dst, err = register(reg, prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, []string{"mailbox"}))
		}
	}
	gauge(&m.state, "salesdesk_inbox_state", "1 for the state each mailbox poller is in, 0 for the others.", "mailbox", "state")
	gauge(&m.lastSync, "salesdesk_inbox_last_sync_timestamp_seconds", "Unix time of the last completed sync of each mailbox.", "mailbox")
	counter(&m.stored, "salesdesk_inbox_messages_stored_total", "Messages stored as new inbound rows.")
	counter(&m.duplicates, "salesdesk_inbox_messages_duplicate_total", "Messages recognised as already stored (Message-ID and hash) after a UIDVALIDITY change.")
	counter(&m.enqueued, "salesdesk_inbox_messages_enqueued_total", "inbound:email tasks enqueued (repeats that found the task already there excluded).")
	counter(&m.failures, "salesdesk_inbox_message_failures_total", "Failed attempts to fetch or store one message.")
	counter(&m.quarantined, "salesdesk_inbox_messages_quarantined_total", "Messages given up after MaxAttempts and quarantined.")
	counter(&m.restarts, "salesdesk_inbox_poller_restarts_total", "Pollers restarted by the supervisor after a panic.")
	return m, err
}

// register registers c, or returns the collector already registered under
// the same name, so that pollers built one after another share metrics.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, fmt.Errorf("register inbox metrics: %w", err)
	}
	return c, nil
}
