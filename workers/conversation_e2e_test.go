package workers

import (
	"context"
	"fmt"
	"mime"
	"net/mail"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/entity"
	"salesdesk/internal/intake"
	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/mailgen"
	"salesdesk/internal/outbox"
	"salesdesk/internal/routing"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// conversationDesk is the whole worker side of salesdesk as `salesdesk
// run` builds it (workers.New with every handler, the outbox, the
// per-recipient limit) against real Redis, a real SQLite file and an SMTP
// server that captures what is sent. Mails are stored and enqueued the
// way the poller does it; the IMAP leg is covered by TestEndToEnd.
type conversationDesk struct {
	ctx      context.Context
	st       *store.Store
	client   *asynq.Client
	redisOpt asynq.RedisClientOpt
	smtp     *smtptest.Server
	acme     *store.Customer
	rita     *store.Rep
	uid      atomic.Uint32
	workers  *Workers     // as wired, for the order-request decider
	links    *link.Signer // signs the one-click links in its mails
}

// Our own addresses: every mail to them is internal.
const ourDomain = "@ourco.example"

func newConversationDesk(t *testing.T) *conversationDesk {
	t.Helper()
	ctx := t.Context()
	testenv.Redis(t, testenv.RedisDBWorkers)
	redisOpt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWorkers}
	d := &conversationDesk{ctx: ctx, smtp: smtptest.New(t)}
	st, err := store.Open(ctx, storetest.SQLiteDSN(t, "conversation.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	d.st = st
	d.rita = &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true, Title: "Account Manager", Phone: "+49 421 555 0123"}
	if _, err := st.CreateRep(ctx, d.rita); err != nil {
		t.Fatal(err)
	}
	d.acme = &store.Customer{Name: "Acme GmbH", Domain: "acme.com", OwnerRepID: d.rita.ID}
	if _, err := st.CreateCustomer(ctx, d.acme); err != nil {
		t.Fatal(err)
	}
	for email, name := range map[string]string{"ann@acme.com": "Ann", "erin@acme.com": "Erin"} {
		if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: d.acme.ID, Email: email, Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	globex := &store.Customer{Name: "Globex", Domain: "globex.example"}
	if _, err := st.CreateCustomer(ctx, globex); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: globex.ID, Email: "gus@globex.example", Name: "Gus"}); err != nil {
		t.Fatal(err)
	}
	future := time.Now().UTC().AddDate(0, 0, 14).Truncate(24 * time.Hour)
	for _, o := range []*store.Order{
		{CustomerID: d.acme.ID, Number: "SO-18812", Status: store.OrderProcessing, PromisedDate: future,
			Items: []store.OrderItem{{SKU: "SH-200", Description: "Shelving unit", Quantity: 12}}},
		{CustomerID: d.acme.ID, Number: "SO-13853", Status: store.OrderShipped, TrackingURL: "https://track.example.com/?id=1"},
		{CustomerID: globex.ID, Number: "SO-55555", Status: store.OrderConfirmed},
	} {
		if _, err := st.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
	}

	d.client = asynq.NewClient(redisOpt)
	t.Cleanup(func() { d.client.Close() })
	d.redisOpt = redisOpt

	patterns := []*regexp.Regexp{regexp.MustCompile(`\b(?:SO|ORD)-?\d{4,10}\b`)} // config.go's default
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: testClassifier(), MinConfidence: 0.6,
		Entities: entity.Options{OrderPatterns: patterns}})
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales", TeamPhone: "+49 421 555 0100",
		TeamHours: "Mon-Fri 08:00-17:00 CET"})
	if err != nil {
		t.Fatal(err)
	}
	signer, err := link.New([]byte("conversation-secret-of-sufficient-length"))
	if err != nil {
		t.Fatal(err)
	}
	sender, err := mailer.NewSender(mailer.Options{Addr: d.smtp.Addr(), TLS: mailer.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	leads, err := lead.New(lead.Deps{Store: st, Enqueuer: d.client, Seed: 1}, lead.Options{DedupeWindow: 30 * 24 * time.Hour,
		FreeMailDomains: []string{"gmail.com"}, SLAContact: 4 * time.Hour, SLAReassign: 8 * time.Hour, RepCacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Deps{
		Desk: Desk{Renderer: renderer, Outbox: outbox.New(st, d.client), From: "Ourco Sales <sales@ourco.example>",
			BaseURL: "https://desk.ourco.example"},
		Store: st, Sender: sender, Leads: leads,
		Intake: intake.Deps{Store: st, Router: router, Enqueuer: d.client},
	}, Options{
		Inquiry:        InquiryOptions{TeamAddress: "team@ourco.example", TriageAddress: "triage@ourco.example", Links: signer},
		Order:          OrderOptions{OperationsAddress: "ops@ourco.example", TeamAddress: "team@ourco.example", FormatHint: "SO-123456", Hours: "Mon-Fri 08:00-17:00 CET", Links: signer},
		Lead:           LeadOptions{Links: signer},
		RecipientLimit: outbox.RecipientLimit{PerRecipient: 20, Window: time.Hour, Exempt: []string{ourDomain}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.workers, d.links = w, signer
	srv := asynq.NewServer(redisOpt, fastPolling(asynq.Config{
		Concurrency:     8,
		Queues:          tasks.Queues(),
		ShutdownTimeout: 5 * time.Second,
		RetryDelayFunc:  func(int, error, *asynq.Task) time.Duration { return 200 * time.Millisecond },
		LogLevel:        asynq.ErrorLevel,
	}))
	if err := srv.Start(w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return d
}

// convMail is one inbound mail.
type convMail struct {
	id      string // Message-ID without brackets
	from    string // "Name <addr>" or addr
	subject string
	body    string
	headers string // extra header lines, each ending in \n
}

func (m convMail) raw() []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf("From: %s\nTo: sales@ourco.example\nSubject: %s\nMessage-ID: <%s>\nDate: %s\n%s"+
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s", m.from, mime.QEncoding.Encode("utf-8", m.subject), m.id,
		time.Now().UTC().Format(time.RFC1123Z), m.headers, m.body), "\n", "\r\n"))
}

// push stores the mails and enqueues them as the poller does.
func (d *conversationDesk) push(t *testing.T, mails ...convMail) {
	t.Helper()
	for _, m := range mails {
		raw := m.raw()
		uid := d.uid.Add(1)
		in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uid, MessageID: m.id, Raw: raw, Size: int64(len(raw)),
			ReceivedAt: time.Now().UTC()}
		if _, _, _, err := d.st.SaveInboundMessage(d.ctx, in); err != nil {
			t.Fatal(err)
		}
		task, err := tasks.NewInboundEmailTask(tasks.InboundEmailPayload{MessageID: in.ID, Mailbox: "sales", UIDValidity: 1, UID: uid})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.client.EnqueueContext(d.ctx, task); err != nil {
			t.Fatal(err)
		}
	}
}

// settle waits until every inbound mail is taken in, no task is left and
// every outbound row is sent or failed. A mail taken in stays so, so each
// poll reads only the rows from the first one not yet taken in: with
// 1,000 mails, reading them all every 50 ms was an eighth of
// TestThousandMails's CPU.
func (d *conversationDesk) settle(t *testing.T) {
	t.Helper()
	next := int64(1) // every row before it is taken in
	waitFor(t, 5*time.Minute, func() (bool, string) {
		n := int64(d.uid.Load())
		for ; next <= n; next++ {
			id := next
			in, err := d.st.InboundMessage(d.ctx, id)
			if err != nil || (in.Status != store.InboundProcessed && in.Status != store.InboundQuarantined) {
				return false, fmt.Sprintf("inbound %d not taken in", id)
			}
		}
		queued, err := d.st.ListOutbound(d.ctx, store.OutboundFilter{Status: store.OutboundQueued, Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(queued) > 0 {
			return false, "outbound mail still queued"
		}
		return d.idle(t)
	})
}

// idle reports whether no task is pending, running or waiting for a
// retry, and fails on an archived one. Scheduled tasks (SLA checks hours
// ahead) are not work now.
func (d *conversationDesk) idle(t *testing.T) (bool, string) {
	t.Helper()
	busy := testenv.Busy(t, d.redisOpt, tasks.Queues(), false)
	return busy == "", busy
}

// sent is one captured mail, parsed.
type sent struct {
	to        []string
	subject   string
	inReplyTo string
	text      string
}

func (s sent) customerFacing() bool {
	for _, to := range s.to {
		if !strings.HasSuffix(strings.ToLower(to), ourDomain) {
			return true
		}
	}
	return false
}

func (d *conversationDesk) sent(t *testing.T) []sent {
	t.Helper()
	var out []sent
	for _, m := range d.smtp.Messages() {
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sent{to: m.To, subject: subject, inReplyTo: strings.Trim(msg.Header.Get("In-Reply-To"), "<>"),
			text: textOf(t, captured{msg.Header, m.Data})})
	}
	return out
}

// repliesTo returns the captured mails answering Message-ID id.
func repliesTo(all []sent, id string, customer bool) []sent {
	var out []sent
	for _, s := range all {
		if s.inReplyTo == id && s.customerFacing() == customer {
			out = append(out, s)
		}
	}
	return out
}

var doubleRe = regexp.MustCompile(`(?i)\b(re|aw|sv)\s*:\s*(re|aw|sv)\s*:`)
var tokenRe = regexp.MustCompile(`(?i)\[SD-[0-9a-z]+\]`)

// checkSubject fails a subject with two reference tokens, "Re: Re:" or a
// doubled category prefix.
func checkSubject(t *testing.T, s sent) {
	t.Helper()
	if n := len(tokenRe.FindAllString(s.subject, -1)); n > 1 {
		t.Errorf("subject with %d tokens: %q", n, s.subject)
	}
	if doubleRe.MatchString(s.subject) {
		t.Errorf("subject with a doubled reply prefix: %q", s.subject)
	}
	for _, l := range []string{"Billing", "Support", "Complaint", "Account", "Other"} {
		if strings.Count(s.subject, l+":") > 1 {
			t.Errorf("subject with a doubled prefix: %q", s.subject)
		}
	}
}

// TestConversationPoints sends the mails of the examples through
// the whole worker side and checks what each customer and rep receives:
// one answer per question (1), an answer for every new inquiry of a repeat
// sender (2), a merged quote request reaching the lead's owner in the
// lead's thread (3), every order number answered and product codes read as
// items, a new order by mail reaching operations (4), the neutral answer
// reading the same whether or not the order exists (6), and subjects with
// one token and one reply prefix (7).
func TestConversationPoints(t *testing.T) {
	d := newConversationDesk(t)
	m := map[string]convMail{
		"two orders": {id: "two@acme.com", from: "Ann <ann@acme.com>", subject: "Status of SO-18812 and SO-13853",
			body: "Hello,\n\nwhere are my orders SO-18812 and SO-13853? When will they be delivered?\n\nAnn\n"},
		"rush order": {id: "rush@acme.com", from: "Ann <ann@acme.com>", subject: "Rush order: 250 x Stainless hex bolts, FS-0810",
			body: "Hello,\n\nplease rush this order for us:\n\n250 x Stainless hex bolts, FS-0810\n\nWe need it by Friday. Please confirm.\n\nAnn\n"},
		"stranger existing": {id: "s1@evil.example", from: "eve@evil.example", subject: "Where is my order?",
			body: "Hello,\n\nwhat is the status of my order SO-55555? Has it shipped yet?\n"},
		"stranger missing": {id: "s2@evil.example", from: "eve2@evil.example", subject: "Where is my order?",
			body: "Hello,\n\nwhat is the status of my order SO-55556? Has it shipped yet?\n"},
		"quote": {id: "q1@bigco.example", from: "Paula <paula@bigco.example>", subject: "Quote for 40 cold-room racks",
			body: "Hello,\n\ncould you send us a quote for 40 cold-room racks and installation? We are planning a new site.\n\nPaula\n"},
	}
	d.push(t, m["two orders"], m["rush order"], m["stranger existing"], m["stranger missing"], m["quote"])
	d.settle(t)

	// The same sender writes again the same day about something else, and
	// the quote customer adds to their request.
	m["second request"] = convMail{id: "again@acme.com", from: "Ann <ann@acme.com>", subject: "Sensor calibration",
		body: "Hello,\n\nhow do I calibrate the temperature sensor on the X200? The manual does not say.\n\nAnn\n"}
	m["quote again"] = convMail{id: "q2@bigco.example", from: "Paula <paula@bigco.example>", subject: "Also 10 door kits",
		body: "Hello,\n\nplease also quote 10 door kits and the price for installation of the racks.\n\nPaula\n"}
	d.push(t, m["second request"], m["quote again"])
	d.settle(t)

	all := d.sent(t)
	for _, s := range all {
		checkSubject(t, s)
	}
	one := func(name string) sent {
		t.Helper()
		r := repliesTo(all, m[name].id, true)
		if len(r) != 1 {
			var subjects []string
			for _, s := range r {
				subjects = append(subjects, s.subject)
			}
			t.Fatalf("%s: %d customer mails, want exactly 1: %q", name, len(r), subjects)
		}
		return r[0]
	}

	t.Run("1 and 4: two orders, one answer", func(t *testing.T) {
		s := one("two orders")
		for _, want := range []string{"Order SO-18812: in production", "Order SO-13853: shipped", "Expected delivery:", "Rita Rep, Account Manager", "+49 421 555 0123"} {
			if !strings.Contains(s.text, want) {
				t.Errorf("status mail lacks %q:\n%s", want, s.text)
			}
		}
	})
	t.Run("4: rush order by mail", func(t *testing.T) {
		s := one("rush order")
		if strings.Contains(s.text, "could not find") || !strings.Contains(s.text, "250 x FS-0810 Stainless hex bolts") {
			t.Errorf("confirmation:\n%s", s.text)
		}
		ops := 0
		for _, o := range repliesTo(all, "", false) {
			if strings.Contains(strings.Join(o.to, ","), "ops@ourco.example") && strings.Contains(o.subject, "RUSH: New order by mail") {
				ops++
				if !strings.Contains(o.text, "250 x FS-0810 Stainless hex bolts") {
					t.Errorf("operations mail lacks the item:\n%s", o.text)
				}
			}
		}
		if ops != 1 {
			t.Errorf("%d mails to operations about the new order, want 1", ops)
		}
	})
	t.Run("6: neutral answer reads the same", func(t *testing.T) {
		a, b := one("stranger existing"), one("stranger missing")
		ref := regexp.MustCompile(`SO-5555[56]|SD-\d+`)
		if ref.ReplaceAllString(a.text, "X") != ref.ReplaceAllString(b.text, "X") {
			t.Errorf("answers differ:\n%s\n---\n%s", a.text, b.text)
		}
		if strings.Contains(a.text, "passed it") || strings.Contains(a.text, "account manager") {
			t.Errorf("neutral answer promises something:\n%s", a.text)
		}
		alerts, err := d.st.ListAlerts(d.ctx, store.AlertFilter{Kind: AlertKindForeignOrderLookup})
		if err != nil || len(alerts) != 1 {
			t.Errorf("foreign-order alerts = %d, %v; want 1", len(alerts), err)
		}
	})
	t.Run("2: a repeat sender's new request is acknowledged", func(t *testing.T) {
		s := one("second request")
		if !strings.Contains(s.text, "Rita Rep, your account manager, will read your message") {
			t.Errorf("ack does not say who answers:\n%s", s.text)
		}
	})
	t.Run("3: merged quote reaches the lead's owner in its thread", func(t *testing.T) {
		one("quote")
		one("quote again")
		var first, update *sent
		for i, s := range all {
			if s.customerFacing() {
				continue
			}
			switch {
			case strings.Contains(s.text, "Quote for 40 cold-room racks") && strings.HasPrefix(s.subject, "New lead"),
				first == nil && strings.Contains(s.subject, "cold-room racks") && !strings.Contains(s.subject, "Lead update"):
				first = &all[i]
			case strings.Contains(s.subject, "Lead update"):
				update = &all[i]
			}
		}
		if first == nil || update == nil {
			t.Fatalf("lead mail %v, update %v", first != nil, update != nil)
		}
		if strings.Join(update.to, ",") != strings.Join(first.to, ",") || !strings.Contains(update.text, "> please also quote 10 door kits") {
			t.Errorf("update to %v (lead to %v):\n%s", update.to, first.to, update.text)
		}
		if tokenRe.FindString(update.subject) != tokenRe.FindString(first.subject) {
			t.Errorf("update subject %q is not in the lead's thread %q", update.subject, first.subject)
		}
	})
	t.Run("7: replies keep one token and one prefix", func(t *testing.T) {
		s := one("two orders")
		tok := tokenRe.FindString(s.subject)
		reply := convMail{id: "reply@acme.com", from: "Ann <ann@acme.com>", subject: "Re: Re: " + s.subject + " [SD-999999]",
			body: "Thanks. And SO-18812?\n", headers: "In-Reply-To: <" + m["two orders"].id + ">\n"}
		d.push(t, reply)
		d.settle(t)
		for _, s := range d.sent(t) {
			checkSubject(t, s)
			if s.inReplyTo == reply.id && tokenRe.FindString(s.subject) != tok {
				t.Errorf("reply answered as %q, want the thread's %s", s.subject, tok)
			}
		}
	})
}

// genMail is a generated mail as push takes it.
func genMail(m mailgen.Mail) convMail {
	return convMail{id: m.ID, from: m.From, subject: m.Subject, body: m.Body, headers: m.Headers}
}

// TestThousandMails is the "Done when": a realistic mix of 1,000
// mails (repeat senders, automated mail, replies in threads) pushed
// through the whole worker side against real Redis and SQLite with an SMTP
// sink. No inbound mail gets two customer mails with the same subject, at
// least 97% of human mails are answered or acknowledged, no automated mail
// is answered, and no subject carries two tokens or "Re: Re:".
func TestThousandMails(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 mails through the whole pipeline")
	}
	d := newConversationDesk(t)
	ctx := d.ctx
	orders := map[string]string{} // number -> "@domain" of its account
	var contacts []string
	for c := range 30 {
		dom := fmt.Sprintf("client%d.example", c)
		cust := &store.Customer{Name: fmt.Sprintf("Client %d", c), Domain: dom, OwnerRepID: d.rita.ID}
		if _, err := d.st.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"buyer", "ops"} {
			addr := who + "@" + dom
			if _, err := d.st.CreateContact(ctx, &store.Contact{CustomerID: cust.ID, Email: addr}); err != nil {
				t.Fatal(err)
			}
			contacts = append(contacts, addr)
		}
		for k := range 2 {
			num := fmt.Sprintf("SO-%d", 20000+c*10+k)
			o := &store.Order{CustomerID: cust.ID, Number: num, Status: []string{store.OrderConfirmed, store.OrderShipped}[k],
				PromisedDate: time.Now().UTC().AddDate(0, 0, 5+c).Truncate(24 * time.Hour)}
			if _, err := d.st.CreateOrder(ctx, o); err != nil {
				t.Fatal(err)
			}
			orders[num] = "@" + dom
		}
	}
	mix := mailgen.Mix(1000, contacts, orders)
	start := time.Now()
	for _, m := range mix {
		d.push(t, genMail(m))
	}
	d.settle(t)

	// A few customers answer our answers: replies in the thread go to a
	// person and get no second automatic answer.
	all := d.sent(t)
	var replies []mailgen.Mail
	for i, m := range mix {
		if len(replies) == 20 || m.Automated || i%7 != 0 {
			continue
		}
		if r := repliesTo(all, m.ID, true); len(r) > 0 {
			replies = append(replies, m.ReplyTo(r[0].subject))
		}
	}
	for _, m := range replies {
		d.push(t, genMail(m))
	}
	d.settle(t)
	elapsed := time.Since(start)
	mix = append(mix, replies...)
	all = d.sent(t)

	var humans, answered, newHumans, newAnswered, automatedAnswered int
	for _, m := range mix {
		r := repliesTo(all, m.ID, true)
		seen := map[string]bool{}
		for _, s := range r {
			if seen[s.subject] {
				t.Errorf("%s (%q) got two customer mails with the subject %q", m.ID, m.Subject, s.subject)
			}
			seen[s.subject] = true
		}
		switch {
		case m.Automated:
			automatedAnswered += len(r)
		default:
			humans++
			if len(r) > 0 {
				answered++
			}
			if !m.Reply {
				newHumans++
				if len(r) > 0 {
					newAnswered++
				} else {
					t.Logf("not answered: %s %q from %s", m.ID, m.Subject, m.From)
				}
			}
		}
	}
	for _, s := range all {
		checkSubject(t, s)
	}
	if automatedAnswered > 0 {
		t.Errorf("%d customer mails answered automated mail", automatedAnswered)
	}
	share := float64(answered) / float64(humans)
	t.Logf("%d mails (%d human, %d of them replies in threads), %d mails sent, in %v: %d of %d human mails answered or acknowledged (%.1f%%), %d of %d new inquiries",
		len(mix), humans, len(replies), len(all), elapsed.Round(time.Second), answered, humans, share*100, newAnswered, newHumans)
	if share < 0.97 {
		t.Errorf("%.1f%% of human mails answered or acknowledged, want at least 97%%", share*100)
	}
	if newAnswered != newHumans {
		t.Errorf("%d of %d new inquiries got no answer or acknowledgement", newHumans-newAnswered, newHumans)
	}
	limited, err := d.st.ListAlerts(ctx, store.AlertFilter{Kind: "mail_rate_limited"})
	if err != nil {
		t.Fatal(err)
	}
	if len(limited) > 0 {
		t.Errorf("%d recipients hit the per-recipient limit in a realistic mix", len(limited))
	}
}
