package workers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/mailer"
	"salesdesk/internal/outbox"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/tasks"
)

// limitFixture is a real SQLite store and a capturing SMTP server with
// the rate-limited mail:send handler between them; now is both the
// store's and the handler's clock.
type limitFixture struct {
	ctx  context.Context
	st   *store.Store
	smtp *smtptest.Server
	now  time.Time
	h    *LimitedMailSendHandler
	seq  int
}

func newLimitFixture(t *testing.T, l outbox.RecipientLimit) *limitFixture {
	t.Helper()
	f := &limitFixture{ctx: t.Context(), now: time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)}
	st, err := store.Open(f.ctx, storetest.SQLiteDSN(t, "x.db"), store.WithClock(func() time.Time { return f.now }))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f.st, f.smtp = st, smtptest.New(t)
	sender, err := mailer.NewSender(mailer.Options{Addr: f.smtp.Addr(), TLS: mailer.TLSNone, HELO: "worker.test", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	clock := ClockFunc(func() time.Time { return f.now })
	f.h = NewMailSendHandler(st, sender, nil, clock).WithRateLimit(st, l)
	return f
}

// send stores a queued mail to the given recipients and runs mail:send
// for it, a minute after the previous one.
func (f *limitFixture) send(t *testing.T, to ...string) (*store.OutboundEmail, error) {
	t.Helper()
	f.seq++
	f.now = f.now.Add(time.Minute)
	key := fmt.Sprintf("ack:inquiry:%d", f.seq)
	o := &store.OutboundEmail{IdempotencyKey: key, MessageID: fmt.Sprintf("m%d@ourco.example", f.seq), Kind: "ack",
		From: "Ourco Sales <sales@ourco.example>", To: to, Subject: "Re: hello [SD-1]", BodyText: "We have your message.\n"}
	if _, _, err := f.st.CreateOutbound(f.ctx, o); err != nil {
		t.Fatal(err)
	}
	task, err := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	err = f.h.ProcessTask(f.ctx, task)
	row, lerr := f.st.Outbound(f.ctx, o.ID)
	if lerr != nil {
		t.Fatal(lerr)
	}
	return row, err
}

func (f *limitFixture) limitAlerts(t *testing.T) []store.Alert {
	t.Helper()
	as, err := f.st.ListAlerts(f.ctx, store.AlertFilter{Kind: outbox.AlertKindMailRateLimited})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func TestMailRateLimit(t *testing.T) {
	f := newLimitFixture(t, outbox.RecipientLimit{PerRecipient: 3, Window: time.Hour})
	for i := range 3 {
		if row, err := f.send(t, "ann@acme.com"); err != nil || row.Status != store.OutboundSent {
			t.Fatalf("mail %d: %v, status %s", i+1, err, row.Status)
		}
	}

	row, err := f.send(t, "ann@acme.com")
	if !errors.Is(err, outbox.ErrRateLimited) || !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("fourth mail: %v, want outbox.ErrRateLimited and SkipRetry", err)
	}
	if row.Status != store.OutboundFailed || row.Error != "rate limited: 3 mails to ann@acme.com in 1h" {
		t.Errorf("fourth row %s %q", row.Status, row.Error)
	}
	alerts := f.limitAlerts(t)
	if len(alerts) != 1 || alerts[0].Occurrences != 1 || !strings.Contains(alerts[0].Subject, "ann@acme.com") {
		t.Fatalf("alerts %+v", alerts)
	}
	if got, want := alerts[0].DedupeKey, "mail_rate_limited:ann@acme.com:2025-03-14T09:00Z"; got != want {
		t.Errorf("dedupe key %s, want %s", got, want)
	}

	// A fifth mail is held too and counts on the same alert; another
	// customer is not affected.
	held, err := f.send(t, "Ann Lee <ann@acme.com>", "bob@brightwater.example")
	if !errors.Is(err, outbox.ErrRateLimited) {
		t.Errorf("fifth mail: %v", err)
	}
	if alerts := f.limitAlerts(t); len(alerts) != 1 || alerts[0].Occurrences != 2 {
		t.Errorf("after the fifth mail: %+v", alerts)
	}
	if row, err := f.send(t, "bob@brightwater.example"); err != nil || row.Status != store.OutboundSent {
		t.Errorf("mail to bob: %v, %s", err, row.Status)
	}

	// Running the held row's task again sends nothing.
	task, _ := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: held.ID})
	if err := f.h.ProcessTask(f.ctx, task); err != nil {
		t.Errorf("repeat of a held row: %v", err)
	}
	if n := len(f.smtp.Messages()); n != 4 {
		t.Errorf("%d mails reached the server, want 4 (3 to ann, 1 to bob)", n)
	}

	// An hour after the first mails, ann may get mail again.
	f.now = f.now.Add(time.Hour)
	if row, err := f.send(t, "ann@acme.com"); err != nil || row.Status != store.OutboundSent {
		t.Errorf("after the window: %v, %s", err, row.Status)
	}
}

func TestMailRateLimitCountsBouncesAndDisplayNames(t *testing.T) {
	f := newLimitFixture(t, outbox.RecipientLimit{PerRecipient: 2, Window: time.Hour})
	row, err := f.send(t, "Ann Lee <ann@acme.com>")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.MarkOutboundBounced(f.ctx, row.ID, "550 mailbox full"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.send(t, "ann@acme.com"); err != nil {
		t.Fatal(err)
	}
	// One bounced mail under the display name, one sent to the bare
	// address: the limit is reached for either form.
	if _, err := f.send(t, "Ann Lee <ann@acme.com>"); !errors.Is(err, outbox.ErrRateLimited) {
		t.Errorf("third mail: %v, want outbox.ErrRateLimited", err)
	}
}

func TestMailRateLimitExempt(t *testing.T) {
	f := newLimitFixture(t, outbox.RecipientLimit{PerRecipient: 1, Window: time.Hour,
		Exempt: []string{"Team <TEAM@ourco.example>", "@ops.ourco.example", " "}})
	if _, err := f.st.CreateRep(f.ctx, &store.Rep{Email: "dana@ourco.example", Name: "Dana", Active: true}); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"team@ourco.example", "night@ops.ourco.example", "Dana@ourco.example"} {
		for i := range 3 {
			if row, err := f.send(t, to); err != nil || row.Status != store.OutboundSent {
				t.Errorf("mail %d to %s: %v, %s", i+1, to, err, row.Status)
			}
		}
	}
	// A row to an internal and an outside address is limited by the
	// outside one.
	if _, err := f.send(t, "team@ourco.example", "eve@outside.example"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.send(t, "eve@outside.example"); err != nil {
		t.Errorf("eve's first single-recipient mail: %v", err)
	}
	if _, err := f.send(t, "team@ourco.example", "eve@outside.example"); !errors.Is(err, outbox.ErrRateLimited) {
		t.Errorf("mixed row after eve's limit: %v, want outbox.ErrRateLimited", err)
	}
	if len(f.limitAlerts(t)) != 1 {
		t.Errorf("alerts %+v", f.limitAlerts(t))
	}
}

func TestMailRateLimitDisabled(t *testing.T) {
	for _, l := range []outbox.RecipientLimit{{}, {PerRecipient: 1}, {Window: time.Hour}} {
		f := newLimitFixture(t, l)
		for range 3 {
			if row, err := f.send(t, "ann@acme.com"); err != nil || row.Status != store.OutboundSent {
				t.Fatalf("limit %+v: %v, %s", l, err, row.Status)
			}
		}
	}
}
