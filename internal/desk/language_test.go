package desk

import (
	"fmt"
	"strings"
	"testing"

	"salesdesk/internal/store"
)

// TestPagesShowLanguage checks that the inquiry page and the lead page
// name the customer's language (a lead's is its inquiry's), and leave
// the row out when the language is not known.
func TestPagesShowLanguage(t *testing.T) {
	f := setup(t)
	rita := f.as(f.rita)

	inID, _, _, err := f.st.SaveInboundMessage(f.ctx, &store.InboundMessage{Mailbox: "sales", UIDValidity: 1, UID: 2,
		MessageID: "q2@acme.com", Raw: []byte("Subject: Angebot\r\n\r\nBitte um ein Angebot.\r\n"), ReceivedAt: monday10})
	f.must(err)
	q := &store.Inquiry{InboundMessageID: inID, CustomerID: f.customer.ID, ContactEmail: "ann@acme.com",
		Subject: "Angebot", Category: "quote_request", Confidence: 0.9, Language: "de"}
	_, _, err = f.st.CreateInquiry(f.ctx, q)
	f.must(err)
	l := f.lead(q.ID, "Angebot Flansche", f.rita.ID)

	for _, tc := range []struct{ path, id, want string }{
		{fmt.Sprintf("/desk/inquiries/%d", q.ID), "inquiry-language", "German"},
		{fmt.Sprintf("/desk/leads/%d", l.ID), "lead-language", "German"},
		{fmt.Sprintf("/desk/inquiries/%d", f.inquiry.ID), "inquiry-language", ""},
		{fmt.Sprintf("/desk/leads/%d", f.ritaLead.ID), "lead-language", ""},
	} {
		_, body, _ := rita.get(tc.path)
		row := `<td id="` + tc.id + `">`
		switch {
		case tc.want == "" && strings.Contains(body, row):
			t.Errorf("%s names a language it does not know", tc.path)
		case tc.want != "" && !strings.Contains(body, row+tc.want+"</td>"):
			t.Errorf("%s does not show the language %s", tc.path, tc.want)
		}
	}
}
