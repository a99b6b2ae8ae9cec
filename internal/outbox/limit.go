package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/anomaly"
	"salesdesk/internal/store"
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

// LimitStore is what the recipient limit reads and writes;
// *store.Store implements it.
type LimitStore interface {
	CountOutboundTo(ctx context.Context, forms []string, since time.Time, limit int) (int, error)
	CreateAlert(ctx context.Context, a *store.Alert) (int64, bool, error)
	RepByEmail(ctx context.Context, email string) (*store.Rep, error)
	MarkOutboundFailed(ctx context.Context, id int64, reason string) error
}

// Limiter applies a RecipientLimit to queued rows right before they are
// sent.
type Limiter struct {
	st     LimitStore
	limit  RecipientLimit
	exempt map[string]bool // lower-case addresses and "@domain"s
	log    *slog.Logger
}

// NewLimiter returns the limiter of l over st; a nil logger discards.
func NewLimiter(st LimitStore, l RecipientLimit, logger *slog.Logger) *Limiter {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
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
	return &Limiter{st: st, limit: l, exempt: exempt, log: logger}
}

// Enabled reports whether the limit holds anything back.
func (l *Limiter) Enabled() bool { return l.limit.PerRecipient > 0 && l.limit.Window > 0 }

// Hold checks the outside recipients of the queued row o against the
// limit at now. Under the limit it returns nil: send it. At the limit it
// raises an alert of kind AlertKindMailRateLimited (one per address and
// window bucket; repeats count occurrences), fails the row and returns an
// error wrapping ErrRateLimited and asynq.SkipRetry.
//
// Rows are counted by their To field, as a single recipient in the form
// the row holds and as a bare address; rows to several recipients at
// once are not counted. Two sends to the same address at the same moment
// may both pass at the limit's edge: the limit stops loops, not the last
// mail.
func (l *Limiter) Hold(ctx context.Context, o *store.OutboundEmail, now time.Time) error {
	if !l.Enabled() {
		return nil
	}
	for _, rcpt := range append(append([]string(nil), o.To...), o.Cc...) {
		addr := bareAddress(rcpt)
		internal, err := l.internal(ctx, addr)
		if err != nil {
			return fmt.Errorf("mail:send %d: rate limit: %w", o.ID, err)
		}
		if internal {
			continue
		}
		n, err := l.sentTo(ctx, rcpt, now.Add(-l.limit.Window))
		if err != nil {
			return fmt.Errorf("mail:send %d: rate limit: %w", o.ID, err)
		}
		if n >= l.limit.PerRecipient {
			return l.hold(ctx, o, addr, n, now)
		}
	}
	return nil
}

// internal reports whether addr is ours: listed as exempt, in an exempt
// domain, or a rep's.
func (l *Limiter) internal(ctx context.Context, addr string) (bool, error) {
	if l.exempt[addr] {
		return true, nil
	}
	if i := strings.LastIndexByte(addr, '@'); i >= 0 && l.exempt[addr[i:]] {
		return true, nil
	}
	_, err := l.st.RepByEmail(ctx, addr)
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
func (l *Limiter) sentTo(ctx context.Context, rcpt string, since time.Time) (int, error) {
	forms := []string{strings.TrimSpace(rcpt)}
	if bare := bareAddress(rcpt); bare != forms[0] {
		forms = append(forms, bare)
	}
	return l.st.CountOutboundTo(ctx, forms, since, l.limit.PerRecipient)
}

// hold raises the alert, fails the row and stops the task. The alert
// comes first: a failed row is never looked at again, so an alert lost
// after it would stay lost.
func (l *Limiter) hold(ctx context.Context, o *store.OutboundEmail, addr string, n int, now time.Time) error {
	window := formatWindow(l.limit.Window)
	reason := fmt.Sprintf("rate limited: %d mails to %s in %s", n, addr, window)
	a := &store.Alert{
		DedupeKey: fmt.Sprintf("%s:%s:%s", AlertKindMailRateLimited, addr, anomaly.Bucket(now, l.limit.Window)),
		Kind:      AlertKindMailRateLimited,
		Severity:  anomaly.SeverityCritical,
		Subject:   fmt.Sprintf("Mail to %s held back: %d mails in %s", addr, n, window),
		Detail: fmt.Sprintf("Outbound mail %d (%s, %q) was not sent: %s already got %d mails in %s, the limit. "+
			"A mail loop with an auto-responder or a runaway follow-up is the usual cause.", o.ID, o.Kind, o.Subject, addr, n, window),
	}
	if _, _, err := l.st.CreateAlert(ctx, a); err != nil {
		return fmt.Errorf("mail:send %d: rate limit alert: %w", o.ID, err)
	}
	if err := l.st.MarkOutboundFailed(ctx, o.ID, reason); err != nil {
		return fmt.Errorf("mail:send %d: %w (and record failure: %w)", o.ID, ErrRateLimited, err)
	}
	l.log.WarnContext(ctx, "mail rate limited", "outbound_id", o.ID, "kind", o.Kind, "recipient", addr,
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
