package mailgen

import (
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestMix(t *testing.T) {
	orders := map[string]string{"SO-20001": "@client1.example", "SO-20002": "@client2.example"}
	contacts := []string{"buyer@client1.example", "buyer@client2.example"}
	mix := Mix(1000, contacts, orders)
	if len(mix) != 1000 {
		t.Fatalf("%d mails, want 1000", len(mix))
	}
	senders, ids, auto := map[string]bool{}, map[string]bool{}, 0
	for _, m := range mix {
		if strings.Contains(m.Subject+m.Body, "%!") || strings.Contains(m.Subject+m.Body, "{") {
			t.Errorf("unfilled placeholder: %q %q", m.Subject, m.Body)
		}
		if ids[m.ID] {
			t.Errorf("Message-ID %s twice", m.ID)
		}
		ids[m.ID], senders[m.From] = true, true
		if m.Automated {
			auto++
		}
		msg, err := mail.ReadMessage(strings.NewReader(string(m.Raw("sales@ourco.example", time.Now()))))
		if err != nil || msg.Header.Get("Message-ID") != "<"+m.ID+">" {
			t.Fatalf("raw mail does not parse: %v", err)
		}
	}
	if auto < 60 || auto > 140 {
		t.Errorf("%d automated mails of 1000, want about 100", auto)
	}
	if len(senders) != 650 {
		t.Errorf("%d distinct senders, want 650", len(senders))
	}
	again := Mix(1000, contacts, orders)
	for i := range mix {
		if mix[i] != again[i] {
			t.Fatalf("mail %d differs between two runs with the same input", i)
		}
	}
}
