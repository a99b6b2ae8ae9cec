package mailparse

import (
	"fmt"
	"testing"
)

func TestKind(t *testing.T) {
	const base = "From: Bob <bob@example.com>\nTo: sales@example.com\nMessage-ID: <m1@example.com>\n"
	tests := []struct {
		name   string
		header string
		body   string
		want   Kind
	}{
		{name: "plain human", header: "Subject: Quote please\n", want: KindHuman},
		{name: "auto-submitted auto-replied", header: "Subject: Re: Quote\nAuto-Submitted: auto-replied\n", want: KindAutoReply},
		{name: "auto-submitted auto-generated with comment", header: "Subject: x\nAuto-Submitted: auto-generated (vacation)\n", want: KindAutoReply},
		{name: "auto-submitted no", header: "Subject: x\nAuto-Submitted: no\n", want: KindHuman},
		{name: "precedence bulk", header: "Subject: News\nPrecedence: bulk\n", want: KindList},
		{name: "precedence list", header: "Subject: News\nPrecedence: list\n", want: KindList},
		{name: "precedence junk", header: "Subject: x\nPrecedence: junk\n", want: KindAutoReply},
		{name: "list-id", header: "Subject: [dev] x\nList-Id: <dev.lists.example.com>\n", want: KindList},
		{name: "list-unsubscribe", header: "Subject: Offers\nList-Unsubscribe: <mailto:u@example.com>\n", want: KindList},
		{name: "list-post", header: "Subject: x\nList-Post: <mailto:l@example.com>\n", want: KindList},
		{name: "x-autoreply", header: "Subject: x\nX-Autoreply: yes\n", want: KindAutoReply},
		{name: "x-autorespond", header: "Subject: x\nX-Autorespond: x\n", want: KindAutoReply},
		{name: "x-auto-response-suppress all", header: "Subject: x\nX-Auto-Response-Suppress: All\n", want: KindAutoReply},
		{name: "x-auto-response-suppress oof", header: "Subject: x\nX-Auto-Response-Suppress: DR, OOF, AutoReply\n", want: KindAutoReply},
		{name: "out of office subject", header: "Subject: Out of Office: Quote please\n", want: KindAutoReply},
		{name: "automatic reply subject", header: "Subject: Automatic reply: Quote\n", want: KindAutoReply},
		{name: "autoreply subject", header: "Subject: Autoreply: Quote\n", want: KindAutoReply},
		{name: "abwesenheitsnotiz", header: "Subject: Abwesenheitsnotiz: Angebot\n", want: KindAutoReply},
		{name: "automatische antwort", header: "Subject: Automatische Antwort: Angebot\n", want: KindAutoReply},
		{name: "reponse automatique", header: "Subject: Réponse automatique : Devis\n", want: KindAutoReply},
		{name: "absence", header: "Subject: Absence du bureau\n", want: KindAutoReply},
		{name: "fuera de la oficina", header: "Subject: Fuera de la oficina\n", want: KindAutoReply},
		{name: "afwezig", header: "Subject: Afwezig: offerte\n", want: KindAutoReply},
		{name: "human asks about office hours", header: "Subject: Re: Out of office hours support?\n", want: KindHuman},
		{name: "undeliverable subject", header: "Subject: Undeliverable: Quote\n", want: KindBounce},
		{name: "dsn failure subject", header: "Subject: Delivery Status Notification (Failure)\n", want: KindBounce},
		{name: "mail delivery failed", header: "Subject: Mail delivery failed: returning message to sender\n", want: KindBounce},
		{name: "returned mail", header: "Subject: Returned mail: see transcript for details\n", want: KindBounce},
		{name: "human replying about a bounce", header: "Subject: Re: Undeliverable: Quote\n", want: KindHuman},
		{name: "x-failed-recipients", header: "Subject: x\nX-Failed-Recipients: a@example.org\n", want: KindBounce},
		{name: "noreply sender", header: "Subject: Your receipt\nSender: x\n", want: KindHuman},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := tt.body
			if body == "" {
				body = "Hello\n"
			}
			m := mustParse(t, base+tt.header+"\n"+body)
			if m.Kind != tt.want {
				t.Errorf("Kind = %s, want %s", m.Kind, tt.want)
			}
		})
	}
}

func TestKindSender(t *testing.T) {
	tests := []struct {
		from string
		want Kind
	}{
		{"MAILER-DAEMON@mx.example.com", KindBounce},
		{"Mail Delivery System <mailer-daemon@example.com>", KindBounce},
		{"postmaster@example.com", KindBounce},
		{"noreply@shop.example.com", KindAutoReply},
		{"no-reply@example.com", KindAutoReply},
		{"list-owner@lists.example.com", KindList},
		{"Anna <anna@example.com>", KindHuman},
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			m := mustParse(t, "From: "+tt.from+"\nSubject: hello\n\nbody\n")
			if m.Kind != tt.want {
				t.Errorf("Kind = %s, want %s", m.Kind, tt.want)
			}
		})
	}
}

func TestDeliveryStatusNotification(t *testing.T) {
	raw := "From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>\n" +
		"To: sales@example.com\nSubject: Delivery Status Notification (Failure)\n" +
		"Content-Type: multipart/report; report-type=delivery-status; boundary=\"r\"\n\n" +
		"--r\nContent-Type: text/plain\n\nYour message could not be delivered.\n" +
		"--r\nContent-Type: message/delivery-status\n\n" +
		"Reporting-MTA: dns; mx.example.org\n\n" +
		"Final-Recipient: rfc822; ok@example.org\nAction: delayed\nStatus: 4.4.1\n\n" +
		"Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 user unknown\n" +
		"--r\nContent-Type: message/rfc822\n\n" +
		"From: sales@example.com\nTo: gone@example.org\nMessage-ID: <out-42@salesdesk.example.com>\nSubject: Your quote\n\nHello\n" +
		"--r--\n"
	m := mustParse(t, raw)
	if m.Kind != KindBounce {
		t.Fatalf("Kind = %s, want bounce", m.Kind)
	}
	want := BounceInfo{
		ReportType:        "delivery-status",
		OriginalMessageID: "out-42@salesdesk.example.com",
		Recipients:        []string{"ok@example.org", "gone@example.org"},
		Action:            "failed",
		Status:            "5.1.1",
		Diagnostic:        "550 5.1.1 user unknown",
	}
	if fmt.Sprintf("%+v", *m.Bounce) != fmt.Sprintf("%+v", want) {
		t.Errorf("Bounce = %+v\nwant %+v", *m.Bounce, want)
	}
	if !m.Bounce.Permanent() {
		t.Error("Permanent() = false for a failed recipient")
	}
	if m.Text != "Your message could not be delivered." {
		t.Errorf("Text = %q", m.Text)
	}
}

func TestBounceWithoutReport(t *testing.T) {
	// qmail style: the returned message is pasted into the text
	raw := "From: MAILER-DAEMON@mx.example.org\nSubject: failure notice\nX-Failed-Recipients: gone@example.org\n\n" +
		"I'm afraid I wasn't able to deliver your message.\n\n--- Below this line is a copy of the message.\n\n" +
		"From: sales@example.com\nMessage-ID: <out-7@salesdesk.example.com>\n\nHello\n"
	m := mustParse(t, raw)
	if m.Kind != KindBounce || m.Bounce == nil {
		t.Fatalf("Kind = %s, Bounce = %v", m.Kind, m.Bounce)
	}
	if m.Bounce.OriginalMessageID != "out-7@salesdesk.example.com" {
		t.Errorf("OriginalMessageID = %q", m.Bounce.OriginalMessageID)
	}
	if fmt.Sprint(m.Bounce.Recipients) != "[gone@example.org]" {
		t.Errorf("Recipients = %q", m.Bounce.Recipients)
	}
}
