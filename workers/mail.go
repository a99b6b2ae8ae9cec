package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/mailer"
	"salesdesk/internal/outbox"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// MailStore is what mail:send needs from the store.
type MailStore interface {
	Outbound(ctx context.Context, id int64) (*store.OutboundEmail, error)
	MarkOutboundSent(ctx context.Context, id int64, sentAt time.Time) error
	RecordOutboundAttempt(ctx context.Context, id int64, reason string) error
	MarkOutboundFailed(ctx context.Context, id int64, reason string) error
}

// MailSender delivers one message; *mailer.Sender is the real one. Its
// errors wrap mailer.ErrPermanent when sending again cannot help.
type MailSender interface {
	Send(ctx context.Context, o mailer.Outgoing) error
}

// MailSendHandler answers mail:send: it sends one outbound_emails row over
// SMTP, unless the row is no longer queued. Running it twice for a row
// sends the mail once.
type MailSendHandler struct {
	store  MailStore
	sender MailSender
	logger *slog.Logger
	clock  Clock
}

// NewMailSendHandler returns the mail:send handler. A nil logger discards,
// a nil clock is the wall clock.
func NewMailSendHandler(st MailStore, sender MailSender, logger *slog.Logger, clock Clock) *MailSendHandler {
	logger, clock = orDefault(logger, clock)
	return &MailSendHandler{store: st, sender: sender, logger: logger, clock: clock}
}

// markTries bounds the attempts to record a delivery that already
// happened; see markSent.
const markTries = 3

// ProcessTask sends the row named by the payload.
//
//   - a row that is sent, failed or bounced: nothing to do;
//   - accepted by the server: the row is marked sent;
//   - a permanent refusal (5xx, a message that cannot be composed): the
//     row is marked failed with the server's answer and the task is not
//     retried (asynq.SkipRetry);
//   - a temporary failure (4xx, network, timeout): the attempt is recorded
//     on the row, which stays queued, and the plain error makes asynq
//     retry with backoff. On the task's last retry the row is marked
//     failed instead, so that it does not stay queued for ever.
func (h *MailSendHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := tasks.ParseMailSendPayload(t.Payload())
	if err != nil {
		return err
	}
	o, err := h.store.Outbound(ctx, p.OutboundID)
	if errors.Is(err, store.ErrNotFound) {
		return queue.Permanent(fmt.Errorf("mail:send: %w", err))
	}
	if err != nil {
		return fmt.Errorf("mail:send: %w", err)
	}
	return h.sendRow(ctx, o)
}

// sendRow is ProcessTask once the row o is loaded: the row is read once
// per mail, also behind the recipient limit (LimitedMailSendHandler).
func (h *MailSendHandler) sendRow(ctx context.Context, o *store.OutboundEmail) error {
	log := h.logger.With("outbound_id", o.ID, "kind", o.Kind, "message_id", o.MessageID)
	if o.Status != store.OutboundQueued {
		log.DebugContext(ctx, "mail already handled", "status", o.Status)
		return nil
	}

	err := h.sender.Send(ctx, outbox.Message(o, h.clock.Now()))
	switch {
	case err == nil:
		if err := h.markSent(ctx, o.ID); err != nil {
			// The server has the mail; a retry will send it again, with
			// the same Message-ID. Rare (the database failed three times
			// in a row) and loud.
			log.ErrorContext(ctx, "mail sent but not recorded", "error", err)
			return fmt.Errorf("mail:send %d: record sent: %w", o.ID, err)
		}
		log.InfoContext(ctx, "mail sent", "recipients", len(o.To)+len(o.Cc), "attempt", o.Attempts+1)
		return nil

	case !mailer.IsTemporary(err):
		if merr := h.store.MarkOutboundFailed(ctx, o.ID, err.Error()); merr != nil {
			return fmt.Errorf("mail:send %d: %w (and record failure: %w)", o.ID, err, merr)
		}
		log.WarnContext(ctx, "mail refused", "error", err)
		return fmt.Errorf("mail:send %d: %w: %w", o.ID, err, asynq.SkipRetry)

	default:
		retried, _ := asynq.GetRetryCount(ctx)
		maxRetry, ok := asynq.GetMaxRetry(ctx)
		if ok && retried >= maxRetry {
			reason := fmt.Sprintf("gave up after %d attempts: %v", o.Attempts+1, err)
			if merr := h.store.MarkOutboundFailed(ctx, o.ID, reason); merr != nil {
				return fmt.Errorf("mail:send %d: %w (and record failure: %w)", o.ID, err, merr)
			}
			log.ErrorContext(ctx, "mail given up", "error", err, "attempts", o.Attempts+1)
			return fmt.Errorf("mail:send %d: %w: %w", o.ID, err, asynq.SkipRetry)
		}
		if merr := h.store.RecordOutboundAttempt(ctx, o.ID, err.Error()); merr != nil {
			log.WarnContext(ctx, "record mail attempt", "error", merr)
		}
		log.WarnContext(ctx, "mail deferred", "error", err, "retry", retried, "max_retry", maxRetry)
		return fmt.Errorf("mail:send %d: %w", o.ID, err)
	}
}

// markSent records the delivery, trying a few times: once the server has
// the mail, failing here means sending it twice. It outlives ctx's
// cancellation for the same reason.
func (h *MailSendHandler) markSent(ctx context.Context, id int64) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	for try := range markTries {
		if try > 0 {
			time.Sleep(time.Duration(try) * 200 * time.Millisecond)
		}
		tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = h.store.MarkOutboundSent(tctx, id, h.clock.Now())
		cancel()
		if err == nil {
			return nil
		}
	}
	return err
}
