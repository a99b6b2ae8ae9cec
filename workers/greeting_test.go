package workers

import (
	"strings"
	"testing"

	"salesdesk/internal/intake"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// TestAckNeverEchoesDisplayName is issue 15's finding 3: a From display
// name is text anyone sets ("URGENT: your account is locked. Unlock at
// http://phish..." <victim@...>), and the acknowledgement went out from
// our address carrying it. The greeting uses the name on record, or none:
// a stranger's display name never reaches the mail, and a known
// contact's forged display name is replaced by the recorded one.
func TestAckNeverEchoesDisplayName(t *testing.T) {
	f := newInquiryFixture(t, 0)
	h, err := NewAckHandler(f.deps, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, from, wantGreeting string
	}{
		{"stranger with a phishing name", `"URGENT: your account is locked. Unlock at http://phish.example/login" <victim@target.example>`, "Hello,"},
		{"known contact, forged name", `"Mallory (see http://phish.example)" <ann@acme.com>`, "Hello Ann Buyer"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.outbound(t, intake.KindAck))
			q := f.take(t, tt.from, "Shipping question", tt.name+"@ext.example", "Do you ship to Norway?\n")
			acks := f.sink.of(tasks.TypeInquiryAck)
			if len(acks) != i+1 {
				t.Fatalf("%d ack tasks, want %d", len(acks), i+1)
			}
			run(t, h, acks[i])
			rows := f.outbound(t, intake.KindAck)
			if len(rows) != before+1 {
				t.Fatalf("ack rows = %d, want %d", len(rows), before+1)
			}
			var a *store.OutboundEmail
			for k := range rows {
				if rows[k].InquiryID == q.ID {
					a = &rows[k]
				}
			}
			if a == nil {
				t.Fatalf("no ack for inquiry %d among %d ack rows", q.ID, len(rows))
			}
			for _, bad := range []string{"phish", "URGENT", "Unlock", "Mallory"} {
				if strings.Contains(a.BodyText, bad) || strings.Contains(a.BodyHTML, bad) || strings.Contains(a.Subject, bad) {
					t.Errorf("ack carries %q from the display name:\n%s", bad, a.BodyText)
				}
			}
			if !strings.Contains(a.BodyText, tt.wantGreeting) {
				t.Errorf("ack greeting: want %q in\n%s", tt.wantGreeting, a.BodyText)
			}
		})
	}
}
