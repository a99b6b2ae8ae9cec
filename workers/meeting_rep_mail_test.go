package workers

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"salesdesk/internal/mailer"
	"salesdesk/internal/meeting"
	"salesdesk/internal/outbox"
	"salesdesk/internal/senderauth"
	"salesdesk/internal/store"
)

// repMailAuthServ is the receiving server whose Authentication-Results
// the rep-mail tests trust.
const repMailAuthServ = "mx.ourco.example"

// newRepMailDesk runs the meeting desk with a sender check that trusts
// repMailAuthServ, and books Rita's meeting with Ann on Monday 30 March
// at 16:00 in Berlin (14:00 UTC). It returns the desk, the meeting and
// the Message-ID of Rita's invitation.
func newRepMailDesk(t *testing.T) (*meetingE2E, *store.Meeting, string) {
	t.Helper()
	checker := senderauth.New(senderauth.Options{TrustedAuthServIDs: []string{repMailAuthServ}})
	e := buildMeetingDeskWith(t, func() time.Time { return fakeNow }, nil, checker)
	e.start(t)
	m, _ := e.bookWithAnn(t, "Pump review", time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC))
	e.waitMails(t, "ann@acme.com", "Invitation: Pump review", 1)
	return e, m, e.sentMessageID(t, "rita@ourco.example", "Invitation: Pump review")
}

// sentMessageID is the Message-ID (without brackets) of the first
// captured mail to addr whose subject starts with prefix.
func (e *meetingE2E) sentMessageID(t *testing.T, addr, prefix string) string {
	t.Helper()
	var id string
	waitFor(t, 2*time.Minute, func() (bool, string) {
		for _, s := range e.smtp.Messages() {
			if len(s.To) != 1 || s.To[0] != addr {
				continue
			}
			msg, err := mail.ReadMessage(bytes.NewReader(s.Data))
			if err != nil {
				t.Fatal(err)
			}
			if subj := readSent(t, s.Data).subject; strings.HasPrefix(subj, prefix) {
				id = strings.Trim(msg.Header.Get("Message-ID"), "<> ")
				return true, ""
			}
		}
		return false, fmt.Sprintf("no mail to %s starting %q", addr, prefix)
	})
	return id
}

// repReply is Rita's reply to the mail inReplyTo with body on top of a
// quote; authServ names the server that vouches for it ("" for none).
func repReply(name, inReplyTo, authServ, body string) string {
	auth := ""
	if authServ != "" {
		auth = "Authentication-Results: " + authServ + "; dkim=pass header.d=ourco.example; dmarc=pass header.from=ourco.example\n"
	}
	return auth + "From: Rita Rep <rita@ourco.example>\nTo: Ourco Sales <sales@ourco.example>\n" +
		"Subject: Re: Invitation: Pump review\nMessage-ID: <" + name + "@ourco.example>\nIn-Reply-To: <" + inReplyTo + ">\n" +
		"References: <" + inReplyTo + ">\nDate: Fri, 27 Mar 2026 15:20:00 +0100\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\n\n" + body + "\n\nOn Fri, 27 Mar 2026, Ourco Sales wrote:\n> Hello Rita Rep,\n" +
		"> Monday at 10:00 was the plan\n"
}

// waitProcessed waits until every inbound message is taken in and the
// queues are idle.
func (e *meetingE2E) waitProcessed(t *testing.T) {
	t.Helper()
	waitFor(t, time.Minute, func() (bool, string) {
		for id := int64(1); id <= int64(e.mailSeq); id++ {
			in, err := e.st.InboundMessage(t.Context(), id)
			if err != nil || in.Status != store.InboundProcessed {
				return false, fmt.Sprintf("inbound %d not processed", id)
			}
		}
		return true, ""
	})
	waitIdle(t, e.redisOpt)
}

// TestMeetingRepMailHelps: Rita's replies to her invitation that cannot
// be carried out change nothing and get her one short help reply each,
// in the thread, with her signed links and what was read in her zone;
// none becomes an inquiry or is acknowledged. "confirm" of a booked
// meeting changes nothing and needs no answer.
func TestMeetingRepMailHelps(t *testing.T) {
	e, m, inviteID := newRepMailDesk(t)
	ctx := t.Context()
	const rita = "rita@ourco.example"
	// Another meeting of Rita's on Tuesday at 15:00 in Berlin (CEST).
	e.bookWithAnn(t, "Other review", time.Date(2026, 3, 31, 13, 0, 0, 0, time.UTC))
	e.waitMails(t, rita, "Invitation: Other review", 1)

	tests := []struct {
		name, body, wantRead, wantWhy string
	}{
		{"unclear", "Can we talk about this first?", `We read: "Can we talk about this first?"`, "it says neither cancel, confirm, held, no-show nor a day with a time"},
		{"taken", "move to Tuesday 15:00", "We read: move to Tuesday, 31 March 2026, 15:00 (CEST, UTC+02:00)", "you are not free then"},
		{"after hours", "Thursday at 20:00 please", "We read: move to Thursday, 2 April 2026, 20:00 (CEST, UTC+02:00)",
			"that time is outside your working hours"},
		{"two times", "Tuesday at 10:00 or Wednesday at 11:00", "We read: \"Tuesday at 10:00; Wednesday at 11:00\"", "it names more than one time"},
	}
	for i, tc := range tests {
		e.receive(t, repReply(fmt.Sprintf("help-%d", i), inviteID, repMailAuthServ, tc.body))
	}
	helps := e.waitMails(t, rita, "Not changed: Pump review", len(tests))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got *meetingMail
			for i := range helps {
				if strings.Contains(helps[i].text, tc.wantRead) {
					got = &helps[i]
				}
			}
			if got == nil {
				t.Fatalf("no help mail reads %q; got:\n%+v", tc.wantRead, helps)
			}
			for _, want := range []string{"Nothing changed because " + tc.wantWhy, "Monday, 30 March 2026, 16:00 (CEST",
				"times are read in Europe/Berlin", "move to Tuesday 15:00"} {
				if !strings.Contains(got.text, want) {
					t.Errorf("help mail lacks %q:\n%s", want, got.text)
				}
			}
			if len(e.linksIn(got.text, fmt.Sprintf("/meetings/%d/move", m.ID))) != 1 ||
				len(e.linksIn(got.text, fmt.Sprintf("/meetings/%d/cancel", m.ID))) != 1 {
				t.Errorf("help mail lacks the signed move and cancel links:\n%s", got.text)
			}
		})
	}
	// "confirm" of a booked meeting: nothing to do, nothing to say.
	e.receive(t, repReply("confirm", inviteID, repMailAuthServ, "Confirmed, thanks"))
	e.waitProcessed(t)

	if n := len(e.mails(t, rita, "Not changed:")); n != len(tests) {
		t.Errorf("%d help mails, want %d", n, len(tests))
	}
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil || got.Sequence != 0 || got.Status != store.MeetingConfirmed || !got.StartsAt.Equal(m.StartsAt) {
		t.Errorf("meeting after the replies = %+v, %v; want it unchanged", got, err)
	}
	for id := int64(1); id <= int64(e.mailSeq); id++ {
		if q, err := e.st.InquiryByInboundMessage(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rep reply %d became inquiry %+v (%v)", id, q, err)
		}
	}
	if n := len(e.mails(t, rita, "Re: Invitation")); n != 0 {
		t.Errorf("Rita was acknowledged %d times", n)
	}
	if n := len(e.mails(t, "ann@acme.com", "Updated invitation")) + len(e.mails(t, "ann@acme.com", "Cancelled")); n != 0 {
		t.Errorf("Ann got %d updates", n)
	}
}

// TestMeetingRepMailMovesOnce: Rita's reply "move to Wednesday 15:00",
// processed twice (a second copy of the same mail in the inbox), moves
// the meeting once: one new SEQUENCE to Ann and Rita, read in Rita's
// zone; then "cancel it" cancels it for everyone.
func TestMeetingRepMailMovesOnce(t *testing.T) {
	e, m, inviteID := newRepMailDesk(t)
	ctx := t.Context()
	const ann, rita = "ann@acme.com", "rita@ourco.example"
	move := repReply("move-1", inviteID, repMailAuthServ, "move to Wednesday 15:00 please")
	e.receive(t, move)
	// Wednesday 1 April, 15:00 in Berlin (CEST) is 13:00 UTC.
	moved := time.Date(2026, 4, 1, 13, 0, 0, 0, time.UTC)
	for _, to := range []string{ann, rita} {
		up := e.waitMails(t, to, "Updated invitation: Pump review", 1)
		inv := parseCalendar(t, up[0], meeting.MethodRequest)
		if inv.UID != m.UID || inv.Sequence != 1 || !inv.Start.Equal(moved) {
			t.Errorf("updated invite to %s = %+v", to, inv)
		}
	}
	e.receive(t, move)
	e.waitProcessed(t)
	for _, to := range []string{ann, rita} {
		if n := len(e.mails(t, to, "Updated invitation")); n != 1 {
			t.Errorf("%s got %d updated invitations, want 1", to, n)
		}
	}
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil || got.Sequence != 1 || got.Status != store.MeetingRescheduled || !got.StartsAt.Equal(moved) {
		t.Fatalf("meeting after the move = %+v, %v", got, err)
	}

	e.receive(t, repReply("cancel-1", inviteID, repMailAuthServ, "Cancel it, the customer called."))
	for _, to := range []string{ann, rita} {
		c := e.waitMails(t, to, "Cancelled: Pump review", 1)
		if inv := parseCalendar(t, c[0], meeting.MethodCancel); inv.UID != m.UID || inv.Sequence != 2 {
			t.Errorf("cancel to %s = %+v", to, inv)
		}
	}
	e.waitProcessed(t)
	if got, _ := e.st.Meeting(ctx, m.ID); got.Status != store.MeetingCancelled {
		t.Errorf("meeting after cancel = %+v", got)
	}
	if n := len(e.mails(t, rita, "Not changed:")); n != 0 {
		t.Errorf("Rita got %d help mails", n)
	}
	for id := int64(1); id <= int64(e.mailSeq); id++ {
		if _, err := e.st.InquiryByInboundMessage(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rep reply %d became an inquiry (%v)", id, err)
		}
	}
}

func TestMeetingOfMail(t *testing.T) {
	tests := []struct {
		name   string
		o      store.OutboundEmail
		wantID int64
		wantOK bool
	}{
		{"invite", store.OutboundEmail{Kind: meeting.MailInvite, IdempotencyKey: meetingKey(meeting.MailInvite, 42, 1, "rita@x.example")}, 42, true},
		{"reminder", store.OutboundEmail{Kind: meeting.MailReminder, IdempotencyKey: meetingKey(meeting.MailReminder, 7, 0, time.Hour, "a@b")}, 7, true},
		{"help", store.OutboundEmail{Kind: meeting.MailRepHelp, IdempotencyKey: meetingKey(meeting.MailRepHelp, 9, "abc")}, 9, true},
		{"propose", store.OutboundEmail{Kind: meeting.MailPropose, IdempotencyKey: meetingKey(meeting.MailPropose, 3)}, 3, true},
		{"lead mail", store.OutboundEmail{Kind: "lead_assigned", IdempotencyKey: "lead_assigned:42"}, 0, false},
		{"key of another kind", store.OutboundEmail{Kind: meeting.MailInvite, IdempotencyKey: "ack:inquiry:42"}, 0, false},
		{"no id", store.OutboundEmail{Kind: meeting.MailInvite, IdempotencyKey: "meeting_invite:x:1"}, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, ok := meetingOfMail(&tc.o)
			if id != tc.wantID || ok != tc.wantOK {
				t.Errorf("meetingOfMail(%q) = %d, %v; want %d, %v", tc.o.IdempotencyKey, id, ok, tc.wantID, tc.wantOK)
			}
		})
	}
}

// TestMeetingRepMailCopyAfterLinkMove: Rita's "move to Wednesday 15:00"
// moves the meeting; she then moves it to Thursday 10:00 with her move
// link; a second copy of that first mail (the same Message-ID, delivered
// again) changes nothing: the meeting stays on Thursday, nobody gets a
// third invitation and Rita gets no help mail.
func TestMeetingRepMailCopyAfterLinkMove(t *testing.T) {
	e, m, inviteID := newRepMailDesk(t)
	ctx := t.Context()
	const ann, rita = "ann@acme.com", "rita@ourco.example"
	move := repReply("move-copy", inviteID, repMailAuthServ, "move to Wednesday 15:00 please")
	e.receive(t, move)
	e.waitMails(t, ann, "Updated invitation: Pump review", 1)

	// What the move link's page does with the time Rita picks there:
	// Thursday 2 April, 10:00 in Berlin (CEST) is 08:00 UTC.
	thursday := time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC)
	if _, err := e.svc.Reschedule(ctx, m.ID, thursday); err != nil {
		t.Fatal(err)
	}
	e.waitMails(t, ann, "Updated invitation: Pump review", 2)

	e.receive(t, move)
	e.waitProcessed(t)
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil || got.Sequence != 2 || !got.StartsAt.Equal(thursday) {
		t.Fatalf("meeting after the copy = %+v, %v; want it still on Thursday at SEQUENCE 2", got, err)
	}
	for _, to := range []string{ann, rita} {
		if n := len(e.mails(t, to, "Updated invitation")); n != 2 {
			t.Errorf("%s got %d updated invitations, want 2", to, n)
		}
	}
	if n := len(e.mails(t, rita, "Not changed:")); n != 0 {
		t.Errorf("Rita got %d help mails", n)
	}
	in, err := e.st.InboundMessage(ctx, int64(e.mailSeq))
	if err != nil || !strings.Contains(in.Reason, "copy") {
		t.Errorf("the copy's inbound row = %+v, %v; want it processed as a copy", in, err)
	}
}

// TestMeetingRepMailOutcome: Rita answers "How did it go?" by mail.
// Before the meeting starts "held" changes nothing and gets her a help
// mail saying why, as the API refuses; after it starts "Held, next step:
// ..." records the outcome with the next step as the outcome link does,
// and a later "no-show" changes nothing: the first outcome holds.
func TestMeetingRepMailOutcome(t *testing.T) {
	var clock atomic.Int64
	clock.Store(fakeNow.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	checker := senderauth.New(senderauth.Options{TrustedAuthServIDs: []string{repMailAuthServ}})
	e := buildMeetingDeskWith(t, now, nil, checker)
	e.start(t)
	ctx := t.Context()
	const rita = "rita@ourco.example"
	// Monday 30 March, 16:00 in Berlin.
	m, _ := e.bookWithAnn(t, "Pump review", time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC))
	askID := e.sentMessageID(t, rita, "How did it go?")

	e.receive(t, repReply("early", askID, repMailAuthServ, "held"))
	help := e.waitMails(t, rita, "Not changed: Pump review", 1)
	for _, want := range []string{"We read: held", "Nothing changed because the meeting has not started yet"} {
		if !strings.Contains(help[0].text, want) {
			t.Errorf("help mail lacks %q:\n%s", want, help[0].text)
		}
	}
	e.waitProcessed(t)
	if got, _ := e.st.Meeting(ctx, m.ID); got.Status != store.MeetingConfirmed {
		t.Fatalf("an outcome before the start was recorded: %+v", got)
	}

	clock.Store(time.Date(2026, 3, 30, 14, 40, 0, 0, time.UTC).UnixNano())
	e.receive(t, repReply("held", askID, repMailAuthServ, "Held, next step: send the quote for 40 pumps"))
	e.waitProcessed(t)
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil || got.Status != store.MeetingHeld || got.Outcome != "send the quote for 40 pumps" {
		t.Fatalf("meeting after \"held\" = %+v, %v", got, err)
	}
	d, err := e.svc.Outcome(ctx, m.ID)
	if err != nil || d.Decision != store.MeetingHeld || d.DecidedBy != "Rita Rep <rita@ourco.example>" {
		t.Errorf("outcome decision = %+v, %v", d, err)
	}

	e.receive(t, repReply("noshow", askID, repMailAuthServ, "No-show."))
	help = e.waitMails(t, rita, "Not changed: Pump review", 2)
	found := false
	for _, h := range help {
		found = found || strings.Contains(h.text, "its outcome is already recorded as held")
	}
	if !found {
		t.Errorf("no help mail says the outcome is already recorded:\n%+v", help)
	}
	e.waitProcessed(t)
	if got, _ := e.st.Meeting(ctx, m.ID); got.Status != store.MeetingHeld || got.Outcome != "send the quote for 40 pumps" {
		t.Errorf("a second outcome changed the meeting: %+v", got)
	}
	for id := int64(1); id <= int64(e.mailSeq); id++ {
		if _, err := e.st.InquiryByInboundMessage(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("rep reply %d became an inquiry (%v)", id, err)
		}
	}
}

// brokenMeetings is the store with every write of a meeting refused, as
// when the database fails: the meeting service can change nothing.
type brokenMeetings struct{ *store.Store }

func (brokenMeetings) UpdateMeeting(context.Context, *store.Meeting) error {
	return errors.New("meeting store: disk I/O error")
}

// TestMeetingRepMailCopyAfterFailure: the first processing of Rita's
// "move to Wednesday 15:00" fails for good (the meeting cannot be
// written) and changes nothing; a second copy of the same mail, delivered
// later, is carried out: the rep's instruction is not lost.
func TestMeetingRepMailCopyAfterFailure(t *testing.T) {
	e, m, inviteID := newRepMailDesk(t)
	ctx := t.Context()
	clock := ClockFunc(func() time.Time { return fakeNow })
	broken := brokenMeetings{e.st}
	svc, err := meeting.NewService(broken, e.client, meeting.Options{MinNotice: 2 * time.Hour}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"})
	if err != nil {
		t.Fatal(err)
	}
	hook, err := NewRepMeetingMail(MeetingDeps{Desk: Desk{Renderer: renderer, Outbox: outbox.New(e.st, e.client),
		From: "Ourco Sales <sales@ourco.example>", Clock: clock}, Store: broken, Meetings: svc, Enqueuer: e.client},
		MeetingOptions{}, RepMeetingMailOptions{Threads: e.st,
			Senders: senderauth.New(senderauth.Options{TrustedAuthServIDs: []string{repMailAuthServ}})})
	if err != nil {
		t.Fatal(err)
	}
	move := repReply("move-fails", inviteID, repMailAuthServ, "move to Wednesday 15:00 please")
	b := []byte(strings.ReplaceAll(move, "\n", "\r\n"))
	in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 1000, Size: int64(len(b)), Raw: b}
	if _, _, _, err := e.st.SaveInboundMessage(ctx, in); err != nil {
		t.Fatal(err)
	}
	if in, err = e.st.InboundMessage(ctx, in.ID); err != nil {
		t.Fatal(err)
	}
	if took, err := hook.Take(ctx, in); err == nil {
		t.Fatalf("Take with the meeting store failing = %v, nil; want the error", took)
	}
	if got, err := e.st.Meeting(ctx, m.ID); err != nil || got.Sequence != 0 || !got.StartsAt.Equal(m.StartsAt) {
		t.Fatalf("meeting after the failed move = %+v, %v; want it unchanged", got, err)
	}

	copyID := e.receive(t, move)
	waitFor(t, time.Minute, func() (bool, string) {
		in, err := e.st.InboundMessage(ctx, copyID)
		return err == nil && in.Status == store.InboundProcessed, fmt.Sprintf("the copy is %+v, %v", in, err)
	})
	// Wednesday 1 April, 15:00 in Berlin (CEST) is 13:00 UTC.
	moved := time.Date(2026, 4, 1, 13, 0, 0, 0, time.UTC)
	got, err := e.st.Meeting(ctx, m.ID)
	if err != nil || got.Sequence != 1 || got.Status != store.MeetingRescheduled || !got.StartsAt.Equal(moved) {
		t.Fatalf("meeting after the copy = %+v, %v; want it moved to Wednesday at SEQUENCE 1", got, err)
	}
	if up := e.waitMails(t, "ann@acme.com", "Updated invitation: Pump review", 1); len(up) != 1 {
		t.Errorf("Ann got %d updated invitations, want 1", len(up))
	}
}
