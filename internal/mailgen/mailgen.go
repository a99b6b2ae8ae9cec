// Package mailgen writes realistic customer mail for load and conversation
// tests: repeat senders, several order numbers in one mail, product codes
// and quantities, quotes, meetings, support, billing, complaints,
// unsubscribes, mail the model is unsure about and about one in ten
// automated mails (auto-replies, out-of-office notices, newsletters, list
// mail). The same seed gives the same mails.
package mailgen

import (
	"fmt"
	"math/rand/v2"
	"mime"
	"slices"
	"strings"
	"time"
)

// Mail is one generated inbound mail and what it is.
type Mail struct {
	ID      string // Message-ID without angle brackets
	From    string // "Name <addr>" or addr
	Subject string
	Body    string
	Headers string // extra header lines, each ending in "\n"
	// Automated: an auto-reply, newsletter or list mail that must never
	// be answered.
	Automated bool
	// Reply: a reply inside a thread we already answered; it goes to a
	// person and gets no second automatic answer.
	Reply bool
}

// Raw is the mail as it arrives at to, with CRLF line ends.
func (m Mail) Raw(to string, date time.Time) []byte {
	return []byte(strings.ReplaceAll(fmt.Sprintf("From: %s\nTo: %s\nSubject: %s\nMessage-ID: <%s>\nDate: %s\n%s"+
		"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s", m.From, to, mime.QEncoding.Encode("utf-8", m.Subject), m.ID,
		date.UTC().Format(time.RFC1123Z), m.Headers, m.Body), "\n", "\r\n"))
}

// ReplyTo is the customer's answer in the thread of the mail we sent
// them for m, with subject our mail's subject.
func (m Mail) ReplyTo(ourSubject string) Mail {
	return Mail{ID: "re-" + m.ID, From: m.From, Subject: "Re: " + ourSubject, Body: "Thanks, one more question about this.\n",
		Headers: "In-Reply-To: <" + m.ID + ">\n", Reply: true}
}

// template is a subject and body with placeholders: {own} (an order of the
// sender's account when it has one), {other} (any order), {qty} and
// {code} (numbers).
type template struct{ subject, body, headers string }

var humans = []template{
	{subject: "Where is my order {own}?", body: "Hello,\n\ncould you tell me the status of order {own}? When will it be delivered?\n\nThanks\n"},
	{subject: "Status of {own} and {other}", body: "Hi,\n\nwhat is the status of my orders {own} and {other}? We are waiting for both.\n"},
	{subject: "Delivery date for order {own}", body: "Hello,\n\nwhen will order {own} arrive? Has it shipped yet?\n"},
	{subject: "Change delivery address for {own}", body: "Hello,\n\nplease change the delivery address of order {own} to our warehouse in Bremen, Hafenstrasse 12.\n"},
	{subject: "Rush order: {qty} x Stainless hex bolts, FS-0{code}", body: "Hello,\n\nplease rush this order:\n\n{qty} x Stainless hex bolts, FS-0{code}\n{code} x Washers M8, WS-{code}\n\nWe need it urgently.\n"},
	{subject: "New order", body: "Hello,\n\nwe would like to order:\n- {qty} pcs shelving unit SH-200\n- 12 x bracket set SH-BR\n\nPlease confirm price and delivery.\n"},
	{subject: "RFQ PO-{code}: 3 items", body: "Hello,\n\nplease send us your best price for 40 cold-room racks, 10 door kits and installation. Our reference is PO-{code}.\n"},
	{subject: "Quote for {qty} cold-room racks", body: "Hello,\n\ncould you send us a quote for {qty} cold-room racks including installation? We are planning a new site.\n"},
	{subject: "Meeting next week?", body: "Hello,\n\ncan we schedule a meeting next Tuesday at 10:00 to discuss our requirements for the new warehouse?\n"},
	{subject: "Sensor calibration", body: "Hello,\n\nhow do I calibrate the temperature sensor on the X200? The manual does not say.\n"},
	{subject: "Invoice INV-{code} is wrong", body: "Hello,\n\nour invoice INV-{code} charges the wrong unit price. Please send a credit note.\n"},
	{subject: "Login problem", body: "Hello,\n\nI cannot log in to the customer portal, the password reset does not work.\n"},
	{subject: "Broken again", body: "This is the third time the unit broke. Unacceptable service, I want to speak to a manager.\n"},
	{subject: "Unsubscribe", body: "Please remove me from your mailing list. I do not want any more newsletters.\n"},
	{subject: "Hello", body: "Hello, I tried to reach you by phone. Please call me back.\n"},
}

var automated = []template{
	{subject: "Automatic reply: Your request", body: "I am out of the office until Monday.\n", headers: "Auto-Submitted: auto-replied\nX-Autoreply: yes\n"},
	{subject: "Out of Office: Your request", body: "I am away and will reply when I am back.\n", headers: "Auto-Submitted: auto-replied\n"},
	{subject: "Our spring newsletter", body: "New products this spring. Unsubscribe at any time.\n", headers: "Precedence: bulk\nList-Unsubscribe: <mailto:leave@news.example>\n"},
	{subject: "[buyers-list] Weekly digest", body: "Digest of the buyers list.\n", headers: "List-Id: <buyers.lists.example>\nPrecedence: list\n"},
}

// Mix returns n mails. About 65% of them come from distinct senders, the
// contacts first (so every account writes), then new prospects; the rest
// are repeat senders. orders maps each order number to "@domain" of its
// account: a contact asks mostly about its own account's orders.
func Mix(n int, contacts []string, orders map[string]string) []Mail {
	numbers := make([]string, 0, len(orders))
	for num := range orders {
		numbers = append(numbers, num)
	}
	slices.Sort(numbers)
	rnd := rand.New(rand.NewPCG(11, 1000))
	distinct := max(n*65/100, len(contacts), 1)
	senders := append(make([]string, 0, distinct), contacts...)
	for i := len(senders); i < distinct; i++ {
		senders = append(senders, fmt.Sprintf("buyer%d@company%d.example", i, i%97))
	}
	var out []Mail
	for i := range n {
		from := senders[i%len(senders)]
		if i >= len(senders) {
			from = senders[rnd.IntN(len(senders))]
		}
		own, other := "SO-0", "SO-0"
		if len(numbers) > 0 {
			own, other = numbers[rnd.IntN(len(numbers))], numbers[rnd.IntN(len(numbers))]
			if num, ok := ownOrder(from, orders, numbers); ok && rnd.IntN(4) > 0 {
				own = num
			}
		}
		fill := strings.NewReplacer("{own}", own, "{other}", other,
			"{qty}", fmt.Sprint(10+rnd.IntN(490)), "{code}", fmt.Sprint(100+rnd.IntN(899))).Replace
		id := fmt.Sprintf("mix%04d@%s", i, from[strings.IndexByte(from, '@')+1:])
		pool, isAuto := humans, rnd.IntN(10) == 0
		if isAuto {
			pool = automated
		}
		tm := pool[rnd.IntN(len(pool))]
		out = append(out, Mail{ID: id, From: from, Subject: fill(tm.subject), Body: fill(tm.body), Headers: tm.headers, Automated: isAuto})
	}
	return out
}

// ownOrder is an order of the account whose contact addr is.
func ownOrder(addr string, orders map[string]string, numbers []string) (string, bool) {
	dom := addr[strings.IndexByte(addr, '@'):]
	for _, num := range numbers {
		if orders[num] == dom {
			return num, true
		}
	}
	return "", false
}
