package config

import "testing"

func TestSecureCookie(t *testing.T) {
	for _, tt := range []struct {
		setting, baseURL string
		want             bool
	}{
		{SecureCookiesAuto, "https://desk.example", true},
		{SecureCookiesAuto, "http://127.0.0.1:8080", false},
		{SecureCookiesAuto, "", false},
		{SecureCookiesTrue, "http://desk.internal", true},
		{SecureCookiesFalse, "https://desk.example", false},
	} {
		w := WebConfig{SecureCookies: tt.setting, BaseURL: tt.baseURL}
		if got := w.SecureCookie(); got != tt.want {
			t.Errorf("secure_cookies %q with base_url %q = %v, want %v", tt.setting, tt.baseURL, got, tt.want)
		}
	}
	if d := Default().Web; d.SecureCookies != SecureCookiesAuto {
		t.Errorf("default secure_cookies = %q, want auto", d.SecureCookies)
	}
}

func TestPlaintextAllowedOnLoopbackOrWhenAsked(t *testing.T) {
	for _, tt := range []struct {
		addr  string
		allow bool
		want  bool // a problem is reported
	}{
		{"127.0.0.1:1025", false, false},
		{"localhost:25", false, false},
		{"[::1]:25", false, false},
		{"mail.example.com:25", false, true},
		{"10.0.0.5:25", false, true},
		{"mail.example.com:25", true, false},
	} {
		v := &checker{}
		c := Default()
		c.SMTP.Addr, c.SMTP.TLS, c.SMTP.AllowPlaintext = tt.addr, TLSNone, tt.allow
		v.trust(c)
		if got := len(v.problems) > 0; got != tt.want {
			t.Errorf("smtp %s allow_plaintext=%v: problems %v, want problem %v", tt.addr, tt.allow, v.problems, tt.want)
		}
	}
}
