package workers

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/anomaly"
	"salesdesk/internal/mailer"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// KindAnomalyAlert is the outbound kind of the supervisors' alert mail.
const KindAnomalyAlert = "anomaly_alert"

// AnomalyAlertKey is the idempotency key of the mail about one alert:
// one mail per alert, however often the finding repeats.
func AnomalyAlertKey(alertID int64) string {
	return fmt.Sprintf("anomaly_alert:%d", alertID)
}

// AnomalyStore is what anomaly:scan reads and writes; *store.Store
// implements it.
type AnomalyStore interface {
	anomaly.Store
	CreateAlert(ctx context.Context, a *store.Alert) (int64, bool, error)
	OutboundByIdempotencyKey(ctx context.Context, key string) (*store.OutboundEmail, error)
	ClaimAlertsForDigest(ctx context.Context, key, kindPrefix string, before time.Time) (int, error)
	AlertDigestKeys(ctx context.Context, since time.Time) ([]string, error)
	AlertsInDigest(ctx context.Context, key string) ([]store.Alert, error)
}

// AnomalyDeps are the anomaly:scan handler's collaborators.
type AnomalyDeps struct {
	Desk
	Store AnomalyStore // required
}

// AnomalyOptions configure anomaly:scan.
type AnomalyOptions struct {
	// Supervisors get one mail per new alert; none stores the alerts
	// without mailing anyone.
	Supervisors []string
	// AlertsURL links the mail to where supervisors see the alerts, e.g.
	// "https://desk.acme.example/admin/alerts"; empty leaves it out.
	AlertsURL string
	// Detect is the window and the thresholds; zero fields take
	// anomaly's defaults.
	Detect anomaly.Config
	// DigestWindow gathers the alerts of each window (counted from
	// midnight UTC) into one digest mail, sent by the first scan after the
	// window ends; critical alerts are still mailed at once. Zero mails
	// every alert at once.
	DigestWindow time.Duration
}

// AnomalyScanHandler answers anomaly:scan: it runs the detectors over the
// window ending at the clock's now, stores each finding as an alert
// (unique per detector, subject and window bucket, so a repeated scan
// counts an occurrence instead of a new alert) and mails the supervisors
// once per alert.
type AnomalyScanHandler struct {
	Desk
	st   AnomalyStore
	opts AnomalyOptions
}

// NewAnomalyScanHandler returns the anomaly:scan handler.
func NewAnomalyScanHandler(d AnomalyDeps, o AnomalyOptions) (*AnomalyScanHandler, error) {
	desk, err := d.Desk.ready("anomaly")
	if err != nil {
		return nil, err
	}
	if d.Store == nil {
		return nil, errNoStore("anomaly")
	}
	o.Detect = o.Detect.WithDefaults()
	o.Supervisors = nonEmpty(o.Supervisors)
	return &AnomalyScanHandler{Desk: desk, st: d.Store, opts: o}, nil
}

// AnomalyScanResult counts what one scan did.
type AnomalyScanResult struct {
	Findings int // findings of the detectors
	Created  int // alerts raised for the first time in their bucket
	Mailed   int // alert mails queued
	Digests  int // digest mails queued
}

// ProcessTask handles one anomaly:scan task.
func (h *AnomalyScanHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	if _, err := tasks.ParseAnomalyScanPayload(t.Payload()); err != nil {
		return err
	}
	res, err := h.Scan(ctx, h.Clock.Now())
	h.Logger.InfoContext(ctx, "anomaly scan", "findings", res.Findings, "created", res.Created, "mailed", res.Mailed,
		"digests", res.Digests)
	return err
}

// Scan runs the detectors over the window ending at now, raises the
// alerts and queues their mails. One finding failing does not keep the
// others from being stored; the error joins every failure.
func (h *AnomalyScanHandler) Scan(ctx context.Context, now time.Time) (AnomalyScanResult, error) {
	var res AnomalyScanResult
	findings, err := anomaly.Scan(ctx, h.st, now, h.opts.Detect)
	if err != nil {
		return res, fmt.Errorf("anomaly:scan: %w", err)
	}
	res.Findings = len(findings)
	var errs []error
	for _, f := range findings {
		a := &store.Alert{
			DedupeKey:  f.DedupeKey(now, h.opts.Detect.Window),
			Kind:       f.Kind,
			Severity:   f.Severity,
			Subject:    f.Title,
			Detail:     f.Detail,
			CustomerID: f.CustomerID,
		}
		_, created, err := h.st.CreateAlert(ctx, a)
		if err != nil {
			errs = append(errs, fmt.Errorf("anomaly:scan: %w", err))
			continue
		}
		if created {
			res.Created++
			h.Logger.WarnContext(ctx, "unusual activity", "alert_id", a.ID, "alert_kind", f.Kind, "subject", f.Subject,
				"count", f.Count)
		}
		if h.opts.DigestWindow > 0 && f.Severity != anomaly.SeverityCritical {
			continue // the digest carries it
		}
		mailed, err := h.notify(ctx, a, f, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("anomaly:scan: mail alert %d: %w", a.ID, err))
			continue
		}
		if mailed {
			res.Mailed++
		}
	}
	if h.opts.DigestWindow > 0 {
		n, err := h.digest(ctx, now)
		res.Digests = n
		if err != nil {
			errs = append(errs, fmt.Errorf("anomaly:scan: digest: %w", err))
		}
	}
	return res, errors.Join(errs...)
}

// notify queues the supervisors' mail about alert a unless it is already
// on its way. The mail is keyed by the alert, not by whether this scan
// created it, so a scan that stored the alert and then failed to queue
// the mail is healed by the next one; a row still queued is queued again,
// which re-enqueues a lost mail:send.
func (h *AnomalyScanHandler) notify(ctx context.Context, a *store.Alert, f anomaly.Finding, now time.Time) (bool, error) {
	if len(h.opts.Supervisors) == 0 {
		return false, nil
	}
	key := AnomalyAlertKey(a.ID)
	row, err := h.st.OutboundByIdempotencyKey(ctx, key)
	switch {
	case err == nil && row.Status != store.OutboundQueued:
		return false, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return false, err
	}
	data := mailer.AnomalyAlertData{
		Title:       f.Title,
		Detail:      f.Detail,
		Kind:        f.Kind,
		Severity:    f.Severity,
		WindowStart: now.Add(-h.opts.Detect.Window),
		WindowEnd:   now,
		AlertID:     a.ID,
		AlertURL:    cmp.Or(h.alertURL(a.ID), h.opts.AlertsURL),
	}
	o := &store.OutboundEmail{IdempotencyKey: key, Kind: KindAnomalyAlert, To: append([]string(nil), h.opts.Supervisors...)}
	if err := h.queue(ctx, KindAnomalyAlert, data, o); err != nil {
		return false, err
	}
	return row == nil, nil
}

// nonEmpty returns the trimmed, non-empty entries of s.
func nonEmpty(s []string) []string {
	var out []string
	for _, v := range s {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
