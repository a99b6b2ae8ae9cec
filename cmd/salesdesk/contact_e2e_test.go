package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"salesdesk/internal/store"
	"salesdesk/internal/testenv"
)

// TestRepBccReplyIsFirstContact: the rep answers a new lead from their own
// mailbox with the sales inbox in Bcc. The copy appended to Dovecot
// records the lead's first contact (so the SLA chase ends: it only chases
// leads still "assigned"), and is neither made an inquiry nor
// acknowledged.
func TestRepBccReplyIsFirstContact(t *testing.T) {
	d := setupDesk(t)
	ctx := context.Background()
	reqID := d.deliver(t, "Bob Buyer <bob@newprospect.example>", "Quote for 800 pallets",
		"Hello, we would like a quote for 800 euro pallets delivered to Rotterdam next month. What would the price per unit be?\n\nBob Buyer\nPurchasing, New Prospect BV")
	d.mailTo(t, "rita@desk.example", "800 pallets") // the lead mail: the lead is assigned
	var l store.Lead
	waitFor(t, startupLimit, func() bool {
		ls, err := d.st.ListLeads(ctx, store.LeadFilter{ContactEmail: "bob@newprospect.example"})
		if err != nil || len(ls) != 1 || ls[0].Status != store.LeadAssigned {
			return false
		}
		l = ls[0]
		return true
	})

	// Rita's reply as the inbox receives it: To the customer, the inbox
	// only in the (invisible) Bcc, threaded by In-Reply-To.
	replyID := testenv.RandomName(8) + "@desk.example"
	sent := time.Now().Add(-time.Second).Truncate(time.Second)
	d.appendRaw(t, fmt.Sprintf("From: Rita Rep <rita@desk.example>\r\nTo: Bob Buyer <bob@newprospect.example>\r\n"+
		"Subject: Re: Quote for 800 pallets\r\nMessage-ID: <%s>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\nDate: %s\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello Bob, 800 pallets are 9.80 EUR each. Rita\r\n",
		replyID, reqID, reqID, sent.Format(time.RFC1123Z)))
	d.waitProcessed(t, replyID)

	got, err := d.st.Lead(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.LeadContacted || got.FirstContactVia != store.ContactViaReply || !got.FirstContactAt.Equal(sent) {
		t.Errorf("lead after the rep's reply: status %s, first contact %s via %q; want contacted at %s via reply",
			got.Status, got.FirstContactAt, got.FirstContactVia, sent)
	}
	t.Logf("time to first contact: %s", got.FirstContactAt.Sub(got.CreatedAt).Round(time.Second))
	ids, err := d.st.InboundByMessageID(ctx, replyID)
	if err != nil || len(ids) != 1 {
		t.Fatalf("stored reply: %v, %v", ids, err)
	}
	// No inquiry, hence no acknowledgement (it is sent for an inquiry).
	if q, err := d.st.InquiryByInboundMessage(ctx, ids[0]); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the rep's reply became inquiry %+v (%v)", q, err)
	}
	for _, m := range d.smtp.Messages() {
		for _, to := range m.To {
			if to == "rita@desk.example" && strings.Contains(string(m.Data), "Re: Quote for 800 pallets") {
				t.Errorf("the rep's reply was answered:\n%s", m.Data)
			}
		}
	}
}
