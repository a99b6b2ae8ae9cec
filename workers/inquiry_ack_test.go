package workers

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"salesdesk/internal/intake"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// ackInIntake makes f's intake write the acknowledgement itself, as
// workers.New wires it: the inquiry:ack handler renders the row.
func (f *inquiryFixture) ackInIntake(t *testing.T) *AckHandler {
	t.Helper()
	h, err := NewAckHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.intake, err = intake.New(intake.Deps{Store: f.st, Router: f.intakeRouter(t), Enqueuer: f.sink, Now: f.deps.Clock.Now, Ack: h},
		intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// intakeRouter is the router newInquiryFixture's intake classifies with.
func (f *inquiryFixture) intakeRouter(t *testing.T) intake.Router {
	t.Helper()
	return newMailKit(t, f.minConf).router
}

// ackRow is the acknowledgement of inquiry id.
func (f *inquiryFixture) ackRow(t *testing.T, id int64) store.OutboundEmail {
	t.Helper()
	rows, err := f.st.ListOutbound(f.ctx, store.OutboundFilter{InquiryID: id, Kind: intake.KindAck})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("inquiry %d: %d acknowledgements, want 1", id, len(rows))
	}
	return rows[0]
}

var ackMails = []struct{ name, from, subject, body string }{
	{"known contact, the owner answers and signs", "Ann Buyer <ann@acme.com>", "Invoice INV-223 is wrong",
		"Our invoice INV-223 charges the wrong unit price. Please send a credit note.\n"},
	{"new sender, the team answers", "Bob <bob@newco.example>", "Quote for 500 units",
		"Hello,\n\nplease send us a quote for 500 units of your widget.\n\nBob\n"},
	{"German", "Carla <carla@firma.example>", "Frage zur Lieferung",
		"Guten Tag,\n\nwann liefern Sie die bestellten Sensoren? Wir brauchen sie dringend für unser Projekt.\n\nViele Grüße\nCarla\n"},
}

// TestIntakeWritesTheAck: the acknowledgement intake writes with the
// mail's outcome is the one the inquiry:ack task writes (recipient,
// subject, text, HTML, threading, signer, idempotency key), for decided
// and triaged inquiries; intake enqueues its mail:send and no inquiry:ack.
func TestIntakeWritesTheAck(t *testing.T) {
	for _, minConf := range []float64{0, 0.99} {
		byTask, inIntake := newInquiryFixture(t, minConf), newInquiryFixture(t, minConf)
		h, err := NewAckHandler(byTask.deps, byTask.opts)
		if err != nil {
			t.Fatal(err)
		}
		inIntake.ackInIntake(t)
		for i, m := range ackMails {
			name := fmt.Sprintf("%s (min confidence %.2f)", m.name, minConf)
			messageID := fmt.Sprintf("ack%d@example.com", i)
			qa := byTask.take(t, m.from, m.subject, messageID, m.body)
			acks := byTask.sink.of(tasks.TypeInquiryAck)
			if len(acks) != i+1 {
				t.Fatalf("%s: %d inquiry:ack tasks without Ack, want %d", name, len(acks), i+1)
			}
			run(t, h, acks[i])
			qb := inIntake.take(t, m.from, m.subject, messageID, m.body)
			if n := len(inIntake.sink.of(tasks.TypeInquiryAck)); n != 0 {
				t.Errorf("%s: %d inquiry:ack tasks with Ack, want 0", name, n)
			}
			if qa.ID != qb.ID || qa.Reference != qb.Reference || qa.Status != qb.Status {
				t.Fatalf("%s: inquiries differ: %d %s %s, %d %s %s", name, qa.ID, qa.Reference, qa.Status, qb.ID, qb.Reference, qb.Status)
			}
			a, b := byTask.ackRow(t, qa.ID), inIntake.ackRow(t, qb.ID)
			if b.MessageID == "" || b.Status != store.OutboundQueued {
				t.Errorf("%s: intake's ack has Message-ID %q, status %q", name, b.MessageID, b.Status)
			}
			same := a.IdempotencyKey == b.IdempotencyKey && a.Kind == b.Kind && a.From == b.From && a.ReplyTo == b.ReplyTo &&
				slices.Equal(a.To, b.To) && slices.Equal(a.Cc, b.Cc) && a.Subject == b.Subject && a.BodyText == b.BodyText &&
				a.BodyHTML == b.BodyHTML && a.InReplyTo == b.InReplyTo && slices.Equal(a.References, b.References)
			if !same {
				t.Errorf("%s: acknowledgements differ:\nby task:   %+v\nin intake: %+v", name, a, b)
			}
			if i == 0 && minConf == 0 && !strings.Contains(b.BodyText, "Rita Rep") {
				t.Errorf("%s: not signed by the owner: %q", name, b.BodyText)
			}
			sends := inIntake.sink.of(tasks.TypeMailSend)
			want, _ := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: b.ID})
			if len(sends) != i+1 || string(sends[i].Payload()) != string(want.Payload()) {
				t.Errorf("%s: mail:send tasks %d, want the ack's (%s) last", name, len(sends), want.Payload())
			}
		}
	}
}

// TestAckInIntakeCostsLess counts SQLite's statements and commits of an
// acknowledged mail: intake plus the inquiry:ack task and its outbox row
// finished (the middleware's finishPending) before, intake alone with
// the acknowledgement in its transaction now.
func TestAckInIntakeCostsLess(t *testing.T) {
	m := ackMails[0]
	byTask, inIntake := newInquiryFixture(t, 0), newInquiryFixture(t, 0)
	h, err := NewAckHandler(byTask.deps, byTask.opts)
	if err != nil {
		t.Fatal(err)
	}
	inIntake.ackInIntake(t)

	id := byTask.store(t, m.from, m.subject, "cost@acme.com", m.body)
	var old, now [2]int64
	old[0], old[1] = sqlCost(t, byTask.st, func() error {
		if err := byTask.intake.Process(byTask.ctx, id); err != nil {
			return err
		}
		task := byTask.sink.of(tasks.TypeInquiryAck)[0]
		if err := h.ProcessTask(byTask.ctx, task); err != nil {
			return err
		}
		_, err := byTask.st.FinishPendingTask(byTask.ctx, task.Type(), task.Payload(), "")
		return err
	})
	id = inIntake.store(t, m.from, m.subject, "cost@acme.com", m.body)
	now[0], now[1] = sqlCost(t, inIntake.st, func() error { return inIntake.intake.Process(inIntake.ctx, id) })
	checkCostsLess(t, "acknowledged mail", old, now, [2]int64{12, 2})
}
