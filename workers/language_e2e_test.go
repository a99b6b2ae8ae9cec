package workers

import (
	"crypto/sha256"
	"encoding/hex"
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/internal/lang"
	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/routing"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// TestEndToEndLanguages runs intake, the inquiry, order and lead handlers
// and mail:send on real Redis and an SMTP sink: a German order-status mail
// gets its acknowledgement and the order's status in German, and a French
// quote request becomes a lead assigned to the rep who speaks French,
// acknowledged in French.
func TestEndToEndLanguages(t *testing.T) {
	ctx := t.Context()
	rig := newQueueRig(t, "lang")
	redisOpt, smtpSrv, st, client := rig.redisOpt, rig.smtp, rig.st, rig.client
	rita := &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true}
	dirk := &store.Rep{Email: "dirk@ourco.example", Name: "Dirk Rep", Active: true, Languages: []string{"de", "nl", "en"}}
	claire := &store.Rep{Email: "claire@ourco.example", Name: "Claire Rep", Active: true, Languages: []string{"fr", "en"}}
	for _, r := range []*store.Rep{rita, dirk, claire} {
		if _, err := st.CreateRep(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	kraus := &store.Customer{Name: "Kraus Maschinenbau GmbH", Domain: "kraus.example", OwnerRepID: dirk.ID}
	if _, err := st.CreateCustomer(ctx, kraus); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: kraus.ID, Email: "sabine@kraus.example", Name: "Sabine Hoffmann"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateOrder(ctx, &store.Order{CustomerID: kraus.ID, Number: "SO-48213", Status: store.OrderShipped,
		Currency: "EUR", TrackingURL: "https://track.example.com/?id=JD0146"}); err != nil {
		t.Fatal(err)
	}

	detector, err := lang.NewDetector(nil)
	if err != nil {
		t.Fatal(err)
	}
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: testClassifier(), Languages: detector})
	if err != nil {
		t.Fatal(err)
	}
	leads, err := lead.New(lead.Deps{Store: st, Enqueuer: client, Seed: 1}, lead.Options{RepCacheTTL: -1})
	if err != nil {
		t.Fatal(err)
	}
	proc, err := intake.New(intake.Deps{Store: st, Router: router, Enqueuer: client}, intake.Options{Followups: intake.Followups{
		routing.OrderStatus: intake.OrderStatusReply, routing.QuoteRequest: leads.Followup(),
	}})
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"})
	if err != nil {
		t.Fatal(err)
	}
	mailQueue, sendHandler := e2eMailWiring(t, st, client, smtpSrv)
	desk := Desk{Renderer: renderer, Outbox: mailQueue, From: "Ourco Sales <sales@ourco.example>", BaseURL: "https://desk.ourco.example"}
	signer, err := link.New([]byte("e2e-secret-of-sufficient-length"))
	if err != nil {
		t.Fatal(err)
	}
	ack, err := NewAckHandler(InquiryDeps{Desk: desk, Store: st}, InquiryOptions{TeamAddress: "team@ourco.example",
		TriageAddress: "triage@ourco.example", Links: signer})
	if err != nil {
		t.Fatal(err)
	}
	status, err := NewOrderStatusHandler(OrderDeps{Desk: desk, Store: st}, OrderOptions{OperationsAddress: "ops@ourco.example"})
	if err != nil {
		t.Fatal(err)
	}
	assignH, err := NewLeadAssignHandler(LeadDeps{Desk: desk, Leads: leads, Store: st}, LeadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mux := asynq.NewServeMux()
	mux.Handle(tasks.TypeInboundEmail, NewInboundHandler(proc, nil))
	mux.Handle(tasks.TypeInquiryAck, ack)
	mux.Handle(tasks.TypeOrderStatusReply, status)
	mux.Handle(tasks.TypeLeadAssign, assignH)
	mux.Handle(tasks.TypeMailSend, sendHandler)
	srv := asynq.NewServer(redisOpt, fastPolling(asynq.Config{
		Concurrency: 4, Queues: tasks.Queues(), ShutdownTimeout: 5 * time.Second, LogLevel: asynq.ErrorLevel,
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return 200 * time.Millisecond },
	}))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)

	german := e2eMail{name: "de-status", from: "sabine@kraus.example", subject: "Lieferstatus SO-48213",
		body: "Guten Tag,\n\nwo bleibt unsere Bestellung SO-48213? Können Sie mir bitte sagen, wann sie ankommt?\n\nMit freundlichen Grüßen\nSabine Hoffmann\n"}
	french := e2eMail{name: "fr-quote", from: "jean@dubois.example", subject: "Demande de devis",
		body: "Bonjour,\n\npourriez-vous nous faire un devis pour 500 vis inox M8, livraison à Lyon ? Quel est le délai ?\n\nCordialement,\nJean Dubois\n"}
	for i, m := range []e2eMail{german, french} {
		raw := m.raw()
		sum := sha256.Sum256(raw)
		in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uint32(i + 1), MessageID: m.messageID(),
			ContentHash: hex.EncodeToString(sum[:]), Raw: raw, ReceivedAt: time.Now().UTC()}
		id, _, _, err := st.SaveInboundMessage(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		task, err := tasks.NewInboundEmailTask(tasks.InboundEmailPayload{MessageID: id, Mailbox: "sales", UIDValidity: 1, UID: in.UID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.EnqueueContext(ctx, task); err != nil {
			t.Fatal(err)
		}
	}
	// German: the order's status (it is the acknowledgement); French: an
	// acknowledgement and the lead mail to the rep.
	got, err := smtpSrv.WaitFor(3, 2*time.Minute)
	if err != nil {
		t.Fatalf("%v; got %s", err, describe(got))
	}
	waitIdle(t, redisOpt)
	got = smtpSrv.Messages()

	byTo := map[string][]string{}
	for _, c := range got {
		msg, err := mail.ReadMessage(strings.NewReader(string(c.Data)))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		text := textOf(t, captured{msg.Header, c.Data})
		for _, to := range c.To {
			byTo[to] = append(byTo[to], subject+"\n"+text)
		}
	}
	t.Logf("captured: %s", describe(got))

	sabine := byTo["sabine@kraus.example"]
	if len(sabine) != 1 {
		t.Fatalf("mails to the German customer: %d, want 1 (the status, which is the acknowledgement)\n%s", len(sabine), strings.Join(sabine, "\n---\n"))
	}
	all := strings.Join(sabine, "\n---\n")
	for _, want := range []string{"hier ist der aktuelle Stand Ihrer Bestellung.", "Bestellung SO-48213: versandt",
		"Sendungsverfolgung: https://track.example.com/?id=JD0146", "Mit freundlichen Grüßen"} {
		if !strings.Contains(all, want) {
			t.Errorf("German customer's mails lack %q:\n%s", want, all)
		}
	}
	for _, english := range []string{"Thank you", "Here is the current status", "Order SO-", "Kind regards", "Phone:"} {
		if strings.Contains(all, english) {
			t.Errorf("German customer's mails have English %q:\n%s", english, all)
		}
	}

	jean := byTo["jean@dubois.example"]
	if len(jean) != 1 || !strings.Contains(jean[0], "Merci pour votre message") {
		t.Errorf("French customer's acknowledgement: %q", jean)
	}
	if claire := byTo["claire@ourco.example"]; len(claire) != 1 {
		t.Errorf("mails to the French-speaking rep: %d, want the lead", len(claire))
	} else if !strings.Contains(claire[0], "\nLanguage:  French\n") {
		t.Errorf("the French lead's mail does not name its language:\n%s", claire[0])
	}
	for _, other := range []string{"rita@ourco.example", "dirk@ourco.example"} {
		if n := len(byTo[other]); n != 0 {
			t.Errorf("%s got %d mails; the French lead belongs to the French-speaking rep", other, n)
		}
	}
	ls, err := st.ListLeads(ctx, store.LeadFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ls) != 1 || ls[0].RepID != claire.ID {
		t.Errorf("leads = %+v, want one assigned to Claire (%d)", ls, claire.ID)
	}
	for _, m := range []e2eMail{german, french} {
		ids, err := st.InboundByMessageID(ctx, m.messageID())
		if err != nil || len(ids) != 1 {
			t.Fatalf("inbound %s: %v %v", m.messageID(), ids, err)
		}
		q, err := st.InquiryByInboundMessage(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"de-status": "de", "fr-quote": "fr"}[m.name]
		if q.Language != want {
			t.Errorf("%s: inquiry language %q, want %s", m.name, q.Language, want)
		}
	}
}
