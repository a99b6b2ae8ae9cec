package workers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"salesdesk/internal/mailer"
	"salesdesk/internal/store"
)

// MailQueue stores an outbound mail as a row (unique on its idempotency
// key) and enqueues its mail:send; *outbox.Outbox implements it.
type MailQueue interface {
	QueueMail(ctx context.Context, o *store.OutboundEmail) error
}

// Desk is what every handler family that writes mail shares, embedded
// once in each: the renderer, the outbox, the sender address, the web
// role's address, the clock and the logger.
type Desk struct {
	// Renderer renders the mail templates. Required.
	Renderer *mailer.Renderer
	// Outbox queues each mail as a row and a mail:send task. Required.
	Outbox MailQueue
	// From is the sender of every mail, e.g.
	// "Acme Sales <sales@acme.example>". Required.
	From string
	// BaseURL is where salesdesk's web role answers, e.g.
	// "https://desk.acme.example"; links in mail start with it, and are
	// left out when it is empty.
	BaseURL string
	// Logger receives the handlers' lines; nil discards.
	Logger *slog.Logger
	// Clock is the handlers' time; nil means the wall clock.
	Clock Clock
}

// ready checks what the family's handlers need and fills the defaults.
func (d Desk) ready(family string) (Desk, error) {
	switch {
	case d.Renderer == nil || d.Outbox == nil:
		return d, fmt.Errorf("workers: %s handlers need a renderer and an outbox", family)
	case d.From == "":
		return d, fmt.Errorf("workers: %s handlers need a From address", family)
	}
	d.Logger, d.Clock = orDefault(d.Logger, d.Clock)
	d.BaseURL = strings.TrimRight(d.BaseURL, "/")
	return d, nil
}

// errNoStore is the error of a family built without its store.
func errNoStore(family string) error {
	return errors.New("workers: " + family + " handlers need a store")
}

// queue renders template name with data into o, from the desk's address,
// and queues it. A subject already set on o replaces the template's.
func (d Desk) queue(ctx context.Context, name string, data any, o *store.OutboundEmail) error {
	return d.queueIn(ctx, name, "", data, o)
}

// url is BaseURL followed by the formatted path, or "" without a
// BaseURL.
func (d Desk) url(format string, a ...any) string {
	if d.BaseURL == "" {
		return ""
	}
	return d.BaseURL + fmt.Sprintf(format, a...)
}
