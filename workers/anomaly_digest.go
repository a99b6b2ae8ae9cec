package workers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"salesdesk/internal/anomaly"
	"salesdesk/internal/mailer"
	"salesdesk/internal/store"
)

// KindAlertDigest is the outbound kind of the supervisors' alert digest.
const KindAlertDigest = "alert_digest"

// alertDigestPrefix starts the idempotency key of a digest mail; the rest
// is the end of its window.
const alertDigestPrefix = "alert_digest:"

// digestLookback bounds how far back a digest whose mail was never queued
// is healed.
const digestLookback = 7 * 24 * time.Hour

// anomalyKindLabels name the alert kinds for people.
var anomalyKindLabels = map[string]string{
	anomaly.KindComplaints:     "Repeated complaints",
	anomaly.KindForeignSender:  "Senders asking about other accounts' orders",
	anomaly.KindForeignAccount: "Accounts whose orders strangers asked about",
	anomaly.KindInboundSpike:   "Inbound mail spikes",
	anomaly.KindBounceRate:     "Bounced mail",
	anomaly.KindSenderFlood:    "Mail floods",
}

// alertURL is the alert's page in the desk, or "" without a base URL.
func (h *AnomalyScanHandler) alertURL(id int64) string {
	return h.url("/desk/alerts/%d", id)
}

// digest gathers the non-critical alerts raised before the current
// digest window began into that window's digest and queues the mail of
// every digest of the last week whose mail is not on its way yet. It
// returns how many digest mails it queued.
func (h *AnomalyScanHandler) digest(ctx context.Context, now time.Time) (int, error) {
	if len(h.opts.Supervisors) == 0 {
		return 0, nil
	}
	start := now.UTC().Truncate(h.opts.DigestWindow)
	key := alertDigestPrefix + start.Format(time.RFC3339)
	if _, err := h.st.ClaimAlertsForDigest(ctx, key, "anomaly_", start); err != nil {
		return 0, err
	}
	keys, err := h.st.AlertDigestKeys(ctx, now.Add(-digestLookback))
	if err != nil {
		return 0, err
	}
	queued := 0
	var errs []error
	for _, k := range keys {
		ok, err := h.mailDigest(ctx, k)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", k, err))
		}
		if ok {
			queued++
		}
	}
	return queued, errors.Join(errs...)
}

// mailDigest queues the mail of digest key unless it is already on its
// way; a row still queued is queued again (re-enqueueing a lost send).
func (h *AnomalyScanHandler) mailDigest(ctx context.Context, key string) (bool, error) {
	row, err := h.st.OutboundByIdempotencyKey(ctx, key)
	switch {
	case err == nil && row.Status != store.OutboundQueued:
		return false, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	alerts, err := h.st.AlertsInDigest(ctx, key)
	if err != nil || len(alerts) == 0 {
		return false, err
	}
	end, err := time.Parse(time.RFC3339, strings.TrimPrefix(key, alertDigestPrefix))
	if err != nil {
		return false, fmt.Errorf("digest key %q: %w", key, err)
	}
	data := mailer.AlertDigestData{WindowEnd: end, Total: len(alerts), AlertsURL: cmp.Or(h.url("/desk/alerts"), h.opts.AlertsURL)}
	data.WindowStart = alerts[0].CreatedAt
	for _, a := range alerts {
		data.WindowStart = minTime(data.WindowStart, a.CreatedAt)
		if n := len(data.Groups); n == 0 || data.Groups[n-1].Kind != a.Kind {
			label := anomalyKindLabels[a.Kind]
			if label == "" {
				label = a.Kind
			}
			data.Groups = append(data.Groups, mailer.AlertDigestGroup{Kind: a.Kind, Label: label})
		}
		g := &data.Groups[len(data.Groups)-1]
		g.Alerts = append(g.Alerts, mailer.AlertDigestItem{Title: a.Subject, Detail: a.Detail, Severity: a.Severity,
			Occurrences: a.Occurrences, URL: h.alertURL(a.ID)})
	}
	o := &store.OutboundEmail{IdempotencyKey: key, Kind: KindAlertDigest, To: append([]string(nil), h.opts.Supervisors...)}
	if err := h.queue(ctx, KindAlertDigest, data, o); err != nil {
		return false, err
	}
	return row == nil, nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
