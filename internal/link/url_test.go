package link_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/link"
)

func TestLeadURL(t *testing.T) {
	s := newSigner(t, "0123456789abcdef0123")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	exp := now.Add(72 * time.Hour)
	u := s.LeadURL("https://desk.test/", "contacted", 42, 7, exp)
	if !strings.HasPrefix(u, "https://desk.test/leads/42/contacted?") {
		t.Fatalf("url %s", u)
	}
	parsed, _ := url.Parse(u)
	q := parsed.Query()
	if rep, err := s.VerifyLead("contacted", 42, q, now); err != nil || rep != 7 {
		t.Errorf("verify: %d, %v", rep, err)
	}
	if _, err := s.VerifyLead("not_mine", 42, q, now); !errors.Is(err, link.ErrInvalid) {
		t.Errorf("other action: %v", err)
	}
	q2 := url.Values{}
	for k, v := range q {
		q2[k] = v
	}
	q2.Set("rep", "8")
	if _, err := s.VerifyLead("contacted", 42, q2, now); !errors.Is(err, link.ErrInvalid) {
		t.Errorf("other rep: %v", err)
	}
	if _, err := s.VerifyLead("contacted", 42, q, exp); !errors.Is(err, link.ErrExpired) {
		t.Errorf("expired: %v", err)
	}
}

func TestTriageURL(t *testing.T) {
	s := newSigner(t, "0123456789abcdef0123")
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	u := s.TriageURL("https://desk.test", 12, "billing", now.Add(time.Hour))
	if !strings.HasPrefix(u, "https://desk.test/triage/12/billing?") {
		t.Fatalf("url %s", u)
	}
	parsed, _ := url.Parse(u)
	if err := s.VerifyValues(link.TriageAction, 12, "billing", parsed.Query(), now); err != nil {
		t.Errorf("verify: %v", err)
	}
	if err := s.VerifyValues(link.TriageAction, 12, "order_status", parsed.Query(), now); !errors.Is(err, link.ErrInvalid) {
		t.Errorf("other category: %v", err)
	}
}
