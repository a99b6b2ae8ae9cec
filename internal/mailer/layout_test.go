package mailer

import (
	"strings"
	"testing"
)

// TestLayoutLanguage checks that the HTML frame's lang attribute is the
// language the mail is written in, whichever way it was chosen.
func TestLayoutLanguage(t *testing.T) {
	r, err := NewRenderer(RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data := AckData{CustomerName: "Sabine", Reference: "SD-1", Category: "order_status", Subject: "Lieferstatus"}
	for _, tc := range []struct{ language, want string }{
		{"de", "de"}, {"FR", "fr"}, {"en", "en"}, {"", "en"}, {"sv", "en"}, // sv: no Swedish template, English it is
	} {
		out, got, err := r.RenderIn("ack", tc.language, data)
		if err != nil {
			t.Fatalf("%q: %v", tc.language, err)
		}
		if got != tc.want {
			t.Errorf("%q: rendered in %q, want %q", tc.language, got, tc.want)
		}
		if !strings.Contains(out.HTML, `<html lang="`+tc.want+`">`) {
			t.Errorf("%q: HTML frame is not lang=%q:\n%s", tc.language, tc.want, head(out.HTML))
		}
	}
}

// TestLeadAssignedLanguage checks the "Language: German" line of a lead
// mail, and that it is left out when the data names no language.
func TestLeadAssignedLanguage(t *testing.T) {
	r, err := NewRenderer(RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data := LeadAssignedData{RepName: "Dirk", Reference: "SD-7", CustomerEmail: "sabine@kraus.example", Subject: "Angebot", Body: "Bitte um ein Angebot."}
	out, err := r.Render("lead_assigned", data)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.Text, "Language") || strings.Contains(out.HTML, "Language") {
		t.Errorf("a lead without a language names one:\n%s", out.Text)
	}
	data.Language = "German"
	out, err = r.Render("lead_assigned", data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.Text, "\nSubject:   Angebot\nLanguage:  German\n") {
		t.Errorf("text lacks the language line:\n%s", out.Text)
	}
	if !strings.Contains(out.HTML, `Language</td><td>German</td>`) {
		t.Errorf("HTML lacks the language row:\n%s", out.HTML)
	}
}

// head is the start of an HTML body, for failure messages.
func head(s string) string {
	if len(s) > 300 {
		return s[:300]
	}
	return s
}
