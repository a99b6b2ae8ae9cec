package workers

import (
	"context"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/hibiken/asynq"

	"salesdesk/internal/inbox"
	"salesdesk/internal/intake"
	"salesdesk/internal/mailer"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/outbox"
	"salesdesk/internal/queue"
	"salesdesk/internal/routing"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// e2eMail is one customer mail of the end-to-end test and what must come
// out for it.
type e2eMail struct {
	name         string
	from         string // bare address
	subject      string
	body         string
	headers      string
	wantCategory routing.Category
	wantTriage   bool
	wantAck      bool
	wantOther    string // the second mail's recipient: owner rep, team, triage; or the customer for unsubscribe
	wantOtherIn  string // a line the second mail's text must have
}

func (m e2eMail) messageID() string { return m.name + "@customer.example" }

func (m e2eMail) raw() []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf("From: %s\nTo: sales@ourco.example\nSubject: %s\nMessage-ID: <%s>\nDate: %s\n%s"+
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s", m.from, m.subject, m.messageID(),
		time.Now().UTC().Format(time.RFC1123Z), m.headers, m.body), "\n", "\r\n"))
}

// TestEndToEnd runs the front door for real: mails APPENDed to Dovecot are
// picked up by the poller, stored, queued in Redis, taken in by the
// inbound:email handler, followed up by the inquiry handlers and sent by
// mail:send to an SMTP server that captures them.
func TestEndToEnd(t *testing.T) {
	ctx := t.Context()
	imapSrv := testenv.Dovecot(t)
	rig := newQueueRig(t, "e2e")
	redisOpt, smtpSrv, st, client := rig.redisOpt, rig.smtp, rig.st, rig.client
	_, acme := ritaAndAcme(t, st)
	for _, email := range []string{"ann@acme.com", "erin@acme.com"} {
		if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: acme.ID, Email: email}); err != nil {
			t.Fatal(err)
		}
	}

	kit := newMailKit(t, 0.9)
	renderer, signer := kit.renderer, kit.signer
	proc, err := intake.New(intake.Deps{Store: st, Router: kit.router, Enqueuer: client}, intake.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mailQueue, sendHandler := e2eMailWiring(t, st, client, smtpSrv)
	deps := InquiryDeps{Desk: Desk{Renderer: renderer, Outbox: mailQueue, From: "Ourco Sales <sales@ourco.example>",
		BaseURL: "https://desk.ourco.example"}, Store: st}
	opts := InquiryOptions{TeamAddress: "team@ourco.example", TriageAddress: "triage@ourco.example", Links: signer}
	ack, err := NewAckHandler(deps, opts)
	if err != nil {
		t.Fatal(err)
	}
	handoff, _ := NewHandoffHandler(deps, opts)
	triage, _ := NewTriageHandler(deps, opts)
	unsubscribe, _ := NewUnsubscribeHandler(deps, opts)

	mux := asynq.NewServeMux()
	mux.Handle(tasks.TypeInboundEmail, NewInboundHandler(proc, nil))
	mux.Handle(tasks.TypeInquiryAck, ack)
	mux.Handle(tasks.TypeInquiryHandoff, handoff)
	mux.Handle(tasks.TypeInquiryTriage, triage)
	mux.Handle(tasks.TypeCustomerUnsubscribe, unsubscribe)
	mux.Handle(tasks.TypeMailSend, sendHandler)
	srv := asynq.NewServer(redisOpt, fastPolling(asynq.Config{
		Concurrency:     4,
		Queues:          tasks.Queues(),
		ShutdownTimeout: 5 * time.Second,
		RetryDelayFunc:  func(int, error, *asynq.Task) time.Duration { return 200 * time.Millisecond },
		LogLevel:        asynq.ErrorLevel,
	}))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	user := "e2e-" + testenv.RandomName(6)
	runPoller(t, ctx, imapSrv, user, st, client)

	mails := []e2eMail{
		{name: "auto", from: "ann@acme.com", subject: "Automatic reply: Sensor calibration",
			headers: "Auto-Submitted: auto-replied\nX-Autoreply: yes\n", body: "I am out of the office until Monday.\n"},
		{name: "support", from: "ann@acme.com", subject: "Sensor calibration",
			body:         "Hello,\n\nhow do I calibrate the temperature sensor on the X200? The manual does not say.\n\nAnn\n",
			wantCategory: routing.Support, wantAck: true, wantOther: "rita@ourco.example", wantOtherIn: "Account: Acme GmbH"},
		{name: "complaint", from: "bob@acme.com", subject: "Broken again",
			body:         "This is the third time the unit broke. Unacceptable service, I want to speak to a manager.\n",
			wantCategory: routing.Complaint, wantAck: true, wantOther: "rita@ourco.example", wantOtherIn: "> This is the third time the unit broke."},
		{name: "billing", from: "carol@gmail.com", subject: "Invoice INV-223 is wrong",
			body:         "Our invoice INV-223 charges the wrong unit price. Please send a credit note.\n",
			wantCategory: routing.Billing, wantAck: true, wantOther: "team@ourco.example", wantOtherIn: "could not match"},
		{name: "account", from: "dave@newco.example", subject: "Login problem",
			body:         "I cannot log in to the customer portal, the password reset does not work.\n",
			wantCategory: routing.Account, wantAck: true, wantOther: "team@ourco.example", wantOtherIn: "> I cannot log in to the customer portal"},
		{name: "unsubscribe", from: "erin@acme.com", subject: "Unsubscribe",
			body:         "Please remove me from your mailing list. I do not want any more newsletters.\n",
			wantCategory: routing.Unsubscribe, wantOther: "erin@acme.com", wantOtherIn: "erin@acme.com will no longer receive"},
		{name: "unsure", from: "frank@frankco.example", subject: "Hello",
			body:       "Hi, is anyone there? Please get back to me.\n",
			wantTriage: true, wantAck: true, wantOther: "triage@ourco.example", wantOtherIn: "/triage/"},
	}
	// The model decides the categories: make a change of the model fail
	// here, by name, rather than as a missing mail further down.
	wantOut := 0
	for _, m := range mails[1:] {
		d := kit.router.Route(routing.Input{From: m.from, Subject: m.subject, Text: m.body})
		if d.Triage != m.wantTriage || (!m.wantTriage && d.Category != m.wantCategory) {
			t.Fatalf("%s: the router says %s (%.2f, triage %v); the test needs %s (triage %v)", m.name, d.Category, d.Confidence,
				d.Triage, m.wantCategory, m.wantTriage)
		}
		wantOut++
		if m.wantAck {
			wantOut++
		}
	}

	appendAll(t, imapSrv, user, mails)
	got, err := smtpSrv.WaitFor(wantOut, 60*time.Second)
	if err != nil {
		t.Fatalf("%v; got %s", err, describe(got))
	}
	// Every inbound mail, the auto-reply included, has been taken in and
	// no task is left: nothing more can come.
	waitFor(t, 30*time.Second, func() (bool, string) {
		var unprocessed []int64
		for id := int64(1); id <= int64(len(mails)); id++ {
			in, err := st.InboundMessage(ctx, id)
			if err != nil || in.Status != store.InboundProcessed {
				unprocessed = append(unprocessed, id)
			}
		}
		return len(unprocessed) == 0, fmt.Sprintf("inbound %v not processed", unprocessed)
	})
	waitIdle(t, redisOpt)
	got = smtpSrv.Messages()
	if len(got) != wantOut {
		t.Fatalf("captured %d mails, want %d: %s", len(got), wantOut, describe(got))
	}

	for _, m := range mails {
		t.Run(m.name, func(t *testing.T) {
			ids, err := st.InboundByMessageID(ctx, m.messageID())
			if err != nil || len(ids) != 1 {
				t.Fatalf("inbound %s: %v %v", m.messageID(), ids, err)
			}
			q, err := st.InquiryByInboundMessage(ctx, ids[0])
			if m.name == "auto" {
				if err == nil {
					t.Errorf("auto-reply opened inquiry %s", q.Reference)
				}
				for _, c := range got {
					if slices.Contains(c.To, m.from) && strings.Contains(string(c.Data), m.subject) {
						t.Errorf("a mail went out about the auto-reply")
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			token := "[" + q.Reference + "]"
			var acks, others []captured
			for _, c := range got {
				msg, err := mail.ReadMessage(strings.NewReader(string(c.Data)))
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(msg.Header.Get("Subject"), token) {
					continue
				}
				switch {
				case slices.Contains(c.To, m.from) && m.name != "unsubscribe":
					acks = append(acks, captured{msg.Header, c.Data})
				case slices.Contains(c.To, m.wantOther):
					others = append(others, captured{msg.Header, c.Data})
				default:
					t.Errorf("mail about %s to %v: %s", q.Reference, c.To, msg.Header.Get("Subject"))
				}
			}
			wantAcks := 0
			if m.wantAck {
				wantAcks = 1
			}
			if len(acks) != wantAcks || len(others) != 1 {
				t.Fatalf("%d acks (want %d) and %d mails to %s (want 1)", len(acks), wantAcks, len(others), m.wantOther)
			}
			customerMails := acks
			if m.name == "unsubscribe" {
				customerMails = others
			}
			for _, msg := range customerMails {
				if got := msg.header.Get("In-Reply-To"); got != "<"+m.messageID()+">" {
					t.Errorf("In-Reply-To = %q, want <%s>", got, m.messageID())
				}
				if got := msg.header.Get("Auto-Submitted"); got != mailer.AutoReplied {
					t.Errorf("Auto-Submitted = %q, want %s", got, mailer.AutoReplied)
				}
				if !strings.Contains(msg.header.Get("References"), "<"+m.messageID()+">") {
					t.Errorf("References = %q", msg.header.Get("References"))
				}
			}
			body := textOf(t, others[0])
			if !strings.Contains(body, m.wantOtherIn) {
				t.Errorf("mail to %s lacks %q:\n%s", m.wantOther, m.wantOtherIn, body)
			}
			if m.wantTriage && q.Status != store.InquiryTriage {
				t.Errorf("inquiry status %s, want triage", q.Status)
			}
			if !m.wantTriage && q.Category != string(m.wantCategory) {
				t.Errorf("inquiry category %s, want %s", q.Category, m.wantCategory)
			}
		})
	}

	// The customer answers our acknowledgement: the answer joins the
	// thread, is handed off again and is not acknowledged again.
	supportIDs, _ := st.InboundByMessageID(ctx, mails[1].messageID())
	first, err := st.InquiryByInboundMessage(ctx, supportIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	ackRow, err := st.OutboundByIdempotencyKey(ctx, intake.AckKey(first.ID))
	if err != nil {
		t.Fatal(err)
	}
	reply := e2eMail{name: "reply", from: "ann@acme.com", subject: "Re: Sensor calibration [" + first.Reference + "]",
		headers: fmt.Sprintf("In-Reply-To: <%s>\nReferences: <%s> <%s>\n", ackRow.MessageID, mails[1].messageID(), ackRow.MessageID),
		body:    "Thanks, but which menu has the calibration?\n\nOn Monday Ourco Sales wrote:\n> Thank you for your message.\n"}
	appendAll(t, imapSrv, user, []e2eMail{reply})
	got, err = smtpSrv.WaitFor(wantOut+1, 30*time.Second)
	if err != nil {
		t.Fatalf("%v; got %s", err, describe(got))
	}
	waitIdle(t, redisOpt)
	replyIDs, _ := st.InboundByMessageID(ctx, reply.messageID())
	second, err := st.InquiryByInboundMessage(ctx, replyIDs[0])
	if err != nil {
		t.Fatal(err)
	}
	if second.ParentID != first.ID || second.ThreadID != first.ThreadID {
		t.Errorf("reply inquiry: parent %d thread %d, want %d and %d", second.ParentID, second.ThreadID, first.ID, first.ThreadID)
	}
	last := got[len(got)-1]
	// The thread keeps its token: the reply's hand-off carries the first
	// inquiry's reference, as the customer's subject does.
	if h, _ := last.Header(); !slices.Equal(last.To, []string{"rita@ourco.example"}) || !strings.Contains(h.Get("Subject"), "["+first.Reference+"]") {
		t.Errorf("last mail to %v, %q: want the reply's hand-off to rita", last.To, h.Get("Subject"))
	}
	if rows, _ := st.ListOutbound(ctx, store.OutboundFilter{InquiryID: second.ID}); len(rows) != 1 {
		t.Errorf("mails about the reply = %d, want only the hand-off", len(rows))
	}

	c, err := st.Customer(ctx, acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Erin shares Acme with Ann: her unsubscribe suppresses her address
	// only, and Ann keeps getting follow-ups.
	if c.OptedOut {
		t.Error("Acme was opted out by erin's unsubscribe; ann is still a contact")
	}
	for email, want := range map[string]bool{"erin@acme.com": true, "ann@acme.com": false} {
		if got, err := st.IsSuppressed(ctx, email); err != nil || got != want {
			t.Errorf("IsSuppressed(%s) = %v, %v; want %v", email, got, err, want)
		}
	}
	complaints, err := st.ListAlerts(ctx, store.AlertFilter{Kind: intake.AlertKindComplaint})
	if err != nil {
		t.Fatal(err)
	}
	if len(complaints) != 1 || complaints[0].CustomerID != acme.ID {
		t.Errorf("complaint alerts = %+v", complaints)
	}
}

func appendAll(t *testing.T, srv testenv.IMAP, user string, mails []e2eMail) {
	t.Helper()
	raws := make([][]byte, len(mails))
	for i, m := range mails {
		raws[i] = m.raw()
	}
	appendBytes(t, srv, user, raws...)
}

// appendBytes APPENDs raw mails (CRLF line ends) to user's INBOX.
func appendBytes(t *testing.T, srv testenv.IMAP, user string, raws ...[]byte) {
	t.Helper()
	c, err := imapclient.DialInsecure(srv.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(user, srv.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	for i, raw := range raws {
		cmd := c.Append("INBOX", int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := cmd.Wait(); err != nil {
			t.Fatalf("append mail %d of %d: %v", i+1, len(raws), err)
		}
	}
	c.Logout().Wait()
}

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, state)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitIdle waits until no task is pending, running, scheduled or waiting
// for a retry in any served queue, and fails on an archived (permanently
// failed) one.
func waitIdle(t *testing.T, opt asynq.RedisClientOpt) {
	t.Helper()
	waitFor(t, 30*time.Second, func() (bool, string) {
		busy := testenv.Busy(t, opt, tasks.Queues(), true)
		return busy == "", busy
	})
}

func describe(msgs []smtptest.Message) string {
	var b strings.Builder
	for _, m := range msgs {
		subject := ""
		if h, err := m.Header(); err == nil {
			subject = h.Get("Subject")
		}
		fmt.Fprintf(&b, "\n  to %v: %s", m.To, subject)
	}
	return b.String()
}

// captured is one mail the SMTP server accepted.
type captured struct {
	header mail.Header
	raw    []byte
}

// textOf returns the readable text of a captured mail, decoded.
func textOf(t *testing.T, c captured) string {
	t.Helper()
	m, err := mailparse.Parse(c.raw, mailparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return m.Text
}

// e2eMailWiring is the real outbound path: the Outbox (row, then
// mail:send) and the mail:send handler sending to the capture server.
func e2eMailWiring(t *testing.T, st *store.Store, client *asynq.Client, srv *smtptest.Server) (MailQueue, asynq.Handler) {
	t.Helper()
	sender, err := mailer.NewSender(mailer.Options{Addr: srv.Addr(), TLS: mailer.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	return outbox.New(st, client), NewMailSendHandler(st, sender, nil, nil)
}

// runPoller polls the Dovecot mailbox of user into st and enq until the
// test ends.
func runPoller(t *testing.T, ctx context.Context, imapSrv testenv.IMAP, user string, st inbox.Store, enq queue.Enqueuer) {
	t.Helper()
	poller, err := inbox.New(inbox.Mailbox{Name: "sales", Addr: imapSrv.Addr, TLS: inbox.TLSNone, Username: user,
		Password: imapSrv.Password, IDLE: true, PollInterval: time.Second, CommandTimeout: 10 * time.Second},
		inbox.Deps{Store: st, Enqueuer: enq})
	if err != nil {
		t.Fatal(err)
	}
	pollCtx, stopPoller := context.WithCancel(ctx)
	var pollerDone sync.WaitGroup
	pollerDone.Add(1)
	go func() {
		defer pollerDone.Done()
		poller.Run(pollCtx)
	}()
	t.Cleanup(func() {
		stopPoller()
		pollerDone.Wait()
	})
}
