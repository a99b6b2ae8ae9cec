package mailparse_test

import (
	"fmt"

	"salesdesk/internal/mailparse"
)

func ExampleParse() {
	raw := "From: Anna <anna@example.de>\n" +
		"Subject: =?UTF-8?Q?Re:_Angebot_[SD-1042]?=\n" +
		"In-Reply-To: <out-1042@salesdesk.example.com>\n\n" +
		"Bitte 40 Stück.\n\nAm 04.03.2024 um 09:00 schrieb Vertrieb <sales@example.com>:\n> Wie viele?\n"
	m, err := mailparse.Parse([]byte(raw), mailparse.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	token, _ := mailparse.ReferenceToken(m.Subject)
	fmt.Println(m.From.Address, m.Kind, token)
	fmt.Println(m.NewText)
	fmt.Println(mailparse.ThreadKeys(m))
	// Output:
	// anna@example.de human 1042
	// Bitte 40 Stück.
	// [out-1042@salesdesk.example.com]
}
