package smtptest

import (
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const sample = "From: a@x.example\r\nTo: b@y.example\r\nSubject: hi\r\n\r\nhello\r\n"

// send delivers sample with go-smtp's client: plain, STARTTLS or implicit
// TLS depending on the server, and AUTH PLAIN when user is set. It may run
// on any goroutine.
func send(t *testing.T, s *Server, user, pass string, to ...string) error {
	var (
		c   *smtp.Client
		err error
	)
	switch s.opts.TLS {
	case NoTLS:
		c, err = smtp.Dial(s.Addr())
	case StartTLS:
		c, err = smtp.DialStartTLS(s.Addr(), s.ClientTLSConfig())
	case Implicit:
		c, err = smtp.DialTLS(s.Addr(), s.ClientTLSConfig())
	}
	if err != nil {
		return err
	}
	defer c.Close()
	if user != "" {
		if err := c.Auth(sasl.NewPlainClient("", user, pass)); err != nil {
			return err
		}
	}
	if err := c.SendMail("a@x.example", to, strings.NewReader(sample)); err != nil {
		return err
	}
	return c.Quit()
}

func TestCapture(t *testing.T) {
	t.Parallel()
	for _, mode := range []TLSMode{NoTLS, StartTLS, Implicit} {
		s := New(t, Options{TLS: mode})
		if err := send(t, s, "", "", "b@y.example", "c@y.example"); err != nil {
			t.Fatalf("mode %d: %v", mode, err)
		}
		msgs, err := s.WaitFor(1, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		m := msgs[0]
		if m.From != "a@x.example" || !slices.Equal(m.To, []string{"b@y.example", "c@y.example"}) {
			t.Errorf("mode %d: envelope %s -> %v", mode, m.From, m.To)
		}
		if m.TLS != (mode != NoTLS) {
			t.Errorf("mode %d: TLS = %v", mode, m.TLS)
		}
		if string(m.Data) != sample {
			t.Errorf("mode %d: data %q", mode, m.Data)
		}
		h, err := m.Header()
		if err != nil || h.Get("Subject") != "hi" {
			t.Errorf("mode %d: header %v %v", mode, h, err)
		}
	}
}

func TestAuth(t *testing.T) {
	t.Parallel()
	s := New(t, Options{TLS: StartTLS, Username: "desk", Password: "pw"})
	if err := send(t, s, "", "", "b@y.example"); err == nil {
		t.Error("sent without AUTH")
	}
	if err := send(t, s, "desk", "wrong", "b@y.example"); err == nil {
		t.Error("sent with a wrong password")
	}
	if err := send(t, s, "desk", "pw", "b@y.example"); err != nil {
		t.Fatal(err)
	}
	msgs := s.Messages()
	if len(msgs) != 1 || msgs[0].Username != "desk" {
		t.Errorf("messages %+v", msgs)
	}
}

func TestFailures(t *testing.T) {
	t.Parallel()
	s := New(t)
	s.FailNext(451)
	s.FailNext(550)
	s.FailRcpt("Bad@Y.example", 553, "no such user here")

	var se *smtp.SMTPError
	err := send(t, s, "", "", "b@y.example")
	if !errors.As(err, &se) || se.Code != 451 {
		t.Errorf("first send: %v, want 451", err)
	}
	err = send(t, s, "", "", "b@y.example")
	if !errors.As(err, &se) || se.Code != 550 {
		t.Errorf("second send: %v, want 550", err)
	}
	err = send(t, s, "", "", "bad@y.example")
	if !errors.As(err, &se) || se.Code != 553 || se.Message != "no such user here" {
		t.Errorf("send to failing recipient: %v, want 553", err)
	}
	if err := send(t, s, "", "", "b@y.example"); err != nil {
		t.Errorf("failures should be used up: %v", err)
	}
	if n := len(s.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	s.Reset()
	if n := len(s.Messages()); n != 0 {
		t.Errorf("%d messages after Reset", n)
	}
	if err := send(t, s, "", "", "bad@y.example"); err != nil {
		t.Errorf("Reset kept a failure: %v", err)
	}
}

func TestWaitFor(t *testing.T) {
	t.Parallel()
	s := New(t)
	var wg sync.WaitGroup
	errs := make(chan error, 3)
	for range 3 {
		wg.Go(func() { errs <- send(t, s, "", "", "b@y.example") })
	}
	msgs, err := s.WaitFor(3, 10*time.Second)
	if err != nil || len(msgs) != 3 {
		t.Errorf("WaitFor(3) = %d messages, %v", len(msgs), err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if msgs, err := s.WaitFor(4, 10*time.Millisecond); err == nil || len(msgs) != 3 {
		t.Errorf("WaitFor(4) = %d messages, %v; want 3 and an error", len(msgs), err)
	}
}

func TestClose(t *testing.T) {
	t.Parallel()
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.Dial(s.Addr()) // an open session Close must end
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if c.Noop() == nil {
		t.Error("session still answers after Close")
	}
}
