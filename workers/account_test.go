package workers

import (
	"path/filepath"
	"testing"

	"salesdesk/internal/store"
)

// TestLoadCustomerMail checks what a follow-on task reads of the mail it
// answers (the customer's Message-ID and the parsed form) and that it
// reads it with two statements, the inquiry and the mail, not a third
// that loads the whole row with the raw message for the Message-ID.
func TestLoadCustomerMail(t *testing.T) {
	ctx := t.Context()
	st, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw := "Message-ID: <ask-1@acme.example>\r\nFrom: ann@acme.example\r\nSubject: Order SO-1\r\n\r\nWhere is it?\r\n"
	inID, _, _, err := st.SaveInboundMessage(ctx, &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 1,
		MessageID: "ask-1@acme.example", ContentHash: "h1", Raw: []byte(raw)})
	if err != nil {
		t.Fatal(err)
	}
	parsed := store.ParsedInbound{From: "ann@acme.example", Subject: "Order SO-1", Kind: store.KindHuman,
		Text: "Where is it?", NewText: "Where is it?"}
	if err := st.SetInboundParsed(ctx, inID, parsed); err != nil {
		t.Fatal(err)
	}
	q := &store.Inquiry{InboundMessageID: inID, ContactEmail: "ann@acme.example", Subject: "Order SO-1", Category: "order_status"}
	if _, _, err := st.CreateInquiry(ctx, q); err != nil {
		t.Fatal(err)
	}

	before := st.SQLiteCounts().Statements
	cm, err := loadCustomerMail(ctx, st, q.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := st.SQLiteCounts().Statements - before; n != 2 {
		t.Errorf("%d statements, want 2 (the inquiry, its mail)", n)
	}
	if cm.messageID != "ask-1@acme.example" || cm.parsed.Subject != "Order SO-1" || cm.body() != "Where is it?" ||
		cm.sender() != "ann@acme.example" {
		t.Errorf("loaded message id %q, parsed %+v, body %q, sender %q", cm.messageID, cm.parsed, cm.body(), cm.sender())
	}
}
