package store

import (
	"testing"
	"time"
)

func TestAlertDigestClaims(t *testing.T) {
	forEachDialect(t, func(t *testing.T, s *Store) {
		ctx := testCtx(t)
		acme, err := s.CreateCustomer(ctx, &Customer{Name: "Acme"})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []Alert{
			{DedupeKey: "d1", Kind: "anomaly_complaints", CustomerID: acme},
			{DedupeKey: "d2", Kind: "anomaly_inbound_spike"},
			{DedupeKey: "d3", Kind: "anomaly_sender_flood", Severity: "critical"},
			{DedupeKey: "d4", Kind: "complaint"},
		} {
			if _, _, err := s.CreateAlert(ctx, &a); err != nil {
				t.Fatal(err)
			}
		}
		later := time.Now().Add(time.Hour)
		n, err := s.ClaimAlertsForDigest(ctx, "digest:1", "anomaly_", later)
		if err != nil || n != 2 {
			t.Fatalf("claimed %d, %v; want the 2 non-critical anomaly alerts", n, err)
		}
		if n, err := s.ClaimAlertsForDigest(ctx, "digest:2", "anomaly_", later); err != nil || n != 0 {
			t.Errorf("claimed again %d, %v", n, err)
		}
		keys, err := s.AlertDigestKeys(ctx, time.Now().Add(-time.Hour))
		if err != nil || len(keys) != 1 || keys[0] != "digest:1" {
			t.Errorf("digest keys %v, %v", keys, err)
		}
		in, err := s.AlertsInDigest(ctx, "digest:1")
		if err != nil || len(in) != 2 || in[0].Kind != "anomaly_complaints" || in[0].DigestKey != "digest:1" {
			t.Errorf("alerts in digest %+v, %v", in, err)
		}
		names, err := s.CustomerNames(ctx, []int64{acme, acme, 0, 9999})
		if err != nil || len(names) != 1 || names[acme] != "Acme" {
			t.Errorf("names %v, %v", names, err)
		}
	})
}
