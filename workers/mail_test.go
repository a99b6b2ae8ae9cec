package workers

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/mailer"
	"salesdesk/internal/outbox"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

var mailNow = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

// mailFixture is a real SQLite store, a capturing SMTP server and the
// mail:send handler between them.
type mailFixture struct {
	ctx     context.Context
	st      *store.Store
	smtp    *smtptest.Server
	sender  *mailer.Sender
	handler *MailSendHandler
}

func newMailFixture(t *testing.T) *mailFixture {
	t.Helper()
	ctx := t.Context()
	st, err := store.Open(ctx, storetest.SQLiteDSN(t, "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	srv := smtptest.New(t)
	sender, err := mailer.NewSender(mailer.Options{Addr: srv.Addr(), TLS: mailer.TLSNone, HELO: "worker.test", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	h := NewMailSendHandler(st, sender, nil, ClockFunc(func() time.Time { return mailNow }))
	return &mailFixture{ctx: ctx, st: st, smtp: srv, sender: sender, handler: h}
}

// row stores a queued reply to a customer and returns it.
func (f *mailFixture) row(t *testing.T, key string, change ...func(*store.OutboundEmail)) *store.OutboundEmail {
	t.Helper()
	o := &store.OutboundEmail{
		IdempotencyKey: key,
		MessageID:      key + ".k3j4h5@ourco.example",
		Kind:           "ack",
		From:           "Ourco Sales <sales@ourco.example>",
		ReplyTo:        "sales@ourco.example",
		To:             []string{"Ann Lee <ann@acme.com>"},
		Subject:        mailer.SubjectWithReference("Re: Where is my order?", "SD-1234"),
		BodyText:       "Hello Ann,\n\nwe have your message.\n",
		BodyHTML:       "<p>Hello Ann,</p><p>we have your message.</p>",
		InReplyTo:      "CAF-ann-2@acme.com",
		References:     []string{"CAF-ann-1@acme.com", "CAF-ann-2@acme.com"},
	}
	for _, c := range change {
		c(o)
	}
	if _, _, err := f.st.CreateOutbound(f.ctx, o); err != nil {
		t.Fatal(err)
	}
	return o
}

func (f *mailFixture) load(t *testing.T, id int64) *store.OutboundEmail {
	t.Helper()
	o, err := f.st.Outbound(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func mailSendTask(t *testing.T, id int64) *asynq.Task {
	t.Helper()
	task, err := tasks.NewMailSendTask(tasks.MailSendPayload{OutboundID: id})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

func TestMailSend(t *testing.T) {
	f := newMailFixture(t)
	o := f.row(t, "ack:inquiry:1")
	for range 2 { // the second run must not send again
		if err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID)); err != nil {
			t.Fatal(err)
		}
	}
	msgs := f.smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages sent, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != "sales@ourco.example" || !slices.Equal(m.To, []string{"ann@acme.com"}) {
		t.Errorf("envelope %s -> %v", m.From, m.To)
	}
	h, err := m.Header()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ field, want string }{
		{"Message-Id", "<ack:inquiry:1.k3j4h5@ourco.example>"},
		{"Subject", "Re: Where is my order? [SD-1234]"},
		{"In-Reply-To", "<CAF-ann-2@acme.com>"},
		{"References", "<CAF-ann-1@acme.com> <CAF-ann-2@acme.com>"},
		{"Auto-Submitted", "auto-replied"},
		{"From", `"Ourco Sales" <sales@ourco.example>`},
		{"Reply-To", "<sales@ourco.example>"},
		{"Date", "Fri, 14 Mar 2025 09:30:00 +0000"},
	} {
		if got := h.Get(tc.field); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.field, got, tc.want)
		}
	}
	got := f.load(t, o.ID)
	if got.Status != store.OutboundSent || got.Attempts != 1 || !got.SentAt.Equal(mailNow) {
		t.Errorf("row after send: status %s attempts %d sent at %v", got.Status, got.Attempts, got.SentAt)
	}
}

func TestMailSendNotification(t *testing.T) {
	f := newMailFixture(t)
	o := f.row(t, "lead_assigned:1:0", func(o *store.OutboundEmail) {
		o.Kind, o.InReplyTo, o.References = "lead_assigned", "", nil
		o.To, o.Cc = []string{"rita@ourco.example"}, []string{"ops@ourco.example"}
		o.Attachments = []store.Attachment{{Name: "invite.ics", ContentType: "text/calendar; method=REQUEST", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}}
	})
	if err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID)); err != nil {
		t.Fatal(err)
	}
	m := f.smtp.Messages()[0]
	if !slices.Equal(m.To, []string{"rita@ourco.example", "ops@ourco.example"}) {
		t.Errorf("RCPT TO %v", m.To)
	}
	h, _ := m.Header()
	if h.Get("Auto-Submitted") != "auto-generated" || h.Get("In-Reply-To") != "" {
		t.Errorf("Auto-Submitted %q In-Reply-To %q", h.Get("Auto-Submitted"), h.Get("In-Reply-To"))
	}
	if !strings.Contains(string(m.Data), `filename="invite.ics"`) {
		t.Errorf("attachment missing:\n%s", m.Data)
	}
}

func TestMailSendTemporaryFailure(t *testing.T) {
	f := newMailFixture(t)
	o := f.row(t, "ack:inquiry:2")
	f.smtp.FailNext(451)
	err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID))
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("451: err = %v, want a retryable error", err)
	}
	got := f.load(t, o.ID)
	if got.Status != store.OutboundQueued || got.Attempts != 1 || !strings.Contains(got.Error, "451") {
		t.Errorf("row after 451: status %s attempts %d error %q", got.Status, got.Attempts, got.Error)
	}
	if n := len(f.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages after 451", n)
	}

	// The retry goes through.
	if err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID)); err != nil {
		t.Fatal(err)
	}
	got = f.load(t, o.ID)
	if got.Status != store.OutboundSent || got.Attempts != 2 || got.Error != "" {
		t.Errorf("row after retry: status %s attempts %d error %q", got.Status, got.Attempts, got.Error)
	}
	if n := len(f.smtp.Messages()); n != 1 {
		t.Errorf("%d messages after retry, want 1", n)
	}
}

func TestMailSendNetworkFailure(t *testing.T) {
	f := newMailFixture(t)
	o := f.row(t, "ack:inquiry:3")
	if err := f.smtp.Close(); err != nil {
		t.Fatal(err)
	}
	err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID))
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("server down: err = %v, want a retryable error", err)
	}
	if got := f.load(t, o.ID); got.Status != store.OutboundQueued || got.Attempts != 1 || got.Error == "" {
		t.Errorf("row after network error: status %s attempts %d error %q", got.Status, got.Attempts, got.Error)
	}
}

func TestMailSendPermanentFailure(t *testing.T) {
	f := newMailFixture(t)
	o := f.row(t, "ack:inquiry:4")
	f.smtp.FailRcpt("ann@acme.com", 550, "5.1.1 <ann@acme.com>: Recipient address rejected: User unknown")
	err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("550: err = %v, want SkipRetry", err)
	}
	got := f.load(t, o.ID)
	if got.Status != store.OutboundFailed || !strings.Contains(got.Error, "550") ||
		!strings.Contains(got.Error, "Recipient address rejected: User unknown") {
		t.Errorf("row after 550: status %s error %q", got.Status, got.Error)
	}
	// No retry storm: running the task again does not talk to the server.
	f.smtp.Reset()
	if err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID)); err != nil {
		t.Errorf("second run: %v", err)
	}
	if n := len(f.smtp.Messages()); n != 0 {
		t.Errorf("failed row sent on a second run (%d messages)", n)
	}
}

func TestMailSendSkipsHandledRows(t *testing.T) {
	f := newMailFixture(t)
	tests := []struct {
		name string
		mark func(id int64) error
	}{
		{"sent", func(id int64) error { return f.st.MarkOutboundSent(f.ctx, id, mailNow) }},
		{"failed", func(id int64) error { return f.st.MarkOutboundFailed(f.ctx, id, "550 no") }},
		{"bounced", func(id int64) error { return f.st.MarkOutboundBounced(f.ctx, id, "mailbox full") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := f.row(t, "skip:"+tc.name)
			if err := tc.mark(o.ID); err != nil {
				t.Fatal(err)
			}
			if err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID)); err != nil {
				t.Fatal(err)
			}
			if n := len(f.smtp.Messages()); n != 0 {
				t.Errorf("%s row sent (%d messages)", tc.name, n)
			}
		})
	}
}

func TestMailSendBadTasks(t *testing.T) {
	f := newMailFixture(t)
	for name, task := range map[string]*asynq.Task{
		"missing row": mailSendTask(t, 999),
		"bad payload": asynq.NewTask(tasks.TypeMailSend, []byte(`{"outbound_id":"x"}`)),
		"no id":       asynq.NewTask(tasks.TypeMailSend, []byte(`{}`)),
	} {
		if err := f.handler.ProcessTask(f.ctx, task); !errors.Is(err, asynq.SkipRetry) {
			t.Errorf("%s: err = %v, want SkipRetry", name, err)
		}
	}
}

// TestMailSendHeaderInjection stores a row whose customer-supplied values
// try to add headers and recipients, and checks what reaches the server.
func TestMailSendHeaderInjection(t *testing.T) {
	f := newMailFixture(t)
	// A display name that decodes to a line break is refused outright.
	o := f.row(t, "ack:inquiry:5a", func(o *store.OutboundEmail) {
		o.To = []string{"=?UTF-8?Q?Ann=0D=0ABcc:_evil@evil.example?= <ann@acme.com>"}
	})
	if err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID)); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("hostile display name: err = %v, want SkipRetry", err)
	}
	if got := f.load(t, o.ID); got.Status != store.OutboundFailed {
		t.Errorf("hostile display name: row %s, want failed", got.Status)
	}
	if n := len(f.smtp.Messages()); n != 0 {
		t.Fatalf("hostile display name: %d messages sent", n)
	}

	o = f.row(t, "ack:inquiry:5", func(o *store.OutboundEmail) {
		o.To = []string{`"Ann \"<evil@evil.example>\", Bcc" <ann@acme.com>`}
		o.Subject = "Re: hello\r\nBcc: evil@evil.example\r\n\r\n<h1>body</h1> [SD-9]"
		o.InReplyTo = "x@y>\r\nBcc: evil@evil.example"
		o.References = []string{"<ok@acme.com>", "a@b>\r\nX-Evil: 1"}
	})
	if err := f.handler.ProcessTask(f.ctx, mailSendTask(t, o.ID)); err != nil {
		t.Fatal(err)
	}
	m := f.smtp.Messages()[0]
	if !slices.Equal(m.To, []string{"ann@acme.com"}) {
		t.Errorf("RCPT TO %v, want only ann@acme.com", m.To)
	}
	h, err := m.Header()
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"Bcc", "X-Evil"} {
		if v, ok := h[bad]; ok {
			t.Errorf("injected %s: %q", bad, v)
		}
	}
	if subj := h.Get("Subject"); subj != "Re: hello Bcc: evil@evil.example <h1>body</h1> [SD-9]" {
		t.Errorf("Subject = %q", subj)
	}
	if h.Get("In-Reply-To") != "" || h.Get("References") != "<ok@acme.com> <a@b>" {
		t.Errorf("In-Reply-To %q References %q", h.Get("In-Reply-To"), h.Get("References"))
	}
	to, err := h.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ann@acme.com" || strings.ContainsAny(to[0].Name, "\r\n") {
		t.Errorf("To = %v (%v)", to, err)
	}
}

// TestOutbox queues through a real Redis and runs the queued task with a
// real asynq server: the row exists before the task, a second Queue
// changes nothing, and the worker sends the mail once.
func TestOutbox(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBMailer)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBMailer}
	f := newMailFixture(t)
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	insp := asynq.NewInspector(opt)
	t.Cleanup(func() { insp.Close() })
	box := outbox.New(f.st, client)

	o := &store.OutboundEmail{
		IdempotencyKey: "ack:inquiry:77",
		Kind:           "ack",
		From:           "Ourco Sales <Sales@Ourco.Example>",
		To:             []string{"ann@acme.com"},
		Subject:        "Re: hi [SD-77]",
		BodyText:       "Hello\n",
		InReplyTo:      "q@acme.com",
	}
	id, err := box.Queue(f.ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	row := f.load(t, id)
	if !strings.HasSuffix(row.MessageID, "@ourco.example") || row.MessageID != o.MessageID || row.Status != store.OutboundQueued {
		t.Errorf("row: message id %q (o has %q), status %s", row.MessageID, o.MessageID, row.Status)
	}
	wantTaskID := fmt.Sprintf("mail:send:%d", id)
	if _, err := insp.GetTaskInfo(tasks.QueueDefault, wantTaskID); err != nil {
		t.Fatalf("task %s: %v", wantTaskID, err)
	}

	again := *o
	again.MessageID, again.Subject = "", "changed"
	id2, err := box.Queue(f.ctx, &again)
	if err != nil || id2 != id {
		t.Fatalf("second Queue = %d, %v; want %d, nil", id2, err, id)
	}
	if q, err := insp.GetQueueInfo(tasks.QueueDefault); err != nil || q.Size != 1 {
		t.Fatalf("queue size after a second Queue: %+v, %v; want 1", q, err)
	}

	bad := &store.OutboundEmail{IdempotencyKey: "bad", From: "sales@ourco.example", To: []string{"ann@acme.com\r\nBcc: evil@evil.example"}, BodyText: "x"}
	if _, err := box.Queue(f.ctx, bad); !errors.Is(err, asynq.SkipRetry) || !errors.Is(err, mailer.ErrPermanent) {
		t.Errorf("Queue with a broken recipient: %v, want permanent", err)
	}
	if _, err := f.st.OutboundByIdempotencyKey(f.ctx, "bad"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("broken mail stored: %v", err)
	}

	done := runMailWorker(t, opt, f.handler)
	if err := <-done; err != nil {
		t.Fatalf("worker: %v", err)
	}
	if n := len(f.smtp.Messages()); n != 1 {
		t.Errorf("%d messages, want 1", n)
	}
	if row := f.load(t, id); row.Status != store.OutboundSent || row.Subject != "Re: hi [SD-77]" {
		t.Errorf("row after the worker: status %s subject %q", row.Status, row.Subject)
	}
}

// TestMailSendGivesUp runs a task on its last retry against a server that
// keeps answering 4xx: the row is marked failed rather than left queued.
func TestMailSendGivesUp(t *testing.T) {
	testenv.Redis(t, testenv.RedisDBMailer)
	opt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBMailer}
	f := newMailFixture(t)
	client := asynq.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	o := f.row(t, "ack:inquiry:6")
	f.smtp.FailRcpt("ann@acme.com", 452, "4.2.2 mailbox full")
	if _, err := client.EnqueueContext(f.ctx, mailSendTask(t, o.ID), asynq.MaxRetry(0)); err != nil {
		t.Fatal(err)
	}
	done := runMailWorker(t, opt, f.handler)
	if err := <-done; !errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("worker: %v, want SkipRetry on the last attempt", err)
	}
	got := f.load(t, o.ID)
	if got.Status != store.OutboundFailed || !strings.Contains(got.Error, "gave up after 1 attempts") || !strings.Contains(got.Error, "mailbox full") {
		t.Errorf("row: status %s error %q", got.Status, got.Error)
	}
}

// runMailWorker runs an asynq server with h on mail:send until the end of
// the test and reports the result of each task it runs.
func runMailWorker(t *testing.T, opt asynq.RedisClientOpt, h asynq.Handler) <-chan error {
	t.Helper()
	done := make(chan error, 10)
	mux := asynq.NewServeMux()
	mux.Use(func(next asynq.Handler) asynq.Handler {
		return asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
			err := next.ProcessTask(ctx, task)
			done <- err
			return err
		})
	})
	mux.Handle(tasks.TypeMailSend, h)
	srv := asynq.NewServer(opt, fastPolling(asynq.Config{
		Concurrency:     2,
		Queues:          map[string]int{tasks.QueueDefault: 1},
		LogLevel:        asynq.FatalLevel,
		ShutdownTimeout: 5 * time.Second,
	}))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return done
}
