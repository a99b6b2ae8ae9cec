package mailparse

import "testing"

func TestSplitReply(t *testing.T) {
	tests := []struct {
		name                     string
		text                     string
		wantNew, wantQuoted, sig string
	}{
		{
			name:    "plain mail",
			text:    "Please send a quote for 40 chairs.",
			wantNew: "Please send a quote for 40 chairs.",
		},
		{
			name:       "gmail attribution and > quoting",
			text:       "Yes, 40 is right.\n\nOn Tue, Mar 5, 2024 at 10:11 AM Sales <sales@example.com> wrote:\n> How many chairs?\n> Thanks",
			wantNew:    "Yes, 40 is right.",
			wantQuoted: "On Tue, Mar 5, 2024 at 10:11 AM Sales <sales@example.com> wrote:\n> How many chairs?\n> Thanks",
		},
		{
			name:       "attribution wrapped over two lines",
			text:       "Fine.\n\nOn Tue, Mar 5, 2024 at 10:11 AM Sales Team <\nsales@example.com> wrote:\n\n> old",
			wantNew:    "Fine.",
			wantQuoted: "On Tue, Mar 5, 2024 at 10:11 AM Sales Team <\nsales@example.com> wrote:\n\n> old",
		},
		{
			name:       "german",
			text:       "Danke!\n\nAm 05.03.2024 um 10:11 schrieb Vertrieb <sales@example.com>:\n> Wie viele?",
			wantNew:    "Danke!",
			wantQuoted: "Am 05.03.2024 um 10:11 schrieb Vertrieb <sales@example.com>:\n> Wie viele?",
		},
		{
			name:       "french",
			text:       "Merci beaucoup\n\nLe mar. 5 mars 2024 à 10:11, Ventes <sales@example.com> a écrit :\n> Combien ?",
			wantNew:    "Merci beaucoup",
			wantQuoted: "Le mar. 5 mars 2024 à 10:11, Ventes <sales@example.com> a écrit :\n> Combien ?",
		},
		{
			name:       "spanish",
			text:       "Perfecto\n\nEl mar, 5 mar 2024 a las 10:11, Ventas (<sales@example.com>) escribió:\n> ¿Cuántas?",
			wantNew:    "Perfecto",
			wantQuoted: "El mar, 5 mar 2024 a las 10:11, Ventas (<sales@example.com>) escribió:\n> ¿Cuántas?",
		},
		{
			name:       "dutch",
			text:       "Prima\n\nOp di 5 mrt 2024 om 10:11 schreef Verkoop <sales@example.com>:\n> Hoeveel?",
			wantNew:    "Prima",
			wantQuoted: "Op di 5 mrt 2024 om 10:11 schreef Verkoop <sales@example.com>:\n> Hoeveel?",
		},
		{
			name:       "outlook original message",
			text:       "Approved.\n\n-----Original Message-----\nFrom: Sales\nSent: Tuesday\nSubject: Quote\n\nHere is the quote.",
			wantNew:    "Approved.",
			wantQuoted: "-----Original Message-----\nFrom: Sales\nSent: Tuesday\nSubject: Quote\n\nHere is the quote.",
		},
		{
			name:       "outlook header block",
			text:       "Go ahead.\n\n________________________________\nFrom: Sales <sales@example.com>\nSent: Tuesday, March 5, 2024 10:11 AM\nTo: Bob\nSubject: Quote\n\nOld text",
			wantNew:    "Go ahead.",
			wantQuoted: "________________________________\nFrom: Sales <sales@example.com>\nSent: Tuesday, March 5, 2024 10:11 AM\nTo: Bob\nSubject: Quote\n\nOld text",
		},
		{
			name:       "outlook german header block",
			text:       "Passt.\n\nVon: Vertrieb <sales@example.com>\nGesendet: Dienstag, 5. März 2024 10:11\nAn: Bob\nBetreff: Angebot\n\nAlt",
			wantNew:    "Passt.",
			wantQuoted: "Von: Vertrieb <sales@example.com>\nGesendet: Dienstag, 5. März 2024 10:11\nAn: Bob\nBetreff: Angebot\n\nAlt",
		},
		{
			name:       "interleaved reply",
			text:       "> How many?\n40.\n> Which colour?\nBlue.",
			wantNew:    "40.\nBlue.",
			wantQuoted: "> How many?\n> Which colour?",
		},
		{
			name:    "signature delimiter",
			text:    "Order 40 please.\n\n-- \nBob Smith\nAcme Ltd",
			wantNew: "Order 40 please.",
			sig:     "Bob Smith\nAcme Ltd",
		},
		{
			name:    "sent from my iphone",
			text:    "Yes please.\n\nSent from my iPhone",
			wantNew: "Yes please.",
			sig:     "Sent from my iPhone",
		},
		{
			name:    "sign-off with contact block",
			text:    "Can you deliver by Friday?\n\nBest regards,\nBob Smith\nPurchasing, Acme Ltd\nTel: +49 30 1234567",
			wantNew: "Can you deliver by Friday?",
			sig:     "Best regards,\nBob Smith\nPurchasing, Acme Ltd\nTel: +49 30 1234567",
		},
		{
			name:    "german sign-off",
			text:    "Bitte um Rückruf.\n\nMit freundlichen Grüßen\nHans Meier",
			wantNew: "Bitte um Rückruf.",
			sig:     "Mit freundlichen Grüßen\nHans Meier",
		},
		{
			name:    "trailing contact block without sign-off",
			text:    "Please call me about the order.\n\nBob Smith | Acme Ltd\n+1 (555) 123-4567\nwww.acme.example",
			wantNew: "Please call me about the order.",
			sig:     "Bob Smith | Acme Ltd\n+1 (555) 123-4567\nwww.acme.example",
		},
		{
			name:    "thanks alone stays",
			text:    "Thanks!",
			wantNew: "Thanks!",
		},
		{
			name:       "signature and quote together",
			text:       "Confirmed.\n\nCheers,\nBob\n\nOn Mon, 4 Mar 2024, Sales wrote:\n> Confirm?",
			wantNew:    "Confirmed.",
			wantQuoted: "On Mon, 4 Mar 2024, Sales wrote:\n> Confirm?",
			sig:        "Cheers,\nBob",
		},
		{
			name:       "forwarded message",
			text:       "FYI\n\n---------- Forwarded message ---------\nFrom: Customer\nDate: today\n\nHello",
			wantNew:    "FYI",
			wantQuoted: "---------- Forwarded message ---------\nFrom: Customer\nDate: today\n\nHello",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, q, s := SplitReply(tt.text)
			if n != tt.wantNew || q != tt.wantQuoted || s != tt.sig {
				t.Errorf("SplitReply =\n new %q\n quoted %q\n sig %q\nwant\n new %q\n quoted %q\n sig %q", n, q, s, tt.wantNew, tt.wantQuoted, tt.sig)
			}
		})
	}
}

// TestSplitReplyNewText holds the cases routing's own stripping was tested
// with before mailparse became the one place that splits replies.
func TestSplitReplyNewText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "attribution", in: "Thanks, please cancel.\n\nOn Tue, 4 Mar 2025 at 10:02, Sales <s@x.com> wrote:\n> Your order shipped.", want: "Thanks, please cancel."},
		{name: "wrapped attribution", in: "Yes.\n\nOn Tue, 4 Mar 2025 at 10:02, Sales Team <sales@example.com>\nwrote:\n> old", want: "Yes."},
		{name: "outlook", in: "See below.\n\n-----Original Message-----\nFrom: A\nSent: Monday\n\nold text", want: "See below."},
		{name: "outlook headers", in: "See below.\n\nFrom: Orders <o@x.com>\nSent: Friday, March 7, 2025 4:11 PM\nSubject: x\n\nold", want: "See below."},
		{name: "signature delimiter", in: "Where is it?\n-- \nPaul\n+1 555", want: "Where is it?"},
		{name: "sign-off", in: "Where is it?\n\nBest regards,\nPaul Smith\nAcme", want: "Where is it?"},
		{name: "only thanks kept", in: "Thanks!", want: "Thanks!"},
		{name: "mobile footer", in: "ok go ahead\n\nSent from my iPhone", want: "ok go ahead"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, _, _ := SplitReply(tt.in); got != tt.want {
				t.Errorf("SplitReply new text = %q, want %q", got, tt.want)
			}
		})
	}
}
