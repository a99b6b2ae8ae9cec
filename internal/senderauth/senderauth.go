package senderauth

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"net"
	"net/textproto"
	"strings"

	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// Verdict is what a check found out about a sender.
type Verdict string

// Verdicts. Only Pass lets a mail change anything on an account.
const (
	// Pass: the From domain vouched for the mail.
	Pass Verdict = "pass"
	// Fail: a trusted server or our own check found the mail does not
	// come from the From domain (dmarc=fail, a broken or unaligned
	// signature).
	Fail Verdict = "fail"
	// None: nothing says either way (no signature, no trusted header).
	None Verdict = "none"
	// TempError: DNS could not be read; treated as not authenticated.
	TempError Verdict = "temperror"
)

// Authenticated reports whether v lets a sender change things.
func (v Verdict) Authenticated() bool { return v == Pass }

// Result is the verdict with what it rests on.
type Result struct {
	Verdict Verdict
	// Method says how it was decided: "authres:<authserv-id>", "dkim" or
	// "" when nothing could be checked.
	Method string
	// Domain is the domain that vouched (the From domain or the aligned
	// signing domain); empty unless Pass.
	Domain string
	// Reason is a short explanation for logs and the hand-off mail.
	Reason string
}

// TXTResolver reads DNS TXT records; *net.Resolver implements it. A name
// with no records returns a *net.DNSError with IsNotFound set.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// Options configure a Checker.
type Options struct {
	// TrustedAuthServIDs are the authserv-ids (the first token of an
	// Authentication-Results header, usually the receiving server's host
	// name) whose results are believed. Compared case-insensitively.
	TrustedAuthServIDs []string
	// Resolver reads DKIM keys and DMARC records. Nil disables our own
	// DKIM check: only trusted headers can authenticate then.
	Resolver TXTResolver
	// MaxSignatures bounds the DKIM signatures verified per mail
	// (default 5), so a mail with hundreds of signatures stays cheap.
	MaxSignatures int
}

// Checker checks senders. It is safe for concurrent use.
type Checker struct {
	trusted map[string]bool
	dns     TXTResolver
	maxSigs int
}

// New returns a Checker.
func New(o Options) *Checker {
	c := &Checker{trusted: map[string]bool{}, dns: o.Resolver, maxSigs: o.MaxSignatures}
	for _, id := range o.TrustedAuthServIDs {
		if id = strings.ToLower(strings.TrimSpace(id)); id != "" {
			c.trusted[id] = true
		}
	}
	if c.maxSigs <= 0 {
		c.maxSigs = 5
	}
	return c
}

// Check decides whether from (the address in the From header) is
// authenticated for the raw mail. It never returns an error: anything it
// cannot read or look up makes the sender unauthenticated.
func (c *Checker) Check(ctx context.Context, raw []byte, from string) Result {
	domain := domainOf(from)
	if domain == "" {
		return Result{Verdict: None, Reason: "no usable From domain"}
	}
	hdr, err := readHeader(raw)
	if err != nil {
		return Result{Verdict: None, Reason: "header unreadable"}
	}
	if r, ok := c.fromAuthResults(hdr, domain); ok {
		return r
	}
	if c.dns == nil {
		return Result{Verdict: None, Reason: "no trusted Authentication-Results and DKIM checking is off"}
	}
	return c.verifyDKIM(ctx, raw, domain)
}

// fromAuthResults reads the Authentication-Results headers of trusted
// authserv-ids. ok is false when there is none.
func (c *Checker) fromAuthResults(hdr textproto.MIMEHeader, domain string) (Result, bool) {
	var (
		found  bool
		method string
		best   = Result{Verdict: None, Reason: "trusted server found no aligned pass"}
	)
	for _, v := range hdr.Values("Authentication-Results") {
		id, results, err := authres.Parse(v)
		if err != nil || !c.trusted[strings.ToLower(id)] {
			continue
		}
		found = true
		method = "authres:" + strings.ToLower(id)
		for _, r := range results {
			switch r := r.(type) {
			case *authres.DMARCResult:
				switch {
				case r.Value == authres.ResultPass && (r.From == "" || strings.EqualFold(r.From, domain)):
					return Result{Verdict: Pass, Method: method, Domain: domain, Reason: "dmarc=pass"}, true
				case r.Value == authres.ResultFail:
					return Result{Verdict: Fail, Method: method, Reason: "dmarc=fail"}, true
				}
			case *authres.DKIMResult:
				if r.Value == authres.ResultPass && relaxedAligned(r.Domain, domain) {
					best = Result{Verdict: Pass, Method: method, Domain: strings.ToLower(r.Domain), Reason: "dkim=pass aligned"}
				} else if r.Value == authres.ResultFail && best.Verdict != Pass {
					best = Result{Verdict: Fail, Reason: "dkim=fail"}
				}
			case *authres.SPFResult:
				if r.Value == authres.ResultPass && relaxedAligned(domainOf(r.From), domain) && best.Verdict != Pass {
					best = Result{Verdict: Pass, Method: method, Domain: domainOf(r.From), Reason: "spf=pass aligned"}
				}
			}
		}
	}
	if !found {
		return Result{}, false
	}
	best.Method = method
	return best, true
}

// verifyDKIM verifies the mail's DKIM signatures and looks for one aligned
// with domain under domain's DMARC alignment mode.
func (c *Checker) verifyDKIM(ctx context.Context, raw []byte, domain string) Result {
	lookup := func(name string) ([]string, error) { return c.dns.LookupTXT(ctx, name) }
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup, MaxVerifications: c.maxSigs})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return Result{Verdict: None, Method: "dkim", Reason: "mail unreadable for DKIM"}
	}
	if len(vs) == 0 {
		return Result{Verdict: None, Method: "dkim", Reason: "no DKIM signature"}
	}
	strict := false
	rec, err := c.dmarcRecord(ctx, domain)
	switch {
	case err == nil:
		strict = rec.DKIMAlignment == dmarc.AlignmentStrict
	case dmarc.IsTempFail(err):
		return Result{Verdict: TempError, Method: "dkim", Reason: "DMARC record unavailable"}
	}
	var (
		temp      bool
		unaligned bool
	)
	for _, v := range vs {
		switch {
		case v.Err == nil && aligned(v.Domain, domain, strict):
			return Result{Verdict: Pass, Method: "dkim", Domain: strings.ToLower(v.Domain), Reason: "dkim=pass aligned"}
		case v.Err == nil:
			unaligned = true
		case dkim.IsTempFail(v.Err):
			temp = true
		}
	}
	switch {
	case temp:
		return Result{Verdict: TempError, Method: "dkim", Reason: "DKIM key unavailable"}
	case unaligned:
		return Result{Verdict: Fail, Method: "dkim", Reason: "DKIM signature not aligned with From"}
	}
	return Result{Verdict: Fail, Method: "dkim", Reason: "DKIM signature invalid"}
}

// dmarcRecord returns the DMARC record of domain, falling back to its
// organizational domain (RFC 7489 section 6.6.3).
func (c *Checker) dmarcRecord(ctx context.Context, domain string) (*dmarc.Record, error) {
	opts := &dmarc.LookupOptions{LookupTXT: func(name string) ([]string, error) { return c.dns.LookupTXT(ctx, name) }}
	rec, err := dmarc.LookupWithOptions(domain, opts)
	if errors.Is(err, dmarc.ErrNoPolicy) {
		if org := orgDomain(domain); org != domain {
			return dmarc.LookupWithOptions(org, opts)
		}
	}
	return rec, err
}

func aligned(signer, from string, strict bool) bool {
	if strict {
		return strings.EqualFold(signer, from)
	}
	return relaxedAligned(signer, from)
}

// relaxedAligned reports whether two domains share an organizational
// domain (RFC 7489 section 3.1).
func relaxedAligned(a, b string) bool {
	a, b = strings.ToLower(strings.TrimSuffix(a, ".")), strings.ToLower(strings.TrimSuffix(b, "."))
	if a == "" || b == "" {
		return false
	}
	return a == b || orgDomain(a) == orgDomain(b)
}

// orgDomain is the registrable domain of d (public suffix plus one label).
func orgDomain(d string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return org
}

func domainOf(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || at == len(addr)-1 {
		return ""
	}
	return strings.ToLower(strings.TrimSuffix(strings.TrimSpace(addr[at+1:]), "."))
}

// readHeader reads the header of a raw mail.
func readHeader(raw []byte) (textproto.MIMEHeader, error) {
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	h, err := r.ReadMIMEHeader()
	if err != nil && len(h) == 0 {
		return nil, err
	}
	return h, nil
}

// NotFound returns the error a TXTResolver returns for a name without
// records.
func NotFound(name string) error {
	return &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}
