package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"salesdesk/config"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
	"salesdesk/tasks"

	"github.com/hibiken/asynq"
)

// The team on the desk in TestEveryTeamMailLinkOpensItsPage: Rita takes
// the leads; Mia (manager, the team address) and Otto (operations) are
// out of office, so no lead goes to them, but they sign in.
const (
	ritaAddr = "rita@desk.example"
	miaAddr  = "mia@desk.example"
	ottoAddr = "otto@desk.example"
)

// TestEveryTeamMailLinkOpensItsPage produces each kind of mail the team
// gets (lead assigned, lead update, SLA reminder, daily list, manager's
// summary, hand-off, order request to operations, alert digest, meeting
// invitation) from real
// state through the running process, captures
// it at the SMTP sink, and opens every link in it as its recipient would:
// a fresh browser (cookie jar) that follows the person link, or signs in
// by the magic link mailed to them when the link carries no person. Each
// answers 200 with the page of the object it names.
func TestEveryTeamMailLinkOpensItsPage(t *testing.T) {
	d := setupDesk(t, func(c *config.Config) {
		away := config.DefaultRep()
		away.WorkingHours.Days = nil
		away.OutOfOfficeUntil = "2099-01-01"
		mia, otto := away, away
		mia.Name, mia.Email, mia.Role, mia.Timezone = "Mia Manager", miaAddr, store.RoleManager, "America/New_York"
		otto.Name, otto.Email, otto.Role = "Otto Ops", ottoAddr, store.RoleAdmin
		c.Leads.Reps = append(c.Leads.Reps, mia, otto)
		c.Leads.ManagerAddress = miaAddr
		c.Leads.SLAContact = 20 * time.Second
		c.Leads.SLAReassign = time.Hour
		c.Routing.TeamAddress = miaAddr
		c.Orders.OperationsAddress = ottoAddr
		c.Anomaly.SupervisorAddresses = []string{miaAddr}
		c.Anomaly.DigestWindow = 20 * time.Second
		c.Anomaly.Thresholds.ComplaintsPerAccount = 1
		c.Scheduler.Schedules.AnomalyScan = "@every 10s"
		c.SenderAuth.Enforce = false // the customer's order change reaches operations at once
		// A meeting changes the account's calendar: only an authenticated
		// sender books one, here by the trusted server's DMARC pass.
		c.SenderAuth.TrustedAuthServIDs = []string{"mx.desk.example"}
		c.Web.SignInLimit = 1000 // every link opened in a fresh browser signs in again
	})

	// A new prospect asks for a quote, then adds to it: lead, update.
	d.deliver(t, "Bob Buyer <bob@bigprospect.example>", "Quote for 800 pallets",
		"Hello, we would like a quote for 800 euro pallets delivered to Antwerp next month. What would the price per unit be?\n\nBob Buyer\nPurchasing, Big Prospect NV")
	d.mailTo(t, ritaAddr, "bob@bigprospect.example")
	d.deliver(t, "Bob Buyer <bob@bigprospect.example>", "Also 200 crates",
		"Hello again, could you add 200 wooden crates to the quote for the pallets?\n\nBob Buyer")
	// The account's questions and requests: hand-off, order request,
	// complaint (an alert in the digest), meeting.
	d.deliver(t, "Ann <ann@acme.example>", "Invoice question",
		"Hello, our last invoice charges the wrong unit price for the pumps. Please send a corrected invoice.\n\nAnn")
	d.deliver(t, "Ann <ann@acme.example>", "Cancel order SO-424242",
		"Hello, please cancel our order SO-424242, we no longer need it.\n\nAnn")
	d.deliver(t, "Ann <ann@acme.example>", "Complaint about the damaged delivery",
		"Hello, this is a formal complaint: the pumps of our last delivery arrived damaged and nobody answered our calls. We are very unhappy.\n\nAnn")

	// Ann asks for a meeting and books a slot: Rita's invitation.
	const meetingTitle = "Meeting to see the pump demo"
	d.appendRaw(t, "Authentication-Results: mx.desk.example; dmarc=pass header.from=acme.example\r\n"+
		"From: Ann <ann@acme.example>\r\nTo: sales@desk.example\r\nSubject: "+meetingTitle+"\r\n"+
		"Message-ID: <"+testenv.RandomName(8)+"@acme.example>\r\nDate: "+time.Now().Format(time.RFC1123Z)+"\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Hello,\r\n\r\ncould we meet next Tuesday at 3pm for a demo of the new pumps?\r\n\r\nAnn\r\n")
	slotURL := lastLink(d.mailText(t, "ann@acme.example", "/meetings/slots/").Text, "/meetings/slots/")
	if slotURL == "" {
		t.Fatal("no slot link in the customer's meeting mail")
	}
	resp, err := http.PostForm(slotURL, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	booked, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(booked), "Your meeting is booked") {
		t.Fatalf("booking the slot: %d\n%s", resp.StatusCode, booked)
	}

	// The daily list for everyone, as the scan enqueues it at each
	// person's hour; here for the whole team at once.
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: testenv.RedisAddr(), DB: testenv.RedisDBCmd})
	t.Cleanup(func() { client.Close() })
	now := time.Now()
	daily, err := tasks.NewLeadsDailyDigestTask(tasks.LeadsDailyDigestPayload{Day: now.UTC().Format(time.DateOnly), Timezone: "UTC", ScheduledAt: now})
	if err != nil {
		t.Fatal(err)
	}
	// Wait for the update first, so the lists hold the merged lead.
	d.mailTo(t, ritaAddr, "200 wooden crates")
	if _, err := client.Enqueue(daily); err != nil {
		t.Fatal(err)
	}

	kinds := []struct {
		name, to, subject string // subject: a word of the mail's subject or text
		// shows is what every page the mail links to must show.
		shows string
	}{
		{"lead assigned", ritaAddr, "bob@bigprospect.example", ""},
		{"lead update", ritaAddr, "200 wooden crates", ""},
		{"SLA reminder", ritaAddr, "Reminder: lead", ""},
		{"daily list", ritaAddr, "Your leads for", ""},
		{"manager's summary", miaAddr, "Team leads for", ""},
		{"hand-off", miaAddr, "Invoice question", ""},
		{"order request to operations", ottoAddr, "SO-424242", ""},
		{"alert digest", miaAddr, "Unusual activity:", ""},
		{"meeting invitation", ritaAddr, "Invitation: " + meetingTitle, meetingTitle},
	}
	opened := 0
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			p := d.mailText(t, k.to, k.subject)
			urls := mailURL.FindAllString(p.Text, -1)
			if len(urls) == 0 {
				t.Fatalf("no links in the mail to %s:\n%s", k.to, p.Text)
			}
			for _, u := range urls {
				d.openAs(t, k.to, u, k.shows)
				opened++
			}
		})
	}
	t.Logf("opened %d links from %d kinds of mail", opened, len(kinds))
}

// openAs opens a link from a mail to addr in a fresh browser, signing in
// by a magic link when the desk asks, and checks it answers 200 with the
// page of the object the link names, showing shows when that is set.
func (d e2eDesk) openAs(t *testing.T, addr, link, shows string) {
	t.Helper()
	if strings.Contains(link, "/api/v1") {
		t.Errorf("mail links into the API: %s", link)
		return
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	end := resp.Request.URL
	if end.Path == "/desk/sign-in" {
		// A plain desk link: the recipient asks for a sign-in link and
		// follows it from their mail.
		end = d.signInByMail(t, c, end, addr)
	}
	status, body := fetch(t, c, end.String())
	lu, _ := url.Parse(link)
	switch {
	case status != http.StatusOK:
		t.Errorf("%s (for %s): %d at %s, want 200", link, addr, status, end)
	case end.Path == "/login" || strings.Contains(body, `action="/desk/sign-in"`):
		t.Errorf("%s (for %s) ends at a sign-in page %s", link, addr, end)
	case strings.HasPrefix(lu.Path, "/desk/") && end.Path != lu.Path:
		t.Errorf("%s (for %s) ends at %s, not its own page", link, addr, end)
	}
	if shows != "" && !strings.Contains(body, shows) {
		t.Errorf("%s (for %s) does not show %q:\n%s", link, addr, shows, body)
	}
	if m := leadPath.FindStringSubmatch(lu.Path); m != nil && !strings.Contains(body, `id="lead-ref">L-`+m[1]+"<") {
		t.Errorf("%s (for %s) is not the page of lead %s", link, addr, m[1])
	}
}

var leadPath = regexp.MustCompile(`^/desk/leads/(\d+)$`)

// signInByMail asks the sign-in page at signIn for a link for addr, waits
// for the mail, follows it and confirms; it returns where that leads.
func (d e2eDesk) signInByMail(t *testing.T, c *http.Client, signIn *url.URL, addr string) *url.URL {
	t.Helper()
	before := len(d.signInMails(addr))
	form := url.Values{"email": {addr}, "next": {signIn.Query().Get("next")}}
	base := signIn.Scheme + "://" + signIn.Host
	resp, err := c.PostForm(base+"/desk/sign-in", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	magic := d.magicLink(t, addr, before)
	if _, body := fetch(t, c, magic); !strings.Contains(body, `id="magic-sign-in"`) {
		t.Fatalf("sign-in link %s shows no button:\n%s", magic, body)
	}
	resp, err = c.PostForm(magic, url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Request.URL
}

// signInMails returns the raw sign-in mails to addr, oldest first.
func (d e2eDesk) signInMails(addr string) []string {
	var out []string
	for _, m := range d.mailsTo(addr) {
		if m.subject == "Your salesdesk sign-in link" {
			out = append(out, m.raw)
		}
	}
	return out
}
