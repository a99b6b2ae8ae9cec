package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/hibiken/asynq"
)

// smtpReply mimics go-smtp's *SMTPError: a reply code and Temporary().
type smtpReply struct{ code int }

func (e *smtpReply) Error() string   { return fmt.Sprintf("smtp %d", e.code) }
func (e *smtpReply) Temporary() bool { return e.code/100 == 4 }

// sendError mimics go-mail's *SendError: ErrorCode() with 0 for errors that
// carry no SMTP reply (a refused connection).
type sendError struct{ code int }

func (e *sendError) Error() string  { return fmt.Sprintf("send failed (%d)", e.code) }
func (e *sendError) ErrorCode() int { return e.code }

func TestClassify(t *testing.T) {
	var syntaxErr error
	if err := json.Unmarshal([]byte("{"), &struct{}{}); err != nil {
		syntaxErr = err
	}
	var typeErr error
	if err := json.Unmarshal([]byte(`{"a":"x"}`), &struct{ A int }{}); err != nil {
		typeErr = err
	}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}

	tests := []struct {
		name          string
		err           error
		wantNil       bool
		wantPermanent bool
	}{
		{name: "nil", err: nil, wantNil: true},
		{name: "plain error retried", err: errors.New("db busy")},
		{name: "already permanent", err: Permanent(errors.New("unknown order")), wantPermanent: true},
		{name: "skip retry wrapped", err: fmt.Errorf("decode: %w", asynq.SkipRetry), wantPermanent: true},
		{name: "deadline", err: fmt.Errorf("query: %w", context.DeadlineExceeded)},
		{name: "canceled", err: context.Canceled},
		{name: "connection refused", err: fmt.Errorf("smtp dial: %w", refused)},
		{name: "bare errno refused", err: syscall.ECONNREFUSED},
		{name: "unexpected eof", err: fmt.Errorf("read: %w", io.ErrUnexpectedEOF)},
		{name: "json syntax", err: fmt.Errorf("decode: %w", syntaxErr), wantPermanent: true},
		{name: "json type", err: typeErr, wantPermanent: true},
		{name: "smtp 451", err: fmt.Errorf("send: %w", &smtpReply{451})},
		{name: "smtp 550", err: fmt.Errorf("send: %w", &smtpReply{550}), wantPermanent: true},
		{name: "send error 421", err: &sendError{421}},
		{name: "send error 554", err: &sendError{554}, wantPermanent: true},
		{name: "send error without code", err: &sendError{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(tt.err)
			if tt.wantNil {
				if got != nil {
					t.Fatalf("Classify(nil) = %v", got)
				}
				return
			}
			if !errors.Is(got, tt.err) {
				t.Errorf("Classify lost the original error: %v", got)
			}
			if IsPermanent(got) != tt.wantPermanent {
				t.Errorf("permanent = %v, want %v (%v)", IsPermanent(got), tt.wantPermanent, got)
			}
			if IsTemporary(tt.err) == tt.wantPermanent {
				t.Errorf("IsTemporary = %v, want %v", IsTemporary(tt.err), !tt.wantPermanent)
			}
		})
	}
}

func TestPermanent(t *testing.T) {
	if Permanent(nil) != nil {
		t.Error("Permanent(nil) != nil")
	}
	base := errors.New("bad payload")
	p := Permanent(base)
	if !errors.Is(p, base) || !errors.Is(p, asynq.SkipRetry) || !IsPermanent(p) {
		t.Errorf("Permanent(%v) = %v", base, p)
	}
	if Permanent(p) != p {
		t.Error("Permanent is not idempotent")
	}
	if IsPermanent(base) {
		t.Error("plain error reported permanent")
	}
}

func TestRetryDelay(t *testing.T) {
	tests := []struct {
		n        int
		min, max float64 // seconds
	}{
		{0, 1, 2},
		{1, 2, 4},
		{3, 8, 16},
		{8, 256, 512}, // 2s<<8 = 512s, half of it fixed
		{9, 450, 900}, // capped at 15 min
		{30, 450, 900},
		{-1, 1, 2},
	}
	for _, tt := range tests {
		for range 50 {
			d := RetryDelay(tt.n, errors.New("x"), nil).Seconds()
			if d < tt.min || d > tt.max {
				t.Fatalf("RetryDelay(%d) = %vs, want %v..%v", tt.n, d, tt.min, tt.max)
			}
		}
	}
}

func TestIsFailure(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("smtp down"), true},
		{Permanent(errors.New("bad")), true},
		{fmt.Errorf("enqueue follow-on: %w", asynq.ErrTaskIDConflict), false},
		{asynq.ErrDuplicateTask, false},
	}
	for _, tt := range tests {
		if got := IsFailure(tt.err); got != tt.want {
			t.Errorf("IsFailure(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
