package main

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/crypto/bcrypt"

	"salesdesk/config"

	"salesdesk/internal/link"
	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// TestDeskInBrowser: a rep opens the lead link from their captured mail in
// Chromium, is signed in, marks the lead contacted and then won; a manager
// sees it on the team view and in today's report, acknowledges an alert,
// and finds the customer's mail by its reference and by a word in its
// body.
func TestDeskInBrowser(t *testing.T) {
	chromium, err := findChromium()
	if err != nil {
		testenv.Unavailable(t, "chromium", err)
	}
	// Managers read the KPI reports with their dashboard login.
	hash, err := bcrypt.GenerateFromPassword([]byte("manager-password"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	d := setupDesk(t, func(c *config.Config) {
		c.Web.Viewers = []config.WebUser{{Username: "manager", PasswordHash: config.Secret(hash)}}
	})
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
	signer, err := link.New([]byte(strings.Repeat("k", 40))) // testConfig's web.link_secret
	if err != nil {
		t.Fatal(err)
	}
	mgrLink := signer.PersonURL(base, "/desk/team", mgrID, time.Now().Add(time.Hour))

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
		chromedp.Click(css(`#lead-won`)), chromedp.WaitVisible(css(`.notice`)))
	afterWon := text(rita, `#lead-status`)
	if afterContacted != "contacted" || afterWon != "won" {
		t.Fatalf("lead status after the clicks: %q then %q", afterContacted, afterWon)
	}

	// The manager, in another browser.
	q, err := d.st.ListInquiries(ctx, store.InquiryFilter{ContactEmail: "cleo@farprospect.example"})
	if err != nil || len(q) == 0 {
		t.Fatalf("inquiry: %v %v", q, err)
	}
	mia := browser()
	do(mia, chromedp.Navigate(mgrLink), chromedp.WaitVisible(css(`#team-load`)))
	team := text(mia, `#team-load`)
	ack := fmt.Sprintf("#ack-%d", alert.ID)
	row := fmt.Sprintf("#alert-%d .state", alert.ID)
	do(mia, chromedp.Click(css(`#nav-alerts`)), chromedp.WaitVisible(css(ack)), chromedp.Click(css(ack)),
		chromedp.WaitVisible(css(row)))
	alertState := text(mia, row)
	search := func(words string) string {
		do(mia, chromedp.Navigate(base+"/desk/search"), chromedp.WaitVisible(css(`#search-q`)),
			chromedp.SendKeys(css(`#search-q`), words+"\n"), chromedp.WaitVisible(css(`#search-results`)))
		return text(mia, `#search-results`)
	}
	byRef, byWord := search(q[0].Reference), search("galvanised")
	// The report of today, with her dashboard login.
	do(mia, chromedp.Navigate(base+"/reports/today"), chromedp.WaitVisible(css(`#username`)),
		chromedp.SendKeys(css(`#username`), "manager"), chromedp.SendKeys(css(`#password`), "manager-password"),
		chromedp.Submit(css(`#password`)), chromedp.WaitVisible(css(`main table`)))
	reportText := text(mia, `main`)
	if !strings.Contains(team, "Rita Rep") || !strings.Contains(team, "7,300.00") {
		t.Errorf("team view does not show Rita's win:\n%s", team)
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
