package meeting

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // calendar parts in legacy charsets
)

// maxCalendarBytes bounds the calendar part read from a mail.
const maxCalendarBytes = 256 << 10

// maxParts bounds the MIME parts walked looking for the calendar.
const maxParts = 50

// FindReply recognises an iMIP reply (RFC 6047): a mail carrying a
// text/calendar part (or an .ics attachment) whose METHOD is REPLY, as a
// calendar client sends when its user presses Accept, Tentative or
// Decline. It returns the parsed reply, or ok=false for any other mail,
// including unreadable ones, which then go on as ordinary mail.
func FindReply(raw []byte) (inv *Invite, ok bool) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		if e == nil {
			return nil, false
		}
	}
	var found *Invite
	parts := 0
	walkErr := e.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return nil
		}
		if parts++; parts > maxParts {
			return errStop
		}
		mt, params, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		name := strings.ToLower(params["name"])
		if _, dp, err := mime.ParseMediaType(part.Header.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
			name = strings.ToLower(dp["filename"])
		}
		isCal := mt == "text/calendar" || mt == "application/ics" ||
			(mt == "application/octet-stream" && strings.HasSuffix(name, ".ics"))
		if !isCal {
			return nil
		}
		b, err := io.ReadAll(io.LimitReader(part.Body, maxCalendarBytes+1))
		if err != nil || len(b) > maxCalendarBytes {
			return nil
		}
		inv, err := ParseInvite(b)
		if err != nil || inv.Method != MethodReply || len(inv.Attendees) == 0 {
			return nil
		}
		found = inv
		return errStop
	})
	if walkErr != nil && !errors.Is(walkErr, errStop) {
		return nil, false
	}
	return found, found != nil
}

var errStop = errors.New("stop")
