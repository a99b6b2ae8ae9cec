package mailer

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/smtptest"
)

func newSender(t *testing.T, srv *smtptest.Server, o Options) *Sender {
	t.Helper()
	o.Addr = srv.Addr()
	if o.TLS == "" {
		o.TLS = TLSNone
	}
	if o.Timeout == 0 {
		o.Timeout = 10 * time.Second
	}
	o.HELO = "client.test"
	s, err := NewSender(o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSendPlain(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t)
	s := newSender(t, srv, Options{})
	o := baseOutgoing()
	o.Cc = []string{"dana@acme.example"}
	if err := s.Send(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages captured, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "sales@acme.example" {
		t.Errorf("MAIL FROM = %q", m.From)
	}
	if want := []string{"bob@brightwater.example", "dana@acme.example"}; !slices.Equal(m.To, want) {
		t.Errorf("RCPT TO = %v, want %v", m.To, want)
	}
	if m.TLS {
		t.Error("plain session reported TLS")
	}
	h := parse(t, m.Data).header
	if h.Get("Message-Id") != "<k3j4h5g6f7d8@acme.example>" || h.Get("Subject") != "Re: Where is my order? [SD-1234]" ||
		h.Get("In-Reply-To") != "<CAF=abc123@mail.brightwater.example>" {
		t.Errorf("headers: %v", h)
	}
}

func TestSendDefaultsFromOptions(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t)
	s := newSender(t, srv, Options{From: "Desk <desk@acme.example>", ReplyTo: "sales@acme.example"})
	o := baseOutgoing()
	o.From, o.ReplyTo = "", ""
	if err := s.Send(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	h := parse(t, srv.Messages()[0].Data).header
	if h.Get("From") != `"Desk" <desk@acme.example>` || h.Get("Reply-To") != "<sales@acme.example>" {
		t.Errorf("From %q Reply-To %q", h.Get("From"), h.Get("Reply-To"))
	}
}

func TestSendTLS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		server   smtptest.Options
		tls      string
		user     string
		password string
	}{
		{"starttls", smtptest.Options{TLS: smtptest.StartTLS}, TLSStartTLS, "", ""},
		{"implicit", smtptest.Options{TLS: smtptest.Implicit}, TLSImplicit, "", ""},
		{"starttls auth", smtptest.Options{TLS: smtptest.StartTLS, Username: "desk", Password: "s3cret"}, TLSStartTLS, "desk", "s3cret"},
		{"implicit auth", smtptest.Options{TLS: smtptest.Implicit, Username: "desk", Password: "s3cret"}, TLSImplicit, "desk", "s3cret"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.New(t, tc.server)
			s := newSender(t, srv, Options{TLS: tc.tls, TLSConfig: srv.ClientTLSConfig(), Username: tc.user, Password: tc.password})
			if err := s.Send(context.Background(), baseOutgoing()); err != nil {
				t.Fatal(err)
			}
			msgs := srv.Messages()
			if len(msgs) != 1 {
				t.Fatalf("%d messages, want 1", len(msgs))
			}
			if !msgs[0].TLS {
				t.Error("message did not arrive over TLS")
			}
			if msgs[0].Username != tc.user {
				t.Errorf("authenticated as %q, want %q", msgs[0].Username, tc.user)
			}
		})
	}
}

// TestSendRefusesInsecure checks that a setting asking for TLS or AUTH is
// never quietly downgraded: nothing is sent, and the error is temporary
// (the setup is wrong, not the message).
func TestSendRefusesInsecure(t *testing.T) {
	t.Parallel()
	plain := smtptest.New(t)
	starttls := smtptest.New(t, smtptest.Options{TLS: smtptest.StartTLS, Username: "desk", Password: "s3cret"})
	tests := []struct {
		name string
		srv  *smtptest.Server
		opts Options
	}{
		{"starttls not offered", plain, Options{TLS: TLSStartTLS}},
		{"untrusted certificate", starttls, Options{TLS: TLSStartTLS}},
		{"wrong password", starttls, Options{TLS: TLSStartTLS, TLSConfig: starttls.ClientTLSConfig(), Username: "desk", Password: "wrong"}},
		{"auth required", starttls, Options{TLS: TLSStartTLS, TLSConfig: starttls.ClientTLSConfig()}},
		{"no plain auth in the clear", smtptest.New(t, smtptest.Options{Username: "desk", Password: "s3cret"}), Options{Username: "desk", Password: "s3cret"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSender(t, tc.srv, tc.opts)
			err := s.Send(context.Background(), baseOutgoing())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if errors.Is(err, ErrPermanent) {
				t.Errorf("error %v marked permanent; a setup problem must be retried", err)
			}
			if n := len(tc.srv.Messages()); n != 0 {
				t.Errorf("%d messages delivered", n)
			}
		})
	}
}

func TestSendReplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		code          int
		wantTemporary bool
	}{
		{"greylisted", 451, true},
		{"mailbox busy", 450, true},
		{"service closing", 421, true},
		{"no such user", 550, false},
		{"policy", 554, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := smtptest.New(t)
			srv.FailRcpt("bob@brightwater.example", tc.code, "")
			err := newSender(t, srv, Options{}).Send(context.Background(), baseOutgoing())
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := IsTemporary(err); got != tc.wantTemporary {
				t.Errorf("IsTemporary(%v) = %v, want %v", err, got, tc.wantTemporary)
			}
			if got := errors.Is(err, ErrPermanent); got == tc.wantTemporary {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v", err, got)
			}
			if !strings.Contains(err.Error(), "(smtptest)") || !strings.Contains(err.Error(), "bob@brightwater.example") {
				t.Errorf("error %q lacks the server's reply", err)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("%d messages delivered", n)
			}
		})
	}
}

func TestSendNetworkErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s, err := NewSender(Options{Addr: addr, TLS: TLSNone, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Send(context.Background(), baseOutgoing())
	if err == nil || !IsTemporary(err) {
		t.Errorf("connection refused: err %v, IsTemporary %v", err, IsTemporary(err))
	}

	// A server that accepts and never greets: the context ends the wait.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { silent.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := silent.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()
	t.Cleanup(func() {
		if c := <-accepted; c != nil {
			c.Close()
		}
	})
	s, err = NewSender(Options{Addr: silent.Addr().String(), TLS: TLSNone, Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = s.Send(ctx, baseOutgoing())
	if err == nil || !IsTemporary(err) {
		t.Errorf("silent server: err %v, IsTemporary %v", err, IsTemporary(err))
	}
}

func TestSendInvalidMessage(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t)
	o := baseOutgoing()
	o.To = []string{"Bob\r\nBcc: evil@x.example <bob@x.example>"}
	err := newSender(t, srv, Options{}).Send(context.Background(), o)
	if !errors.Is(err, ErrPermanent) {
		t.Errorf("err = %v, want ErrPermanent", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("%d messages delivered", n)
	}
}

func TestNewSenderOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"no port", Options{Addr: "smtp.example.com"}},
		{"bad port", Options{Addr: "smtp.example.com:99999"}},
		{"bad tls", Options{Addr: "smtp.example.com:25", TLS: "ssl"}},
		{"bad auth", Options{Addr: "smtp.example.com:25", Auth: "cram"}},
		{"bad from", Options{Addr: "smtp.example.com:25", From: "desk"}},
	}
	for _, tc := range tests {
		if _, err := NewSender(tc.opts); err == nil {
			t.Errorf("%s: NewSender accepted %+v", tc.name, tc.opts)
		}
	}
}

// BenchmarkSend measures one message over loopback SMTP, plain and with
// STARTTLS, as mail:send does it: on a session kept open ("reuse") and on
// a fresh session per mail ("new", MaxIdle -1).
func BenchmarkSend(b *testing.B) {
	for _, mode := range []struct {
		name   string
		server smtptest.TLSMode
		tls    string
	}{
		{"plain", smtptest.NoTLS, TLSNone},
		{"starttls", smtptest.StartTLS, TLSStartTLS},
	} {
		for _, reuse := range []struct {
			name    string
			maxIdle int
		}{{"new", -1}, {"reuse", 0}} {
			b.Run(mode.name+"/"+reuse.name, func(b *testing.B) {
				srv := smtptest.New(b, smtptest.Options{TLS: mode.server})
				s, err := NewSender(Options{Addr: srv.Addr(), TLS: mode.tls, TLSConfig: srv.ClientTLSConfig(), HELO: "bench.test",
					MaxIdle: reuse.maxIdle})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { s.Close() })
				o := baseOutgoing()
				b.ReportAllocs()
				for b.Loop() {
					if err := s.Send(context.Background(), o); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// TestSendReusesSession: consecutive sends share one SMTP session, and a
// session that died while idle is replaced without losing the mail.
func TestSendReusesSession(t *testing.T) {
	t.Parallel()
	srv := smtptest.New(t)
	s := newSender(t, srv, Options{})
	t.Cleanup(func() { s.Close() })
	send := func() {
		t.Helper()
		if err := s.Send(context.Background(), baseOutgoing()); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		send()
	}
	if got := s.opened.Load(); got != 1 {
		t.Errorf("3 sends opened %d sessions, want 1", got)
	}
	// The idle session's connection dies, as when a server times it out.
	s.mu.Lock()
	s.idle[0].conn.Close()
	s.mu.Unlock()
	send()
	if got := s.opened.Load(); got != 2 {
		t.Errorf("after the idle session died: %d sessions opened, want 2", got)
	}
	if n := len(srv.Messages()); n != 4 {
		t.Errorf("%d messages delivered, want 4", n)
	}

	// MaxIdle < 0: a session per mail.
	s2 := newSender(t, srv, Options{MaxIdle: -1})
	for range 2 {
		if err := s2.Send(context.Background(), baseOutgoing()); err != nil {
			t.Fatal(err)
		}
	}
	if got := s2.opened.Load(); got != 2 {
		t.Errorf("MaxIdle -1: 2 sends opened %d sessions, want 2", got)
	}
}
