package mailer

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current templates")

var (
	t0       = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)
	hostile  = "Bob <script>alert(1)</script>"
	crlfSubj = "Where is my order?\r\nBcc: evil@example.net"
	bodyText = "Hi,\r\n\r\nwhere is PO 4471? We needed it on Monday.\r\n<img src=x onerror=alert(1)>\r\n\r\nThanks,\r\nBob\x1b[31m"
)

var account = AccountSummary{
	Company:  `Brightwater & Sons "Ltd" <b>`,
	OwnerRep: "Dana Reyes",
	OpenOrders: []OrderSummary{
		{Number: "SO-104233", Status: "in production", Total: "EUR 12,480.00", ExpectedAt: t0.AddDate(0, 0, 10)},
		{Number: "SO-104251", Status: "awaiting payment", Total: "EUR 980.00"},
	},
	OpenLeads: []LeadSummary{
		{Reference: "L-398", Title: "Cold-room shelving, 3 sites", Status: "contacted", Rep: "Dana Reyes", CreatedAt: t0.AddDate(0, 0, -6)},
	},
	PastInquiries: []InquirySummary{
		{Reference: "SD-1090", Category: "billing", Subject: "Invoice 88231 </td><script>x()</script>", Status: "closed", ReceivedAt: t0.AddDate(0, -1, 0)},
		{Reference: "SD-1151", Category: "order_status", Subject: "Delivery date?", Status: "answered", ReceivedAt: t0.AddDate(0, 0, -12)},
	},
}

// goldenCases renders every default template with realistic data that
// includes hostile values: markup, CRLF header injection attempts, terminal
// escapes and a javascript: URL.
func goldenCases() []struct {
	name     string
	template string
	data     any
} {
	return append([]struct {
		name     string
		template string
		data     any
	}{
		{"report", "report", reportCase()},
		{"anomaly_alert", "anomaly_alert", anomalyAlertCase()},
		{"alert_digest", "alert_digest", alertDigestCase()},
		{"ack", "ack", AckData{CustomerName: hostile, Reference: "SD-1234", Category: "order_status", Subject: crlfSubj}},
		{"ack_quote_noname", "ack", AckData{Reference: "SD-1235", Category: "quote_request", Subject: "Re: quote for 40 pallets [SD-1235]"}},
		{"ack_owner", "ack", AckData{CustomerName: "Bob Marsh", Reference: "SD-1237", Category: "complaint", Subject: "Damaged delivery",
			Who: "Rita Rep", WhoOwnsAccount: true, Signer: Signer{Name: "Rita Rep", Title: "Account Manager", Phone: "+49 421 555 0123", Email: "rita@ourco.example"}}},
		{"ack_nextstep", "ack", AckData{CustomerName: "Mia", Reference: "SD-1236", Category: "other", NextStep: "Our team will reply <today>.", Subject: ""}},
		{"handoff", "handoff", HandoffData{
			RepName: "Dana", Reference: "SD-1234", Category: "complaint", CustomerName: hostile,
			CustomerEmail: "bob@brightwater.example", Subject: crlfSubj, Body: bodyText, ReceivedAt: t0,
			InquiryURL: "https://desk.example.com/inquiries/1234", Account: account, KnownCustomer: true,
		}},
		{"handoff_unknown", "handoff", HandoffData{
			Reference: "SD-1240", Category: "support", CustomerEmail: "someone@unknown.example",
			Subject: "Help with login", Body: "I cannot log in.", ReceivedAt: t0,
		}},
		{"triage", "triage", TriageData{
			Reference: "SD-1241", From: `"Eve" <eve@example.net>`, Subject: crlfSubj, Body: bodyText, ReceivedAt: t0,
			Suggested: "order_status", Confidence: 0.42, InquiryURL: "https://desk.example.com/inquiries/1241",
			LinksExpire: t0.Add(72 * time.Hour),
			Links: []CategoryLink{
				{Category: "order_status", URL: "https://desk.example.com/t/1241/order_status?sig=abc&exp=1742203800"},
				{Category: "quote_request", URL: "https://desk.example.com/t/1241/quote_request?sig=def&exp=1742203800"},
				{Category: "complaint", URL: "javascript:alert(document.cookie)"},
			},
		}},
		{"unsubscribe_confirm", "unsubscribe_confirm", UnsubscribeConfirmData{CustomerName: hostile, Email: "bob@brightwater.example", Reference: "SD-1242", Subject: "unsubscribe"}},
		{"order_status", "order_status", OrderStatusData{
			CustomerName: "Bob Marsh", Reference: "SD-1243", Subject: "Status of SO-104233?",
			Orders: []OrderState{{OrderNumber: "SO-104233", Status: "shipped", Note: "left our warehouse in Bremen",
				ExpectedAt: t0.AddDate(0, 0, 3), Carrier: "DHL", TrackingURL: "https://track.example.com/?id=JD014600&lang=en",
				Items: []OrderItem{
					{SKU: "SH-200", Description: "Shelving unit 200 cm <b>galvanised</b>", Quantity: 12},
					{SKU: "SH-BR", Description: "Bracket set", Quantity: 48, Status: "back-ordered"},
				}}},
			Signer: Signer{Name: "Dana Reyes", Title: "Account Manager", Phone: "+44 20 7946 0100", Email: "dana@ourco.example"},
		}},
		{"order_status_two_and_not_found", "order_status", OrderStatusData{
			CustomerName: "Bob Marsh", Reference: "SD-1252", Subject: "Re: Re: Status of SO-18812 and SO-13853 and SO-99999",
			Orders: []OrderState{
				{OrderNumber: "SO-18812", Status: "in production", ExpectedAt: t0.AddDate(0, 0, 9)},
				{OrderNumber: "SO-13853", Status: "shipped", Carrier: "DHL"},
			},
			NotFound: []string{"SO-99999"},
		}},
		{"order_status_hostile_url", "order_status", OrderStatusData{
			CustomerName: hostile, Reference: "SD-1244", Subject: crlfSubj,
			Orders: []OrderState{{OrderNumber: "SO-1<x>", Status: "in production", TrackingURL: "javascript:alert(1)"}},
		}},
		{"order_status_several", "order_status", OrderStatusData{
			CustomerName: "Bob Marsh", Reference: "SD-1254", Subject: "",
			Orders: []OrderState{
				{OrderNumber: "SO-18812", Status: "in production", ExpectedAt: t0.AddDate(0, 0, 9)},
				{OrderNumber: "SO-13853", Status: "shipped", Carrier: "DHL", TrackingURL: "https://track.example.com/?id=JD014601"},
				{OrderNumber: "SO-20001", Status: "received, waiting for confirmation"},
			},
			NotFound: []string{"SO-99998", "SO-99999"},
		}},
		{"order_unknown", "order_unknown", OrderUnknownData{CustomerName: "Bob", Reference: "SD-1246", Subject: "order 99999?", OrderNumbers: []string{"99999<script>"}, FormatHint: "SO-123456"}},
		{"order_unknown_none", "order_unknown", OrderUnknownData{Reference: "SD-1247", Subject: "where is my stuff"}},
		{"order_request_new", "order_request_confirm", OrderRequestConfirmData{
			CustomerName: "Ana Ortiz", Reference: "SD-1253", Subject: "Rush order: 250 x Stainless hex bolts, FS-0810",
			Request: "Rush order: 250 x Stainless hex bolts, FS-0810", Rush: true, Hours: "Mon-Fri 08:00-17:00 CET",
			Items: []OrderItem{{SKU: "FS-0810", Description: "Stainless hex bolts", Quantity: 250}},
		}},
		{"order_request_notify_new", "order_request_notify", OrderRequestNotifyData{
			RecipientName: "", Reference: "SD-1253", CustomerName: "Ana Ortiz", CustomerEmail: "ana@client.example", Company: "Client AG",
			Request: "Rush order: 250 x Stainless hex bolts, FS-0810", Rush: true, Body: "Rush order: 250 x Stainless hex bolts, FS-0810\nThanks, Ana",
			Items: []OrderItem{{SKU: "FS-0810", Description: "Stainless hex bolts", Quantity: 250}},
		}},
		{"order_request_done", "order_request_decided", OrderRequestDecidedData{
			CustomerName: "Ana Ortiz", Reference: "SD-1248", Subject: "Partial shipment of SO-104233", OrderNumber: "SO-104233",
			Request: "Ship 6 of the 12 units now", Done: true, Note: "The 6 units leave our warehouse on Thursday.",
			Signer: Signer{Name: "Dana Reyes", Title: "Account manager", Phone: "+49 30 1234 5678"},
		}},
		{"order_request_rejected", "order_request_decided", OrderRequestDecidedData{
			Reference: "SD-1249", Subject: crlfSubj, OrderNumber: "SO-104251", Request: "Cancel the order <now>",
		}},
		{"order_request_confirm", "order_request_confirm", OrderRequestConfirmData{
			CustomerName: hostile, Reference: "SD-1248", Subject: crlfSubj, OrderNumber: "SO-104233",
			Request: "Ship 6 of the 12 units now, the rest with the next order <urgent>", Rush: true, RequestedDate: t0.AddDate(0, 0, 2),
		}},
		{"order_request_notify", "order_request_notify", OrderRequestNotifyData{
			RecipientName: "Dana", Reference: "SD-1248", CustomerName: hostile, CustomerEmail: "bob@brightwater.example",
			Company: account.Company, OrderNumber: "SO-104233", OrderStatus: "in production",
			Request: "Partial shipment: 6 of 12 units", Rush: true, RequestedDate: t0.AddDate(0, 0, 2), Body: bodyText,
			InquiryURL: "https://desk.example.com/inquiries/1248",
		}},
		{"order_request_notify_plain", "order_request_notify", OrderRequestNotifyData{
			Reference: "SD-1249", CustomerEmail: "ops@client.example", Request: "Change delivery address", Body: "Please deliver to dock 4.",
		}},
		{"lead_assigned", "lead_assigned", LeadAssignedData{
			RepName: "Dana", Lead: "L-412", Reference: "SD-1250", CustomerName: hostile, CustomerEmail: "bob@brightwater.example",
			Company: account.Company, Phone: "+44 20 7946 0958\r\nX-Evil: 1", Subject: "Quote for 40 cold-room racks", Body: bodyText,
			ReceivedAt: t0, RespondBy: t0.Add(4 * time.Hour), Account: account,
			AcceptURL:    "https://desk.example.com/l/1250/accept?sig=a1",
			ContactedURL: "https://desk.example.com/l/1250/contacted?sig=a2",
			NotMineURL:   "https://desk.example.com/l/1250/not-mine?sig=a3",
			LeadURL:      "https://desk.example.com/leads/1250",
			WonURL:       "https://desk.example.com/leads/1250/won?sig=a4",
			LostURL:      "https://desk.example.com/leads/1250/lost?sig=a5",
		}},
		{"lead_update", "lead_update", LeadUpdateData{
			RepName: "Dana", Lead: "L-412", Reference: "SD-1250", LeadSubject: "Re: Quote for 40 cold-room racks", NewReference: "SD-1262",
			CustomerName: "Ana Ortiz", CustomerEmail: "ana@brightwater.example", Subject: "Also 10 door kits, please",
			Body: "Could you add 10 door kits to the quote?", ReceivedAt: t0, LeadURL: "https://desk.example.com/leads/1250",
		}},
		{"lead_reminder", "lead_reminder", LeadReminderData{
			RepName: "Dana", Lead: "L-412", Reference: "SD-1250", CustomerName: hostile, Company: "Brightwater", Subject: crlfSubj,
			AssignedAt: t0, RespondBy: t0.Add(4 * time.Hour), Overdue: true,
			AcceptURL: "https://desk.example.com/l/1250/accept?sig=a1", LeadURL: "https://desk.example.com/leads/1250",
		}},
		{"lead_reminder_due", "lead_reminder", LeadReminderData{
			RepName: "Sam", Lead: "L-413", CustomerName: "Ana Ortiz", Subject: "Pricing for 2026",
			AssignedAt: t0, RespondBy: t0.Add(8 * time.Hour),
			ContactedURL: "https://desk.example.com/l/1251/contacted?sig=b2",
		}},
		{"daily_leads", "daily_leads", DailyLeadsData{
			RepName: "Dana", Date: t0, ListURL: "https://desk.example.com/leads?rep=7",
			Leads: []DailyLead{
				{Reference: "L-412", CustomerName: hostile, Company: "Brightwater", Subject: crlfSubj, Status: "assigned",
					AssignedAt: t0.Add(-20 * time.Hour), RespondBy: t0.Add(-16 * time.Hour), Overdue: true, URL: "https://desk.example.com/leads/1250",
					Score: 81, Scored: true},
				{Reference: "L-413", CustomerName: "Ana Ortiz", Subject: "Pricing for 2026", Status: "accepted",
					AssignedAt: t0.Add(-2 * time.Hour), RespondBy: t0.Add(6 * time.Hour), URL: "javascript:alert(1)"},
			},
		}},
		{"daily_leads_empty", "daily_leads", DailyLeadsData{RepName: "Sam", Date: t0}},
		{"daily_leads_los_angeles", "daily_leads", DailyLeadsData{
			RepName: "Lou", Timezone: "America/Los_Angeles", Date: time.Date(2025, 3, 14, 0, 0, 0, 0, zone("America/Los_Angeles")),
			Leads: []DailyLead{{Reference: "L-12", CustomerName: "Ana Ortiz", Subject: "Pricing for 2026", Status: "assigned",
				AssignedAt: t0.Add(-2 * time.Hour), RespondBy: t0.Add(6 * time.Hour), URL: "https://desk.example.com/desk/leads/12", Score: 64, Scored: true}},
		}},
		{"daily_summary", "daily_summary", DailySummaryData{
			Timezone: "Europe/Berlin", Date: time.Date(2025, 3, 14, 0, 0, 0, 0, zone("Europe/Berlin")),
			Unassigned: 1, Overdue: 1, New: 2,
			Groups: []LeadGroup{
				{Title: "Unassigned, waiting for a rep", Leads: []DailyLead{
					{Reference: "L-14", CustomerName: "Ana Ortiz", Company: "Brightwater", Subject: "Pricing for 2026", Status: "unassigned",
						URL: "https://desk.example.com/desk/leads/14", Score: 72, Scored: true},
				}},
				{Title: "Not contacted in time", Leads: []DailyLead{
					{Reference: "L-9", CustomerName: hostile, Subject: crlfSubj, Status: "assigned", RepName: "Rita Rep",
						AssignedAt: t0.Add(-20 * time.Hour), RespondBy: t0.Add(-16 * time.Hour), Overdue: true, URL: "https://desk.example.com/desk/leads/9"},
				}},
				{Title: "New in the last 24 hours", Leads: []DailyLead{
					{Reference: "L-14", CustomerName: "Ana Ortiz", Company: "Brightwater", Subject: "Pricing for 2026", Status: "unassigned",
						URL: "https://desk.example.com/desk/leads/14", Score: 72, Scored: true},
					{Reference: "L-15", CustomerName: "Cleo Client", Subject: "300 crates", Status: "contacted", RepName: "Sam Seller",
						AssignedAt: t0.Add(-3 * time.Hour), RespondBy: t0.Add(-1 * time.Hour), URL: "https://desk.example.com/desk/leads/15", Score: 40, Scored: true},
				}},
			},
		}},
		{"daily_summary_empty", "daily_summary", DailySummaryData{Date: t0}},
	}, append(meetingGoldenCases(), meetingRepHelpGoldenCases()...)...)
}

func newTestRenderer(t *testing.T, dir string) *Renderer {
	t.Helper()
	r, err := NewRenderer(RenderOptions{TemplatesDir: dir, Team: "Acme Sales Support"})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRenderGolden(t *testing.T) {
	r := newTestRenderer(t, "")
	covered := map[string]bool{}
	for _, tc := range goldenCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Render(tc.template, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			covered[tc.template] = true
			checkSafe(t, got)
			checkGolden(t, tc.name, got)
		})
	}
	for _, name := range r.Names() {
		if strings.Contains(name, ".") {
			continue // a language's version: TestRenderLanguageGolden
		}
		if !covered[name] {
			t.Errorf("template %s has no golden case", name)
		}
	}
}

// checkSafe asserts what must hold for any rendering, whatever the data.
func checkSafe(t *testing.T, got Rendered) {
	t.Helper()
	if strings.ContainsAny(got.Subject, "\r\n\t\x1b") {
		t.Errorf("subject %q has a control character", got.Subject)
	}
	if strings.Contains(strings.ToLower(got.Subject), "\nbcc:") {
		t.Errorf("subject %q carries a header", got.Subject)
	}
	for _, body := range []string{got.Text, got.HTML} {
		if strings.ContainsAny(body, "\r\x1b\x00") {
			t.Errorf("body has CR, ESC or NUL:\n%q", body)
		}
	}
	if strings.Contains(strings.ToLower(got.Text), "javascript:") {
		t.Errorf("text body shows a javascript: link:\n%s", got.Text)
	}
	lower := strings.ToLower(got.HTML)
	for _, bad := range []string{"<script", "<img", "javascript:", "<b>galvanised"} {
		if strings.Contains(lower, bad) {
			t.Errorf("HTML contains %q unescaped:\n%s", bad, got.HTML)
		}
	}
	if got.HTML == "" || !strings.HasPrefix(got.HTML, "<!DOCTYPE html>") {
		t.Errorf("HTML body missing or not in the layout:\n%s", got.HTML)
	}
}

func TestRenderSubjects(t *testing.T) {
	r := newTestRenderer(t, "")
	tests := []struct {
		name     string
		template string
		data     any
		want     string
	}{
		{"reply with token", "ack", AckData{Reference: "SD-1", Subject: "Order 42"}, "Re: Order 42 [SD-1]"},
		{"token not repeated", "ack", AckData{Reference: "SD-1", Subject: "RE: Order 42 [sd-1]"}, "Re: Order 42 [sd-1]"},
		{"thread token kept, second dropped", "ack", AckData{Reference: "SD-357", Subject: "Re: Re: Status of order SO-10127 [SD-302] [SD-357]"},
			"Re: Status of order SO-10127 [SD-302]"},
		{"no re re", "order_unknown", OrderUnknownData{Reference: "SD-9", Subject: "Re: RE: re: Lieferung"}, "Re: Lieferung [SD-9]"},
		{"internal prefix once", "handoff", HandoffData{Reference: "SD-357", Category: "billing", Subject: "Billing: Re: Re: Status of order SO-10127 [SD-302] [SD-357]"},
			"Billing: Status of order SO-10127 [SD-302]"},
		{"injection flattened", "ack", AckData{Reference: "SD-1", Subject: "a\r\nBcc: x@y"}, "Re: a Bcc: x@y [SD-1]"},
		{"empty subject", "ack", AckData{Reference: "SD-1"}, "Re: your message [SD-1]"},
		{"german reply prefix kept", "order_unknown", OrderUnknownData{Reference: "SD-2", Subject: "AW: AW: Lieferung"}, "AW: Lieferung [SD-2]"},
		{"rush notify", "order_request_notify", OrderRequestNotifyData{Reference: "SD-3", Rush: true, OrderNumber: "SO-1", Company: "Acme"}, "RUSH: Order request for SO-1 from Acme [SD-3]"},
		{"notify", "order_request_notify", OrderRequestNotifyData{Reference: "SD-3", CustomerEmail: "a@b.c"}, "New order by mail from a@b.c [SD-3]"},
		{"daily", "daily_leads", DailyLeadsData{Date: t0}, "Your leads for Fri 14 Mar 2025: 0 open"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Render(tc.template, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != tc.want {
				t.Errorf("subject = %q, want %q", got.Subject, tc.want)
			}
		})
	}
}

func TestRenderOverride(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("ack.txt", `{{define "subject"}}Got it {{.Reference}}{{end}}Custom text for {{.CustomerName}}`)
	write("welcome.txt", `{{define "subject"}}Welcome{{end}}Hello {{team}}`)
	r := newTestRenderer(t, dir)

	got, err := r.Render("ack", AckData{CustomerName: "Ann", Reference: "SD-9"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Got it SD-9" || got.Text != "Custom text for Ann\n" {
		t.Errorf("override not used: %+v", got)
	}
	if !strings.Contains(got.HTML, "registered it under reference <strong>SD-9</strong>") {
		t.Errorf("ack.html should fall back to the embedded default:\n%s", got.HTML)
	}
	got, err = r.Render("welcome", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "Welcome" || got.Text != "Hello Acme Sales Support\n" || got.HTML != "" {
		t.Errorf("added template: %+v", got)
	}

	write("handoff.html", `{{define "content"}}{{.NoSuchField}}{{end}}`)
	r = newTestRenderer(t, dir)
	if _, err := r.Render("handoff", HandoffData{Reference: "SD-1"}); err == nil {
		t.Error("rendering a field the data lacks succeeded")
	}
	write("order_status.txt", `{{define "subject"}}x{{end}}{{.Broken`)
	if _, err := NewRenderer(RenderOptions{TemplatesDir: dir}); err == nil {
		t.Error("NewRenderer accepted a template that does not parse")
	}
	write("order_status.txt", `no subject`)
	if _, err := NewRenderer(RenderOptions{TemplatesDir: dir}); err == nil {
		t.Error("NewRenderer accepted a template without a subject")
	}
}

func TestRenderUnknown(t *testing.T) {
	r := newTestRenderer(t, "")
	if _, err := r.Render("nope", nil); err == nil {
		t.Error("unknown template rendered")
	}
}

func TestQuote(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"lines", "a\r\nb\n\nc\n", "> a\n> b\n>\n> c"},
		{"already quoted", "> old\nnew", ">> old\n> new"},
		{"empty", "\n\n", ""},
	}
	for _, tc := range tests {
		if got := quote(tc.in); got != tc.want {
			t.Errorf("%s: quote(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

func BenchmarkRenderHandoff(b *testing.B) {
	r, err := NewRenderer(RenderOptions{})
	if err != nil {
		b.Fatal(err)
	}
	data := HandoffData{RepName: "Dana", Reference: "SD-1", Category: "support", CustomerName: "Bob",
		CustomerEmail: "bob@example.com", Subject: "Help", Body: bodyText, ReceivedAt: t0, Account: account, KnownCustomer: true}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := r.Render("handoff", data); err != nil {
			b.Fatal(err)
		}
	}
}

// zone loads an IANA timezone for the golden cases.
func zone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}
