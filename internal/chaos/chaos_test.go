//go:build chaos

package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/hibiken/asynq"

	"salesdesk/internal/proc"
	"salesdesk/internal/recovery"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// EnvMails sets how many mails the whole run pushes through (spread over
// the faults); scripts/chaos sets 2000, CI runs the default.
const EnvMails = "SALESDESK_CHAOS_MAILS"

const defaultMails = 60

// rig is the running desk and everything around it.
type rig struct {
	t          *testing.T
	dir        string
	st         *store.Store
	redis      *proc.Redis
	smtp       *smtptest.Server
	smtpProxy  *Proxy
	imap       testenv.IMAP
	imapProxy  *Proxy
	user       string
	poller     *proc.Process
	worker     *proc.Process
	insp       *asynq.Inspector
	next       int // the next sender's number
	customerID int64
}

// fault is one thing that goes wrong while a batch of mail flows.
type fault struct {
	name   string
	inject func(ctx context.Context, r *rig) error
}

func faults() []fault {
	return []fault{
		{"kill-worker", func(_ context.Context, r *rig) error {
			r.worker.Kill()
			time.Sleep(time.Second)
			return r.worker.Start()
		}},
		{"kill-poller", func(_ context.Context, r *rig) error {
			r.poller.Kill()
			time.Sleep(time.Second)
			return r.poller.Start()
		}},
		{"redis-restart-with-data", func(ctx context.Context, r *rig) error { return r.redis.Restart(ctx, true) }},
		{"redis-restart-without-data", func(ctx context.Context, r *rig) error { return r.redis.Restart(ctx, false) }},
		{"smtp-4xx-30s", func(_ context.Context, r *rig) error {
			r.smtpProxy.Refuse("421 4.3.2 chaos: service not available, try again later\r\n")
			time.Sleep(30 * time.Second)
			r.smtpProxy.Refuse("")
			return nil
		}},
		{"imap-drop", func(_ context.Context, r *rig) error {
			r.imapProxy.Drop()
			time.Sleep(2 * time.Second)
			r.imapProxy.Drop()
			return nil
		}},
	}
}

// counts is what one fault's batch came to. leads counts the quote
// requests' leads found assigned; assignedTwice the leads assigned more
// than once (two assignment events, a second lead for one inquiry, a
// second mail to a rep).
type counts struct {
	lost, duplicated, stuck, unexpected int
	leads, assignedTwice                int
	detail                              []string
}

func (c counts) ok() bool {
	return c.lost == 0 && c.duplicated == 0 && c.stuck == 0 && c.unexpected == 0 && c.assignedTwice == 0
}

func (c counts) String() string {
	return fmt.Sprintf("lost=%d duplicated=%d stuck=%d unexpected=%d leads=%d assigned_twice=%d", c.lost, c.duplicated,
		c.stuck, c.unexpected, c.leads, c.assignedTwice)
}

// TestChaos pushes order-status mails and, every third mail, a quote
// request from a new prospect through the real salesdesk binary (a poller
// and a worker process) and, during each batch, injects one fault at a
// random moment. After each batch it waits for the desk to settle and
// counts: every mail taken in once; an order-status question's one answer
// (the status, which is its acknowledgement too), a quote request's
// acknowledgement and its one lead, assigned once (one assignment event,
// one mail to the rep); every mail delivered exactly once at the SMTP
// server (by Message-ID, matched to its outbound row and idempotency key);
// nothing left stuck in the database or in Redis.
func TestChaos(t *testing.T) {
	total := defaultMails
	if v := os.Getenv(EnvMails); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("%s=%q: want a positive number", EnvMails, v)
		}
		total = n
	}
	fs := faults()
	per := max(1, total/len(fs))
	r := setup(t)
	ctx := t.Context()
	results := map[string]counts{}
	var batches [][]string
	for _, f := range fs {
		start := time.Now()
		ids := r.batch(ctx, f, per)
		batches = append(batches, ids)
		results[f.name] = r.settle(ctx, ids, settleLimit(len(ids)))
		t.Logf("%s: %d mails settled in %v, %s; recovery passes that found lost work so far: %d", f.name, len(ids),
			time.Since(start).Round(time.Second), results[f.name], r.lostWorkPasses(ctx))
	}
	// Late copies would show up now: count every batch again.
	time.Sleep(5 * time.Second)
	failed := false
	for i, f := range fs {
		c := r.count(ctx, batches[i])
		fmt.Printf("chaos: fault=%s mails=%d %s\n", f.name, len(batches[i]), c)
		if !c.ok() {
			failed = true
			t.Errorf("%s: %s: %s", f.name, c, strings.Join(c.detail, "; "))
		}
	}
	if failed {
		for _, name := range []string{"poller.log", "worker.log"} {
			b, _ := os.ReadFile(filepath.Join(r.dir, name))
			t.Logf("%s (last 8 KiB):\n%s", name, tail(b, 8<<10))
		}
	}
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func setup(t *testing.T) *rig {
	t.Helper()
	ctx := t.Context()
	dir := t.TempDir()
	bin, err := proc.Build(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{t: t, dir: dir, imap: testenv.Dovecot(t), user: "chaos-" + testenv.RandomName(6)}
	if r.redis, err = proc.StartRedis(ctx, filepath.Join(dir, "redis"), proc.AppendOnly); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.redis.Kill)
	r.smtp = smtptest.New(t)
	if r.smtpProxy, err = NewProxy(r.smtp.Addr()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.smtpProxy.Close() })
	if r.imapProxy, err = NewProxy(r.imap.Addr); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.imapProxy.Close() })

	dsn := "sqlite:" + filepath.Join(dir, "salesdesk.db")
	if r.st, err = store.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.st.Close() })
	if r.customerID, err = r.st.CreateCustomer(ctx, &store.Customer{Name: "Acme", Domain: "acme.example"}); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "salesdesk.yaml")
	if err := r.config(t, dsn).Write(bin, cfg); err != nil {
		t.Fatal(err)
	}
	r.insp = asynq.NewInspector(asynq.RedisClientOpt{Addr: r.redis.Addr})
	t.Cleanup(func() { r.insp.Close() })
	r.poller = proc.NewProcess(bin, cfg, "poller", filepath.Join(dir, "poller.log"))
	r.worker = proc.NewProcess(bin, cfg, "worker", filepath.Join(dir, "worker.log"))
	for _, p := range []*proc.Process{r.worker, r.poller} {
		if err := p.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Stop)
	}
	return r
}

// config is the desk's configuration: recovery looks every 2 s for work
// 10 s past due, the lease is short so a restarted poller takes over soon.
func (r *rig) config(t *testing.T, dsn string) *proc.Config {
	t.Helper()
	c, err := proc.NewConfig(proc.Services{RedisAddr: r.redis.Addr, DSN: dsn, SMTPAddr: r.smtpProxy.Addr(),
		IMAPAddr: r.imapProxy.Addr(), IMAPUser: r.user, IMAPPassword: r.imap.Password})
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]any{
		"log.level":                   "info",
		"worker.concurrency":          8,
		"worker.shutdown_timeout":     "5s",
		"worker.recovery_every":       "2s",
		"worker.recovery_grace":       "10s",
		"mailboxes.0.idle":            true,
		"mailboxes.0.poll_interval":   "2s",
		"mailboxes.0.command_timeout": "10s",
		"mailboxes.0.lease_ttl":       "5s",
		"leads.strategy":              "round_robin",
		"leads.reps": []any{
			map[string]any{"name": "Rita Rep", "email": "rita@ourco.example", "capacity": 100000},
			map[string]any{"name": "Sam Rep", "email": "sam@ourco.example", "capacity": 100000},
		},
	} {
		c.Set(k, v)
	}
	return c
}

// batch appends n order-status mails from new contacts to Dovecot, and
// injects f at a random moment while they are appended; it returns the
// mails' Message-IDs.
func (r *rig) batch(ctx context.Context, f fault, n int) []string {
	t := r.t
	t.Helper()
	c, err := imapclient.DialInsecure(r.imap.Addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(r.user, r.imap.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	at := rand.N(n)
	injected := make(chan error, 1)
	var ids []string
	for i := range n {
		if i == at {
			go func() { injected <- f.inject(ctx, r) }()
		}
		ids = append(ids, r.appendMail(t, ctx, c))
		time.Sleep(time.Duration(rand.N(50)) * time.Millisecond)
	}
	if err := <-injected; err != nil {
		t.Fatalf("%s: %v", f.name, err)
	}
	return ids
}

// quotePrefix starts the Message-ID of a prospect's quote request.
const quotePrefix = "quote"

// appendMail appends the next mail: every third one a quote request from
// a new prospect (a company of its own, so no lead merges into another),
// the others an order-status question of a contact seeded with its order.
func (r *rig) appendMail(t *testing.T, ctx context.Context, c *imapclient.Client) string {
	r.next++
	if r.next%3 == 0 {
		return r.appendQuote(t, c)
	}
	from, number := fmt.Sprintf("buyer%05d@acme.example", r.next), fmt.Sprintf("SO-%d", 300000+r.next)
	if _, err := r.st.CreateContact(ctx, &store.Contact{CustomerID: r.customerID, Email: from}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.st.CreateOrder(ctx, &store.Order{CustomerID: r.customerID, Number: number, Status: store.OrderShipped,
		Currency: "EUR", AmountCents: 1000, TrackingURL: "https://track.example/" + number}); err != nil {
		t.Fatal(err)
	}
	id := fmt.Sprintf("chaos%05d.%s@acme.example", r.next, testenv.RandomName(4))
	raw := fmt.Sprintf("From: %s\r\nTo: sales@ourco.example\r\nSubject: Where is my order %s?\r\nMessage-ID: <%s>\r\n"+
		"Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n\r\nwhere is my order %s? "+
		"It has not arrived yet. Can you tell me the delivery status?\r\n\r\nThanks\r\n",
		from, number, id, time.Now().Format(time.RFC1123Z), number)
	if err := testenv.AppendMail(c, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	return id
}

// appendQuote appends a quote request from a prospect salesdesk has never
// heard of.
func (r *rig) appendQuote(t *testing.T, c *imapclient.Client) string {
	dom := fmt.Sprintf("prospect%05d.example", r.next)
	from := "buyer@" + dom
	id := fmt.Sprintf("%s%05d.%s@%s", quotePrefix, r.next, testenv.RandomName(4), dom)
	raw := fmt.Sprintf("From: Pat Buyer <%s>\r\nTo: sales@ourco.example\r\nSubject: Request for quotation: 500 hex bolts M8\r\n"+
		"Message-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello,\r\n\r\n"+
		"could you please send us a quote for 500 stainless steel hex bolts M8x40? We would like your price per unit, "+
		"volume discounts and the delivery time.\r\n\r\nBest regards\r\nPat Buyer\r\n",
		from, id, time.Now().Format(time.RFC1123Z))
	if err := testenv.AppendMail(c, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	return id
}

// settleLimit is how long a batch of n mails may take to settle: long
// enough for recovery to find what Redis lost and for SMTP's 4xx minute to
// pass, short enough that six failing batches still end inside go test's
// timeout with their counts printed instead of a timeout's stack dump.
func settleLimit(n int) time.Duration {
	return min(5*time.Minute, 90*time.Second+time.Duration(n)*200*time.Millisecond)
}

// settle waits until the batch is fully answered and nothing is left
// stuck, or until limit, and returns its counts.
func (r *rig) settle(ctx context.Context, ids []string, limit time.Duration) counts {
	deadline := time.Now().Add(limit)
	for {
		c := r.count(ctx, ids)
		if c.ok() || time.Now().After(deadline) {
			return c
		}
		time.Sleep(time.Second)
	}
}

// count checks one batch at the SMTP server, in the database and in Redis.
func (r *rig) count(ctx context.Context, ids []string) counts {
	var c counts
	note := func(format string, args ...any) {
		if len(c.detail) < 10 {
			c.detail = append(c.detail, fmt.Sprintf(format, args...))
		}
	}
	delivered := map[string]int{} // Message-ID -> deliveries
	for _, m := range r.smtp.Messages() {
		h, err := m.Header()
		if err != nil {
			continue
		}
		delivered[strings.Trim(h.Get("Message-Id"), "<> ")]++
	}
	for _, id := range ids {
		inbound, err := r.st.InboundByMessageID(ctx, id)
		if err != nil || len(inbound) == 0 {
			c.lost++
			note("%s not stored", id)
			continue
		}
		if len(inbound) > 1 {
			c.duplicated += len(inbound) - 1
			note("%s stored %d times", id, len(inbound))
		}
		in, err := r.st.InboundMessage(ctx, inbound[0])
		if err != nil || in.Status != store.InboundProcessed {
			c.stuck++
			note("inbound %s not processed", id)
			continue
		}
		q, err := r.st.InquiryByInboundMessage(ctx, in.ID)
		if err != nil {
			c.lost++
			note("%s has no inquiry", id)
			continue
		}
		rows, err := r.st.ListOutbound(ctx, store.OutboundFilter{InquiryID: q.ID, Limit: 100})
		if err != nil {
			c.stuck++
			note("outbound of inquiry %d: %v", q.ID, err)
			continue
		}
		kinds := map[string]int{}
		for _, o := range rows {
			kinds[o.Kind]++
			switch n := delivered[o.MessageID]; {
			case n == 0:
				c.lost++
				note("%s mail %s (key %s) not delivered", o.Kind, o.MessageID, o.IdempotencyKey)
			case n > 1:
				c.duplicated += n - 1
				note("%s mail %s (key %s) delivered %d times", o.Kind, o.MessageID, o.IdempotencyKey, n)
			}
		}
		if strings.HasPrefix(id, quotePrefix) {
			r.countLead(ctx, q, kinds, len(rows), &c, note)
			continue
		}
		// The order status is the one answer: sent at once, it is the
		// acknowledgement too (intake.AnswersAtOnce), so nothing else goes out.
		if kinds["order_status"] == 0 {
			c.lost++
			note("inquiry %d (%s, %s) has no order_status mail", q.ID, q.Category, q.Status)
		}
		if len(rows) > 1 {
			c.unexpected += len(rows) - 1
			note("inquiry %d has %d outbound mails: %v", q.ID, len(rows), kinds)
		}
	}
	c.stuck += r.stuck(ctx, note)
	return c
}

// countLead checks a quote request's outcome: one lead, assigned once
// (one assignment event, no reassignment), its rep told by one mail and
// the prospect acknowledged by one, nothing else sent.
func (r *rig) countLead(ctx context.Context, q *store.Inquiry, kinds map[string]int, mails int, c *counts, note func(string, ...any)) {
	l, err := r.st.LeadByInquiry(ctx, q.ID)
	if err != nil {
		c.lost++
		note("quote inquiry %d (%s, %s) has no lead: %v", q.ID, q.Category, q.Status, err)
		return
	}
	leads, err := r.st.ListLeads(ctx, store.LeadFilter{ContactEmail: l.ContactEmail, Limit: 10})
	if err != nil {
		c.stuck++
		note("leads of %s: %v", l.ContactEmail, err)
		return
	}
	if len(leads) > 1 {
		c.assignedTwice += len(leads) - 1
		note("inquiry %d made %d leads", q.ID, len(leads))
	}
	events, err := r.st.LeadEvents(ctx, l.ID)
	if err != nil {
		c.stuck++
		note("events of lead %d: %v", l.ID, err)
		return
	}
	assigned := 0
	for _, e := range events {
		if e.Kind == store.LeadEventAssigned || e.Kind == store.LeadEventReassigned {
			assigned++
		}
	}
	switch {
	case assigned == 0 || l.RepID == 0:
		c.lost++
		note("lead %d of inquiry %d not assigned (status %s)", l.ID, q.ID, l.Status)
		return
	case assigned > 1:
		c.assignedTwice += assigned - 1
		note("lead %d assigned %d times", l.ID, assigned)
	}
	c.leads++
	if kinds["lead_assigned"] != 1 {
		if kinds["lead_assigned"] == 0 {
			c.lost++
		} else {
			c.assignedTwice += kinds["lead_assigned"] - 1
		}
		note("lead %d: %d mails to the rep", l.ID, kinds["lead_assigned"])
	}
	if kinds["ack"] != 1 {
		c.lost++
		note("quote inquiry %d: %d acknowledgements", q.ID, kinds["ack"])
	}
	if mails > 2 {
		c.unexpected += mails - 2
		note("quote inquiry %d has %d outbound mails: %v", q.ID, mails, kinds)
	}
}

// stuck counts work left anywhere: outbox rows not done, outbound mail not
// sent, and tasks in Redis that are not completed.
func (r *rig) stuck(ctx context.Context, note func(string, ...any)) int {
	n := 0
	rows, err := r.st.PendingTasks(ctx)
	if err != nil {
		note("pending tasks: %v", err)
		return 1
	}
	for _, p := range rows {
		if p.DoneAt.IsZero() || p.Outcome != "done" {
			n++
			note("outbox row %d %s %s: %q", p.ID, p.Type, p.Payload, p.Outcome)
		}
	}
	queued, err := r.st.ListOutbound(ctx, store.OutboundFilter{Status: store.OutboundQueued, Limit: 1000})
	if err != nil {
		note("queued outbound: %v", err)
		return n + 1
	}
	n += len(queued)
	for name := range tasks.Queues() {
		info, err := r.insp.GetQueueInfo(name)
		if err != nil {
			continue // a queue never used has no info
		}
		// A lead's SLA check waits hours ahead by design: not stuck.
		scheduled := info.Scheduled - r.scheduledSLAChecks(name, info.Scheduled)
		if left := info.Pending + info.Active + scheduled + info.Retry + info.Archived; left > 0 {
			n += left
			note("queue %s: pending %d active %d scheduled %d retry %d archived %d", name, info.Pending, info.Active,
				scheduled, info.Retry, info.Archived)
		}
	}
	return n
}

// scheduledSLAChecks counts the lead:sla_check tasks among the n
// scheduled ones of queue name.
func (r *rig) scheduledSLAChecks(name string, n int) int {
	const page = 500
	found := 0
	for p := 1; (p-1)*page < n; p++ {
		ts, err := r.insp.ListScheduledTasks(name, asynq.PageSize(page), asynq.Page(p))
		if err != nil {
			return found
		}
		for _, ti := range ts {
			if ti.Type == tasks.TypeLeadSLACheck {
				found++
			}
		}
	}
	return found
}

// lostWorkPasses counts the recovery passes that found work Redis had
// lost (the occurrences of its alerts): evidence that a fault bit.
func (r *rig) lostWorkPasses(ctx context.Context) int {
	alerts, err := r.st.ListAlerts(ctx, store.AlertFilter{Kind: recovery.AlertKindLostWork})
	if err != nil {
		r.t.Errorf("lost-work alerts: %v", err)
		return 0
	}
	n := 0
	for _, a := range alerts {
		n += a.Occurrences
	}
	return n
}
