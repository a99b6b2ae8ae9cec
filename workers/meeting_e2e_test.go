package workers

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/hibiken/asynq"

	"salesdesk/internal/intake"
	"salesdesk/internal/lang"
	"salesdesk/internal/lead"
	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/meeting"
	"salesdesk/internal/meetingweb"
	"salesdesk/internal/routing"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// fakeNow is the clock of the meeting end-to-end test: Friday 27 March
// 2026, 15:10 in Berlin (CET, UTC+1). The meeting lands on Monday 30
// March, after Europe's DST change (CEST, UTC+2) and after America's
// (EDT, UTC-4). Reminders and the outcome request are planned for
// instants before the wall clock, so asynq runs them at once: the test
// waits for effects, never for time.
var fakeNow = time.Date(2026, 3, 27, 14, 10, 0, 0, time.UTC)

// meetingE2E is the running desk of the test.
type meetingE2E struct {
	st      *store.Store
	client  *asynq.Client
	insp    *asynq.Inspector
	smtp    *smtptest.Server
	web     *httptest.Server
	svc     *meeting.Service
	mu      sync.Mutex
	mailSeq int
	// built by buildMeetingDesk, run by start
	workers  *Workers
	redisOpt asynq.RedisClientOpt
	signer   *link.Signer
}

func newMeetingE2E(t *testing.T) *meetingE2E {
	return startMeetingDesk(t, func() time.Time { return fakeNow }, nil)
}

// startMeetingDesk runs the desk with clock now and the reminder offsets
// (nil: the defaults, 24 h and 1 h).
func startMeetingDesk(t *testing.T, now func() time.Time, reminders []time.Duration) *meetingE2E {
	t.Helper()
	e := buildMeetingDesk(t, now, reminders)
	e.start(t)
	return e
}

// buildMeetingDesk builds the desk (store, web pages, handlers) without
// starting its workers.
func buildMeetingDesk(t *testing.T, now func() time.Time, reminders []time.Duration) *meetingE2E {
	t.Helper()
	return buildMeetingDeskWith(t, now, reminders, nil)
}

// buildMeetingDeskWith is buildMeetingDesk whose intake checks senders
// with senders (nil trusts every From).
func buildMeetingDeskWith(t *testing.T, now func() time.Time, reminders []time.Duration, senders intake.SenderChecker) *meetingE2E {
	t.Helper()
	ctx := t.Context()
	testenv.Redis(t, testenv.RedisDBWorkers)
	redisOpt := asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBWorkers}
	e := &meetingE2E{smtp: smtptest.New(t), redisOpt: redisOpt}
	var err error
	e.st, err = store.Open(ctx, storetest.SQLiteDSN(t, "meeting.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.st.Close() })
	e.client = asynq.NewClient(redisOpt)
	t.Cleanup(func() { e.client.Close() })
	e.insp = asynq.NewInspector(redisOpt)
	t.Cleanup(func() { e.insp.Close() })

	rita := &store.Rep{Email: "rita@ourco.example", Name: "Rita Rep", Active: true, Timezone: "Europe/Berlin",
		WorkingHours: "mon-fri 09:00-17:00"}
	if _, err := e.st.CreateRep(ctx, rita); err != nil {
		t.Fatal(err)
	}
	acme := &store.Customer{Name: "Acme Inc", Domain: "acme.com", OwnerRepID: rita.ID}
	if _, err := e.st.CreateCustomer(ctx, acme); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetCustomerTimezone(ctx, acme.ID, "America/New_York"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.CreateContact(ctx, &store.Contact{CustomerID: acme.ID, Email: "ann@acme.com", Name: "Ann Lee"}); err != nil {
		t.Fatal(err)
	}

	clock := ClockFunc(now)
	signer, err := link.New([]byte("meeting-e2e-secret-of-sufficient-length"))
	if err != nil {
		t.Fatal(err)
	}
	e.signer = signer
	e.svc, err = meeting.NewService(e.st, e.client, meeting.Options{MinNotice: 2 * time.Hour, Reminders: reminders}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	e.web = httptest.NewServer(meetingweb.NewHandler(meetingweb.Options{Signer: signer, Store: e.st, Meetings: e.svc, Now: clock.Now}))
	t.Cleanup(e.web.Close)

	detector, err := lang.NewDetector(nil)
	if err != nil {
		t.Fatal(err)
	}
	router, err := routing.NewRouter(routing.RouterOptions{Classifier: testClassifier(), MinConfidence: 0.9, Languages: detector,
		Rules: []routing.Rule{{Name: "meetings", Subject: []string{"meeting", "terminanfrage"}, Category: routing.MeetingRequest}}})
	if err != nil {
		t.Fatal(err)
	}
	renderer, err := mailer.NewRenderer(mailer.RenderOptions{Team: "Ourco Sales"})
	if err != nil {
		t.Fatal(err)
	}
	mailQueue, _ := e2eMailWiring(t, e.st, e.client, e.smtp)
	sender, err := mailer.NewSender(mailer.Options{Addr: e.smtp.Addr(), TLS: mailer.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	leads, err := lead.New(lead.Deps{Store: e.st, Enqueuer: e.client, Now: clock.Now, Seed: 1}, lead.Options{})
	if err != nil {
		t.Fatal(err)
	}
	w, err := New(Deps{
		Desk: Desk{Renderer: renderer, Outbox: mailQueue, From: "Ourco Sales <sales@ourco.example>", BaseURL: e.web.URL,
			Clock: clock},
		Store: e.st, Sender: sender, Leads: leads, Meetings: e.svc, Scheduled: e.insp,
		Intake: intake.Deps{Store: e.st, Router: router, Enqueuer: e.client, Now: clock.Now, Senders: senders},
	}, Options{
		Inquiry: InquiryOptions{TeamAddress: "team@ourco.example", TriageAddress: "triage@ourco.example", Links: signer},
		Order:   OrderOptions{OperationsAddress: "ops@ourco.example"},
		Lead:    LeadOptions{Links: signer},
		Meeting: MeetingOptions{Links: signer},
		Intake:  intake.Options{AckWindow: -1},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range []string{tasks.TypeMeetingRequest, tasks.TypeMeetingInvite, tasks.TypeMeetingReminder,
		tasks.TypeMeetingReply, tasks.TypeMeetingOutcome} {
		if !w.Handles(typ) {
			t.Fatalf("%s not registered", typ)
		}
	}
	e.workers = w
	return e
}

// start runs the desk's workers until the test ends.
func (e *meetingE2E) start(t *testing.T) {
	t.Helper()
	srv := asynq.NewServer(e.redisOpt, fastPolling(asynq.Config{Concurrency: 4, Queues: tasks.Queues(), ShutdownTimeout: 5 * time.Second,
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return 200 * time.Millisecond }, LogLevel: asynq.ErrorLevel}))
	if err := srv.Start(e.workers); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
}

// receive stores raw as a new message of the sales inbox and enqueues it,
// as the poller does, and returns the message's id.
func (e *meetingE2E) receive(t *testing.T, raw string) int64 {
	t.Helper()
	e.mu.Lock()
	e.mailSeq++
	uid := uint32(e.mailSeq)
	e.mu.Unlock()
	b := []byte(strings.ReplaceAll(raw, "\n", "\r\n"))
	in := &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uid, Size: int64(len(b)), Raw: b}
	if _, _, _, err := e.st.SaveInboundMessage(t.Context(), in); err != nil {
		t.Fatal(err)
	}
	task, err := tasks.NewInboundEmailTask(tasks.InboundEmailPayload{MessageID: in.ID, Mailbox: "sales", UIDValidity: 1, UID: uid})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Enqueue(task); err != nil {
		t.Fatal(err)
	}
	return in.ID
}

// meetingMail is one captured mail with its subject, text and calendar part.
type meetingMail struct {
	to       string
	subject  string
	text     string
	calType  string // the calendar part's Content-Type
	calendar []byte
}

// mails returns every captured mail to addr whose subject has prefix.
func (e *meetingE2E) mails(t *testing.T, addr, prefix string) []meetingMail {
	t.Helper()
	var out []meetingMail
	for _, m := range e.smtp.Messages() {
		if len(m.To) != 1 || m.To[0] != addr {
			continue
		}
		s := readSent(t, m.Data)
		s.to = addr
		if strings.HasPrefix(s.subject, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// waitMails waits until addr got n mails whose subject has prefix.
func (e *meetingE2E) waitMails(t *testing.T, addr, prefix string, n int) []meetingMail {
	t.Helper()
	var got []meetingMail
	waitFor(t, 2*time.Minute, func() (bool, string) {
		got = e.mails(t, addr, prefix)
		return len(got) >= n, fmt.Sprintf("%d mails to %s starting %q, want %d; all:%s", len(got), addr, prefix, n,
			describe(e.smtp.Messages()))
	})
	return got
}

func readSent(t *testing.T, data []byte) meetingMail {
	t.Helper()
	ent, err := message.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var s meetingMail
	s.subject, _ = ent.Header.Text("Subject")
	err = ent.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return err
		}
		mt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch mt {
		case "text/plain":
			b, _ := io.ReadAll(part.Body)
			s.text = string(b)
		case "text/calendar":
			s.calType = part.Header.Get("Content-Type")
			s.calendar, _ = io.ReadAll(part.Body)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var urlRe = regexp.MustCompile(`https?://\S+`)

// linksIn returns the links of a mail text under the test's web server.
func (e *meetingE2E) linksIn(text, path string) []string {
	var out []string
	for _, u := range urlRe.FindAllString(text, -1) {
		if strings.HasPrefix(u, e.web.URL+path) {
			out = append(out, u)
		}
	}
	return out
}

// open GETs or POSTs a link and returns the status and page.
func open(t *testing.T, method, u string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return send(t, req)
}

// post sends a form to a link and returns the status and page.
func post(t *testing.T, u string, form url.Values) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// bookWithAnn books a meeting of Rita's with Ann at start, as the API
// does, and returns it with Rita.
func (e *meetingE2E) bookWithAnn(t *testing.T, title string, start time.Time) (*store.Meeting, *store.Rep) {
	t.Helper()
	rep, err := e.st.RepByEmail(t.Context(), "rita@ourco.example")
	if err != nil {
		t.Fatal(err)
	}
	m, err := e.svc.Create(t.Context(), meeting.NewMeeting{RepID: rep.ID, Title: title, Start: start,
		Customers: []store.MeetingAttendee{{Email: "ann@acme.com", Name: "Ann Lee", Timezone: "America/New_York"}}}, "ourco.example")
	if err != nil {
		t.Fatal(err)
	}
	return m, rep
}

// replayReminder runs a reminder of version seq of meeting id, planned
// for at, once the queues are idle, and returns how many mails it sent.
func (e *meetingE2E) replayReminder(t *testing.T, id int64, seq int, at time.Time) int {
	t.Helper()
	waitIdle(t, e.redisOpt)
	before := len(e.smtp.Messages())
	old, err := tasks.NewMeetingReminderTask(tasks.MeetingReminderPayload{MeetingID: id, Sequence: seq, RemindAt: at, Before: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.Enqueue(old, asynq.TaskID(fmt.Sprintf("replayed-reminder-%d-%d", id, seq))); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, e.redisOpt)
	return len(e.smtp.Messages()) - before
}

func parseCalendar(t *testing.T, s meetingMail, wantMethod string) *meeting.Invite {
	t.Helper()
	if s.calendar == nil {
		t.Fatalf("mail %q to %s has no text/calendar part", s.subject, s.to)
	}
	mt, params, err := mime.ParseMediaType(s.calType)
	if err != nil || mt != "text/calendar" || params["method"] != wantMethod {
		t.Errorf("calendar part type %q, want text/calendar with method=%s", s.calType, wantMethod)
	}
	inv, err := meeting.ParseInvite(s.calendar)
	if err != nil {
		t.Fatalf("invite to %s: %v\n%s", s.to, err, s.calendar)
	}
	if inv.Method != wantMethod {
		t.Errorf("METHOD = %s, want %s", inv.Method, wantMethod)
	}
	return inv
}

// TestMeetingEndToEnd runs a meeting from the customer's mail to the
// cancellation, through Redis, the real handlers, the slot page and SMTP:
// request mail -> slots (the proposed time first) -> a slot clicked ->
// REQUEST to customer and rep -> reminders in each reader's zone -> an
// iMIP REPLY accept in the inbox -> attendee accepted, no inquiry, no ack
// -> the rep cancels -> CANCEL to everyone -> an old reminder does
// nothing.
func TestMeetingEndToEnd(t *testing.T) {
	e := newMeetingE2E(t)
	ctx := t.Context()
	const ann, rita = "ann@acme.com", "rita@ourco.example"

	// 1. Ann (New York) asks for Monday at 10am; her mail is dated with
	// her EDT offset.
	e.receive(t, "From: Ann Lee <ann@acme.com>\nTo: sales@ourco.example\nSubject: Meeting about the pumps\n"+
		"Message-ID: <req-1@acme.com>\nDate: Fri, 27 Mar 2026 10:05:00 -0400\nMIME-Version: 1.0\n"+
		"Content-Type: text/plain; charset=utf-8\n\nHello,\n\ncould we meet Monday at 10am to go through the pump offer?\n\nAnn\n")
	ack := e.waitMails(t, ann, "Re: Meeting about the pumps", 2)
	var slotsMail, ackMail meetingMail
	for _, m := range ack {
		if strings.Contains(m.text, "Choose one with a single click") {
			slotsMail = m
		} else {
			ackMail = m
		}
	}
	if !strings.Contains(ackMail.text, "either free times to choose from") {
		t.Errorf("ack does not say what happens next:\n%s", ackMail.text)
	}
	if !strings.Contains(slotsMail.text, "The time you suggested is free") {
		t.Errorf("slots mail:\n%s", slotsMail.text)
	}
	// 10:00 in New York on Monday is 16:00 in Berlin: inside Rita's hours.
	wantFirst := "- Monday, 30 March 2026, 10:00 (EDT, UTC-04:00)"
	if i := strings.Index(slotsMail.text, "\n- "); i < 0 || !strings.HasPrefix(slotsMail.text[i+1:], wantFirst) {
		t.Errorf("slots mail does not start with %q:\n%s", wantFirst, slotsMail.text)
	}
	slotLinks := e.linksIn(slotsMail.text, "/meetings/slots/")
	if len(slotLinks) != 3 {
		t.Fatalf("%d slot links, want 3:\n%s", len(slotLinks), slotsMail.text)
	}

	// 2. The first link opens a confirmation; its POST books; a second
	// slot of the same proposal is then refused.
	if code, body := open(t, http.MethodGet, slotLinks[0]); code != http.StatusOK || !strings.Contains(body, "Book this meeting?") {
		t.Fatalf("GET slot = %d\n%s", code, body)
	}
	if code, body := open(t, http.MethodPost, slotLinks[0]); code != http.StatusOK || !strings.Contains(body, "Your meeting is booked") ||
		!strings.Contains(body, "10:00 (EDT, UTC-04:00)") {
		t.Fatalf("POST slot = %d\n%s", code, body)
	}
	if code, body := open(t, http.MethodPost, slotLinks[1]); code != http.StatusConflict || !strings.Contains(body, "already booked") {
		t.Errorf("second slot = %d\n%s", code, body)
	}
	tampered := strings.Replace(slotLinks[2], "sig=", "sig=x", 1)
	if code, _ := open(t, http.MethodPost, tampered); code != http.StatusForbidden {
		t.Errorf("tampered link = %d", code)
	}

	// 3. METHOD:REQUEST to Ann and Rita, read back field by field.
	start := time.Date(2026, 3, 30, 14, 0, 0, 0, time.UTC)
	m, err := e.st.MeetingByInquiry(ctx, mustInquiryID(t, e.st))
	if err != nil {
		t.Fatal(err)
	}
	// The customer's calendar names whom she meets; the rep's keeps the title.
	for _, tc := range []struct{ to, when, summary string }{
		{ann, "Monday, 30 March 2026, 10:00 (EDT, UTC-04:00)", "Meeting with Rita Rep: Meeting about the pumps"},
		{rita, "Monday, 30 March 2026, 16:00 (CEST, UTC+02:00)", "Meeting about the pumps"},
	} {
		inv := e.waitMails(t, tc.to, "Invitation: Meeting about the pumps", 1)
		if len(inv) != 1 {
			t.Fatalf("%d invites to %s", len(inv), tc.to)
		}
		if !strings.Contains(inv[0].text, tc.when) {
			t.Errorf("invite to %s lacks %q:\n%s", tc.to, tc.when, inv[0].text)
		}
		got := parseCalendar(t, inv[0], meeting.MethodRequest)
		if got.UID != m.UID || got.Sequence != 0 || !got.Start.Equal(start) || !got.End.Equal(start.Add(30*time.Minute)) ||
			got.Summary != tc.summary || got.Organizer.Email != "sales@ourco.example" || got.Organizer.Name != "Rita Rep" {
			t.Errorf("invite to %s = %+v", tc.to, got)
		}
		if len(got.Attendees) != 2 || got.Attendees[0].Email != rita || got.Attendees[0].Partstat != "ACCEPTED" || !got.Attendees[0].Chair || got.Attendees[1].Chair ||
			got.Attendees[1].Email != ann || got.Attendees[1].Partstat != "NEEDS-ACTION" || got.Attendees[1].Name != "Ann Lee" {
			t.Errorf("attendees = %+v", got.Attendees)
		}
		if !strings.Contains(string(inv[0].calendar), "RSVP=TRUE") {
			t.Errorf("no RSVP in\n%s", inv[0].calendar)
		}
	}

	// 4. Reminders, 24 h and 1 h before, each in its reader's zone, one
	// per offset; then the rep is asked for the outcome.
	for _, tc := range []struct{ to, when string }{
		{ann, "10:00 (EDT, UTC-04:00)"},
		{rita, "16:00 (CEST, UTC+02:00)"},
	} {
		rem := e.waitMails(t, tc.to, "Reminder: Meeting about the pumps", 2)
		subjects := map[string]bool{}
		for _, r := range rem {
			subjects[r.subject] = true
			if !strings.Contains(r.text, tc.when) {
				t.Errorf("reminder to %s lacks %s:\n%s", tc.to, tc.when, r.text)
			}
		}
		if len(rem) != 2 || !subjects["Reminder: Meeting about the pumps in 24 hours [SD-"+refNumber(t, e.st)+"]"] ||
			!subjects["Reminder: Meeting about the pumps in 1 hour [SD-"+refNumber(t, e.st)+"]"] {
			t.Errorf("reminders to %s: %v", tc.to, subjects)
		}
	}
	e.waitMails(t, rita, "How did it go?", 1)

	// 5. Ann's calendar accepts: an iMIP REPLY arrives in the inbox.
	reply, err := meeting.Invite{Method: meeting.MethodReply, UID: m.UID, Sequence: 0, Start: start, End: start.Add(30 * time.Minute),
		Stamp: fakeNow, Summary: "Meeting about the pumps", Organizer: meeting.Person{Email: rita},
		Attendees: []meeting.Person{{Email: ann, Name: "Ann Lee", Partstat: "ACCEPTED"}}}.Encode()
	if err != nil {
		t.Fatal(err)
	}
	e.receive(t, "From: Ann Lee <ann@acme.com>\nTo: sales@ourco.example\nSubject: Accepted: Meeting about the pumps\n"+
		"Message-ID: <reply-1@acme.com>\nDate: Fri, 27 Mar 2026 10:30:00 -0400\nMIME-Version: 1.0\n"+
		"Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nAnn Lee has accepted.\n"+
		"--b\nContent-Type: text/calendar; method=REPLY; charset=utf-8\n\n"+strings.ReplaceAll(string(reply), "\r\n", "\n")+"--b--\n")
	waitFor(t, 2*time.Minute, func() (bool, string) {
		as, err := e.st.MeetingAttendees(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		return as[1].Partstat == store.PartstatAccepted, fmt.Sprintf("attendees %+v", as)
	})
	waitIdle(t, e.redisOpt)
	if qs, _ := e.st.ListInquiries(ctx, store.InquiryFilter{}); len(qs) != 1 {
		t.Errorf("%d inquiries, want 1: the reply is no inquiry", len(qs))
	}
	if acks := e.mails(t, ann, "Re: Accepted"); len(acks) != 0 {
		t.Errorf("the calendar reply was answered: %v", acks[0].subject)
	}

	// 6. Rita cancels through the link in her invite: METHOD:CANCEL with
	// the next SEQUENCE to everyone.
	ritaInvite := e.mails(t, rita, "Invitation:")[0]
	cancel := e.linksIn(ritaInvite.text, fmt.Sprintf("/meetings/%d/cancel", m.ID))
	if len(cancel) != 1 {
		t.Fatalf("cancel links in Rita's invite: %v\n%s", cancel, ritaInvite.text)
	}
	if code, body := open(t, http.MethodPost, cancel[0]); code != http.StatusOK || !strings.Contains(body, "The meeting is cancelled") {
		t.Fatalf("cancel = %d\n%s", code, body)
	}
	for _, to := range []string{ann, rita} {
		c := e.waitMails(t, to, "Cancelled: Meeting about the pumps", 1)
		got := parseCalendar(t, c[0], meeting.MethodCancel)
		if got.UID != m.UID || got.Sequence != 1 || !got.Start.Equal(start) || len(got.Attendees) != 2 {
			t.Errorf("cancel to %s = %+v", to, got)
		}
		if !strings.Contains(string(c[0].calendar), "STATUS:CANCELLED") {
			t.Errorf("cancel lacks STATUS:CANCELLED:\n%s", c[0].calendar)
		}
	}

	// 7. A reminder of the old version, had it survived, does nothing.
	if n := e.replayReminder(t, m.ID, 0, start.Add(-time.Hour)); n != 0 {
		t.Errorf("an old reminder of a cancelled meeting sent %d mails", n)
	}
	if got, _ := e.st.Meeting(ctx, m.ID); got.Status != store.MeetingCancelled || got.Sequence != 1 {
		t.Errorf("meeting = %+v", got)
	}
}

func mustInquiryID(t *testing.T, st *store.Store) int64 {
	t.Helper()
	qs, err := st.ListInquiries(t.Context(), store.InquiryFilter{})
	if err != nil || len(qs) == 0 {
		t.Fatalf("inquiries: %v, %v", qs, err)
	}
	return qs[0].ID
}

func refNumber(t *testing.T, st *store.Store) string {
	t.Helper()
	qs, err := st.ListInquiries(t.Context(), store.InquiryFilter{})
	if err != nil || len(qs) == 0 {
		t.Fatalf("inquiries: %v, %v", qs, err)
	}
	return strings.TrimPrefix(qs[0].Reference, "SD-")
}
