package inbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
)

// ErrCommandTimeout means an IMAP command did not complete within
// Mailbox.CommandTimeout; the connection was closed.
var ErrCommandTimeout = errors.New("imap command timed out")

// conn is one IMAP connection. go-imap's client waits for responses without
// a deadline, so every command runs under a guard that closes the
// connection when the command's time is up or ctx is done, which fails the
// pending command.
type conn struct {
	c       *imapclient.Client
	timeout time.Duration
	// exists receives a signal (never blocking the reader goroutine) when
	// the server reports a new message count.
	exists chan struct{}
	// unflagged are handed-off messages waiting for their after action;
	// flaggedAt is when the last wait ended (Poller.flagQueued).
	unflagged []imap.UID
	flaggedAt time.Time
}

// guard is a running watchdog for one command.
type guard struct {
	timer    *time.Timer
	stopCtx  func() bool
	timedOut atomic.Bool
	timeout  time.Duration
}

func (cn *conn) guard(ctx context.Context) *guard {
	g := &guard{timeout: cn.timeout}
	g.timer = time.AfterFunc(cn.timeout, func() {
		g.timedOut.Store(true)
		cn.c.Close()
	})
	g.stopCtx = context.AfterFunc(ctx, func() { cn.c.Close() })
	return g
}

// touch gives the command another full timeout (progress was made).
func (g *guard) touch() { g.timer.Reset(g.timeout) }

// done stops the watchdog and explains err: a timeout or a cancelled ctx
// rather than the "connection closed" the client reports.
func (g *guard) done(ctx context.Context, what string, err error) error {
	g.timer.Stop()
	g.stopCtx()
	switch {
	case err == nil:
		return nil
	case g.timedOut.Load():
		return fmt.Errorf("%s: %w after %v", what, ErrCommandTimeout, g.timeout)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", what, context.Cause(ctx))
	}
	return fmt.Errorf("%s: %w", what, err)
}

// do runs one command under a guard.
func (cn *conn) do(ctx context.Context, what string, fn func() error) error {
	g := cn.guard(ctx)
	return g.done(ctx, what, fn())
}

// dial connects, waits for the greeting and logs in.
func dial(ctx context.Context, m Mailbox) (*conn, error) {
	cn := &conn{timeout: m.CommandTimeout, exists: make(chan struct{}, 1)}
	tlsConfig := m.TLSConfig
	if tlsConfig == nil {
		tlsConfig = &tls.Config{}
	}
	tlsConfig = tlsConfig.Clone()
	if tlsConfig.ServerName == "" {
		host, _, err := net.SplitHostPort(m.Addr)
		if err != nil {
			return nil, fmt.Errorf("addr %q: %w", m.Addr, err)
		}
		tlsConfig.ServerName = host
	}
	opts := &imapclient.Options{
		TLSConfig: tlsConfig,
		Dialer:    &net.Dialer{Timeout: m.CommandTimeout},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			// Runs on the client's reader goroutine: signal only.
			Mailbox: func(data *imapclient.UnilateralDataMailbox) {
				if data.NumMessages != nil {
					select {
					case cn.exists <- struct{}{}:
					default:
					}
				}
			},
		},
	}

	// Dialing and STARTTLS block inside go-imap; run them where a timeout
	// or a cancelled ctx can abandon them.
	type result struct {
		c   *imapclient.Client
		err error
	}
	resc := make(chan result, 1)
	go func() {
		var r result
		switch m.TLS {
		case TLSImplicit:
			r.c, r.err = imapclient.DialTLS(m.Addr, opts)
		case TLSStartTLS:
			r.c, r.err = imapclient.DialStartTLS(m.Addr, opts)
		default:
			r.c, r.err = imapclient.DialInsecure(m.Addr, opts)
		}
		resc <- r
	}()
	t := time.NewTimer(2 * m.CommandTimeout)
	defer t.Stop()
	var r result
	select {
	case r = <-resc:
	case <-ctx.Done():
		r.err = context.Cause(ctx)
	case <-t.C:
		r.err = ErrCommandTimeout
	}
	if r.err != nil {
		go func() { // close a connection that arrives after we gave up
			if late := <-resc; late.c != nil {
				late.c.Close()
			}
		}()
		return nil, fmt.Errorf("connect %s: %w", m.Addr, r.err)
	}
	cn.c = r.c

	if err := cn.do(ctx, "greeting", cn.c.WaitGreeting); err != nil {
		cn.close()
		return nil, err
	}
	var err error
	switch m.Auth {
	case AuthPlain:
		err = cn.do(ctx, "authenticate plain", func() error {
			return cn.c.Authenticate(sasl.NewPlainClient("", m.Username, m.Password))
		})
	default:
		err = cn.do(ctx, "login", func() error { return cn.c.Login(m.Username, m.Password).Wait() })
	}
	if err != nil {
		cn.close()
		return nil, err
	}
	return cn, nil
}

func (cn *conn) close() {
	if cn != nil && cn.c != nil {
		cn.c.Close()
	}
}

// caps returns the server's capabilities, asking for them when unknown.
func (cn *conn) caps(ctx context.Context) (imap.CapSet, error) {
	var caps imap.CapSet
	err := cn.do(ctx, "capability", func() error {
		caps = cn.c.Caps()
		if caps == nil {
			return errors.New("no capabilities received")
		}
		return nil
	})
	return caps, err
}

func (cn *conn) selectFolder(ctx context.Context, folder string) (*imap.SelectData, error) {
	var data *imap.SelectData
	err := cn.do(ctx, "select "+folder, func() error {
		var err error
		data, err = cn.c.Select(folder, nil).Wait()
		return err
	})
	return data, err
}

// ensureFolder creates folder unless it exists.
func (cn *conn) ensureFolder(ctx context.Context, folder string) error {
	err := cn.do(ctx, "create "+folder, func() error { return cn.c.Create(folder, nil).Wait() })
	var ierr *imap.Error
	if errors.As(err, &ierr) && ierr.Type == imap.StatusResponseTypeNo {
		return nil // ALREADYEXISTS, or a server that says so in other words
	}
	return err
}

// searchUIDs returns the UIDs in the folder within set, ascending, that
// also match the extra criteria (nil for none).
func (cn *conn) searchUIDs(ctx context.Context, set imap.UIDSet, extra *imap.SearchCriteria) ([]imap.UID, error) {
	criteria := &imap.SearchCriteria{UID: []imap.UIDSet{set}}
	if extra != nil {
		criteria.And(extra)
	}
	var data *imap.SearchData
	err := cn.do(ctx, "uid search", func() error {
		var err error
		data, err = cn.c.UIDSearch(criteria, nil).Wait()
		return err
	})
	if err != nil {
		return nil, err
	}
	return data.AllUIDs(), nil
}

// markSeen sets \Seen on uids without asking for the new flags back.
func (cn *conn) markSeen(ctx context.Context, uids imap.UIDSet) error {
	flags := &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}
	return cn.do(ctx, "uid store", func() error { return cn.c.Store(uids, flags, nil).Close() })
}

func (cn *conn) move(ctx context.Context, uids imap.UIDSet, folder string) error {
	return cn.do(ctx, "uid move", func() error {
		_, err := cn.c.Move(uids, folder).Wait()
		return err
	})
}

// startIdle starts IDLE and returns once the server acknowledged it.
func (cn *conn) startIdle(ctx context.Context) (*imapclient.IdleCommand, error) {
	var cmd *imapclient.IdleCommand
	err := cn.do(ctx, "idle", func() error {
		var err error
		cmd, err = cn.c.Idle()
		return err
	})
	return cmd, err
}

// waitIdle lets IDLE run until a new message is reported, wait elapses,
// the connection drops or ctx is done, then ends it.
func (cn *conn) waitIdle(ctx context.Context, cmd *imapclient.IdleCommand, wait time.Duration) error {
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-cn.exists:
	case <-t.C:
	case <-ctx.Done():
	case <-cn.c.Closed():
	}
	if ctx.Err() != nil {
		// A stop: end IDLE without closing the connection, so that the
		// session can still flag the waiting messages (Poller.flagOnStop).
		var cancel context.CancelFunc
		ctx, cancel = stopContext(ctx)
		defer cancel()
	}
	return cn.do(ctx, "idle done", func() error {
		if err := cmd.Close(); err != nil {
			return err
		}
		return cmd.Wait()
	})
}
