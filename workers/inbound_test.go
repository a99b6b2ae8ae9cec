package workers

import (
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

func TestInboundHandler(t *testing.T) {
	f := newInquiryFixture(t, 0)
	h := NewInboundHandler(f.intake, nil)

	raw := "From: Ann <ann@acme.com>\r\nTo: sales@ourco.example\r\nSubject: Login problem\r\nMessage-ID: <i1@acme.com>\r\n\r\n" +
		"I cannot log in to the customer portal, the password reset does not work.\r\n"
	m := &store.InboundMessage{Mailbox: "sales", UIDValidity: 7, UID: 1, MessageID: "i1@acme.com", Raw: []byte(raw)}
	if _, _, _, err := f.st.SaveInboundMessage(f.ctx, m); err != nil {
		t.Fatal(err)
	}
	task := mustTask(tasks.NewInboundEmailTask(tasks.InboundEmailPayload{MessageID: m.ID, Mailbox: "sales", UIDValidity: 7, UID: 1}))
	run(t, h, task)
	in, err := f.st.InboundMessage(f.ctx, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != store.InboundProcessed {
		t.Errorf("status = %s", in.Status)
	}
	if n := len(f.sink.of(tasks.TypeInquiryHandoff)); n != 1 { // the second run finds the message processed
		t.Errorf("handoff tasks = %d", n)
	}

	for _, bad := range []*asynq.Task{
		asynq.NewTask(tasks.TypeInboundEmail, []byte(`{"message_id":`)),
		asynq.NewTask(tasks.TypeInboundEmail, []byte(`{"mailbox":"sales","uid":1}`)),
		mustTask(tasks.NewInboundEmailTask(tasks.InboundEmailPayload{MessageID: 999, Mailbox: "sales", UIDValidity: 7, UID: 9})),
	} {
		if err := h.ProcessTask(f.ctx, bad); !queue.IsPermanent(err) {
			t.Errorf("%s: %v, want a permanent error", strings.TrimSpace(string(bad.Payload())), err)
		}
	}
}

// TestInboundHandlerReadsRowOnce: the calendar-reply hook, the rep-mail
// hook and intake share one read of the inbound row per inbound:email
// task (issue 17; each read its own before).
func TestInboundHandlerReadsRowOnce(t *testing.T) {
	r := newRepMailBare(t)
	ctx := t.Context()
	sink := &taskSink{}
	p, err := intake.New(intake.Deps{Store: r.rows, Router: newMailKit(t, 0).router, Enqueuer: sink}, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := NewInboundHandler(p, nil).WithCalendarReplies(NewCalendarReplies(r.rows, sink, nil)).WithRepMeetingMail(r.hook)
	for _, tc := range []struct{ name, raw string }{
		{"new mail", annMail("once-new", "")},
		{"reply in a thread", annMail("once-reply", "invite-1@ourco.example")},
	} {
		id := r.store(t, tc.raw)
		task := mustTask(tasks.NewInboundEmailTask(tasks.InboundEmailPayload{MessageID: id, Mailbox: "sales", UIDValidity: 1, UID: r.uid}))
		before := r.rows.loads.Load()
		if err := h.ProcessTask(ctx, task); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n := r.rows.loads.Load() - before; n != 1 {
			t.Errorf("%s: inbound row read %d times, want once", tc.name, n)
		}
		if in, err := r.st.InboundMessage(ctx, id); err != nil || in.Status != store.InboundProcessed {
			t.Errorf("%s: inbound after the task = %+v, %v; want it processed", tc.name, in, err)
		}
	}
}
