package mailer

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestRenderLanguageGolden renders every golden case of a template that
// speaks through the phrase catalog (every customer mail) in every other
// language and compares it with testdata/NAME.LANG.golden (-update
// rewrites them); every such template has a case in every language.
func TestRenderLanguageGolden(t *testing.T) {
	r := newTestRenderer(t, "")
	covered := map[string]bool{}
	for _, lang := range r.Languages()[1:] {
		for _, tc := range goldenCases() {
			// The rep's copy of a meeting mail is rendered in English only.
			if !r.HasLanguage(tc.template, lang) || tc.name == "meeting_invite_rep_updated" || tc.name == "meeting_reminder" {
				continue
			}
			t.Run(tc.name+"."+lang, func(t *testing.T) {
				got, used, err := r.RenderIn(tc.template, lang, inLanguage(tc.name, lang, tc.data))
				if err != nil {
					t.Fatal(err)
				}
				if used != lang {
					t.Fatalf("rendered in %s, want %s", used, lang)
				}
				covered[tc.template+"."+lang] = true
				checkSafe(t, got)
				checkGolden(t, tc.name+"."+lang, got)
				// Nothing English is left in the customer's mail but what the
				// data or the team's settings hold (a note, the hours).
				for _, english := range []string{"Hello", "Thank you", "Kind regards", "Expected delivery", "What happens next",
					"We answer", "account manager", "A member of", "Here is", "Order ", "Note:", "Items:", "Tracking", "Carrier",
					"could not find", "Phone:", "Hours:", "Qty", " shipped", "in production", "waiting for", " and ",
					"We have received", "your reference", "Your reference", "Requested date", "You marked it", "order team", "As you asked"} {
					if strings.Contains(got.Text, english) || strings.Contains(got.HTML, english) {
						t.Errorf("%s text has English %q:\n%s", lang, english, got.Text)
					}
				}
			})
		}
	}
	for _, lang := range r.Languages()[1:] {
		for _, name := range r.Names() {
			if r.HasLanguage(name, lang) && !covered[name+"."+lang] {
				t.Errorf("template %s has no golden case in %s", name, lang)
			}
		}
	}
}

// TestCustomerMailsSpeakEveryLanguage: every mail to a customer can be
// written in every language with a catalog, and no mail only a rep reads
// is (reps read the team's language); a meeting mail rendered in another
// language has no English sentence or word of its own left in it.
func TestCustomerMailsSpeakEveryLanguage(t *testing.T) {
	r := newTestRenderer(t, "")
	customer := []string{"ack", "order_status", "order_unknown", "unsubscribe_confirm", "order_request_confirm", "order_request_decided",
		"meeting_slots", "meeting_pending", "meeting_invite", "meeting_reminder", "meeting_cancel"}
	for _, lang := range []string{"de", "fr", "es", "it", "nl", "pt"} {
		for _, name := range r.Names() {
			if got, want := r.HasLanguage(name, lang), slices.Contains(customer, name); got != want {
				t.Errorf("HasLanguage(%s, %s) = %v, want %v", name, lang, got, want)
			}
		}
	}
	// The words of the English meeting mails, as they stand in en.yaml and
	// in meeting.WhenIn, LeadIn and PartstatIn.
	english := []string{"Hello", "Thank you", "Kind regards", "meeting request", "suggested", "Choose one", "calendar invitation",
		"These links", "reply to this email", "your contact", "a member of", "Your meeting", "has moved", "attached", "Invitation",
		"Reminder", "Cancelled", "cancelled", "When", "Length", "Where", "Agenda", "With:", "Monday", "Tuesday", "March",
		"minutes", "hours", "accepted", "needs action", " and ", " at which "}
	// Words the language writes as English does.
	same := map[string][]string{"fr": {"Invitation", "minutes"}, "nl": {"Agenda"}}
	for _, tc := range meetingGoldenCases() {
		if !slices.Contains(customer, tc.template) || strings.Contains(tc.name, "rep") {
			continue
		}
		for _, lang := range []string{"de", "fr", "es", "it", "nl", "pt"} {
			data := inLanguage(tc.name, lang, tc.data)
			got, used, err := r.RenderIn(tc.template, lang, data)
			if err != nil {
				t.Fatal(err)
			}
			if used != lang {
				t.Errorf("%s rendered in %s, want %s", tc.name, used, lang)
			}
			// The data's own words (the customer's subject, the agenda) are
			// the customer's and stay as they are.
			mail := strings.NewReplacer("Where is my order? Bcc: evil@example.net", "", "Demo: cold-room shelving", "", "Shelving for 3 sites", "").
				Replace(got.Subject + "\n" + got.Text + "\n" + got.HTML)
			for _, w := range english {
				if strings.Contains(mail, w) && !slices.Contains(same[lang], w) {
					t.Errorf("%s in %s has English %q:\n%s", tc.name, lang, w, got.Subject+"\n\n"+got.Text)
				}
			}
		}
	}
}

// A language without a catalog, or none, gets the English mail.
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

// The account owner answering a German mail is named with their role in
// German, not only by name.
func TestAckOwnerRoleInLanguage(t *testing.T) {
	r := newTestRenderer(t, "")
	data := AckData{CustomerName: "Sabine Kraus", Reference: "SD-9", Category: "order_status", Who: "Rita Rep", WhoOwnsAccount: true}
	for lang, want := range map[string]string{
		"en": "Rita Rep, your account manager, will look into your order",
		"de": "Rita Rep, zuständig für Ihr Kundenkonto, sieht sich Ihre Bestellung an",
		"fr": "Rita Rep, en charge de votre compte, examinera votre commande",
	} {
		got, _, err := r.RenderIn("ack", lang, data)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(got.Text, want) {
			t.Errorf("%s ack lacks %q:\n%s", lang, want, got.Text)
		}
	}
}

var templatePhrase = regexp.MustCompile(`\b(?:t|tn \([^)]*\)|tplain) "([a-z_.]+)"`)

// TestPhraseCatalogs: every language has every English key, no key
// English lacks, and the same placeholders in each phrase (a plural may
// leave out its {count}); every key is used by a template, and every key a
// template names exists.
func TestPhraseCatalogs(t *testing.T) {
	cs, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	en := cs[fallbackLanguage]
	holes := func(p string) []string {
		var out []string
		for _, m := range placeholder.FindAllStringSubmatch(p, -1) {
			if m[1] != countArg {
				out = append(out, m[1])
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	if len(cs) < 7 {
		t.Errorf("%d catalogs, want en, de, fr, es, it, nl and pt", len(cs))
	}
	for lang, c := range cs {
		for key, p := range en {
			q, ok := c[key]
			if !ok {
				t.Errorf("%s.yaml lacks %q", lang, key)
				continue
			}
			if strings.TrimSpace(q) == "" {
				t.Errorf("%s.yaml: %q is empty", lang, key)
			}
			if got, want := holes(q), holes(p); !slices.Equal(got, want) {
				t.Errorf("%s.yaml: %q has placeholders %v, English has %v", lang, key, got, want)
			}
		}
		for key := range c {
			if _, ok := en[key]; !ok {
				t.Errorf("%s.yaml has %q, which en.yaml lacks", lang, key)
			}
		}
	}
	// Keys the templates name (t, tn, tplain), and those said in Go.
	named := map[string]bool{}
	files, err := filepath.Glob(filepath.Join("templates", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range templatePhrase.FindAllStringSubmatch(string(b), -1) {
			named[m[1]] = true
			_, one := en[m[1]+".one"]
			_, other := en[m[1]+".other"]
			if _, ok := en[m[1]]; !ok && !(one && other) {
				t.Errorf("%s names phrase %q, which en.yaml lacks", f, m[1])
			}
		}
	}
	for key := range en {
		base := strings.TrimSuffix(strings.TrimSuffix(key, ".one"), ".other")
		said := strings.HasPrefix(key, "status.") || strings.HasPrefix(key, "next.") || strings.HasPrefix(key, "ics.") ||
			slices.Contains([]string{"common.and", "common.date_layout", "common.long_date_layout", "common.your_message"}, key)
		if !named[key] && !named[base] && !said {
			t.Errorf("en.yaml: %q is used by no template", key)
		}
	}
}
