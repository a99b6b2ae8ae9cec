package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// TestDeskInBrowser: a rep opens the lead link from their captured mail in
// Chromium, is signed in, marks the lead contacted and then won; a manager
// opens today's report as a report mail links it (/reports/today), signs
// in by the magic link mailed to her, reads Rita's win there and on the
// team view, acknowledges an alert, and finds the customer's mail by its
// reference and by a word in its body.
func TestDeskInBrowser(t *testing.T) {
	chromium, err := findChromium()
	if err != nil {
		testenv.Unavailable(t, "chromium", err)
	}
	d := setupDesk(t)
	ctx := context.Background()
	d.deliver(t, "Cleo Client <cleo@farprospect.example>", "Quote for 300 crates",
		"Hello, we would like a quote for 300 wooden crates with galvanised corners, delivered to Lyon. What would the unit price be?\n\nCleo")
	p := d.mailText(t, "rita@desk.example", "cleo@farprospect.example")
	leadURL := lastLink(p.Text, "/desk/leads/")
	if leadURL == "" {
		t.Fatalf("no desk lead link in the mail:\n%s", p.Text)
	}
	lu, _ := url.Parse(leadURL)
	base := lu.Scheme + "://" + lu.Host

	// A manager and an alert to acknowledge.
	mgrID, err := d.st.CreateRep(ctx, &store.Rep{Name: "Mia Manager", Email: "mia@desk.example", Active: false, Weight: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Inactive reps get no leads, but may not sign in either: make her
	// active after the lead went to Rita.
	mgr, _ := d.st.Rep(ctx, mgrID)
	mgr.Active = true
	if err := d.st.UpdateRep(ctx, mgr); err != nil {
		t.Fatal(err)
	}
	if err := d.st.SetRepRole(ctx, "mia@desk.example", store.RoleManager); err != nil {
		t.Fatal(err)
	}
	alert := &store.Alert{DedupeKey: "browser", Kind: "complaint_burst", Subject: "Three complaints from Acme today"}
	if _, _, err := d.st.CreateAlert(ctx, alert); err != nil {
		t.Fatal(err)
	}

	// Each person gets a browser (and profile) of their own.
	browser := func() context.Context { return newBrowser(t, chromium) }
	do := func(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browserDo(t, ctx, steps...)
	}
	text := func(ctx context.Context, sel string) string { t.Helper(); return browserText(t, ctx, sel) }
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	// The rep, in a browser of her own.
	rita := browser()
	do(rita, chromedp.Navigate(leadURL), chromedp.WaitVisible(css(`#lead-contacted`)), chromedp.Click(css(`#lead-contacted`)),
		chromedp.WaitVisible(css(`.notice`)))
	afterContacted := text(rita, `#lead-status`)
	do(rita, chromedp.SendKeys(css(`#won-value`), "7300"), chromedp.SendKeys(css(`#won-currency`), "EUR"),
		chromedp.Click(css(`#lead-won`)))
	// The page before the click has a notice too: wait for the new one.
	afterWon := waitText(t, rita, `#lead-status`, "won")
	if afterContacted != "contacted" || afterWon != "won" {
		t.Fatalf("lead status after the clicks: %q then %q", afterContacted, afterWon)
	}

	// The manager, in another browser.
	q, err := d.st.ListInquiries(ctx, store.InquiryFilter{ContactEmail: "cleo@farprospect.example"})
	if err != nil || len(q) == 0 {
		t.Fatalf("inquiry: %v %v", q, err)
	}
	mia := browser()
	// Today's report, as the report mail links it: the desk asks her to
	// sign in, mails her a link, and the link opens the report.
	before := len(d.signInMails("mia@desk.example"))
	do(mia, chromedp.Navigate(base+"/reports/today"), chromedp.WaitVisible(css(`input[name=email]`)),
		chromedp.SendKeys(css(`input[name=email]`), "mia@desk.example"), chromedp.Submit(css(`input[name=email]`)))
	waitText(t, mia, "h1", "Check your mail")
	magic := d.magicLink(t, "mia@desk.example", before)
	do(mia, chromedp.Navigate(magic), chromedp.WaitVisible(css(`#magic-sign-in`)), chromedp.Click(css(`#magic-sign-in`)),
		chromedp.WaitVisible(css(`#kpi-inquiries`)))
	reportText := text(mia, `main`)
	reportPath, err := chromedp.Run(mia, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	do(mia, chromedp.Click(css(`#nav-team`)), chromedp.WaitVisible(css(`#team-load`)))
	team := text(mia, `#team-load`)
	ack := fmt.Sprintf("#ack-%d", alert.ID)
	row := fmt.Sprintf("#alert-%d .state", alert.ID)
	do(mia, chromedp.Click(css(`#nav-alerts`)), chromedp.WaitVisible(css(ack)), chromedp.Click(css(ack)))
	// The click posts and the page reloads: wait for the new page's row,
	// not the old one, before the next step.
	alertState := waitText(t, mia, row, "acknowledged")
	search := func(words string) string {
		do(mia, chromedp.Navigate(base+"/desk/search"), chromedp.WaitVisible(css(`#search-q`)),
			chromedp.SendKeys(css(`#search-q`), words+"\n"), chromedp.WaitVisible(css(`#search-results`)))
		return text(mia, `#search-results`)
	}
	byRef, byWord := search(q[0].Reference), search("galvanised")
	if !strings.Contains(team, "Rita Rep") || !strings.Contains(team, "7,300.00") {
		t.Errorf("team view does not show Rita's win:\n%s", team)
	}
	if !strings.HasSuffix(reportPath, "/desk/reports/today") {
		t.Errorf("the report link ended at %s, want the desk's report", reportPath)
	}
	if !strings.Contains(reportText, "Rita Rep") || !strings.Contains(reportText, "7,300") {
		t.Errorf("today's report does not show Rita's win:\n%s", reportText)
	}
	if !strings.Contains(alertState, "acknowledged") || !strings.Contains(alertState, "Mia Manager") {
		t.Errorf("alert state after acknowledging: %q", alertState)
	}
	for name, got := range map[string]string{"reference": byRef, "body word": byWord} {
		if !strings.Contains(got, q[0].Reference) {
			t.Errorf("search by %s does not find %s:\n%s", name, q[0].Reference, got)
		}
	}
}

// waitText waits until the text of sel contains want and returns it. A
// click that posts a form reloads the page, and until the new page is
// there a query may find the old one or no page at all: those answers
// are retried, not failures.
func waitText(t *testing.T, ctx context.Context, sel, want string) string {
	t.Helper()
	var last string
	var lastErr error
	for ctx.Err() == nil {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`(function(){const e=document.querySelector(`+strconv.Quote(sel)+`);return e?e.innerText:""})()`))
		if err == nil && strings.Contains(v, want) {
			return strings.TrimSpace(v)
		}
		last, lastErr = v, err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never read %q: last %q, %v", sel, want, last, lastErr)
	return ""
}

// magicLink waits for the sign-in mail to addr after the first before
// and returns its link.
func (d e2eDesk) magicLink(t *testing.T, addr string, before int) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if msgs := d.signInMails(addr); len(msgs) > before {
			p, err := mailparse.Parse([]byte(msgs[len(msgs)-1]), mailparse.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if u := lastLink(p.Text, "/desk/magic/"); u != "" {
				return u
			}
			t.Fatalf("sign-in mail to %s has no link:\n%s", addr, p.Text)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("no sign-in link mailed to %s", addr)
	return ""
}
