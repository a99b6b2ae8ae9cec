package inbox

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
)

// RunAll runs every poller in its own goroutine until ctx is done. A poller
// that panics is logged with its stack, counted in
// salesdesk_inbox_poller_restarts_total and restarted after a backoff, so a
// mailbox never silently stops being read.
func RunAll(ctx context.Context, pollers []*Poller) error {
	var wg sync.WaitGroup
	for _, p := range pollers {
		wg.Go(func() { p.supervise(ctx) })
	}
	wg.Wait()
	return nil
}

func (p *Poller) supervise(ctx context.Context) {
	bo := newBackoff(p.mbox.BackoffMin, p.mbox.BackoffMax)
	for {
		err := p.runRecovered(ctx)
		if ctx.Err() != nil {
			return
		}
		p.metrics.restarts.WithLabelValues(p.mbox.Name).Inc()
		p.fail(ctx, err)
		p.sleep(ctx, bo.next())
	}
}

// runRecovered runs the poller, turning a panic into an error.
func (p *Poller) runRecovered(ctx context.Context) (err error) {
	defer func() {
		if v := recover(); v != nil {
			stack := debug.Stack()
			p.log.ErrorContext(ctx, "mailbox poller panicked, restarting", "mailbox", p.mbox.Name,
				"panic", fmt.Sprint(v), "stack", string(stack))
			err = fmt.Errorf("poller panicked: %v", v)
		}
	}()
	if err := p.Run(ctx); err != nil {
		return err
	}
	if ctx.Err() == nil {
		return fmt.Errorf("poller returned before shutdown")
	}
	return nil
}
