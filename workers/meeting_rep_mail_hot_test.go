package workers

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/mailer"
	"salesdesk/internal/meeting"
	"salesdesk/internal/outbox"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
)

// countingThreads counts the thread lookups RepMeetingMail makes.
type countingThreads struct {
	*store.Store
	lookups atomic.Int64
}

func (c *countingThreads) OutboundByMessageID(ctx context.Context, id string) (*store.OutboundEmail, error) {
	c.lookups.Add(1)
	return c.Store.OutboundByMessageID(ctx, id)
}

func (c *countingThreads) InquiryByReference(ctx context.Context, ref string) (*store.Inquiry, error) {
	c.lookups.Add(1)
	return c.Store.InquiryByReference(ctx, ref)
}

func (c *countingThreads) KeepInboundSenderAuth(ctx context.Context, id int64, a store.SenderAuth) (store.SenderAuth, error) {
	c.lookups.Add(1)
	return c.Store.KeepInboundSenderAuth(ctx, id, a)
}

// countingLoads counts the reads of an inbound message's row.
type countingLoads struct {
	*store.Store
	loads atomic.Int64
}

func (c *countingLoads) InboundMessage(ctx context.Context, id int64) (*store.InboundMessage, error) {
	c.loads.Add(1)
	return c.Store.InboundMessage(ctx, id)
}

// repMailBare is the rep-mail hook on a SQLite store with Rita as its
// only rep and no Redis behind it: enough for mails it must pass on.
type repMailBare struct {
	st      *store.Store
	threads *countingThreads
	rows    *countingLoads // the hook's store
	hook    *RepMeetingMail
	uid     uint32
}

func newRepMailBare(tb testing.TB) *repMailBare {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.SQLiteDSN(tb, "repmail.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if _, err := st.CreateRep(ctx, &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true,
		Timezone: "Europe/Berlin"}); err != nil {
		tb.Fatal(err)
	}
	// Never dialled: a mail passed on queues nothing.
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: "127.0.0.1:1"})
	tb.Cleanup(func() { client.Close() })
	now := func() time.Time { return fakeNow }
	svc, err := meeting.NewService(st, client, meeting.Options{}, now)
	if err != nil {
		tb.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"})
	if err != nil {
		tb.Fatal(err)
	}
	threads, rows := &countingThreads{Store: st}, &countingLoads{Store: st}
	hook, err := NewRepMeetingMail(MeetingDeps{Desk: Desk{Renderer: renderer, Outbox: outbox.New(st, client),
		From: "Ourco Sales <sales@ourco.example>", Clock: ClockFunc(now)}, Store: rows, Meetings: svc, Enqueuer: client},
		MeetingOptions{}, RepMeetingMailOptions{Threads: threads})
	if err != nil {
		tb.Fatal(err)
	}
	return &repMailBare{st: st, threads: threads, rows: rows, hook: hook}
}

// store saves raw as a new inbound message and returns its id.
func (r *repMailBare) store(tb testing.TB, raw string) int64 {
	tb.Helper()
	r.uid++
	b := []byte(strings.ReplaceAll(raw, "\n", "\r\n"))
	in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: r.uid, Size: int64(len(b)), Raw: b}
	id, _, _, err := r.st.SaveInboundMessage(context.Background(), in)
	if err != nil {
		tb.Fatal(err)
	}
	return id
}

// annMail is Ann's mail to the sales inbox; inReplyTo, when set,
// threads it onto an earlier mail as a reply to it.
func annMail(name, inReplyTo string) string {
	thread, subject := "", "Pumps for the new plant"
	if inReplyTo != "" {
		thread = "In-Reply-To: <" + inReplyTo + ">\nReferences: <" + inReplyTo + ">\n"
		subject = "Re: Pump review [SD-ABC123]"
	}
	return "From: Ann Lee <ann@acme.com>\nTo: Ourco Sales <sales@ourco.example>\nSubject: " + subject + "\n" +
		"Message-ID: <" + name + "@acme.com>\n" + thread + "Date: Fri, 27 Mar 2026 15:20:00 +0100\nMIME-Version: 1.0\n" +
		"Content-Type: text/plain; charset=utf-8\n\n" + strings.Repeat("Could we move to Tuesday at 3pm? We need 40 pumps.\n", 40) +
		"\nOn Fri, 27 Mar 2026, Ourco Sales wrote:\n> Hello Ann,\n> Monday at 10:00 was the plan\n"
}

// TestMeetingRepMailCustomerUntouched: a customer's mail, a reply in a
// meeting's thread included, is passed on to intake from its header
// alone: no thread lookups, no sender check stored, its row as it was.
func TestMeetingRepMailCustomerUntouched(t *testing.T) {
	r := newRepMailBare(t)
	ctx := t.Context()
	for _, tc := range []struct{ name, raw string }{
		{"new mail", annMail("new", "")},
		{"reply in a thread", annMail("reply", "invite-1@ourco.example")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id := r.store(t, tc.raw)
			before := r.threads.lookups.Load()
			in, err := r.st.InboundMessage(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			taken, err := r.hook.Take(ctx, in)
			if err != nil || taken {
				t.Fatalf("Take = %v, %v; want the mail passed on", taken, err)
			}
			if n := r.threads.lookups.Load() - before; n != 0 {
				t.Errorf("%d thread lookups or writes for a customer's mail, want 0", n)
			}
			after, err := r.st.InboundMessage(ctx, id)
			if err != nil || after.Status != store.InboundStored {
				t.Errorf("inbound after Take = %+v, %v; want it untouched", after, err)
			}
			if a, _ := r.st.InboundSenderAuth(ctx, id); a.Verdict != "" {
				t.Errorf("sender check stored for a customer's mail: %+v", a)
			}
		})
	}
}

// BenchmarkRepMeetingMailCustomer is what the rep-mail hook costs a
// customer's mail that it passes on: a new mail, and a reply in a
// meeting's thread with the inquiry's reference.
func BenchmarkRepMeetingMailCustomer(b *testing.B) {
	r := newRepMailBare(b)
	ctx := context.Background()
	for _, bc := range []struct{ name, raw string }{
		{"new", annMail("new", "")},
		{"reply", annMail("reply", "invite-1@ourco.example")},
	} {
		b.Run(bc.name, func(b *testing.B) {
			in, err := r.st.InboundMessage(ctx, r.store(b, bc.raw))
			if err != nil {
				b.Fatal(err)
			}
			for b.Loop() {
				if taken, err := r.hook.Take(ctx, in); err != nil || taken {
					b.Fatal(fmt.Sprint(taken, err))
				}
			}
		})
	}
}
