package workers

import (
	"context"

	"salesdesk/internal/mailer"
	"salesdesk/internal/score"
)

// addScore puts the lead's score and its factors in the rep's mail: the
// score stored with the assignment (scored), else one computed and stored
// now. A score that cannot be computed is logged and left out: it must
// never hold up a lead.
func (h leadDesk) addScore(ctx context.Context, leadID int64, scored *score.Result, data *mailer.LeadAssignedData) {
	if scored == nil {
		if h.opts.Scorer == nil {
			return
		}
		res, err := h.opts.Scorer.Score(ctx, leadID)
		if err != nil {
			h.Logger.WarnContext(ctx, "lead not scored", "lead_id", leadID, "err", err)
			return
		}
		scored = &res
	}
	res := *scored
	data.Score, data.Scored = res.Score, true
	for _, f := range res.Factors {
		data.ScoreFactors = append(data.ScoreFactors, f.Label)
	}
}

// retrainScores learns the score model anew from the closed leads; a
// failure is logged, the old model stays.
func (h leadDesk) retrainScores(ctx context.Context) {
	if h.opts.Scorer == nil {
		return
	}
	m, learned, err := h.opts.Scorer.Retrain(ctx)
	if err != nil {
		h.Logger.WarnContext(ctx, "lead score model not retrained", "err", err)
		return
	}
	if learned {
		h.Logger.InfoContext(ctx, "lead score model retrained", "examples", m.Examples, "won", m.Won)
	} else {
		h.Logger.InfoContext(ctx, "lead score model: not enough closed leads yet, prior in use")
	}
}
