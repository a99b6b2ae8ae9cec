package workers

import (
	"strings"
	"testing"

	"github.com/hibiken/asynq"

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
