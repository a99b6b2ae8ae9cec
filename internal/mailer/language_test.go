package mailer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// languages are those with templates of their own.
var languages = []string{"de", "fr", "es", "it", "nl", "pt"}

// TestRenderLanguageGolden renders the acknowledgement and the order
// status answer in every language and compares them with
// testdata/NAME.LANG*.golden (-update rewrites them); every template of a
// language has a case.
func TestRenderLanguageGolden(t *testing.T) {
	r, err := NewRenderer(RenderOptions{Team: "Acme Sales Support", TeamPhone: "+49 421 555 0100", TeamHours: "Mon-Fri 08:00-17:00 CET"})
	if err != nil {
		t.Fatal(err)
	}
	rita := Signer{Name: "Rita Rep", Title: "Account Manager", Phone: "+49 421 555 0123", Email: "rita@ourco.example"}
	status := OrderStatusData{
		CustomerName: "Bob Marsh", Reference: "SD-1243", Subject: "",
		Orders: []OrderState{{OrderNumber: "SO-104233", Status: "shipped", Note: "left our warehouse in Bremen",
			ExpectedAt: t0.AddDate(0, 0, 3), Carrier: "DHL", TrackingURL: "https://track.example.com/?id=JD014600",
			Items: []OrderItem{
				{SKU: "SH-200", Description: "Shelving unit 200 cm <b>galvanised</b>", Quantity: 12},
				{SKU: "SH-BR", Description: "Bracket set", Quantity: 48, Status: "in production"},
			}}},
		Signer: rita,
	}
	several := OrderStatusData{
		CustomerName: hostile, Reference: "SD-1252", Subject: "Re: Re: SO-18812, SO-13853, SO-20001, SO-99999",
		Orders: []OrderState{
			{OrderNumber: "SO-18812", Status: "in production", ExpectedAt: t0.AddDate(0, 0, 9)},
			{OrderNumber: "SO-13853", Status: "shipped", Carrier: "DHL"},
			{OrderNumber: "SO-20001", Status: "received, waiting for confirmation"},
		},
		NotFound: []string{"SO-99999"},
	}
	cases := []struct {
		name     string
		template string
		data     any
	}{
		{"ack", "ack", AckData{CustomerName: hostile, Reference: "SD-1234", Category: "order_status", Subject: crlfSubj}},
		{"ack_quote_noname", "ack", AckData{Reference: "SD-1235", Category: "quote_request", Subject: ""}},
		{"ack_owner", "ack", AckData{CustomerName: "Bob Marsh", Reference: "SD-1236", Category: "complaint", Subject: "Damaged delivery",
			Who: "Rita Rep, your account manager,", Signer: rita}},
		{"order_status", "order_status", status},
		{"order_status_several", "order_status", several},
	}
	covered := map[string]bool{}
	for _, lang := range languages {
		for _, tc := range cases {
			t.Run(tc.name+"."+lang, func(t *testing.T) {
				got, used, err := r.RenderIn(tc.template, lang, tc.data)
				if err != nil {
					t.Fatal(err)
				}
				if used != lang {
					t.Fatalf("rendered in %s, want %s", used, lang)
				}
				covered[tc.template+"."+lang] = true
				checkSafe(t, got)
				text := "Subject: " + got.Subject + "\n\n--- text ---\n" + got.Text + "\n--- html ---\n" + got.HTML
				path := filepath.Join("testdata", tc.name+"."+lang+".golden")
				if *update {
					if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -run TestRenderLanguageGolden -update)", err)
				}
				if text != string(want) {
					t.Errorf("%s differs from the rendering; diff it with -update and git diff.\ngot:\n%s", path, text)
				}
				// Nothing English is left in the customer's mail but what the
				// data or the team's settings hold (a status note, the hours).
				for _, english := range []string{"Hello", "Thank you", "Kind regards", "Expected delivery", "What happens next",
					"We answer", "account manager", "A member of", "Here is", "Order ", "Note:", "Items:", "Tracking", "Carrier",
					"could not find", "Phone:", "Hours:", "Qty", " shipped", "in production", "waiting for", " and "} {
					if strings.Contains(got.Text, english) || strings.Contains(got.HTML, english) {
						t.Errorf("%s text has English %q:\n%s", lang, english, got.Text)
					}
				}
			})
		}
	}
	for _, name := range r.Names() {
		if strings.Contains(name, ".") && !covered[name] {
			t.Errorf("template %s has no golden case", name)
		}
	}
}

// A language without templates, or none, gets the English mail.
func TestRenderInFallsBackToEnglish(t *testing.T) {
	r := newTestRenderer(t, "")
	data := AckData{CustomerName: "Mia", Reference: "SD-1", Category: "other", Subject: "Hi"}
	en, err := r.Render("ack", data)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"", "en", "ja", "EN"} {
		got, used, err := r.RenderIn("ack", lang, data)
		if err != nil {
			t.Fatal(err)
		}
		if used != "en" || got.Text != en.Text {
			t.Errorf("RenderIn(ack, %q) used %s:\n%s", lang, used, got.Text)
		}
	}
	if !r.HasLanguage("ack", "de") || r.HasLanguage("handoff", "de") {
		t.Error("HasLanguage: want ack in de, no handoff in de")
	}
}
