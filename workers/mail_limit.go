package workers

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/anomaly"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// AlertKindMailRateLimited is the kind of the alert raised when mail to
// an address is held back by the recipient limit.
const AlertKindMailRateLimited = "mail_rate_limited"

// ErrRateLimited marks a mail not sent because its recipient already got
// as many mails as the limit allows in the window.
var ErrRateLimited = errors.New("rate limited")

// RecipientLimit caps the mails sent to one outside address per window:
// the last line of defence against mail loops, whatever let the loop
// through upstream.
type RecipientLimit struct {
	// PerRecipient is how many mails one address may get per Window; 0
	// or less turns the limit off.
	PerRecipient int
	// Window is the sliding span the mails are counted over; 0 or less
	// turns the limit off.
	Window time.Duration
	// Exempt are our own addresses, which are never limited: the team,
	// triage, manager, operations and supervisor addresses. An entry
	// starting with "@" exempts a whole domain ("@ourco.example").
	// Compared without case. Reps (any address the store knows as a rep)
	// are exempt without being listed.
	Exempt []string
}

func (l RecipientLimit) enabled() bool { return l.PerRecipient > 0 && l.Window > 0 }

// MailLimitStore is what the recipient limit reads and writes, besides
// MailStore; *store.Store implements it.
type MailLimitStore interface {
	ListOutbound(ctx context.Context, f store.OutboundFilter) ([]store.OutboundEmail, error)
	CreateAlert(ctx context.Context, a *store.Alert) (int64, bool, error)
	RepByEmail(ctx context.Context, email string) (*store.Rep, error)
}

// LimitedMailSendHandler is the mail:send handler behind a RecipientLimit.
type LimitedMailSendHandler struct {
	send   *MailSendHandler
	st     MailLimitStore
	limit  RecipientLimit
	exempt map[string]bool // lower-case addresses and "@domain"s
}

// WithRateLimit returns h behind l: before a queued row is sent, each of
// its outside recipients' mails sent (or sent and bounced) within the
// window are counted, and at the limit the row is failed, an alert of
// kind AlertKindMailRateLimited is raised (one per address and window
// bucket; repeats count occurrences) and the task is not retried. A
// disabled limit sends everything, as h does.
//
// Rows are counted by their To field, as a single recipient in the form
// the row holds and as a bare address; rows to several recipients at
// once are not counted. Two tasks for the same address running at the
// same moment may both pass at the limit's edge: the limit stops loops,
// not the last mail.
func (h *MailSendHandler) WithRateLimit(st MailLimitStore, l RecipientLimit) *LimitedMailSendHandler {
	exempt := map[string]bool{}
	for _, e := range l.Exempt {
		if e = strings.ToLower(strings.TrimSpace(e)); e == "" {
			continue
		}
		if !strings.HasPrefix(e, "@") {
			e = bareAddress(e)
		}
		exempt[e] = true
	}
	return &LimitedMailSendHandler{send: h, st: st, limit: l, exempt: exempt}
}

// ProcessTask checks the row's recipients against the limit, then sends
// it with the wrapped handler.
func (h *LimitedMailSendHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if !h.limit.enabled() {
		return h.send.ProcessTask(ctx, t)
	}
	p, err := tasks.ParseMailSendPayload(t.Payload())
	if err != nil {
		return h.send.ProcessTask(ctx, t) // fails the same way, permanently
	}
	o, err := h.send.store.Outbound(ctx, p.OutboundID)
	if err != nil || o.Status != store.OutboundQueued {
		return h.send.ProcessTask(ctx, t) // missing rows and rows already handled are its business
	}
	now := h.send.clock.Now()
	for _, rcpt := range append(append([]string(nil), o.To...), o.Cc...) {
		addr := bareAddress(rcpt)
		internal, err := h.internal(ctx, addr)
		if err != nil {
			return fmt.Errorf("mail:send %d: rate limit: %w", o.ID, err)
		}
		if internal {
			continue
		}
		n, err := h.sentTo(ctx, rcpt, now.Add(-h.limit.Window))
		if err != nil {
			return fmt.Errorf("mail:send %d: rate limit: %w", o.ID, err)
		}
		if n >= h.limit.PerRecipient {
			return h.hold(ctx, o, addr, n, now)
		}
	}
	return h.send.ProcessTask(ctx, t)
}

// internal reports whether addr is ours: listed as exempt, in an exempt
// domain, or a rep's.
func (h *LimitedMailSendHandler) internal(ctx context.Context, addr string) (bool, error) {
	if h.exempt[addr] {
		return true, nil
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && h.exempt[addr[i:]] {
		return true, nil
	}
	_, err := h.st.RepByEmail(ctx, addr)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, store.ErrNotFound):
		return false, nil
	default:
		return false, err
	}
}

// sentTo counts the mails sent to rcpt since the given time, up to the
// limit: more does not change the answer.
func (h *LimitedMailSendHandler) sentTo(ctx context.Context, rcpt string, since time.Time) (int, error) {
	forms := []string{strings.TrimSpace(rcpt)}
	if bare := bareAddress(rcpt); bare != forms[0] {
		forms = append(forms, bare)
	}
	n := 0
	for _, to := range forms {
		for _, status := range []string{store.OutboundSent, store.OutboundBounced} {
			rows, err := h.st.ListOutbound(ctx, store.OutboundFilter{To: to, Status: status, Since: since, Limit: h.limit.PerRecipient})
			if err != nil {
				return 0, err
			}
			if n += len(rows); n >= h.limit.PerRecipient {
				return n, nil
			}
		}
	}
	return n, nil
}

// hold raises the alert, fails the row and stops the task. The alert
// comes first: a failed row is never looked at again, so an alert lost
// after it would stay lost.
func (h *LimitedMailSendHandler) hold(ctx context.Context, o *store.OutboundEmail, addr string, n int, now time.Time) error {
	window := formatWindow(h.limit.Window)
	reason := fmt.Sprintf("rate limited: %d mails to %s in %s", n, addr, window)
	a := &store.Alert{
		DedupeKey: fmt.Sprintf("%s:%s:%s", AlertKindMailRateLimited, addr, anomaly.Bucket(now, h.limit.Window)),
		Kind:      AlertKindMailRateLimited,
		Severity:  anomaly.SeverityCritical,
		Subject:   fmt.Sprintf("Mail to %s held back: %d mails in %s", addr, n, window),
		Detail: fmt.Sprintf("Outbound mail %d (%s, %q) was not sent: %s already got %d mails in %s, the limit. "+
			"A mail loop with an auto-responder or a runaway follow-up is the usual cause.", o.ID, o.Kind, o.Subject, addr, n, window),
	}
	if _, _, err := h.st.CreateAlert(ctx, a); err != nil {
		return fmt.Errorf("mail:send %d: rate limit alert: %w", o.ID, err)
	}
	if err := h.send.store.MarkOutboundFailed(ctx, o.ID, reason); err != nil {
		return fmt.Errorf("mail:send %d: %w (and record failure: %w)", o.ID, ErrRateLimited, err)
	}
	h.send.logger.WarnContext(ctx, "mail rate limited", "outbound_id", o.ID, "kind", o.Kind, "recipient", addr,
		"sent_in_window", n, "window", window, "alert_id", a.ID)
	return fmt.Errorf("mail:send %d: %w: %d mails to %s in %s: %w", o.ID, ErrRateLimited, n, addr, window, asynq.SkipRetry)
}

// bareAddress returns the lower-case address of a recipient such as
// "Ann Lee <ann@acme.com>", or the trimmed lower-case text when it does
// not parse.
func bareAddress(rcpt string) string {
	if a, err := mail.ParseAddress(rcpt); err == nil {
		return strings.ToLower(a.Address)
	}
	return strings.ToLower(strings.TrimSpace(rcpt))
}

// formatWindow writes a window the way people say it: "1h", "15m", "36h".
func formatWindow(d time.Duration) string {
	switch {
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	default:
		return d.String()
	}
}
