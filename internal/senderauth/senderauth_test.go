package senderauth_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"salesdesk/internal/senderauth"
)

// records is a fixed DNS zone of TXT records.
type records map[string][]string

func (r records) LookupTXT(_ context.Context, name string) ([]string, error) {
	if v, ok := r[strings.ToLower(strings.TrimSuffix(name, "."))]; ok {
		return v, nil
	}
	return nil, senderauth.NotFound(name)
}

// tempFail answers every lookup with a temporary error.
type tempFail struct{}

func (tempFail) LookupTXT(_ context.Context, name string) ([]string, error) {
	return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
}

const plain = "From: Ann Buyer <ann@acme.example>\r\n" +
	"To: sales@desk.example\r\n" +
	"Subject: Please unsubscribe me\r\n" +
	"Message-ID: <1@acme.example>\r\n" +
	"\r\n" +
	"Please take me off your list.\r\n"

type signer struct {
	key  ed25519.PrivateKey
	zone records
}

func newSigner(t *testing.T) signer {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signer{key: key, zone: records{
		"sel._domainkey.acme.example":      {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		"sel._domainkey.mail.acme.example": {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		"sel._domainkey.bulk.example":      {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
	}}
}

func (s signer) sign(t *testing.T, domain, raw string) string {
	t.Helper()
	var b bytes.Buffer
	err := dkim.Sign(&b, strings.NewReader(raw), &dkim.SignOptions{Domain: domain, Selector: "sel", Signer: s.key})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestCheck(t *testing.T) {
	s := newSigner(t)
	strict := records{"_dmarc.acme.example": {"v=DMARC1; p=reject; adkim=s"}}
	for k, v := range s.zone {
		strict[k] = v
	}
	tampered := strings.Replace(s.sign(t, "acme.example", plain), "take me off", "ship to Dock 7", 1)
	for _, tc := range []struct {
		name        string
		raw         string
		from        string
		trusted     []string
		dns         senderauth.TXTResolver
		wantVerdict senderauth.Verdict
		wantMethod  string
	}{
		{name: "unsigned, no header", raw: plain, from: "ann@acme.example", dns: s.zone, wantVerdict: senderauth.None, wantMethod: "dkim"},
		{name: "signed by the From domain", raw: s.sign(t, "acme.example", plain), from: "ann@acme.example", dns: s.zone,
			wantVerdict: senderauth.Pass, wantMethod: "dkim"},
		{name: "signed by a subdomain, relaxed", raw: s.sign(t, "mail.acme.example", plain), from: "ann@acme.example", dns: s.zone,
			wantVerdict: senderauth.Pass, wantMethod: "dkim"},
		{name: "signed by a subdomain, strict DMARC", raw: s.sign(t, "mail.acme.example", plain), from: "ann@acme.example", dns: strict,
			wantVerdict: senderauth.Fail, wantMethod: "dkim"},
		{name: "signed by another domain", raw: s.sign(t, "bulk.example", plain), from: "ann@acme.example", dns: s.zone,
			wantVerdict: senderauth.Fail, wantMethod: "dkim"},
		{name: "body changed after signing", raw: tampered, from: "ann@acme.example", dns: s.zone,
			wantVerdict: senderauth.Fail, wantMethod: "dkim"},
		{name: "key not published", raw: s.sign(t, "acme.example", plain), from: "ann@acme.example", dns: records{},
			wantVerdict: senderauth.Fail, wantMethod: "dkim"},
		{name: "DNS down", raw: s.sign(t, "acme.example", plain), from: "ann@acme.example", dns: tempFail{},
			wantVerdict: senderauth.TempError, wantMethod: "dkim"},
		{name: "no resolver, no header", raw: s.sign(t, "acme.example", plain), from: "ann@acme.example",
			wantVerdict: senderauth.None},
		{name: "trusted dmarc=pass", raw: "Authentication-Results: mx.desk.example; dmarc=pass header.from=acme.example\r\n" + plain,
			from: "ann@acme.example", trusted: []string{"MX.desk.example"}, wantVerdict: senderauth.Pass, wantMethod: "authres:mx.desk.example"},
		{name: "trusted dmarc=fail beats a valid signature", raw: "Authentication-Results: mx.desk.example; dmarc=fail header.from=acme.example\r\n" +
			s.sign(t, "acme.example", plain), from: "ann@acme.example", trusted: []string{"mx.desk.example"}, dns: s.zone,
			wantVerdict: senderauth.Fail, wantMethod: "authres:mx.desk.example"},
		{name: "trusted dkim=pass aligned", raw: "Authentication-Results: mx.desk.example; dkim=pass header.d=mail.acme.example\r\n" + plain,
			from: "ann@acme.example", trusted: []string{"mx.desk.example"}, wantVerdict: senderauth.Pass, wantMethod: "authres:mx.desk.example"},
		{name: "trusted dkim=pass unaligned", raw: "Authentication-Results: mx.desk.example; dkim=pass header.d=bulk.example\r\n" + plain,
			from: "ann@acme.example", trusted: []string{"mx.desk.example"}, wantVerdict: senderauth.None, wantMethod: "authres:mx.desk.example"},
		{name: "trusted spf=pass aligned", raw: "Authentication-Results: mx.desk.example; spf=pass smtp.mailfrom=bounce@acme.example\r\n" + plain,
			from: "ann@acme.example", trusted: []string{"mx.desk.example"}, wantVerdict: senderauth.Pass, wantMethod: "authres:mx.desk.example"},
		{name: "forged header from an untrusted server", raw: "Authentication-Results: evil.example; dmarc=pass header.from=acme.example\r\n" + plain,
			from: "ann@acme.example", trusted: []string{"mx.desk.example"}, dns: s.zone, wantVerdict: senderauth.None, wantMethod: "dkim"},
		{name: "trusted dmarc=pass for another domain", raw: "Authentication-Results: mx.desk.example; dmarc=pass header.from=evil.example\r\n" + plain,
			from: "ann@acme.example", trusted: []string{"mx.desk.example"}, wantVerdict: senderauth.None, wantMethod: "authres:mx.desk.example"},
		{name: "no From domain", raw: plain, from: "nsb", dns: s.zone, wantVerdict: senderauth.None},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := senderauth.New(senderauth.Options{TrustedAuthServIDs: tc.trusted, Resolver: tc.dns})
			got := c.Check(context.Background(), []byte(tc.raw), tc.from)
			if got.Verdict != tc.wantVerdict || got.Method != tc.wantMethod {
				t.Fatalf("Check = %+v, want verdict %q method %q", got, tc.wantVerdict, tc.wantMethod)
			}
			if got.Verdict.Authenticated() != (tc.wantVerdict == senderauth.Pass) {
				t.Fatalf("Authenticated() = %v for %q", got.Verdict.Authenticated(), got.Verdict)
			}
			if got.Verdict == senderauth.Pass && got.Domain == "" {
				t.Fatal("a pass names no domain")
			}
		})
	}
}

func TestNotFound(t *testing.T) {
	var dnsErr *net.DNSError
	if err := senderauth.NotFound("x.example"); !errors.As(err, &dnsErr) || !dnsErr.IsNotFound {
		t.Fatalf("NotFound = %v", err)
	}
}

// The Authentication-Results parser reads outside input: it must never
// panic, and an untrusted header never authenticates.
func FuzzCheck(f *testing.F) {
	f.Add("mx.desk.example; dmarc=pass header.from=acme.example")
	f.Add("mx.desk.example; dkim=pass header.d=acme.example; spf=fail smtp.mailfrom=x@y")
	f.Add("mx.desk.example 1; none")
	f.Add("(comment) mx.desk.example; dmarc=pass (ok) header.from=acme.example")
	c := senderauth.New(senderauth.Options{TrustedAuthServIDs: []string{"mx.desk.example"}})
	f.Fuzz(func(t *testing.T, ar string) {
		ar = strings.NewReplacer("\r", " ", "\n", " ").Replace(ar)
		raw := []byte("Authentication-Results: " + ar + "\r\n" + plain)
		r := c.Check(context.Background(), raw, "ann@acme.example")
		if r.Verdict == senderauth.Pass && !strings.HasPrefix(strings.ToLower(strings.TrimSpace(ar)), "mx.desk.example") &&
			!strings.Contains(strings.ToLower(ar), "mx.desk.example") {
			t.Fatalf("untrusted header authenticated: %q -> %+v", ar, r)
		}
	})
}
