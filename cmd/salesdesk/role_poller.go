package main

import (
	"context"
	"fmt"

	"salesdesk/internal/inbox"
)

// pollerRole runs one IMAP poller per configured mailbox, each restarted
// by inbox.RunAll when it panics.
func (a *app) pollerRole(ctx context.Context) (func(context.Context) error, error) {
	for i, m := range a.cfg.Mailboxes {
		p, err := inbox.New(inbox.Mailbox{
			Name:            m.Name,
			Addr:            m.Addr,
			TLS:             inbox.TLSMode(m.TLS),
			AllowPlaintext:  m.AllowPlaintext,
			Auth:            inbox.AuthMethod(m.Auth),
			Username:        m.Username,
			Password:        m.Password.Reveal(),
			Folder:          m.Folder,
			IDLE:            m.IDLE,
			PollInterval:    m.PollInterval,
			IdleRefresh:     m.IDLERefresh,
			CommandTimeout:  m.CommandTimeout,
			BatchSize:       m.BatchSize,
			FlagDelay:       m.FlagDelay,
			After:           inbox.AfterAction(m.After),
			ProcessedFolder: m.ProcessedFolder,
			MaxAttempts:     m.MaxAttempts,
			MaxMessageBytes: int64(m.MaxMessageBytes),
			LeaseTTL:        m.LeaseTTL,
		}, inbox.Deps{
			Store:    a.store,
			Enqueuer: a.client,
			Redis:    a.rdb,
			Logger:   a.log.With("role", rolePoller),
			Metrics:  a.registry,
		})
		if err != nil {
			return nil, fmt.Errorf("mailboxes[%d]: %w", i, err)
		}
		a.pollers = append(a.pollers, p)
	}
	pollers := a.pollers
	return func(ctx context.Context) error {
		if len(pollers) == 0 {
			a.log.Warn("no mailboxes configured; the poller role has nothing to read", "role", rolePoller)
			<-ctx.Done()
			return nil
		}
		return inbox.RunAll(ctx, pollers)
	}, nil
}
