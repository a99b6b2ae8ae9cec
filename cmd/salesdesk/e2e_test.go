package main

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"slices"
	"strings"
	"testing"
	"time"

	"salesdesk/config"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// desk is a running `salesdesk run` against Dovecot and a capturing SMTP
// server, with one account (Acme, contact ann@acme.example, order
// SO-424242 shipped) and one rep.
type e2eDesk struct {
	imap testenv.IMAP
	user string
	smtp *smtptest.Server
	st   *store.Store
	dsn  string // the store's, for tests that count rows directly
	base string // the web role's base URL
}

// setupDesk starts every role against Dovecot and an SMTP sink; each
// change adjusts the test configuration first.
func setupDesk(t testing.TB, changes ...func(*config.Config)) e2eDesk {
	t.Helper()
	testenv.Redis(t, testenv.RedisDBCmd)
	imap := testenv.Dovecot(t)
	smtp := smtptest.New(t, smtptest.Options{})
	user := "desk-" + testenv.RandomName(6)

	cfg := testConfig(t, testenv.RedisAddr())
	cfg.SMTP.Addr = smtp.Addr()
	cfg.SMTP.TLS = config.TLSNone
	cfg.Mailboxes = []config.MailboxConfig{config.DefaultMailbox()}
	mb := &cfg.Mailboxes[0]
	mb.Name, mb.Addr, mb.TLS, mb.Username, mb.Password = "sales", imap.Addr, config.TLSNone, user, config.Secret(imap.Password)
	rep := config.DefaultRep()
	rep.Name, rep.Email = "Rita Rep", "rita@desk.example"
	rep.WorkingHours.Days = nil // always working, whatever the hour of the test
	cfg.Leads.Reps = []config.RepConfig{rep}
	cfg.Leads.RespectWorkingHours = false
	for _, change := range changes {
		change(&cfg)
	}

	// The account the customer mails from, written before the roles start.
	dsn := cfg.Database.DSN.Reveal()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	custID, err := st.CreateCustomer(ctx, &store.Customer{Name: "Acme", Domain: "acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: custID, Email: "ann@acme.example", Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOrder(ctx, &store.Order{CustomerID: custID, Number: "SO-424242", Status: "shipped",
		Currency: "EUR", AmountCents: 129900, TrackingNumber: "1Z999", TrackingURL: "https://track.example/1Z999"}); err != nil {
		t.Fatal(err)
	}
	base := startApp(t, cfg, roleWeb, roleWorker, roleScheduler, rolePoller)
	return e2eDesk{imap: imap, user: user, smtp: smtp, st: st, dsn: dsn, base: base}
}

func (d e2eDesk) deliver(t testing.TB, from, subject, body string) string {
	t.Helper()
	id := testenv.RandomName(8) + "@customer.example"
	raw := fmt.Sprintf("From: %s\r\nTo: sales@desk.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, subject, id, time.Now().Format(time.RFC1123Z), body)
	d.appendRaw(t, raw)
	return id
}

// appendRaw appends a raw message to the desk's INBOX.
func (d e2eDesk) appendRaw(t testing.TB, raw string) {
	t.Helper()
	if err := d.imap.Deliver(d.user, []byte(raw)); err != nil {
		t.Fatal(err)
	}
}

// mailTo waits for a captured mail to addr whose subject or raw message
// contains want.
func (d e2eDesk) mailTo(t testing.TB, addr, want string) (mail.Header, string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range d.mailsTo(addr) {
			if strings.Contains(m.subject, want) || strings.Contains(m.raw, want) {
				return m.header, m.raw
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	var got []string
	for _, m := range d.smtp.Messages() {
		h, _ := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if h != nil {
			got = append(got, fmt.Sprintf("%v %q", m.To, h.Header.Get("Subject")))
		}
	}
	t.Fatalf("no mail to %s with %q in its subject within 90s; captured: %v", addr, want, got)
	return nil, ""
}

// sinkMail is one mail the SMTP sink took.
type sinkMail struct {
	header  mail.Header
	subject string // decoded
	raw     string
}

// mailsTo returns the captured mails whose first recipient is addr,
// oldest first.
func (d e2eDesk) mailsTo(addr string) []sinkMail {
	var out []sinkMail
	for _, m := range d.smtp.Messages() {
		if len(m.To) == 0 || !strings.EqualFold(m.To[0], addr) {
			continue
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			continue
		}
		subj, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		out = append(out, sinkMail{header: msg.Header, subject: subj, raw: string(m.Data)})
	}
	return out
}

// waitProcessed waits until the worker has processed the stored message
// with this Message-ID.
func (d e2eDesk) waitProcessed(t testing.TB, messageID string) {
	t.Helper()
	ctx := context.Background()
	waitFor(t, startupLimit, func() bool {
		ids, err := d.st.InboundByMessageID(ctx, messageID)
		if err != nil || len(ids) == 0 {
			return false
		}
		m, err := d.st.InboundMessage(ctx, ids[0])
		return err == nil && m.Status == "processed"
	})
}

// TestRunEndToEnd drives the whole process: customer mail appended to
// Dovecot comes back out of the capturing SMTP server as the right mails.
func TestRunEndToEnd(t *testing.T) {
	d := setupDesk(t)

	t.Run("order status from the account's contact", func(t *testing.T) {
		id := d.deliver(t, "Ann <ann@acme.example>", "Where is my order SO-424242?",
			"Hi, could you tell me where order SO-424242 is? It was due last week.\n\nThanks, Ann")
		h, body := d.mailTo(t, "ann@acme.example", "1Z999") // the tracking number: the status reply
		if !strings.Contains(body, "shipped") && !strings.Contains(body, "Shipped") {
			t.Errorf("status reply does not give the status:\n%s", body)
		}
		if got := h.Get("In-Reply-To"); got != "<"+id+">" {
			t.Errorf("In-Reply-To = %q, want <%s>", got, id)
		}
	})

	t.Run("order problem hand-off carries the order history", func(t *testing.T) {
		d.deliver(t, "Ann <ann@acme.example>", "Pump from SO-424242 leaking",
			"Hello, the pump we received with order SO-424242 is leaking oil at the shaft seal after two days of running. How do we fix it or get it replaced?\n\nAnn")
		_, body := d.mailTo(t, "team@example.com", "Pump from SO-424242")
		// The status line carries the history: "shipped (shipped 26 Nov)".
		if want := "shipped " + time.Now().UTC().Format("2 Jan"); !strings.Contains(body, want) {
			t.Errorf("hand-off lacks the order history %q:\n%s", want, body)
		}
	})

	t.Run("quote request reaches the rep", func(t *testing.T) {
		d.deliver(t, "Bob Buyer <bob@newprospect.example>", "Quote for 500 pallets",
			"Hello, we would like a quote for 500 euro pallets delivered to Rotterdam next month. What would the price per unit be?\n\nBob Buyer\nPurchasing, New Prospect BV")
		h, _ := d.mailTo(t, "rita@desk.example", "")
		if got := h.Get("Reply-To"); !strings.Contains(got, "bob@newprospect.example") {
			t.Errorf("rep mail Reply-To = %q, want the customer", got)
		}
	})

	t.Run("auto-reply gets no answer", func(t *testing.T) {
		before := len(d.smtp.Messages())
		id := d.deliver(t, "Out Of Office <carl@acme.example>", "Automatic reply: Where is my order",
			"I am out of the office until Monday.")
		d.waitProcessed(t, id)
		for _, m := range d.smtp.Messages()[before:] {
			for _, to := range m.To {
				if strings.EqualFold(to, "carl@acme.example") {
					t.Errorf("answered an auto-reply")
				}
			}
		}
	})
}

// BenchmarkMailToRepLatency measures, through the whole running process,
// the time from APPENDing a quote request to Dovecot to the assigned rep's
// lead mail arriving at the SMTP server. Reported: p50 and p95 in seconds.
func BenchmarkMailToRepLatency(b *testing.B) {
	d := setupDesk(b)
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sender := fmt.Sprintf("buyer%d-%s@prospect%d.example", i, testenv.RandomName(3), i)
		start := time.Now()
		d.deliver(b, sender, "Quote for 200 units",
			"Hello, could you send us a quote for 200 units of your standard pallet, delivered next month?\n\nRegards")
		d.mailTo(b, "rita@desk.example", sender)
		latencies = append(latencies, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(latencies)
	b.ReportMetric(latencies[len(latencies)/2].Seconds(), "p50_s")
	b.ReportMetric(latencies[(len(latencies)*95+99)/100-1].Seconds(), "p95_s")
}
