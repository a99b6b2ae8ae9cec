package config

import (
	"net/url"
	"strings"
	"time"

	"salesdesk/internal/plaintext"
)

// SenderAuthConfig decides which senders may change an account
// (unsubscribe, order change or rush, meeting): only those whose From is
// authenticated (package senderauth). Others are acknowledged and handed
// to a person.
type SenderAuthConfig struct {
	// Enforce turns the check on (default true). Off, every From is
	// believed: only for a mailbox that receives nothing from outside.
	Enforce bool `yaml:"enforce"`
	// TrustedAuthServIDs are the authserv-ids of the receiving mail
	// servers whose Authentication-Results headers are believed.
	TrustedAuthServIDs []string `yaml:"trusted_authserv_ids"`
	// VerifyDKIM checks DKIM signatures and DMARC alignment ourselves
	// (DNS lookups) when no trusted header is present (default true).
	VerifyDKIM bool `yaml:"verify_dkim"`
}

// Values of web.secure_cookies.
const (
	SecureCookiesAuto  = "auto"
	SecureCookiesTrue  = "true"
	SecureCookiesFalse = "false"
)

// LoginThrottle limits failed sign-ins: after MaxFailures failures for one
// username, or MaxFailuresPerClient from one client address, within
// Window, further attempts are refused until the window has passed.
type LoginThrottle struct {
	MaxFailures          int           `yaml:"max_failures"`
	MaxFailuresPerClient int           `yaml:"max_failures_per_client"`
	Window               time.Duration `yaml:"window"`
}

// API token scopes.
const (
	ScopeRead       = "read"        // every GET of the API
	ScopeLeadsWrite = "leads:write" // create leads (a website contact form)
	ScopeWrite      = "write"       // change customers, orders, inquiries, suppressions
	ScopeAdmin      = "admin"       // everything, reps included
)

// APIScopes lists the scopes an API token may hold.
var APIScopes = []string{ScopeRead, ScopeLeadsWrite, ScopeWrite, ScopeAdmin}

// SecureCookie reports whether the session cookie is marked Secure.
func (w WebConfig) SecureCookie() bool {
	switch w.SecureCookies {
	case SecureCookiesTrue:
		return true
	case SecureCookiesFalse:
		return false
	}
	u, err := url.Parse(w.BaseURL)
	return err == nil && strings.EqualFold(u.Scheme, "https")
}

// IsLoopback reports whether addr (host:port) names this machine only.
func IsLoopback(addr string) bool { return plaintext.IsLoopback(addr) }

func (v *checker) trust(c Config) {
	v.oneOf("web.secure_cookies", c.Web.SecureCookies, SecureCookiesAuto, SecureCookiesTrue, SecureCookiesFalse)
	t := c.Web.LoginThrottle
	v.atLeast("web.login_throttle.max_failures", t.MaxFailures, 1)
	v.atLeast("web.login_throttle.max_failures_per_client", t.MaxFailuresPerClient, 1)
	v.positive("web.login_throttle.window", t.Window)
	for i, tok := range c.Web.APITokens {
		k := index("web.api_tokens", i) + ".scopes"
		if len(tok.Scopes) == 0 {
			v.add(k, "required: one or more of %s", strings.Join(APIScopes, ", "))
		}
		for j, s := range tok.Scopes {
			v.oneOf(index(k, j), s, APIScopes...)
		}
	}
	if c.SMTP.TLS == TLSNone && c.SMTP.Addr != "" && !IsLoopback(c.SMTP.Addr) && !c.SMTP.AllowPlaintext {
		v.add("smtp.tls", "none sends the password in clear to a non-loopback server; use starttls or implicit (or allow_plaintext: true for a test rig)")
	}
	for i, m := range c.Mailboxes {
		if m.TLS == TLSNone && m.Addr != "" && !IsLoopback(m.Addr) && !m.AllowPlaintext {
			v.add(index("mailboxes", i)+".tls", "none sends the password in clear to a non-loopback server; use starttls or implicit (or allow_plaintext: true for a test rig)")
		}
	}
	for i, id := range c.SenderAuth.TrustedAuthServIDs {
		if strings.TrimSpace(id) == "" || strings.ContainsAny(id, " \t;") {
			v.add(index("sender_auth.trusted_authserv_ids", i), "must be a host name such as mx.acme.example")
		}
	}
}
