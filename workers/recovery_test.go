package workers

import (
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"salesdesk/internal/intake"
	"salesdesk/internal/lead"
	"salesdesk/internal/mailer"
	"salesdesk/internal/outbox"
	"salesdesk/internal/queue"
	"salesdesk/internal/recovery"
	"salesdesk/internal/routing"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// TestRecoveryAfterRedisFlush is issue 15's finding 1: 40 order-status
// mails are taken in (inquiries saved, answers enqueued; an order's
// status is its own acknowledgement), then Redis loses everything
// (FLUSHDB). Recovery finds the follow-on tasks in the task outbox (the
// answers left to order:status_reply) or the queued answers intake wrote
// (as New wires it) and enqueues them again; real workers answer every
// inquiry exactly once at a real SMTP server, raise one alert, and a
// second recovery pass finds nothing left.
func TestRecoveryAfterRedisFlush(t *testing.T) {
	t.Run("answers by task", func(t *testing.T) { testRecoveryAfterRedisFlush(t, false) })
	t.Run("answers in intake", func(t *testing.T) { testRecoveryAfterRedisFlush(t, true) })
}

func testRecoveryAfterRedisFlush(t *testing.T, inIntake bool) {
	const n = 40
	ctx := t.Context()
	rig := newQueueRig(t, "recovery")
	redisOpt, smtpSrv, st, client := rig.redisOpt, rig.smtp, rig.st, rig.client

	_, acme := ritaAndAcme(t, st)
	var inbound []int64
	for i := range n {
		from, number := fmt.Sprintf("buyer%02d@acme.com", i), fmt.Sprintf("SO-%d", 20000+i)
		if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: acme.ID, Email: from}); err != nil {
			t.Fatal(err)
		}
		o := &store.Order{CustomerID: acme.ID, Number: number, Status: store.OrderShipped, Currency: "EUR", AmountCents: 1000,
			TrackingURL: "https://track.example/" + number}
		if _, err := st.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		raw := strings.ReplaceAll(fmt.Sprintf("From: %s\nTo: sales@ourco.example\nSubject: Where is my order %s?\n"+
			"Message-ID: <q%d@acme.com>\nDate: %s\n\nHello,\n\nwhere is my order %s? It has not arrived yet. "+
			"Can you tell me the delivery status?\n\nThanks\n", from, number, i, time.Now().UTC().Format(time.RFC1123Z), number),
			"\n", "\r\n")
		in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uint32(i + 1), MessageID: fmt.Sprintf("q%d@acme.com", i),
			ContentHash: fmt.Sprint(i), Raw: []byte(raw), Size: int64(len(raw))}
		if _, _, _, err := st.SaveInboundMessage(ctx, in); err != nil {
			t.Fatal(err)
		}
		inbound = append(inbound, in.ID)
	}

	var tune func(*Deps, *Options)
	wantStatus, wantRows := store.InquiryAnswered, 0
	if !inIntake {
		tune = func(d *Deps, _ *Options) { d.Intake.Answers = map[string]intake.Answerer{} }
		wantStatus, wantRows = store.InquiryRouted, n
	}
	w := deskWorkers(t, st, client, smtpSrv, newMailKit(t, 0), tune)
	// Intake runs (as the inbound:email handler would): every inquiry is
	// saved and its answer and acknowledgement are in Redis, in flight.
	for _, id := range inbound {
		if err := w.Intake().Process(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	inquiries, err := st.ListInquiries(ctx, store.InquiryFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(inquiries) != n {
		t.Fatalf("%d inquiries, want %d", len(inquiries), n)
	}
	for _, q := range inquiries {
		if q.Category != string(routing.OrderStatus) || q.Status != wantStatus {
			t.Fatalf("inquiry %d is %s/%s, the test needs %s order_status", q.ID, q.Category, q.Status, wantStatus)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWorkers})
	t.Cleanup(func() { rdb.Close() })
	if err := rdb.FlushDB(ctx).Err(); err != nil { // Redis forgets every task
		t.Fatal(err)
	}

	srv := queue.NewServer(redisOpt, queue.ServerOptions{Concurrency: 4})
	if err := srv.Start(w); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	later := func() time.Time { return time.Now().Add(time.Hour) }
	rec := recovery.New(st, client, recovery.Options{Now: later})
	res, err := rec.Once(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// An order-status answer is its own acknowledgement: one follow-on
	// task, or one queued answer, and one customer mail, per inquiry.
	if res.Tasks != wantRows || res.Outbound != n-wantRows || res.Inbound != 0 {
		t.Errorf("recovery pass = %+v, want %d follow-on tasks and %d mails (one answer each) enqueued again", res, wantRows, n-wantRows)
	}
	msgs, err := smtpSrv.WaitFor(n, 2*time.Minute)
	if err != nil {
		t.Fatalf("%v: %d mails arrived", err, len(msgs))
	}
	// Every row done before asynq hears of it: nothing is left pending.
	waitOutboxDone(t, st, wantRows)
	if got := len(smtpSrv.Messages()); got != n {
		t.Errorf("%d mails after recovery, want exactly %d (one answer per inquiry)", got, n)
	}
	res, err = rec.Once(ctx)
	if err != nil || res.Lost() != 0 || res.StillQueued != 0 {
		t.Errorf("second pass = %+v, %v; want nothing lost and nothing pending", res, err)
	}
	srv.Shutdown()

	msgs = smtpSrv.Messages()
	seen := map[string]bool{}
	got := map[string]int{} // "status buyer00@acme.com" -> count
	for _, m := range msgs {
		h, err := m.Header()
		if err != nil {
			t.Fatal(err)
		}
		id := h.Get("Message-Id")
		if seen[id] {
			t.Errorf("Message-ID %s delivered twice", id)
		}
		seen[id] = true
		to, err := mail.ParseAddress(h.Get("To"))
		if err != nil {
			t.Fatal(err)
		}
		kind := "other"
		if strings.Contains(string(m.Data), "current status of your order") {
			kind = "status"
		}
		got[kind+" "+to.Address]++
	}
	for i := range n {
		key := fmt.Sprintf("status buyer%02d@acme.com", i)
		if got[key] != 1 {
			t.Errorf("%s: %d mails, want exactly 1", key, got[key])
		}
	}
	if len(msgs) != n {
		t.Errorf("%d mails at the SMTP server, want %d", len(msgs), n)
	}
	alerts, err := st.ListAlerts(ctx, store.AlertFilter{Kind: recovery.AlertKindLostWork})
	want := fmt.Sprintf("%d outbound mails and %d follow-on tasks", n-wantRows, wantRows)
	if err != nil || len(alerts) != 1 || !strings.Contains(alerts[0].Detail, want) {
		t.Errorf("lost-work alerts = %+v, %v; want one naming %s", alerts, err, want)
	}
}

// recoveryWorkers builds the whole desk with New, wired to Redis through
// client and to smtpSrv, as cmd/salesdesk does.
func recoveryWorkers(t *testing.T, st *store.Store, client *asynq.Client, smtpSrv *smtptest.Server) *Workers {
	t.Helper()
	return deskWorkers(t, st, client, smtpSrv, newMailKit(t, 0), nil)
}

// deskWorkers builds the whole desk with New over kit, wired to Redis
// through client and to smtpSrv, as cmd/salesdesk does; tune, when not
// nil, changes the deps and options before New.
func deskWorkers(t *testing.T, st *store.Store, client *asynq.Client, smtpSrv *smtptest.Server, kit mailKit,
	tune func(*Deps, *Options)) *Workers {
	t.Helper()
	router, renderer, signer := kit.router, kit.renderer, kit.signer
	sender, err := mailer.NewSender(mailer.Options{Addr: smtpSrv.Addr(), TLS: mailer.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	leads, err := lead.New(lead.Deps{Store: st, Enqueuer: client, Seed: 1}, lead.Options{RepCacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	d := Deps{
		Desk: Desk{Renderer: renderer, Outbox: outbox.New(st, client), From: "Ourco Sales <sales@ourco.example>",
			BaseURL: "https://desk.ourco.example"},
		Store: st, Sender: sender, Leads: leads,
		Intake: intake.Deps{Store: st, Router: router, Enqueuer: client},
	}
	o := Options{
		Inquiry: InquiryOptions{TeamAddress: "team@ourco.example", TriageAddress: "triage@ourco.example", Links: signer},
		Order:   OrderOptions{OperationsAddress: "ops@ourco.example"},
		Lead:    LeadOptions{ManagerAddress: "boss@ourco.example", Links: signer},
	}
	if tune != nil {
		tune(&d, &o)
	}
	w, err := New(d, o)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// waitOutboxDone waits until the task outbox holds n rows, every one done,
// and every outbound mail is marked sent.
func waitOutboxDone(t *testing.T, st *store.Store, n int) {
	t.Helper()
	waitFor(t, 2*time.Minute, func() (bool, string) {
		rows, err := st.PendingTasks(t.Context())
		if err != nil {
			return false, err.Error()
		}
		open := 0
		for _, r := range rows {
			if r.DoneAt.IsZero() {
				open++
			}
		}
		if len(rows) != n || open != 0 {
			return false, fmt.Sprintf("%d outbox rows (want %d), %d not done", len(rows), n, open)
		}
		// A mail reaches the SMTP sink before the mailer marks its row
		// sent: wait for the mark too, or the next recovery pass rightly
		// counts that row as still queued.
		queued, err := st.QueuedOutboundBefore(t.Context(), time.Now().Add(time.Hour), 1000)
		if err != nil {
			return false, err.Error()
		}
		return len(queued) == 0, fmt.Sprintf("%d outbound mails not yet marked sent", len(queued))
	})
}
