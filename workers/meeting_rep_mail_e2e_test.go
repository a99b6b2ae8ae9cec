package workers

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/meeting"
	"salesdesk/internal/senderauth"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// TestMeetingRepMailEndToEnd runs a rep's replies to a meeting mail
// through the front door: each is APPENDed to Dovecot, picked up by the
// poller, stored, queued and taken in. Forged replies (Rita's From with no
// authentication, or with a pass from a server we do not trust) change
// nothing and are handled as any unauthenticated mail; Rita's
// authenticated "move to Wednesday 15:00" sends a REQUEST with the next
// SEQUENCE to Ann and Rita; her "cancel" then sends METHOD:CANCEL to
// both.
func TestMeetingRepMailEndToEnd(t *testing.T) {
	imapSrv := testenv.Dovecot(t)
	e, m, inviteID := newRepMailDesk(t)
	ctx := t.Context()
	const ann, rita = "ann@acme.com", "rita@ourco.example"

	user := "repmail-" + testenv.RandomName(6)
	runPoller(t, ctx, imapSrv, user, e.st, e.client)
	appended := 0
	deliver := func(raws ...string) {
		t.Helper()
		appendRaw(t, imapSrv, user, raws...)
		appended += len(raws)
		waitFor(t, time.Minute, func() (bool, string) {
			for id := int64(1); id <= int64(appended); id++ {
				in, err := e.st.InboundMessage(ctx, id)
				if err != nil || in.Status != store.InboundProcessed {
					return false, fmt.Sprintf("inbound %d of %d not processed (%v)", id, appended, err)
				}
			}
			return true, ""
		})
		waitIdle(t, e.redisOpt)
	}

	// 1. Forged: nothing changes; intake takes them as the unverified
	// mail they are.
	deliver(repReply("forged-1", inviteID, "", "move to Wednesday 15:00"),
		repReply("forged-2", inviteID, "mx.evil.example", "cancel"))
	if got, _ := e.st.Meeting(ctx, m.ID); got.Sequence != 0 || got.Status != store.MeetingConfirmed || !got.StartsAt.Equal(m.StartsAt) {
		t.Fatalf("a forged reply changed the meeting: %+v", got)
	}
	for _, prefix := range []string{"Updated invitation", "Cancelled"} {
		if n := len(e.mails(t, ann, prefix)); n != 0 {
			t.Errorf("forged replies sent Ann %d %q mails", n, prefix)
		}
	}
	if n := len(e.mails(t, rita, "Not changed:")); n != 0 {
		t.Errorf("a forged reply got %d help mails", n)
	}
	for id := int64(1); id <= 2; id++ {
		a, err := e.st.InboundSenderAuth(ctx, id)
		if err != nil || senderauth.Verdict(a.Verdict).Authenticated() {
			t.Errorf("forged reply %d: sender auth %+v, %v", id, a, err)
		}
		if _, err := e.st.InquiryByInboundMessage(ctx, id); err != nil {
			t.Errorf("forged reply %d was not left to intake: %v", id, err)
		}
	}

	// 2. Rita's own reply moves it: SEQUENCE 1 to everyone, at 15:00 in
	// Berlin (CEST) on Wednesday 1 April, 13:00 UTC.
	deliver(repReply("move-e2e", inviteID, repMailAuthServ, "move to Wednesday 15:00"))
	moved := time.Date(2026, 4, 1, 13, 0, 0, 0, time.UTC)
	for _, tc := range []struct{ to, when string }{
		{ann, "Wednesday, 1 April 2026, 09:00 (EDT, UTC-04:00)"},
		{rita, "Wednesday, 1 April 2026, 15:00 (CEST, UTC+02:00)"},
	} {
		up := e.waitMails(t, tc.to, "Updated invitation: Pump review", 1)
		inv := parseCalendar(t, up[0], meeting.MethodRequest)
		if inv.UID != m.UID || inv.Sequence != 1 || !inv.Start.Equal(moved) {
			t.Errorf("updated invite to %s = %+v", tc.to, inv)
		}
		if !strings.Contains(up[0].text, tc.when) {
			t.Errorf("updated invite to %s lacks %q:\n%s", tc.to, tc.when, up[0].text)
		}
	}

	// 3. "cancel": METHOD:CANCEL, SEQUENCE 2, to everyone.
	deliver(repReply("cancel-e2e", inviteID, repMailAuthServ, "cancel"))
	for _, to := range []string{ann, rita} {
		c := e.waitMails(t, to, "Cancelled: Pump review", 1)
		if inv := parseCalendar(t, c[0], meeting.MethodCancel); inv.UID != m.UID || inv.Sequence != 2 {
			t.Errorf("cancel to %s = %+v", to, inv)
		}
	}
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil || got.Status != store.MeetingCancelled || got.Sequence != 2 {
		t.Errorf("meeting at the end = %+v, %v", got, err)
	}
	for id := int64(3); id <= int64(appended); id++ {
		if _, err := e.st.InquiryByInboundMessage(ctx, id); err == nil {
			t.Errorf("Rita's reply %d became an inquiry", id)
		}
	}
}

// appendRaw APPENDs raw mails (LF line ends) to user's INBOX.
func appendRaw(t *testing.T, srv testenv.IMAP, user string, raws ...string) {
	t.Helper()
	bs := make([][]byte, len(raws))
	for i, s := range raws {
		bs[i] = []byte(strings.ReplaceAll(s, "\n", "\r\n"))
	}
	appendBytes(t, srv, user, bs...)
}
