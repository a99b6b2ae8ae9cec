package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/store"
)

func TestMagicLinkSignIn(t *testing.T) {
	f := setup(t)
	c := f.client("")

	code, body, _ := c.post("/desk/sign-in", url.Values{"email": {"stranger@example.com"}})
	if code != http.StatusOK || !strings.Contains(body, "If that address belongs") || f.mailCount() != 0 {
		t.Fatalf("unknown address: %d, %d mails\n%s", code, f.mailCount(), body)
	}
	next := fmt.Sprintf("/desk/leads/%d", f.ritaLead.ID)
	code, body2, _ := c.post("/desk/sign-in", url.Values{"email": {"Rita@OurCo.example"}, "next": {next}})
	if code != http.StatusOK || body2 != body {
		t.Fatalf("known address answered differently from an unknown one: %d", code)
	}
	path, m := f.lastMagicPath()
	if m.To[0] != "rita@ourco.example" || m.From != "desk@ourco.example" {
		t.Fatalf("mail to %v from %q", m.To, m.From)
	}
	// The expiry is told in Rita's timezone (Los Angeles), zone shown.
	if !strings.Contains(m.BodyText, "Mon 30 Nov 2026 02:15 PST") {
		t.Errorf("expiry not in the reader's timezone:\n%s", m.BodyText)
	}

	// Following the link only asks; a scanner fetching it signs nobody in.
	code, body, _ = c.get(path)
	if code != http.StatusOK || !strings.Contains(body, `id="magic-sign-in"`) {
		t.Fatalf("confirm page: %d\n%s", code, body)
	}
	if code, _, loc := c.get("/desk/"); code != http.StatusSeeOther || !strings.HasPrefix(loc, "/desk/sign-in") {
		t.Fatalf("signed in by a GET: %d %q", code, loc)
	}
	code, _, loc := c.post(path, nil)
	if code != http.StatusSeeOther || loc != next {
		t.Fatalf("sign in: %d to %q, want %q", code, loc, next)
	}
	if code, body, _ := c.get(next); code != http.StatusOK || !strings.Contains(body, "Rita Rep") {
		t.Fatalf("after sign-in: %d", code)
	}
	// Single use.
	if code, _, _ := f.client("").post(path, nil); code != http.StatusGone {
		t.Errorf("second use: %d, want 410", code)
	}

	// Expiring.
	c.post("/desk/sign-in", url.Values{"email": {"rita@ourco.example"}})
	path, _ = f.lastMagicPath()
	f.clock.Add(DefaultSignInTTL + time.Second)
	if code, _, _ := f.client("").post(path, nil); code != http.StatusGone {
		t.Errorf("expired link: %d, want 410", code)
	}

	// Rate-limited: DefaultSignInLimit an hour, counted per person.
	f.clock.Add(2 * time.Hour)
	before := f.mailCount()
	for range DefaultSignInLimit + 2 {
		c.post("/desk/sign-in", url.Values{"email": {"otto@ourco.example"}})
	}
	if got := f.mailCount() - before; got != DefaultSignInLimit {
		t.Errorf("%d sign-in mails in an hour, want %d", got, DefaultSignInLimit)
	}
}

func TestPersonLink(t *testing.T) {
	f := setup(t)
	path := fmt.Sprintf("/desk/leads/%d", f.ritaLead.ID)
	u := f.signer.PersonURL(f.srv.URL, path, f.rita.ID, f.clock.Now().Add(72*time.Hour))

	c := f.client("")
	code, _, loc := c.get(u)
	if code != http.StatusSeeOther || loc != path {
		t.Fatalf("person link: %d to %q", code, loc)
	}
	if code, body, _ := c.get(path); code != http.StatusOK || !strings.Contains(body, `id="lead-contacted"`) {
		t.Fatalf("lead page after the link: %d", code)
	}

	// The signature covers the page and the person.
	tampered := strings.Replace(u, path, fmt.Sprintf("/desk/leads/%d", f.ottoLead.ID), 1)
	if code, _, _ := f.client("").get(tampered); code != http.StatusForbidden {
		t.Errorf("link moved to another page: %d, want 403", code)
	}
	other := strings.Replace(u, fmt.Sprintf("as=%d", f.rita.ID), fmt.Sprintf("as=%d", f.otto.ID), 1)
	if code, _, _ := f.client("").get(other); code != http.StatusForbidden {
		t.Errorf("link moved to another person: %d, want 403", code)
	}

	// Expired: nobody is signed in, but the person can get a fresh link.
	f.clock.Add(73 * time.Hour)
	c = f.client("")
	code, body, _ := c.get(u)
	if code != http.StatusGone || !strings.Contains(body, "Mail me a new sign-in link") {
		t.Fatalf("expired link: %d\n%s", code, body)
	}
	q, _ := url.Parse(u)
	form := url.Values{"path": {path}}
	for _, k := range []string{"as", "exp", "sig"} {
		form.Set(k, q.Query().Get(k))
	}
	c.post("/desk/sign-in/renew", form)
	magic, m := f.lastMagicPath()
	if m.To[0] != "rita@ourco.example" {
		t.Fatalf("renewal mailed to %v", m.To)
	}
	if code, _, loc := c.post(magic, nil); code != http.StatusSeeOther || loc != path {
		t.Fatalf("renewed sign-in: %d to %q", code, loc)
	}
}

func TestLeadActions(t *testing.T) {
	f := setup(t)
	rita := f.as(f.rita)
	lp := fmt.Sprintf("/desk/leads/%d", f.ritaLead.ID)

	// Otto may look but not touch.
	if code, _, _ := f.as(f.otto).post(lp+"/contacted", nil); code != http.StatusForbidden {
		t.Fatalf("other rep marked contacted: %d", code)
	}
	if code, _, loc := rita.post(lp+"/contacted", nil); code != http.StatusSeeOther || !strings.HasPrefix(loc, lp) {
		t.Fatalf("contacted: %d %q", code, loc)
	}
	if l, _ := f.st.Lead(f.ctx, f.ritaLead.ID); l.Status != store.LeadContacted {
		t.Fatalf("status %q after contacted", l.Status)
	}
	if code, _, _ := rita.post(lp+"/won", url.Values{"value": {"12,500.50"}, "currency": {"eur"}}); code != http.StatusSeeOther {
		t.Fatalf("won: %d", code)
	}
	l, _ := f.st.Lead(f.ctx, f.ritaLead.ID)
	if l.Status != store.LeadWon || l.ValueCents != 1250050 {
		t.Fatalf("after won: %q %d", l.Status, l.ValueCents)
	}
	_, body, _ := rita.get(lp)
	if !strings.Contains(body, "value EUR 12,500.50") || strings.Contains(body, `id="lead-won"`) {
		t.Errorf("lead page after won misses the value or still offers actions")
	}

	// The manager sees it on the team view and can act on Otto's lead.
	mia := f.as(f.mia)
	_, team, _ := mia.get("/desk/team")
	if !strings.Contains(team, "Rita Rep") || !strings.Contains(team, "12,500.50") {
		t.Errorf("team view misses Rita's win:\n%s", team)
	}
	if code, _, _ := mia.post(fmt.Sprintf("/desk/leads/%d/lost", f.ottoLead.ID), url.Values{"reason": {"price"}}); code != http.StatusSeeOther {
		t.Fatalf("manager lost: %d", code)
	}
	if l, _ := f.st.Lead(f.ctx, f.ottoLead.ID); l.Status != store.LeadLost || l.LostReason != "price" {
		t.Errorf("after lost: %q %q", l.Status, l.LostReason)
	}
	for _, reason := range []string{"", "they hated us"} {
		if code, _, _ := rita.post(lp+"/lost", url.Values{"reason": {reason}}); code != http.StatusBadRequest {
			t.Errorf("lost for %q, not a configured reason: %d", reason, code)
		}
	}
}

func TestMyWorkInReadersTimezone(t *testing.T) {
	f := setup(t)
	_, body, _ := f.as(f.rita).get("/desk/")
	// Assigned at 10:00 UTC with a 4 h SLA: due 14:00 UTC, 06:00 in LA.
	for _, want := range []string{"400 flanges", "Mon 30 Nov 2026 06:00 PST", "4h 00m left", "Quote for flanges"} {
		if !strings.Contains(body, want) {
			t.Errorf("my work misses %q", want)
		}
	}
	if strings.Contains(body, "Pumps for Globex") {
		t.Error("my work shows another rep's lead")
	}
	_, body, _ = f.as(f.otto).get(fmt.Sprintf("/desk/leads/%d", f.ottoLead.ID))
	if !strings.Contains(body, "CET") {
		t.Error("Otto's lead page is not in Berlin time")
	}
}

func TestInquiryThread(t *testing.T) {
	f := setup(t)
	rita := f.as(f.rita)
	ip := fmt.Sprintf("/desk/inquiries/%d", f.inquiry.ID)
	_, body, _ := rita.get(ip)
	for _, want := range []string{f.inquiry.Reference, "stainless flanges", "a rep sends your quotation", "Sent by us", "Rita Rep"} {
		if !strings.Contains(body, want) {
			t.Errorf("inquiry page misses %q", want)
		}
	}
	if code, _, _ := rita.post(ip+"/label", url.Values{"category": {"order_change"}}); code != http.StatusSeeOther {
		t.Fatalf("relabel: %d", code)
	}
	if len(f.relabel) != 1 || f.relabel[0] != "order_change by desk:Rita Rep" {
		t.Errorf("relabel calls %v", f.relabel)
	}
	if code, _, _ := rita.post(ip+"/label", url.Values{"category": {"nonsense"}}); code != http.StatusBadRequest {
		t.Errorf("unknown category: %d", code)
	}
}

func TestAlertsAcknowledgeResolve(t *testing.T) {
	f := setup(t)
	other := &store.Alert{DedupeKey: "a2", Kind: "bounce_rate", Subject: "Bounces up"}
	_, _, err := f.st.CreateAlert(f.ctx, other)
	f.must(err)
	mia := f.as(f.mia)
	ap := fmt.Sprintf("/desk/alerts/%d", f.alert.ID)
	if code, _, _ := mia.post(ap+"/acknowledge", nil); code != http.StatusSeeOther {
		t.Fatalf("acknowledge: %d", code)
	}
	_, body, _ := mia.get("/desk/alerts?state=acknowledged")
	if !strings.Contains(body, "3 complaints from Acme") || !strings.Contains(body, "by Mia Manager") || strings.Contains(body, "Bounces up") {
		t.Errorf("acknowledged filter:\n%s", body)
	}
	_, body, _ = mia.get("/desk/alerts?kind=bounce_rate")
	if strings.Contains(body, "3 complaints") || !strings.Contains(body, "Bounces up") {
		t.Errorf("kind filter wrong")
	}
	mia.post(ap+"/resolve", nil)
	_, body, _ = mia.get("/desk/alerts")
	if strings.Contains(body, "3 complaints from Acme") {
		t.Errorf("resolved alert still active")
	}
	if a, _ := f.st.Alert(f.ctx, f.alert.ID); a.Status != store.AlertClosed {
		t.Errorf("status %q", a.Status)
	}
}

func TestSearch(t *testing.T) {
	f := setup(t)
	rita := f.as(f.rita)
	tests := []struct {
		name, q, want string
	}{
		{"reference", strings.ToLower(f.inquiry.Reference), fmt.Sprintf(`/desk/inquiries/%d`, f.inquiry.ID)},
		{"body word", f.inboundWord + " STAINLESS", fmt.Sprintf(`/desk/inquiries/%d`, f.inquiry.ID)},
		{"address", "ANN@acme.com", fmt.Sprintf(`/desk/leads/%d`, f.ritaLead.ID)},
		{"customer name", "acme", fmt.Sprintf(`/desk/accounts/%d`, f.customer.ID)},
		{"order number", "so-48213", fmt.Sprintf(`/desk/accounts/%d`, f.customer.ID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := rita.get("/desk/search?q=" + url.QueryEscape(tt.q))
			if code != http.StatusOK || !strings.Contains(body, tt.want) {
				t.Errorf("search %q: %d, no %s", tt.q, code, tt.want)
			}
		})
	}
	_, body, _ := rita.get("/desk/search?q=" + url.QueryEscape("flanges 100%_off"))
	if strings.Contains(body, "search-results") {
		t.Error("wildcards in the query matched")
	}
}

func TestOrderRequestsQueue(t *testing.T) {
	f := setup(t)
	ada := f.as(f.ada)
	_, body, _ := ada.get("/desk/order-requests")
	if !strings.Contains(body, "Please ship by Friday") || !strings.Contains(body, "SO-48213") {
		t.Fatalf("queue misses the request:\n%s", body)
	}
	if code, _, _ := ada.post(fmt.Sprintf("/desk/order-requests/%d/done", f.request.ID), url.Values{"note": {"Shipped Friday"}}); code != http.StatusSeeOther {
		t.Fatalf("done: %d", code)
	}
	_, body, _ = ada.get("/desk/order-requests")
	if strings.Contains(body, "Please ship by Friday") {
		t.Error("done request still open")
	}
	_, body, _ = ada.get(fmt.Sprintf("/desk/accounts/%d", f.customer.ID))
	for _, want := range []string{"Ann Buyer", "SO-48213", "EUR 1,240.00", "rush request", "400 flanges", f.inquiry.Reference} {
		if !strings.Contains(body, want) {
			t.Errorf("account timeline misses %q", want)
		}
	}
}

// TestAccountPageSaysWhatItLeavesOut: an account with more orders than
// a page lists shows the newest, says so, and keeps its timeline to the
// span every list covers in full.
func TestAccountPageSaysWhatItLeavesOut(t *testing.T) {
	f := setup(t)
	ada := f.as(f.ada)
	path := fmt.Sprintf("/desk/accounts/%d", f.customer.ID)
	_, body, _ := ada.get(path)
	if strings.Contains(body, "account-more-orders") || strings.Contains(body, "account-since") {
		t.Fatal("a small account says it leaves something out")
	}
	for i := range pageLimit + 1 {
		f.clock.Add(time.Minute)
		o := &store.Order{CustomerID: f.customer.ID, Number: fmt.Sprintf("SO-9%04d", i), Status: "processing", Currency: "EUR", AmountCents: 100}
		if _, err := f.st.CreateOrder(f.ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	_, body, _ = ada.get(path)
	for _, want := range []string{"SO-90100", "SO-90001", `id="account-more-orders"`, "The newest 100 orders", `id="account-since"`} {
		if !strings.Contains(body, want) {
			t.Errorf("account page misses %q", want)
		}
	}
	// The oldest new order, the first one and the lead and inquiry from
	// before them are older than the newest 100 orders.
	for _, gone := range []string{"SO-90000", "SO-48213", "400 flanges", fmt.Sprintf(`href="/desk/inquiries/%d"`, f.inquiry.ID)} {
		if strings.Contains(body, gone) {
			t.Errorf("account page shows %q, older than the orders it lists", gone)
		}
	}
}

func TestSafeNext(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/desk/leads/4", "/desk/leads/4"},
		{"/desk/search?q=a", "/desk/search?q=a"},
		{"https://evil.example/desk/", "/desk/"},
		{"//evil.example/desk/", "/desk/"},
		{"/monitoring/", "/desk/"},
		{`/desk/\evil`, "/desk/"},
		{"/desk/magic/abc", "/desk/"},
		{"", "/desk/"},
	}
	for _, tt := range tests {
		if got := safeNext(tt.in); got != tt.want {
			t.Errorf("safeNext(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestLeadPageShowsScore: the lead page shows the score and the three
// factors the rep's mail gave, and a won value with its currency.
func TestLeadPageShowsScore(t *testing.T) {
	f := setup(t)
	rita := f.as(f.rita)
	lp := fmt.Sprintf("/desk/leads/%d", f.ritaLead.ID)
	if _, body, _ := rita.get(lp); strings.Contains(body, `id="lead-score"`) {
		t.Error("an unscored lead shows a score")
	}
	factors := `[{"name":"quantity","label":"asks for 400 units","contribution":1.2},` +
		`{"name":"budget","label":"mentions a budget","contribution":0.6},{"name":"orders","label":"no past orders","contribution":-0.3}]`
	if err := f.st.SetLeadScore(f.ctx, f.ritaLead.ID, 72, factors); err != nil {
		t.Fatal(err)
	}
	_, body, _ := rita.get(lp)
	if want := `<td id="lead-score">72 of 100: asks for 400 units; mentions a budget; no past orders</td>`; !strings.Contains(body, want) {
		t.Errorf("lead page misses %s", want)
	}
	if code, _, _ := rita.post(lp+"/won", url.Values{"value": {"900"}, "currency": {"usd"}}); code != http.StatusSeeOther {
		t.Fatalf("won: %d", code)
	}
	if _, body, _ = rita.get(lp); !strings.Contains(body, "<td>USD 900.00</td>") || !strings.Contains(body, `id="lead-reopen"`) {
		t.Error("won lead page shows the value without its currency, or offers no reopen")
	}
	// Reopened, as the won/lost link's "already decided" page tells the rep.
	if code, _, _ := rita.post(lp+"/reopen", nil); code != http.StatusSeeOther {
		t.Fatalf("reopen: %d", code)
	}
	if l, _ := f.st.Lead(f.ctx, f.ritaLead.ID); l.Status != store.LeadAssigned {
		t.Errorf("status %q after reopen, want assigned (it was never contacted)", l.Status)
	}
	if code, _, _ := rita.post(lp+"/reopen", nil); code != http.StatusConflict {
		t.Errorf("reopening an open lead: %d, want 409", code)
	}
}
