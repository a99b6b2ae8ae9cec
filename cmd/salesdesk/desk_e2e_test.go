package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/store"
)

var mailURL = regexp.MustCompile(`https?://[^\s<>"')]+`)

// TestMailLinksOpenDeskPages follows every link in the mails a rep and the
// team get through the running process: each answers 200 for its
// recipient, the rep's "Open the lead" signs them in to the lead's desk
// page, and from there they mark the lead contacted and then won.
func TestMailLinksOpenDeskPages(t *testing.T) {
	d := setupDesk(t)
	d.deliver(t, "Bob Buyer <bob@bigprospect.example>", "Quote for 800 pallets",
		"Hello, we would like a quote for 800 euro pallets delivered to Antwerp next month. What would the price per unit be?\n\nBob Buyer\nPurchasing, Big Prospect NV")
	p := d.mailText(t, "rita@desk.example", "bob@bigprospect.example")
	urls := mailURL.FindAllString(p.Text, -1)
	if len(urls) == 0 {
		t.Fatalf("no links in the lead mail:\n%s", p.Text)
	}
	jar, _ := cookiejar.New(nil)
	rita := &http.Client{Jar: jar}
	var leadPage string
	for _, opened := range openAll(t, rita, urls) {
		if strings.Contains(opened, "/desk/leads/") {
			leadPage = opened
		}
	}
	if leadPage == "" {
		t.Fatalf("no link opened a desk lead page: %v", urls)
	}
	// Signed in by the link: the lead page offers the rep's buttons.
	body := get(t, rita, leadPage)
	if !strings.Contains(body, `id="lead-contacted"`) {
		t.Fatalf("lead page is not the rep's:\n%s", body)
	}
	base, _ := url.Parse(leadPage)
	post := func(action string, form url.Values) {
		t.Helper()
		resp, err := rita.PostForm(base.Scheme+"://"+base.Host+base.Path+"/"+action, form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", action, resp.StatusCode)
		}
	}
	post("contacted", url.Values{})
	post("won", url.Values{"value": {"5400"}, "currency": {"EUR"}})
	leads, err := d.st.ListLeads(context.Background(), store.LeadFilter{ContactEmail: "bob@bigprospect.example"})
	if err != nil || len(leads) != 1 || leads[0].Status != store.LeadWon || leads[0].ValueCents != 540000 {
		t.Fatalf("lead after contacted and won: %+v %v", leads, err)
	}

	// The team's hand-off mail opens the desk too (after a sign-in).
	d.deliver(t, "Ann <ann@acme.example>", "Invoice question",
		"Hello, our last invoice charges the wrong unit price for the pumps. Please send a corrected invoice.\n\nAnn")
	p = d.mailText(t, "team@example.com", "Invoice question")
	if opened := openAll(t, &http.Client{}, mailURL.FindAllString(p.Text, -1)); len(opened) == 0 {
		t.Errorf("no links in the hand-off:\n%s", p.Text)
	}
}

// openAll GETs every URL (following redirects) and checks each answers
// 200 and none points into the API; it returns the URLs they ended at.
func openAll(t *testing.T, c *http.Client, urls []string) []string {
	t.Helper()
	var opened []string
	for _, u := range urls {
		if strings.Contains(u, "/api/v1") {
			t.Errorf("mail links into the API: %s", u)
		}
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", u, resp.StatusCode)
		}
		opened = append(opened, resp.Request.URL.String())
	}
	return opened
}

// mailText waits for the mail to addr with want in it and parses it.
func (d e2eDesk) mailText(t *testing.T, addr, want string) *mailparse.Message {
	t.Helper()
	_, raw := d.mailTo(t, addr, want)
	p, err := mailparse.Parse([]byte(raw), mailparse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	_, body := fetch(t, c, u)
	return body
}

// fetch GETs u (following redirects) and returns the status and body.
func fetch(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}
