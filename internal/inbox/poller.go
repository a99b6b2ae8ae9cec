// Package inbox reads customer mail from IMAP mailboxes and hands every new
// message off exactly once: stored raw, then an inbound:email task, then the
// checkpoint, then \Seen or a move on the server, each step for a chunk of
// messages at a time (the last for up to BatchSize messages, while mail
// keeps arriving). A crash between any two steps repeats work on restart
// and loses nothing; the store's uniqueness and the task's deterministic ID
// absorb the repeats.
//
// One Poller serves one mailbox over its own connection, waiting for news
// with IDLE (or polling), and holds a Redis lease so that only one process
// polls a mailbox at a time. RunAll supervises many pollers.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"salesdesk/internal/lease"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
)

// Store is the persistence the poller needs; *store.Store implements it.
type Store interface {
	MailboxState(ctx context.Context, mailbox string) (st store.MailboxState, found bool, err error)
	SaveMailboxState(ctx context.Context, st store.MailboxState) error
	SaveInboundMessage(ctx context.Context, m *store.InboundMessage) (id int64, created bool, duplicate bool, err error)
	SaveInboundMessages(ctx context.Context, ms []*store.InboundMessage) ([]store.SavedInbound, error)
	RecordFetchFailure(ctx context.Context, mailbox string, uidValidity, uid uint32, reason string) (attempts int, err error)
	Quarantine(ctx context.Context, mailbox string, uidValidity, uid uint32, reason string, raw []byte) error
}

// Clock tells the time of status and checkpoint timestamps.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Deps are the poller's collaborators.
type Deps struct {
	Store    Store          // required
	Enqueuer queue.Enqueuer // required
	// Redis holds the lease that makes one poller per mailbox active. Nil
	// disables the lease (a single process, such as the demo).
	Redis   redis.UniversalClient
	Logger  *slog.Logger          // nil discards
	Metrics prometheus.Registerer // nil: metrics are kept but not exported
	Clock   Clock                 // nil: system time
	// Hook, when set, is called after each step of each message's hand-off
	// (StepStored, StepEnqueued, StepCheckpointed, StepFlagged). An error
	// aborts the connection there, as if the process had been killed: tests
	// use it to inject crashes.
	Hook func(step string, uid uint32) error
}

// LeaseKey is the Redis key of a mailbox's poller lease.
func LeaseKey(mailbox string) string { return "salesdesk:inbox:lease:" + mailbox }

// Poller reads one mailbox.
type Poller struct {
	mbox    Mailbox
	deps    Deps
	log     *slog.Logger
	clock   Clock
	metrics *metrics

	mu     sync.Mutex
	status Status
}

// New validates m, fills its defaults and builds its poller.
func New(m Mailbox, d Deps) (*Poller, error) {
	m = m.withDefaults()
	if err := m.validate(); err != nil {
		return nil, err
	}
	if d.Store == nil || d.Enqueuer == nil {
		return nil, fmt.Errorf("mailbox %q: store and enqueuer are required", m.Name)
	}
	met, err := newMetrics(d.Metrics)
	if err != nil {
		return nil, err
	}
	p := &Poller{mbox: m, deps: d, log: d.Logger, clock: d.Clock, metrics: met}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.clock == nil {
		p.clock = systemClock{}
	}
	p.status = Status{Mailbox: m.Name}
	p.setState(StateStopped)
	return p, nil
}

// Mailbox returns the poller's configuration with defaults filled in.
func (p *Poller) Mailbox() Mailbox { return p.mbox }

// Run polls the mailbox until ctx is done: it waits for the lease, then
// connects, syncs and waits for news, reconnecting with backoff after any
// error. It returns nil once ctx is done; it does not recover panics (RunAll does).
func (p *Poller) Run(ctx context.Context) error {
	defer p.setState(StateStopped)
	bo := newBackoff(p.mbox.BackoffMin, p.mbox.BackoffMax)
	for ctx.Err() == nil {
		p.setState(StateWaitingLease)
		var err error
		if p.deps.Redis == nil {
			err = p.connectLoop(ctx)
		} else {
			err = lease.Hold(ctx, p.deps.Redis, LeaseKey(p.mbox.Name), p.mbox.LeaseTTL, p.connectLoop)
		}
		if ctx.Err() != nil {
			break
		}
		if errors.Is(err, lease.ErrLost) {
			p.log.WarnContext(ctx, "poller lease lost, stopping and waiting for it", "mailbox", p.mbox.Name)
			bo.reset()
			continue
		}
		p.fail(ctx, err)
		p.sleep(ctx, bo.next())
	}
	return nil
}

// connectLoop runs sessions while the lease is held, with backoff between.
func (p *Poller) connectLoop(ctx context.Context) error {
	bo := newBackoff(p.mbox.BackoffMin, p.mbox.BackoffMax)
	for {
		err := p.session(ctx, bo)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		p.fail(ctx, err)
		p.sleep(ctx, bo.next())
	}
}

func (p *Poller) fail(ctx context.Context, err error) {
	p.setError(err)
	p.setState(StateBackoff)
	p.log.WarnContext(ctx, "mailbox poller error, reconnecting", "mailbox", p.mbox.Name, "err", err)
}

func (p *Poller) sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// session is one connection: connect, select, then sync and wait for news
// until an error. It always returns an error (ctx's when cancelled).
func (p *Poller) session(ctx context.Context, bo *backoff) (err error) {
	p.setState(StateConnecting)
	cn, err := dial(ctx, p.mbox)
	if err != nil {
		return err
	}
	defer cn.close()
	defer func() {
		if stoppedCleanly(ctx, err) {
			p.flagOnStop(ctx, cn)
		}
	}()

	caps, err := cn.caps(ctx)
	if err != nil {
		return err
	}
	if p.mbox.After == AfterMove {
		if !caps.Has(imap.CapMove) && !caps.Has(imap.CapIMAP4rev2) {
			return fmt.Errorf("server %s does not support MOVE, needed for after: move", p.mbox.Addr)
		}
		if err := cn.ensureFolder(ctx, p.mbox.ProcessedFolder); err != nil {
			return err
		}
	}
	useIdle := p.mbox.IDLE && (caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2))
	if p.mbox.IDLE && !useIdle {
		p.log.WarnContext(ctx, "server lacks IDLE, polling instead", "mailbox", p.mbox.Name, "poll_interval", p.mbox.PollInterval)
	}

	sel, err := cn.selectFolder(ctx, p.mbox.Folder)
	if err != nil {
		return err
	}
	p.log.InfoContext(ctx, "mailbox connected", "mailbox", p.mbox.Name, "folder", p.mbox.Folder,
		"uid_validity", sel.UIDValidity, "messages", sel.NumMessages, "idle", useIdle)

	for first := true; ; first = false {
		p.setState(StateSyncing)
		st, err := p.sync(ctx, cn, sel.UIDValidity, first)
		if err != nil {
			return err
		}
		p.setSynced(st.UIDValidity, st.LastUID)
		bo.reset()

		if useIdle {
			err = p.idle(ctx, cn)
		} else {
			p.setState(StatePolling)
			err = p.poll(ctx, cn)
		}
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// stopTimeout bounds the after action of the waiting messages when the
// poller stops, and the DONE that ends IDLE before it.
const stopTimeout = 5 * time.Second

// stopContext is a context for the last commands of a session after ctx
// ended: not cancelled with ctx, but bounded by stopTimeout.
func stopContext(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), stopTimeout)
}

// stoppedCleanly tells whether a session ended with err because the poller
// is being stopped: not after a crash (a failed hook), an error, or a lost
// lease (another poller may hold the mailbox now).
func stoppedCleanly(ctx context.Context, err error) bool {
	if ctx.Err() == nil || errors.Is(context.Cause(ctx), lease.ErrLost) {
		return false
	}
	return errors.Is(err, ctx.Err()) || errors.Is(err, context.Cause(ctx))
}

// flagOnStop runs the after action of the messages still waiting for it
// (FlagDelay) when the poller stops, so that the team does not see them
// unread or unmoved until the next start. When the connection is gone the
// next session's finishAfterActions does it, as after a crash.
func (p *Poller) flagOnStop(ctx context.Context, cn *conn) {
	n := len(cn.unflagged)
	if n == 0 {
		return
	}
	ctx, cancel := stopContext(ctx)
	defer cancel()
	if err := p.flagQueued(ctx, cn); err != nil {
		p.log.WarnContext(ctx, "after action on stop failed, the next start repeats it",
			"mailbox", p.mbox.Name, "messages", n, "err", err)
	}
}

// idle waits in IDLE for news, at most the resync interval.
func (p *Poller) idle(ctx context.Context, cn *conn) error {
	cmd, err := cn.startIdle(ctx)
	if err != nil {
		return err
	}
	p.setState(StateIdle)
	return cn.waitIdle(ctx, cmd, p.flagWait(cn, p.mbox.resyncInterval()))
}

// poll waits PollInterval, or less when the server reported a new message
// in an earlier response.
func (p *Poller) poll(ctx context.Context, cn *conn) error {
	t := time.NewTimer(p.flagWait(cn, p.mbox.PollInterval))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-cn.c.Closed():
		return errors.New("connection closed by server")
	case <-cn.exists:
	case <-t.C:
	}
	return nil
}
