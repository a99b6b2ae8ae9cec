package main

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/proc"
	"salesdesk/internal/report"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
	"salesdesk/internal/storetest"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"
)

// kpiDesk is the real salesdesk binary running `salesdesk run` for the
// KPI report test.
type kpiDesk struct {
	imap testenv.IMAP
	user string
	smtp *smtptest.Server
	st   *store.Store
	base string
}

const kpiBoss = "boss@ourco.example"

func startKPIDesk(t *testing.T) *kpiDesk {
	t.Helper()
	ctx := t.Context()
	testenv.Redis(t, testenv.RedisDBCmd)
	d := &kpiDesk{imap: testenv.Dovecot(t), user: "kpi-" + testenv.RandomName(6), smtp: smtptest.New(t)}
	dir := t.TempDir()
	dsn := storetest.SQLiteDSN(t, "salesdesk.db")
	var err error
	if d.st, err = store.Open(ctx, dsn); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.st.Close() })
	// An account whose contact asks for an order's status: answered
	// automatically, which is no human contact.
	cust, err := d.st.CreateCustomer(ctx, &store.Customer{Name: "Acme", Domain: "acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.st.CreateContact(ctx, &store.Contact{CustomerID: cust, Email: "ann@acme.example", Name: "Ann"}); err != nil {
		t.Fatal(err)
	}
	if _, err := d.st.CreateOrder(ctx, &store.Order{CustomerID: cust, Number: "SO-777001", Status: store.OrderShipped,
		Currency: "EUR", AmountCents: 99000, TrackingURL: "https://track.example/SO-777001"}); err != nil {
		t.Fatal(err)
	}

	bin := salesdeskBinary(t)
	listen := freeAddr(t)
	d.base = "http://" + listen
	cfg, err := proc.NewConfig(proc.Services{RedisAddr: testenv.RedisAddr(), RedisDB: testenv.RedisDBCmd, DSN: dsn,
		SMTPAddr: d.smtp.Addr(), IMAPAddr: d.imap.Addr, IMAPUser: d.user, IMAPPassword: d.imap.Password})
	if err != nil {
		t.Fatal(err)
	}
	always := map[string]any{"days": []any{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, "start": "00:00", "end": "23:59"}
	for k, v := range map[string]any{
		"web.listen":                listen,
		"web.base_url":              d.base,
		"web.api_tokens":            []any{map[string]any{"name": "kpi", "token": testAPIToken, "scopes": []any{"admin"}}},
		"mailboxes.0.idle":          true,
		"mailboxes.0.poll_interval": "1s",
		"leads.currency":            "EUR",
		"leads.reps":                []any{map[string]any{"name": "Rita Rep", "email": "rita@ourco.example", "working_hours": always}},
		"reports.recipients":        []any{kpiBoss},
		"reports.timezone":          "UTC",
		"reports.targets": []any{map[string]any{"rep": "rita@ourco.example", "won_value": 1000, "currency": "EUR",
			"leads_contacted": 2}},
	} {
		cfg.Set(k, v)
	}
	cfgPath := filepath.Join(dir, "salesdesk.yaml")
	if err := cfg.Write(bin, cfgPath); err != nil {
		t.Fatal(err)
	}
	startRun(t, bin, cfgPath, dir)
	waitFor(t, startupLimit, func() bool {
		resp, err := http.Get(d.base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return d
}

// deliver APPENDs a mail from from to the sales inbox and returns its
// Message-ID.
func (d *kpiDesk) deliver(t *testing.T, from, subject, body string) string {
	t.Helper()
	id := testenv.RandomName(10) + "@customer.example"
	raw := fmt.Sprintf("From: %s\r\nTo: sales@ourco.example\r\nSubject: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, subject, id,
		time.Now().Format(time.RFC1123Z), body)
	if err := d.imap.Deliver(d.user, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	return id
}

// texts are the text bodies of the captured mails to addr.
func (d *kpiDesk) texts(t *testing.T, addr string) []string {
	t.Helper()
	var out []string
	for _, m := range d.smtp.Messages() {
		if len(m.To) == 0 || !strings.EqualFold(m.To[0], addr) {
			continue
		}
		p, err := mailparse.Parse(m.Data, mailparse.Options{})
		if err != nil {
			t.Fatalf("unreadable mail to %s: %v", addr, err)
		}
		out = append(out, p.Text)
	}
	return out
}

// lead waits for the one lead of contact that is not merged.
func (d *kpiDesk) lead(t *testing.T, contact string) *store.Lead {
	t.Helper()
	var l *store.Lead
	waitFor(t, startupLimit, func() bool {
		ls, err := d.st.ListLeads(t.Context(), store.LeadFilter{ContactEmail: contact, Limit: 10})
		if err != nil {
			return false
		}
		for i := range ls {
			if ls[i].Status == store.LeadAssigned {
				l = &ls[i]
			}
		}
		return l != nil
	})
	return l
}

// form sends a request to the desk and returns its status and page.
func form(t *testing.T, method, u string, values url.Values) (int, string) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == http.MethodGet {
		resp, err = http.Get(u)
	} else {
		resp, err = http.PostForm(strings.SplitN(u, "?", 2)[0], values)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, html.UnescapeString(string(b))
}

// TestKPIReportEndToEnd runs the real binary (`salesdesk run`) with mails
// APPENDed to Dovecot: three prospects ask for quotes (a colleague of one
// asks again: a merged duplicate), a customer asks for an order's status
// (answered automatically), the rep answers one prospect from her own
// mailbox with the inbox in Bcc (the first human contact), marks another
// won through her lead mail's one-click link, books a meeting through the
// API and records it held once it has started; reports.targets is set.
// The report task then mails the day's KPI report, read at the SMTP sink:
// new leads without the merge, the first response as that first human
// contact, the automatic answers as "acknowledged in", win rate and won
// value with its currency, meetings booked and held, the rep's target
// lines.
func TestKPIReportEndToEnd(t *testing.T) {
	d := startKPIDesk(t)
	ctx := t.Context()
	const rita = "rita@ourco.example"
	quote := func(who, company string) string {
		return d.deliver(t, fmt.Sprintf("%s <%s>", who, strings.ToLower(strings.Fields(who)[0])+"@"+company),
			"Request for quotation: 400 hex bolts M8", "Hello,\n\ncould you please send us a quote for 400 stainless "+
				"steel hex bolts M8x40? We need the price per unit and the delivery time.\n\nBest regards\n"+who)
	}
	quote("Alice Alpha", "alpha-kpi.example")
	betaID := quote("Bert Beta", "beta-kpi.example")
	quote("Gina Gamma", "gamma-kpi.example")
	alpha, beta := d.lead(t, "alice@alpha-kpi.example"), d.lead(t, "bert@beta-kpi.example")
	d.lead(t, "gina@gamma-kpi.example")
	// A colleague of Alice asks again: merged into her open lead.
	quote("Axel Alpha", "alpha-kpi.example")
	waitFor(t, startupLimit, func() bool {
		ls, err := d.st.ListLeads(ctx, store.LeadFilter{ContactEmail: "axel@alpha-kpi.example", Limit: 10})
		return err == nil && len(ls) == 1 && ls[0].Status == store.LeadMerged
	})
	d.deliver(t, "Ann <ann@acme.example>", "Where is my order SO-777001?",
		"Hello,\n\nwhere is my order SO-777001? It has not arrived yet. Can you tell me the delivery status?\n\nThanks\nAnn")

	// Rita answers Bert from her own mailbox, the inbox in Bcc, a few
	// seconds after his lead was made (a Date has whole seconds).
	time.Sleep(time.Until(beta.CreatedAt.Add(3 * time.Second)))
	replyAt := time.Now().Truncate(time.Second)
	reply := fmt.Sprintf("From: Rita Rep <%s>\r\nTo: Bert Beta <bert@beta-kpi.example>\r\nSubject: Re: Request for quotation: 400 hex bolts M8\r\n"+
		"Message-ID: <%s@ourco.example>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bert, 400 bolts are 0.42 EUR each. Rita\r\n",
		rita, testenv.RandomName(10), betaID, betaID, replyAt.Format(time.RFC1123Z))
	if err := d.imap.Deliver(d.user, []byte(reply)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, startupLimit, func() bool {
		l, err := d.st.Lead(ctx, beta.ID)
		return err == nil && l.Status == store.LeadContacted
	})
	beta, err := d.st.Lead(ctx, beta.ID)
	if err != nil {
		t.Fatal(err)
	}
	if beta.FirstContactVia != store.ContactViaReply || !beta.FirstContactAt.Equal(replyAt) {
		t.Fatalf("Bert's lead: first contact %s via %q; want %s via reply", beta.FirstContactAt, beta.FirstContactVia, replyAt)
	}

	// Rita marks Alice's lead won from her lead mail.
	var wonURL string
	waitFor(t, startupLimit, func() bool {
		for _, text := range d.texts(t, rita) {
			if m := regexp.MustCompile(`Won \(give the value\):\s+(\S+)`).FindStringSubmatch(text); m != nil &&
				strings.Contains(text, "alice@alpha-kpi.example") {
				wonURL = m[1]
				return true
			}
		}
		return false
	})
	code, page := form(t, http.MethodGet, wonURL, nil)
	if code != http.StatusOK {
		t.Fatalf("won page = %d:\n%s", code, page)
	}
	values := url.Values{}
	for _, m := range regexp.MustCompile(`<input (?:type="hidden" )?name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		values.Set(m[1], m[2])
	}
	values.Set("value", "2,500.00")
	values.Set("currency", "EUR")
	if code, page := form(t, http.MethodPost, wonURL, values); code != http.StatusOK || !strings.Contains(page, "marked won (EUR 2,500.00)") {
		t.Fatalf("won post = %d:\n%s", code, page)
	}
	if l, err := d.st.Lead(ctx, alpha.ID); err != nil || l.Status != store.LeadWon || l.ValueCents != 250000 || l.Currency != "EUR" {
		t.Fatalf("Alice's lead after the won link = %+v, %v", l, err)
	}

	// A meeting booked through the API a few seconds ahead, held once it
	// has started (an outcome before the start is refused).
	rep, err := d.st.RepByEmail(ctx, rita)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now().Add(4 * time.Second).Truncate(time.Second)
	body, _ := json.Marshal(map[string]any{"rep_id": rep.ID, "title": "Bolt review", "starts_at": start.Format(time.RFC3339),
		"duration_minutes": 30, "customers": []map[string]string{{"email": "gina@gamma-kpi.example", "name": "Gina Gamma", "timezone": "UTC"}}})
	var m struct {
		ID int64 `json:"id"`
	}
	if code, b := d.api(t, http.MethodPost, "/api/v1/meetings", string(body)); code != http.StatusCreated {
		t.Fatalf("book meeting = %d %s", code, b)
	} else if err := json.Unmarshal([]byte(b), &m); err != nil {
		t.Fatal(err)
	}
	outcome := fmt.Sprintf("/api/v1/meetings/%d/outcome", m.ID)
	if code, b := d.api(t, http.MethodPost, outcome, `{"status": "held"}`); code != http.StatusBadRequest {
		t.Errorf("held before the start = %d %s; want 400", code, b)
	}
	time.Sleep(time.Until(start) + time.Second)
	if code, b := d.api(t, http.MethodPost, outcome, `{"status": "held", "note": "send the quote"}`); code != http.StatusOK {
		t.Fatalf("held = %d %s", code, b)
	}

	// The daily report for today: the task fires tomorrow.
	today := time.Now().UTC()
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBCmd})
	t.Cleanup(func() { client.Close() })
	task, err := tasks.NewReportDailyTask(tasks.ReportDailyPayload{Day: today.AddDate(0, 0, 1).Format(time.DateOnly),
		Timezone: "UTC", ScheduledAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Enqueue(task); err != nil {
		t.Fatal(err)
	}
	var text string
	waitFor(t, startupLimit, func() bool {
		for _, s := range d.texts(t, kpiBoss) {
			if strings.Contains(s, "Daily KPI report: "+today.Format("Mon 2 Jan 2006")) {
				text = s
				return true
			}
		}
		return false
	})
	t.Logf("report mail:\n%s", text)

	kpi := func(label string) string {
		t.Helper()
		m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(label) + `\s+(\S.*?)   `).FindStringSubmatch(text)
		if m == nil {
			t.Errorf("the report has no %q line", label)
			return ""
		}
		return m[1]
	}
	firstContact := report.FormatDuration(beta.FirstContactAt.Sub(beta.CreatedAt))
	if beta.FirstContactAt.Sub(beta.CreatedAt) < 2*time.Second {
		t.Fatalf("Bert's first contact %s is not seconds after his lead's creation %s", beta.FirstContactAt, beta.CreatedAt)
	}
	for label, want := range map[string]string{
		"New leads":         "3", // Alice, Bert, Gina; not Axel's merged request
		"Merged duplicates": "1",
		// Only Bert was contacted by a person: the acknowledgements and
		// the order's status are no response.
		"First human contact (median)": firstContact,
		"Leads won":                    "1",
		"Win rate":                     "100.0%",
		"Won value":                    "EUR 2,500.00",
		"Meetings held":                "1",
	} {
		if got := kpi(label); got != want {
			t.Errorf("%s = %q, want %q", label, got, want)
		}
	}
	if got := kpi("Acknowledged in (median)"); got == "" || got == "–" {
		t.Errorf("acknowledged in = %q; want the automatic answers' median", got)
	}
	for _, want := range []string{
		"Meetings: booked 1 (was 0), held 1 (was 0), no-show 0 (was 0)",
		"Rita Rep: 3 / 1 / ",
		"    target: won EUR 2,500.00 of EUR ",
		"    target: contacted 1 of ",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q", want)
		}
	}
}

// api sends a JSON request to the desk's API with testAPIToken (as
// e2eDesk.api does) and returns the status and body.
func (d *kpiDesk) api(t *testing.T, method, path, body string) (int, string) {
	t.Helper()
	resp := e2eDesk{base: d.base}.api(t, method, path, body)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
