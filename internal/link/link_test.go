package link_test

import (
	"errors"
	"fmt"
	"net/url"
	"testing"
	"time"

	"salesdesk/internal/link"
)

func newSigner(t *testing.T, secret string) *link.Signer {
	t.Helper()
	s, err := link.New([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestNewRejectsShortSecret(t *testing.T) {
	if _, err := link.New([]byte("short")); err == nil {
		t.Fatal("New accepted a 5-byte secret")
	}
}

func TestVerify(t *testing.T) {
	t.Parallel()
	s := newSigner(t, "0123456789abcdef-secret")
	other := newSigner(t, "another-secret-of-enough-length")
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	exp := now.Add(time.Hour)
	sig := s.Sign("triage", 42, "billing", exp)

	tests := []struct {
		name    string
		signer  *link.Signer
		action  string
		id      int64
		extra   string
		expires time.Time
		sig     string
		now     time.Time
		wantErr error
	}{
		{name: "valid", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: sig, now: now},
		{name: "valid a second before expiry", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: sig, now: exp.Add(-time.Second)},
		{name: "expired exactly at expiry", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: sig, now: exp, wantErr: link.ErrExpired},
		{name: "expired later", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: sig, now: exp.Add(24 * time.Hour), wantErr: link.ErrExpired},
		{name: "other action", signer: s, action: "lead", id: 42, extra: "billing", expires: exp, sig: sig, now: now, wantErr: link.ErrInvalid},
		{name: "other id", signer: s, action: "triage", id: 43, extra: "billing", expires: exp, sig: sig, now: now, wantErr: link.ErrInvalid},
		{name: "other extra", signer: s, action: "triage", id: 42, extra: "support", expires: exp, sig: sig, now: now, wantErr: link.ErrInvalid},
		{name: "extended expiry", signer: s, action: "triage", id: 42, extra: "billing", expires: exp.Add(time.Hour), sig: sig, now: now, wantErr: link.ErrInvalid},
		{name: "other secret", signer: other, action: "triage", id: 42, extra: "billing", expires: exp, sig: sig, now: now, wantErr: link.ErrInvalid},
		{name: "empty signature", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: "", now: now, wantErr: link.ErrInvalid},
		{name: "not base64", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: "!!!", now: now, wantErr: link.ErrInvalid},
		{name: "truncated signature", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: sig[:len(sig)-2], now: now, wantErr: link.ErrInvalid},
		{name: "flipped character", signer: s, action: "triage", id: 42, extra: "billing", expires: exp, sig: flip(sig), now: now, wantErr: link.ErrInvalid},
		{name: "expired and tampered is invalid", signer: s, action: "triage", id: 1, extra: "billing", expires: exp, sig: sig, now: exp.Add(time.Hour), wantErr: link.ErrInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.signer.Verify(tt.action, tt.id, tt.extra, tt.expires, tt.sig, tt.now)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Verify = %v, want %v", err, tt.wantErr)
			}
		})
	}
}

func flip(sig string) string {
	b := []byte(sig)
	if b[0] == 'A' {
		b[0] = 'B'
	} else {
		b[0] = 'A'
	}
	return string(b)
}

// The fields are length-prefixed: moving bytes between action and extra
// gives another signature.
func TestSignIsUnambiguous(t *testing.T) {
	s := newSigner(t, "0123456789abcdef-secret")
	exp := time.Unix(1_800_000_000, 0)
	if s.Sign("ab", 1, "c", exp) == s.Sign("a", 1, "bc", exp) {
		t.Fatal(`Sign("ab", "c") == Sign("a", "bc")`)
	}
	if s.Sign("a", 1, "", exp) != s.Sign("a", 1, "", exp.Add(500*time.Millisecond)) {
		t.Fatal("Sign depends on sub-second expiry, but exp travels in whole seconds")
	}
}

func TestValuesRoundTrip(t *testing.T) {
	s := newSigner(t, "0123456789abcdef-secret")
	now := time.Date(2025, 3, 10, 12, 0, 0, 0, time.UTC)
	q := s.Values("triage", 7, "support", now.Add(72*time.Hour))
	// Through a URL and back, as a mail client would.
	u, err := url.Parse("https://desk.example.com/triage/7/support?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.VerifyValues("triage", 7, "support", u.Query(), now); err != nil {
		t.Fatalf("VerifyValues = %v", err)
	}
	if err := s.VerifyValues("triage", 7, "billing", u.Query(), now); !errors.Is(err, link.ErrInvalid) {
		t.Fatalf("VerifyValues with another category = %v, want ErrInvalid", err)
	}
	bad := u.Query()
	bad.Set(link.ParamExp, "soon")
	if err := s.VerifyValues("triage", 7, "support", bad, now); !errors.Is(err, link.ErrInvalid) {
		t.Fatalf("VerifyValues with malformed exp = %v, want ErrInvalid", err)
	}
	if err := s.VerifyValues("triage", 7, "support", u.Query(), now.Add(73*time.Hour)); !errors.Is(err, link.ErrExpired) {
		t.Fatalf("VerifyValues after expiry = %v, want ErrExpired", err)
	}
}

func ExampleSigner() {
	s, _ := link.New([]byte("a long random secret from config"))
	expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	q := s.Values("triage", 42, "billing", expires)
	fmt.Println("/triage/42/billing?" + q.Encode())
	fmt.Println(s.VerifyValues("triage", 42, "billing", q, expires.Add(-time.Minute)))
	fmt.Println(s.VerifyValues("triage", 42, "support", q, expires.Add(-time.Minute)))
	// Output:
	// /triage/42/billing?exp=1893456000&sig=E0kfOKXK6DL5MTkzhmhHzXFL2ijbkyqRTNYURBlaHL8
	// <nil>
	// link: invalid signature
}
