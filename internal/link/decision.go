package link

import (
	"context"
	"fmt"
	"strings"
	"time"

	"salesdesk/internal/store"
)

// Decisions records what a one-click link decided, first use only;
// *store.Store implements it.
type Decisions interface {
	DecideOnce(ctx context.Context, d store.LinkDecision) (store.LinkDecision, bool, error)
	LinkDecision(ctx context.Context, action string, subjectID int64) (store.LinkDecision, error)
	ReleaseDecision(ctx context.Context, d store.LinkDecision) error
}

// decidedPage says what an earlier use of a link decided, by whom and
// when: a second link from the same mail changes nothing.
func decidedPage(what string, d store.LinkDecision) page {
	label := strings.ReplaceAll(d.Decision, "_", " ")
	return page{Title: "Already decided", Done: true, Lines: []string{
		fmt.Sprintf("%s was already filed as %s by %s on %s.", capitalize(what), label, d.DecidedBy,
			d.DecidedAt.UTC().Format("Mon 2 Jan 2006 15:04")+" UTC"),
		"This link changes nothing now. To change the category, relabel the inquiry in salesdesk.",
	}}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// claimTriage records the triage decision of a link unless one exists.
// apply is true when this request may apply category: it is the first
// decision (won), or a repeat of the same one (whose apply may have
// failed half-way and is idempotent).
func (h *handler) claimTriage(ctx context.Context, id int64, category string, at time.Time) (held store.LinkDecision, won, apply bool, err error) {
	if h.decisions == nil {
		return store.LinkDecision{}, false, true, nil
	}
	held, won, err = h.decisions.DecideOnce(ctx, store.LinkDecision{
		Action: TriageAction, SubjectID: id, Decision: category, DecidedBy: TriageBy, DecidedAt: at,
	})
	if err != nil {
		return held, false, false, err
	}
	return held, won, won || held.Decision == category, nil
}

// releaseTriage deletes the decision d this request recorded after
// applying it failed: a decision nothing applied must not hold the
// inquiry, so any link of the mail may then decide. It runs even when
// the request was cancelled, a likely cause of the failure.
func (h *handler) releaseTriage(ctx context.Context, d store.LinkDecision) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := h.decisions.ReleaseDecision(ctx, d); err != nil {
		h.log.ErrorContext(ctx, "triage decision not released after a failed apply", "inquiry_id", d.SubjectID,
			"category", d.Decision, "error", err.Error())
	}
}
