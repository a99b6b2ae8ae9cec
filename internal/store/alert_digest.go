package store

import (
	"context"
	"fmt"
	"time"
)

// ClaimAlertsForDigest gives every alert of a kind starting with
// kindPrefix that was created before the given time, is not critical and
// is in no digest yet to the digest key. It returns how many it claimed.
// Claiming first and mailing second makes the digest idempotent: a retry
// finds the same alerts under the same key.
func (s *Store) ClaimAlertsForDigest(ctx context.Context, key, kindPrefix string, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, s.rebind(`
		UPDATE alerts SET digest_key = ?
		WHERE digest_key IS NULL AND severity <> 'critical' AND kind LIKE ? AND created_at < ?`),
		key, kindPrefix+"%", s.ts(before))
	if err != nil {
		return 0, fmt.Errorf("store: claim alerts for digest %s: %w", key, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("store: claim alerts for digest %s: %w", key, err)
	}
	return int(n), nil
}

// AlertDigestKeys returns the digest keys of alerts created since the
// given time, oldest first: the digests that may still need their mail.
func (s *Store) AlertDigestKeys(ctx context.Context, since time.Time) ([]string, error) {
	type key struct{ k string }
	var keys []key
	err := readAll(ctx, s, "alert digest keys", &keys, func(k *key) []any { return []any{&k.k} }, `
		SELECT digest_key FROM alerts WHERE digest_key IS NOT NULL AND created_at >= ?
		GROUP BY digest_key ORDER BY MIN(created_at), digest_key`, s.ts(since))
	if err != nil {
		return nil, err
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = k.k
	}
	return out, nil
}

// AlertsInDigest returns the alerts of one digest by kind, then oldest
// first.
func (s *Store) AlertsInDigest(ctx context.Context, key string) ([]Alert, error) {
	out, err := queryAll(ctx, s, scanAlert, "SELECT "+alertColumns+" FROM alerts WHERE digest_key = ? ORDER BY kind, created_at, id", key)
	if err != nil {
		return nil, fmt.Errorf("store: alerts in digest %s: %w", key, err)
	}
	return out, nil
}
