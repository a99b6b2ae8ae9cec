package workers

import (
	"testing"

	"salesdesk/internal/store"
)

// TestLoadCustomerMailSkipsRaw: a follow-on handler loads the customer's
// mail from the inquiry and the parsed form, Message-ID included, without
// reading the inbound row with its raw message; before the message is
// parsed it still has the Message-ID to thread onto.
func TestLoadCustomerMailSkipsRaw(t *testing.T) {
	ctx := t.Context()
	st := sqliteStore(t)
	rows := &countingLoads{Store: st}
	for i, tc := range []struct {
		name   string
		parsed bool
	}{
		{name: "parsed", parsed: true},
		{name: "not parsed yet"},
	} {
		in := &store.InboundMessage{Mailbox: "INBOX", UIDValidity: 1, UID: uint32(i + 1), MessageID: tc.name + "@acme.example",
			Raw: []byte("Subject: Status\r\n\r\nWhere is order 1042?\r\n")}
		if _, _, _, err := st.SaveInboundMessage(ctx, in); err != nil {
			t.Fatal(err)
		}
		if tc.parsed {
			p := store.ParsedInbound{From: "ann@acme.example", Subject: "Status of 1042", Kind: store.KindHuman, Text: "Where?"}
			if err := st.SetInboundParsed(ctx, in.ID, p); err != nil {
				t.Fatal(err)
			}
		}
		q := &store.Inquiry{InboundMessageID: in.ID, ContactEmail: "ann@acme.example", Subject: "Status", Status: store.InquiryRouted}
		if _, _, err := st.CreateInquiry(ctx, q); err != nil {
			t.Fatal(err)
		}
		before := rows.loads.Load()
		cm, err := loadCustomerMail(ctx, rows, q.ID)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if n := rows.loads.Load() - before; n != 0 {
			t.Errorf("%s: inbound row with its raw message read %d times, want none", tc.name, n)
		}
		if cm.messageID != in.MessageID {
			t.Errorf("%s: message-id = %q, want %q", tc.name, cm.messageID, in.MessageID)
		}
		if wantText := map[bool]string{true: "Where?"}[tc.parsed]; cm.parsed.Text != wantText || cm.inquiry.ID != q.ID {
			t.Errorf("%s: parsed text %q of inquiry %d, want %q of %d", tc.name, cm.parsed.Text, cm.inquiry.ID, wantText, q.ID)
		}
	}
}
