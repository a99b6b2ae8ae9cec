package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"testing"

	gomail "github.com/wneessen/go-mail"

	"salesdesk/internal/smtptest"
)

// sendError returns the error a real go-mail client gets when the test
// server answers RCPT TO with code.
func sendError(t *testing.T, code int) error {
	t.Helper()
	srv := smtptest.New(t)
	srv.FailNext(code)
	m, err := baseOutgoing().Msg()
	if err != nil {
		t.Fatal(err)
	}
	c, err := gomail.NewClient(srv.Host(), gomail.WithPort(srv.Port()), gomail.WithTLSPolicy(gomail.NoTLS))
	if err != nil {
		t.Fatal(err)
	}
	err = c.DialAndSendWithContext(context.Background(), m)
	if err == nil {
		t.Fatalf("server did not answer %d", code)
	}
	return err
}

func TestIsTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"permanent", fmt.Errorf("x: %w", ErrPermanent), false},
		{"smtp 421", sendError(t, 421), true},
		{"smtp 451", sendError(t, 451), true},
		{"smtp 452", sendError(t, 452), true},
		{"smtp 550", sendError(t, 550), false},
		{"smtp 553", sendError(t, 553), false},
		{"smtp 554", sendError(t, 554), false},
		{"go-mail bad recipients", &gomail.SendError{Reason: gomail.ErrGetRcpts}, false},
		{"go-mail bad sender", &gomail.SendError{Reason: gomail.ErrGetSender}, false},
		{"go-mail no 8bit", &gomail.SendError{Reason: gomail.ErrNoUnencoded}, false},
		{"go-mail connection lost", &gomail.SendError{Reason: gomail.ErrConnCheck}, true},
		{"auth refused", fmt.Errorf("dial failed: SMTP AUTH failed: %w", &textproto.Error{Code: 535, Msg: "5.7.8 bad credentials"}), true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}, true},
		{"deadline", fmt.Errorf("send: %w", context.DeadlineExceeded), true},
		{"eof", io.ErrUnexpectedEOF, true},
		{"unknown", errors.New("something odd"), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsTemporary(tc.err); got != tc.want {
				t.Errorf("IsTemporary(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
