package desk

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"salesdesk/internal/store"
)

// BenchmarkPages measures each desk page over a store holding
// DESK_BENCH_INQUIRIES inquiries (default 100,000), each from a stored
// mail, on SQLite. Seeding takes a while; run it alone:
//
//	go test -run '^$' -bench BenchmarkPages -benchtime 50x ./internal/desk/
func BenchmarkPages(b *testing.B) {
	n := 100000
	if v, err := strconv.Atoi(os.Getenv("DESK_BENCH_INQUIRIES")); err == nil && v > 0 {
		n = v
	}
	f := setup(b)
	start := time.Now()
	for i := range n {
		inID, _, _, err := f.st.SaveInboundMessage(f.ctx, &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: uint32(i + 100), Raw: []byte("x")})
		if err != nil {
			b.Fatal(err)
		}
		body := fmt.Sprintf("Hello, please quote %d units of part P-%d for our plant number %d.", i%500, i, i%97)
		if err := f.st.SetInboundParsed(f.ctx, inID, store.ParsedInbound{From: fmt.Sprintf("buyer%d@c%d.example", i, i%3000),
			Subject: fmt.Sprintf("Quote request %d", i), Text: body}); err != nil {
			b.Fatal(err)
		}
		q := &store.Inquiry{InboundMessageID: inID, ContactEmail: fmt.Sprintf("buyer%d@c%d.example", i, i%3000), Subject: "Quote", Category: "quote_request"}
		if i%10 == 0 {
			q.CustomerID = f.customer.ID
		}
		if _, _, err := f.st.CreateInquiry(f.ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d inquiries in %s", n, time.Since(start).Round(time.Second))
	rita := f.as(f.rita)
	mia := f.as(f.mia)
	pages := []struct {
		name string
		c    *client
		path string
	}{
		{"my_work", rita, "/desk/"},
		{"lead", rita, fmt.Sprintf("/desk/leads/%d", f.ritaLead.ID)},
		{"inquiry", rita, fmt.Sprintf("/desk/inquiries/%d", f.inquiry.ID)},
		{"account", rita, fmt.Sprintf("/desk/accounts/%d", f.customer.ID)},
		{"search_reference", rita, "/desk/search?q=" + f.inquiry.Reference},
		{"search_address", rita, "/desk/search?q=" + url.QueryEscape("buyer777@c777.example")},
		{"search_order", rita, "/desk/search?q=SO-48213"},
		{"search_words", rita, "/desk/search?q=" + url.QueryEscape("P-77777 plant")},
		{"team", mia, "/desk/team"},
		{"alerts", mia, "/desk/alerts"},
		{"order_requests", mia, "/desk/order-requests"},
		{"reports", mia, "/desk/reports"},
		{"report_today", mia, "/desk/reports/today"},
		{"report_last_30_days", mia, "/desk/reports/last-30-days"},
	}
	for _, p := range pages {
		b.Run(p.name, func(b *testing.B) {
			for b.Loop() {
				if code, body, _ := p.c.get(p.path); code != http.StatusOK {
					b.Fatalf("%s: %d %s", p.path, code, body)
				}
			}
		})
	}
}
