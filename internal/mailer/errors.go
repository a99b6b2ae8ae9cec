package mailer

import (
	"errors"

	gomail "github.com/wneessen/go-mail"
)

// ErrPermanent marks a failure that sending again cannot fix: a message
// that cannot be composed, or an SMTP server's 5xx reply to it. Errors
// from Compose and Sender.Send wrap it when it applies.
var ErrPermanent = errors.New("permanent")

// IsTemporary reports whether sending again later may succeed:
//
//   - ErrPermanent anywhere in the chain: no;
//   - an SMTP reply to the message (go-mail's *SendError) with a 5xx code:
//     no; with a 4xx code: yes;
//   - any refusal of MAIL FROM: yes. It answers our sender address or our
//     session ("authenticate first", "sender rejected"), the same for
//     every message: failing each mail at once would lose all of them
//     during a misconfiguration, while retrying with backoff recovers
//     once it is fixed;
//   - a go-mail refusal without a server code to read the sender or the
//     recipients, or to send unencoded: no (the message is at fault);
//   - anything else, such as network errors, timeouts, TLS and AUTH
//     failures while connecting (a setup problem that affects every
//     message alike and is fixed outside the message): yes.
func IsTemporary(err error) bool {
	if err == nil || errors.Is(err, ErrPermanent) {
		return false
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		if se.Reason == gomail.ErrSMTPMailFrom {
			return true
		}
		switch code := se.ErrorCode(); {
		case code >= 500:
			return false
		case code >= 400:
			return true
		}
		switch se.Reason {
		case gomail.ErrGetSender, gomail.ErrGetRcpts, gomail.ErrNoUnencoded:
			return false
		}
		return true
	}
	return true
}
