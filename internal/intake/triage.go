package intake

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"

	"salesdesk/internal/entity"
	"salesdesk/internal/queue"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// ErrUnknownCategory is returned by ApplyTriageDecision for a category
// that is not one of routing's.
var ErrUnknownCategory = errors.New("intake: unknown category")

// ApplyTriageDecision records a human's category for an inquiry: it
// relabels the inquiry (confidence 1), stores the mail as a routing example
// so the model learns from it, and starts the category's follow-on and a
// routing:retrain task (both through the task outbox); a worker retrains
// the classifier (Retrain), never the caller's request. by names who
// decided, for the log.
//
// A repeated decision for the same category changes nothing more; a
// different one relabels again and starts that category's follow-on unless
// it is the same task as before (two hand-offs of one inquiry are one).
// An unknown inquiry is store.ErrNotFound and an unknown category
// ErrUnknownCategory, both permanent.
func (p *Processor) ApplyTriageDecision(ctx context.Context, inquiryID int64, category, by string) error {
	cat, ok := routing.ParseCategory(category)
	if !ok {
		return queue.Permanent(fmt.Errorf("%w: %q", ErrUnknownCategory, category))
	}
	q, err := p.st.Inquiry(ctx, inquiryID)
	if errors.Is(err, store.ErrNotFound) {
		return queue.Permanent(err)
	}
	if err != nil {
		return err
	}
	var (
		text, subject, sender = "", q.Subject, q.ContactEmail
		ents                  entity.Set
	)
	if q.InboundMessageID != 0 {
		parsed, found, err := p.st.InboundParsed(ctx, q.InboundMessageID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if found {
			text, subject = parsed.NewText, parsed.Subject
			if text == "" {
				text = parsed.Text
			}
			// The stored text splits as the mail did when it came in,
			// signature included, so the entities are the same.
			in := routing.TextInput(parsed.Subject, parsed.Text)
			in.From, in.Date = parsed.From, parsed.Date
			ents = p.router.Route(in).Entities
		}
	}
	if err := p.st.SetInquiryCategory(ctx, q.ID, string(cat), 1); err != nil {
		return err
	}
	if text != "" {
		ex := &store.RoutingExample{InquiryID: q.ID, Subject: subject, Text: text, Category: string(cat), Source: store.ExampleTriage}
		if _, err := p.st.AddRoutingExample(ctx, ex); err != nil {
			return err
		}
	}
	q.Category, q.Confidence = string(cat), 1
	// The decision replaces triage: the follow-on is the category's own.
	q.Status = store.InquiryRouted
	t, what, err := p.followup(ctx, q, ents, sender, false, nil)
	if err != nil {
		return err
	}
	work := []*asynq.Task{t}
	if text != "" {
		// The model learns in a worker, not in this request: one
		// routing:retrain per window, however many labels it collects.
		retrain, err := tasks.NewRoutingRetrainTask(tasks.RoutingRetrainPayload{
			RunAt: tasks.RetrainRunAt(p.now(), p.opts.RetrainWindow)})
		if err != nil {
			return err
		}
		work = append(work, retrain)
	}
	if err := p.enqueueDurably(ctx, work...); err != nil {
		return err
	}
	if err := p.st.SetInquiryStatus(ctx, q.ID, store.InquiryRouted); err != nil {
		return err
	}
	p.log.InfoContext(ctx, "triage decision applied", "inquiry_id", q.ID, "reference", q.Reference,
		"category", string(cat), "by", by, "followup", what, "retrain", text != "")
	return nil
}

// Retrain retrains the classifier on the stored routing examples and
// swaps the new model in (Deps.Reload): the routing:retrain handler, run
// by a worker after people labelled inquiries. Without a Reload hook it
// does nothing.
func (p *Processor) Retrain(ctx context.Context) error {
	if p.reload == nil {
		return nil
	}
	if err := p.reload(ctx); err != nil {
		return fmt.Errorf("intake: retrain classifier: %w", err)
	}
	p.log.InfoContext(ctx, "classifier retrained on the stored routing examples")
	return nil
}

// ExampleStore reads routing examples; *store.Store implements it.
type ExampleStore interface {
	RoutingExamples(ctx context.Context) ([]store.RoutingExample, error)
}

// ReloadFromStore returns a reload hook for Deps.Reload: it retrains c on
// its base examples plus every example stored from human decisions
// (triage and relabelling). Stored seed examples are left out, because the
// base already holds the shipped set.
func ReloadFromStore(st ExampleStore, c *routing.Classifier) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		extra, err := StoredExamples(ctx, st)
		if err != nil || len(extra) == 0 {
			return err
		}
		return c.Reload(extra)
	}
}

// StoredExamples returns the routing examples people made (labels and
// triage decisions) as training examples; seeded ones are left out, the
// embedded set already has them.
func StoredExamples(ctx context.Context, st ExampleStore) ([]routing.Example, error) {
	stored, err := st.RoutingExamples(ctx)
	if err != nil {
		return nil, err
	}
	extra := make([]routing.Example, 0, len(stored))
	for _, e := range stored {
		cat, ok := routing.ParseCategory(e.Category)
		if !ok || e.Source == store.ExampleSeed {
			continue
		}
		extra = append(extra, routing.Example{Subject: e.Subject, Text: e.Text, Category: cat})
	}
	return extra, nil
}
