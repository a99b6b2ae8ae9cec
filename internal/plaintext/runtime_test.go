package plaintext_test

import (
	"strings"
	"testing"

	"salesdesk/internal/inbox"
	"salesdesk/internal/mailer"
)

// TestDialPathsRefusePlaintext: the IMAP poller and the SMTP sender
// themselves refuse tls none to a server that is not loopback, whatever
// the configuration check said, unless AllowPlaintext is set.
func TestDialPathsRefusePlaintext(t *testing.T) {
	const remote = "mail.example.com:143"
	mbox := inbox.Mailbox{Name: "sales", Addr: remote, TLS: inbox.TLSNone, Username: "sales", Password: "pw"}
	if _, err := inbox.New(mbox, inbox.Deps{}); err == nil || !strings.Contains(err.Error(), "in clear") {
		t.Errorf("inbox.New with tls none to %s: %v, want refused", remote, err)
	}
	mbox.AllowPlaintext = true
	if _, err := inbox.New(mbox, inbox.Deps{}); err == nil || strings.Contains(err.Error(), "in clear") {
		t.Errorf("inbox.New with allow_plaintext: %v, want only the missing store refused", err)
	}
	mbox.AllowPlaintext, mbox.Addr = false, "127.0.0.1:143"
	if _, err := inbox.New(mbox, inbox.Deps{}); err == nil || strings.Contains(err.Error(), "in clear") {
		t.Errorf("inbox.New with tls none to loopback: %v, want only the missing store refused", err)
	}

	o := mailer.Options{Addr: "smtp.example.com:25", TLS: mailer.TLSNone, Username: "u", Password: "pw"}
	if s, err := mailer.NewSender(o); err == nil || !strings.Contains(err.Error(), "in clear") {
		if s != nil {
			s.Close()
		}
		t.Errorf("mailer.NewSender with tls none to %s: %v, want refused", o.Addr, err)
	}
	for _, ok := range []mailer.Options{
		{Addr: "smtp.example.com:25", TLS: mailer.TLSNone, AllowPlaintext: true},
		{Addr: "localhost:25", TLS: mailer.TLSNone},
	} {
		s, err := mailer.NewSender(ok)
		if err != nil {
			t.Errorf("mailer.NewSender(%s, allow %v): %v", ok.Addr, ok.AllowPlaintext, err)
			continue
		}
		s.Close()
	}
}
