package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/hibiken/asynq"
)

// Permanent marks err as not worth retrying: it wraps asynq.SkipRetry, so
// asynq archives the task instead of retrying it. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return fmt.Errorf("%w: %w", err, asynq.SkipRetry)
}

// IsPermanent reports whether err was marked permanent.
func IsPermanent(err error) bool {
	return errors.Is(err, asynq.SkipRetry)
}

// Classify decides, at the boundary between a handler and asynq, whether
// err is retried. It returns nil for nil, err itself when a retry may help
// and Permanent(err) when it cannot:
//
//   - already permanent: stays permanent;
//   - context deadlines and cancellations, network and syscall errors,
//     unexpected EOF: temporary;
//   - JSON syntax and type errors: permanent (the input will not change);
//   - errors carrying an SMTP reply code (an ErrorCode() int method, as
//     go-mail's SendError has): 5xx permanent, anything else temporary;
//   - errors with a Temporary() bool method (go-smtp's SMTPError): permanent
//     when it returns false;
//   - anything else: temporary, because retrying an error we do not
//     understand is safer than dropping work.
func Classify(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	if isTransport(err) {
		return err
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		return Permanent(err)
	}
	var coded interface{ ErrorCode() int }
	if errors.As(err, &coded) {
		if c := coded.ErrorCode(); c >= 500 && c <= 599 {
			return Permanent(err)
		}
		return err
	}
	var temp interface{ Temporary() bool }
	if errors.As(err, &temp) && !temp.Temporary() {
		return Permanent(err)
	}
	return err
}

// IsTemporary reports whether Classify would have err retried.
func IsTemporary(err error) bool {
	return err != nil && !IsPermanent(Classify(err))
}

// isTransport reports errors of the path to a server rather than of the
// request: always worth another try. They are checked before the
// Temporary() interface because net.OpError and syscall.Errno answer false
// there for errors such as "connection refused".
func isTransport(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var errno syscall.Errno
	return errors.As(err, &errno)
}
