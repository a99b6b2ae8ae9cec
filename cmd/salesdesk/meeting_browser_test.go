package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"salesdesk/config"
	"salesdesk/internal/testenv"
)

// TestMeetingPagesInBrowser: against the real process, a customer's
// meeting request brings a mail with slot links; in Chromium the first
// link opens the slot page and its button books the meeting. The rep's
// invitation then links to the meeting page, which shows the booked time
// and the rep's Move and Cancel buttons.
func TestMeetingPagesInBrowser(t *testing.T) {
	chromium, err := findChromium()
	if err != nil {
		testenv.Unavailable(t, "chromium", err)
	}
	// A meeting changes the account's calendar: only an authenticated
	// sender books one, here by the trusted server's DMARC pass.
	d := setupDesk(t, func(c *config.Config) { c.SenderAuth.TrustedAuthServIDs = []string{"mx.desk.example"} })
	d.appendRaw(t, "Authentication-Results: mx.desk.example; dmarc=pass header.from=acme.example\r\n"+
		"From: Ann <ann@acme.example>\r\nTo: sales@desk.example\r\nSubject: Meeting to see the pump demo\r\n"+
		"Message-ID: <"+testenv.RandomName(8)+"@acme.example>\r\nDate: "+time.Now().Format(time.RFC1123Z)+"\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"+
		"Hello,\r\n\r\ncould we meet next Tuesday at 3pm for a demo of the new pumps?\r\n\r\nAnn\r\n")
	slots := d.mailText(t, "ann@acme.example", "/meetings/slots/")
	slotURL := lastLink(slots.Text, "/meetings/slots/") // any slot of the three
	if slotURL == "" {
		t.Fatalf("no slot link in the customer's mail:\n%s", slots.Text)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }

	ann := newBrowser(t, chromium)
	browserDo(t, ann, chromedp.Navigate(slotURL), chromedp.WaitVisible(css(`#title`)))
	asked, details := browserText(t, ann, `#title`), browserText(t, ann, `table`)
	browserDo(t, ann, chromedp.Click(css(`form button`)), chromedp.WaitVisible(css(`h1.done`)))
	booked := browserText(t, ann, `#title`)
	if asked != "Book this meeting?" || !strings.Contains(details, "Meeting to see the pump demo") || booked != "Your meeting is booked" {
		t.Fatalf("slot page %q (%s), after the click %q", asked, details, booked)
	}

	invite := d.mailText(t, "rita@desk.example", "Invitation: Meeting to see the pump demo")
	viewURL := lastLink(invite.Text, "/view?")
	if viewURL == "" {
		t.Fatalf("no meeting page link in the rep's invitation:\n%s", invite.Text)
	}
	rita := newBrowser(t, chromium)
	browserDo(t, rita, chromedp.Navigate(viewURL), chromedp.WaitVisible(css(`#title`)))
	title, page := browserText(t, rita, `#title`), browserText(t, rita, `main`)
	if title != "Meeting to see the pump demo" {
		t.Errorf("meeting page title %q", title)
	}
	for _, want := range []string{"confirmed", "ann@acme.example", "Move the meeting", "Cancel the meeting"} {
		if !strings.Contains(page, want) {
			t.Errorf("meeting page lacks %q:\n%s", want, page)
		}
	}
}
