package meetingweb

import (
	"strings"
	"testing"
)

// Every language of the slot pages has every sentence English has, and
// only those; a {when} stays where English has one.
func TestPageWordsComplete(t *testing.T) {
	en := pageWords["en"]
	for _, lang := range []string{"de", "fr", "es", "it", "nl", "pt"} {
		words, ok := pageWords[lang]
		if !ok {
			t.Errorf("no page words in %s", lang)
			continue
		}
		for key, e := range en {
			w, ok := words[key]
			if !ok || strings.TrimSpace(w) == "" {
				t.Errorf("%s lacks %q", lang, key)
				continue
			}
			if strings.Contains(e, "{when}") != strings.Contains(w, "{when}") {
				t.Errorf("%s %q: %q, English %q", lang, key, w, e)
			}
			if w == e && key != "length" && key != "when" {
				t.Errorf("%s %q is English: %q", lang, key, w)
			}
		}
		for key := range words {
			if _, ok := en[key]; !ok {
				t.Errorf("%s has %q, which English lacks", lang, key)
			}
		}
	}
	if got := say("xx", "book.button", "Monday"); got != "Book Monday" {
		t.Errorf("unknown language: %q", got)
	}
	if got := say("DE", "book.button", "Montag"); got != "Montag buchen" {
		t.Errorf("German: %q", got)
	}
}
