package intake_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// stubAck writes a plain acknowledgement (workers.AckHandler renders the
// real one) and keeps the requests.
type stubAck struct {
	err       error
	messageID string
	requests  []intake.AckRequest
}

func (a *stubAck) AckMail(_ context.Context, r intake.AckRequest) (*store.OutboundEmail, error) {
	a.requests = append(a.requests, r)
	if a.err != nil {
		return nil, a.err
	}
	q := r.Inquiry
	return &store.OutboundEmail{IdempotencyKey: intake.AckKey(q.ID), Kind: intake.KindAck, InquiryID: q.ID, MessageID: a.messageID,
		From: "sales@ourco.example", To: []string{q.ContactEmail}, Subject: "Re: [" + q.Reference + "] " + r.Subject,
		BodyText: "We have your mail.", InReplyTo: r.MessageID}, nil
}

// failingSends fails every mail:send enqueue while on, as a Redis that
// went away right after intake's commit would.
type failingSends struct {
	next queue.Enqueuer
	on   bool
}

func (f *failingSends) EnqueueContext(ctx context.Context, t *asynq.Task, o ...asynq.Option) (*asynq.TaskInfo, error) {
	if f.on && t.Type() == tasks.TypeMailSend {
		return nil, errors.New("redis: connection refused")
	}
	return f.next.EnqueueContext(ctx, t, o...)
}

var ackedMail = mail{from: "Bob <bob@newco.example>", subject: "Quote for 500 units", messageID: "acked@newco.example",
	body: "Hello,\n\nplease send us a quote for 500 units of your widget.\n\nBob\n"}

func (e *env) acks() []store.OutboundEmail {
	e.t.Helper()
	rows, err := e.st.ListOutbound(e.ctx, store.OutboundFilter{Kind: intake.KindAck})
	if err != nil {
		e.t.Fatal(err)
	}
	return rows
}

func (e *env) pendingOf(typ string) int {
	e.t.Helper()
	rows, err := e.st.PendingTasks(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, r := range rows {
		if r.Type == typ {
			n++
		}
	}
	return n
}

// TestAckWrittenWithTheOutcome: with an Acknowledger the acknowledgement
// is a queued row written in the transaction that marks the mail
// processed, its mail:send is enqueued after the commit, and there is no
// inquiry:ack task or outbox row.
func TestAckWrittenWithTheOutcome(t *testing.T) {
	t.Parallel()
	ack := &stubAck{}
	e := setup(t, setupOpts{followups: allFollowups, ack: ack})
	id := e.take(ackedMail)
	q := e.inquiryOf(id)
	if len(ack.requests) != 1 {
		t.Fatalf("%d ack requests, want 1", len(ack.requests))
	}
	r := ack.requests[0]
	if r.Inquiry.ID != q.ID || r.Inquiry.Reference != q.Reference || r.Subject != ackedMail.subject ||
		r.MessageID != ackedMail.messageID || r.UnverifiedSender {
		t.Errorf("ack request = %+v (inquiry %+v)", r, r.Inquiry)
	}
	rows := e.acks()
	if len(rows) != 1 || rows[0].Status != store.OutboundQueued || rows[0].MessageID == "" || rows[0].InquiryID != q.ID {
		t.Fatalf("ack rows = %+v, want one queued with a Message-ID", rows)
	}
	if n := len(e.q.of(t, tasks.TypeInquiryAck)); n != 0 || e.pendingOf(tasks.TypeInquiryAck) != 0 {
		t.Errorf("%d inquiry:ack tasks, %d outbox rows, want none", n, e.pendingOf(tasks.TypeInquiryAck))
	}
	sends := e.q.of(t, tasks.TypeMailSend)
	if len(sends) != 1 || int64(sends[0]["outbound_id"].(float64)) != rows[0].ID {
		t.Errorf("mail:send tasks = %v, want the ack's (%d)", sends, rows[0].ID)
	}
	e.wantStatus(id, store.InboundProcessed)
}

// TestAckCrashSafe: a crash anywhere still acknowledges exactly once. The
// row commits with the outcome or not at all; a mail:send lost after the
// commit leaves a queued row that recovery sends; an Acknowledger that
// fails leaves the acknowledgement to inquiry:ack, as before.
func TestAckCrashSafe(t *testing.T) {
	t.Parallel()
	t.Run("transaction fails", func(t *testing.T) {
		t.Parallel()
		ack := &stubAck{messageID: "taken@ourco.example"}
		e := setup(t, setupOpts{followups: allFollowups, ack: ack})
		// Another mail holds the Message-ID the acknowledgement would
		// get, so its insert, and with it the whole outcome, fails.
		other := &store.OutboundEmail{IdempotencyKey: "other", MessageID: "taken@ourco.example", Kind: "other",
			From: "sales@ourco.example", To: []string{"x@example.com"}, Subject: "x"}
		if _, _, err := e.st.CreateOutbound(e.ctx, other); err != nil {
			t.Fatal(err)
		}
		id := e.deliver(ackedMail.raw())
		if err := e.p.Process(e.ctx, id); err == nil {
			t.Fatal("Process succeeded with a conflicting acknowledgement")
		}
		e.wantStatus(id, store.InboundStored)
		if n := len(e.acks()); n != 0 {
			t.Errorf("%d ack rows after the failed outcome, want 0", n)
		}
		if rows, _ := e.st.PendingTasks(e.ctx); len(rows) != 0 {
			t.Errorf("%d outbox rows after the failed outcome, want 0", len(rows))
		}
		ack.messageID = ""
		if err := e.p.Process(e.ctx, id); err != nil {
			t.Fatal(err)
		}
		e.wantStatus(id, store.InboundProcessed)
		if n := len(e.acks()); n != 1 {
			t.Errorf("%d ack rows after the retry, want 1", n)
		}
	})
	t.Run("mail:send lost after the commit", func(t *testing.T) {
		t.Parallel()
		sends := &failingSends{on: true}
		e := setup(t, setupOpts{followups: allFollowups, ack: &stubAck{},
			enqueuer: func(r *recorder) queue.Enqueuer { sends.next = r; return sends }})
		id := e.deliver(ackedMail.raw())
		if err := e.p.Process(e.ctx, id); err == nil {
			t.Fatal("Process succeeded without enqueueing mail:send")
		}
		e.wantStatus(id, store.InboundProcessed)
		rows := e.acks()
		if len(rows) != 1 {
			t.Fatalf("%d ack rows, want 1", len(rows))
		}
		// Recovery's query: the row is there to be enqueued again.
		queued, err := e.st.QueuedOutboundBefore(e.ctx, e.now.Add(time.Minute), 10)
		if err != nil || len(queued) != 1 || queued[0] != rows[0].ID {
			t.Errorf("queued outbound = %v, %v, want [%d]", queued, err, rows[0].ID)
		}
		// The retry of inbound:email writes nothing twice.
		sends.on = false
		if err := e.p.Process(e.ctx, id); err != nil {
			t.Fatal(err)
		}
		if n := len(e.acks()); n != 1 {
			t.Errorf("%d ack rows after the retry, want 1", n)
		}
	})
	t.Run("acknowledger fails", func(t *testing.T) {
		t.Parallel()
		e := setup(t, setupOpts{followups: allFollowups, ack: &stubAck{err: errors.New("render ack: boom")}})
		id := e.take(ackedMail)
		q := e.inquiryOf(id)
		if n := len(e.acks()); n != 0 {
			t.Errorf("%d ack rows, want 0", n)
		}
		acks := e.q.of(t, tasks.TypeInquiryAck)
		if len(acks) != 1 || int64(acks[0]["inquiry_id"].(float64)) != q.ID || e.pendingOf(tasks.TypeInquiryAck) != 1 {
			t.Errorf("inquiry:ack tasks = %v, outbox rows %d, want one for inquiry %d", acks, e.pendingOf(tasks.TypeInquiryAck), q.ID)
		}
	})
}
