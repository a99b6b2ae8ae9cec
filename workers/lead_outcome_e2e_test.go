package workers

import (
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/link"
	"salesdesk/internal/mailer"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/smtptest"
	"salesdesk/internal/store"
)

// TestLeadOutcomeLinkEndToEnd: the rep's lead mail goes out over SMTP
// with won and lost links; following the won link over HTTP shows a page
// that asks for the value (currency defaulting to the team's) and
// changes nothing; posting it closes the lead won through the same
// function the desk uses; the second use, and the mail's lost link, show
// what was decided and by whom.
func TestLeadOutcomeLinkEndToEnd(t *testing.T) {
	f := newLeadFixture(t)
	f.take(t, "Ann Buyer <ann@acme.com>", "Request for quote: 500 conveyor belts",
		"q-outcome@acme.com", "Hello,\nplease send us a quote for 500 conveyor belts.\nThanks, Ann")
	f.drain(t)
	leads, err := f.st.ListLeads(f.ctx, store.LeadFilter{})
	if err != nil || len(leads) != 1 {
		t.Fatalf("leads %v, %v", leads, err)
	}
	l := leads[0]

	// The rep's mail, sent over SMTP to the capture server.
	srv := smtptest.New(t)
	sender, err := mailer.NewSender(mailer.Options{Addr: srv.Addr(), TLS: mailer.TLSNone, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	row := f.outbound(t, LeadAssignedKey(l.ID, 1))
	if err := NewMailSendHandler(f.st, sender, nil, nil).ProcessTask(f.ctx, mailSendTask(t, row.ID)); err != nil {
		t.Fatal(err)
	}
	msgs, err := srv.WaitFor(1, 60*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := mailparse.Parse(msgs[0].Data, mailparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mailURL := func(label string) string {
		t.Helper()
		m := regexp.MustCompile(regexp.QuoteMeta(label) + `\s+(\S+)`).FindStringSubmatch(parsed.Text)
		if m == nil {
			t.Fatalf("the lead mail has no %q link:\n%s", label, parsed.Text)
		}
		return m[1]
	}
	wonURL, lostURL := mailURL("Won (give the value):"), mailURL("Lost (give a reason):")

	// The desk's one-click pages, on a real HTTP server.
	web := httptest.NewServer(link.NewHandler(link.HandlerOptions{
		Signer: f.signer, CloseLead: f.svc.CloseForRep, Leads: f.st, Decisions: f.st,
		Currency: "EUR", LostReasons: []string{"price", "timing", "competitor"},
		TeamZone: "Asia/Tokyo", // Rita has no zone of her own: she reads the team's
		Now:      func() time.Time { return f.now },
	}))
	t.Cleanup(web.Close)
	local := func(u string) string {
		t.Helper()
		p, err := url.Parse(u)
		if err != nil || p.Host != "desk.ourco.example" {
			t.Fatalf("link %q does not open the desk", u)
		}
		return web.URL + p.RequestURI()
	}
	get := func(u string) (int, string) {
		t.Helper()
		resp, err := http.Get(local(u))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	// post sends form as the page's form does: to the link's path, the
	// signature in the form's hidden fields.
	post := func(u string, form url.Values) (int, string) {
		t.Helper()
		resp, err := http.PostForm(strings.SplitN(local(u), "?", 2)[0], form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, html.UnescapeString(string(b))
	}
	status := func() *store.Lead {
		t.Helper()
		got, err := f.st.Lead(f.ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}

	code, body := get(wonURL)
	if code != http.StatusOK || !strings.Contains(body, `name="value"`) || !strings.Contains(body, `name="currency" value="EUR"`) {
		t.Fatalf("won page (%d) does not ask for the value with EUR as default:\n%s", code, body)
	}
	if s := status().Status; s != store.LeadAssigned {
		t.Fatalf("following the link changed the lead to %s", s)
	}
	code, body = get(lostURL)
	for _, want := range []string{`<select name="reason"`, "<option>price</option>", "<option>competitor</option>"} {
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("lost page (%d) lacks %s:\n%s", code, want, body)
		}
	}

	// The form posts back its hidden fields (rep, exp, sig) and the value.
	_, body = get(wonURL)
	form := formValues(t, body)
	if code, body := post(wonURL, url.Values{"rep": form["rep"], "value": {"12,500.50"}, "currency": {"EUR"}}); code != http.StatusForbidden {
		t.Errorf("won post without signature = %d:\n%s", code, body)
	}
	form.Set("value", "twelve")
	if code, body := post(wonURL, form); code != http.StatusBadRequest || !strings.Contains(body, "The value must be an amount") {
		t.Errorf("bad value = %d:\n%s", code, body)
	}
	form.Set("value", "12,500.50")
	form.Set("currency", "usd")
	code, body = post(wonURL, form)
	if code != http.StatusOK || !strings.Contains(body, "marked won (USD 12,500.50)") {
		t.Fatalf("won post = %d:\n%s", code, body)
	}
	got := status()
	if got.Status != store.LeadWon || got.ValueCents != 1250050 || got.Currency != "USD" || got.ClosedAt.IsZero() {
		t.Fatalf("lead after the won link: %s %d %q closed %v", got.Status, got.ValueCents, got.Currency, got.ClosedAt)
	}
	events, err := f.st.LeadEvents(f.ctx, l.ID)
	if err != nil || !strings.Contains(events[len(events)-1].Note, "by Rita Rep") {
		t.Errorf("last event %+v, %v; want the close by Rita Rep", events[len(events)-1], err)
	}

	// Single use: the won link again, and the mail's lost link.
	for _, u := range []string{wonURL, lostURL} {
		code, body := get(u)
		if code != http.StatusOK || !strings.Contains(body, "already marked won (USD 12,500.50) by Rita Rep") {
			t.Errorf("second use of %s = %d:\n%s", u, code, body)
		}
		if !strings.Contains(body, " JST") || strings.Contains(body, " UTC") {
			t.Errorf("second use of %s does not tell the time in the team's zone (JST):\n%s", u, body)
		}
	}
	lost, _ := url.Parse(lostURL)
	lostForm := lost.Query() // rep, exp and sig, as the lost page's form would carry them
	lostForm.Set("reason", "price")
	if _, body := post(lostURL, lostForm); !strings.Contains(body, "already marked won (USD 12,500.50) by Rita Rep") {
		t.Errorf("lost post after won:\n%s", body)
	}
	if got := status(); got.Status != store.LeadWon {
		t.Errorf("the lost link changed a won lead to %s", got.Status)
	}
	// Still single use after the lead is reopened elsewhere.
	if _, err := f.st.ReopenLead(f.ctx, l.ID, "test"); err != nil {
		t.Fatal(err)
	}
	if _, body := get(wonURL); !strings.Contains(body, "Already decided") {
		t.Errorf("won link after reopen:\n%s", body)
	}
}

// formValues reads the inputs and the selected option of a one-click
// page's form.
func formValues(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input (?:type="hidden" )?name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		v.Set(m[1], m[2])
	}
	if len(v) == 0 {
		t.Fatalf("no form in:\n%s", page)
	}
	return v
}
