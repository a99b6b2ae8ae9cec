package workers

import (
	"context"
	"fmt"

	"salesdesk/internal/assign"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
)

// queueIn renders template name in the customer's language (English when
// the template has no version in it) and queues the mail; see queue.
func (d Desk) queueIn(ctx context.Context, name, language string, data any, o *store.OutboundEmail) error {
	if err := d.render(name, language, data, o); err != nil {
		return err
	}
	return d.Outbox.QueueMail(ctx, o)
}

// render renders template name in language into o, from the desk's
// address; a subject already set on o replaces the template's.
func (d Desk) render(name, language string, data any, o *store.OutboundEmail) error {
	r, _, err := d.Renderer.RenderIn(name, language, data)
	if err != nil {
		return queue.Permanent(fmt.Errorf("render %s: %w", name, err))
	}
	o.From = d.From
	if o.Subject == "" {
		o.Subject = r.Subject
	}
	o.BodyText, o.BodyHTML = r.Text, r.HTML
	return nil
}

// repLister lists reps, for finding one who speaks a customer's language.
type repLister interface {
	ListReps(ctx context.Context, activeOnly bool) ([]store.Rep, error)
}

// speakingRep returns the rep a hand-off in language goes to: chosen, the
// owner, when they speak it; else the first available rep (by id) who
// does; else chosen. English, the language of every rep, and an unknown
// language leave chosen as it is.
func (d Desk) speakingRep(ctx context.Context, st repLister, language string, chosen *store.Rep) (*store.Rep, error) {
	if language == "" || language == "en" || (chosen != nil && assign.Speaks(chosen.Languages, language)) {
		return chosen, nil
	}
	reps, err := st.ListReps(ctx, true)
	if err != nil {
		return nil, err
	}
	now := d.Clock.Now()
	for i := range reps {
		r := &reps[i]
		if r.Email != "" && !r.OutOfOfficeUntil.After(now) && len(r.Languages) > 0 && assign.Speaks(r.Languages, language) {
			return r, nil
		}
	}
	return chosen, nil
}
