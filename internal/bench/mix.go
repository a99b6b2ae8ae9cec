package bench

import (
	"context"
	"fmt"
	"time"

	"salesdesk/internal/store"
)

// Kind is what a benchmark mail is, and so what the desk should do with it.
type Kind int

// The kinds of the mix.
const (
	OrderStatus Kind = iota // a known contact asks about an order: one answer (the status)
	Quote                   // a new sender asks for a quote: one acknowledgement (and a lead mail to a rep)
	Support                 // a known contact reports a problem: one acknowledgement (and a hand-off)
	AutoReply               // an out-of-office notice: no answer
	Newsletter              // bulk list mail: no answer
)

var kindNames = [...]string{"order_status", "quote", "support", "auto_reply", "newsletter"}

func (k Kind) String() string { return kindNames[k] }

// Answered reports whether the sender of a mail of this kind gets exactly
// one mail back (the others get none).
func (k Kind) Answered() bool { return k <= Support }

// mixPattern is the mix, repeated every ten mails: four order-status
// questions, three quote requests, one support mail and two automated mails.
var mixPattern = [10]Kind{OrderStatus, Quote, OrderStatus, AutoReply, Support, OrderStatus, Quote, Newsletter, OrderStatus, Quote}

// accounts is how many customer accounts the known contacts spread over.
const accounts = 100

// Mail is one benchmark mail.
type Mail struct {
	N         int
	Kind      Kind
	From      string
	MessageID string
	Order     string // the order asked about (OrderStatus)
}

// NewMail returns mail number n of run run (a short tag that keeps
// senders and Message-IDs unique across runs on one database).
func NewMail(run string, n int) Mail {
	m := Mail{N: n, Kind: mixPattern[n%len(mixPattern)], MessageID: fmt.Sprintf("bench-%s-%06d@bench.example", run, n)}
	switch m.Kind {
	case OrderStatus, Support:
		m.From = fmt.Sprintf("buyer%s%06d@acct%03d.example", run, n, n%accounts)
		m.Order = fmt.Sprintf("SO-%s%06d", run, n)
	case Quote:
		m.From = fmt.Sprintf("purchasing@prospect%s%06d.example", run, n)
	case AutoReply:
		m.From = fmt.Sprintf("ooo%s%06d@acct%03d.example", run, n, n%accounts)
	case Newsletter:
		m.From = fmt.Sprintf("news%s%06d@lists.vendor.example", run, n)
	}
	return m
}

// Raw is the message as the customer's mail server would deliver it.
func (m Mail) Raw(to string, now time.Time) []byte {
	head := fmt.Sprintf("From: %s\r\nTo: %s\r\nMessage-ID: <%s>\r\nDate: %s\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n", m.From, to, m.MessageID, now.Format(time.RFC1123Z))
	var subject, body string
	switch m.Kind {
	case OrderStatus:
		subject = "Where is my order " + m.Order + "?"
		body = "Hello,\r\n\r\nwhere is my order " + m.Order + "? It has not arrived yet. Can you tell me the delivery status?\r\n\r\nThanks,\r\nA. Buyer\r\n"
	case Quote:
		subject = "Request for quotation: 500 hydraulic fittings"
		body = "Hello,\r\n\r\nwe are looking for a supplier of hydraulic fittings, about 500 pieces a month. " +
			"Could you send us a quote with prices and delivery times?\r\n\r\nBest regards,\r\nPurchasing\r\n"
	case Support:
		subject = "Problem with the delivered parts"
		body = "Hello,\r\n\r\nsome of the parts you delivered last week are damaged and do not fit. " +
			"We need help with this problem.\r\n\r\nRegards,\r\nA. Buyer\r\n"
	case AutoReply:
		head += "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n"
		subject = "Out of office: back on Monday"
		body = "I am out of the office until Monday and will read your mail when I am back.\r\n"
	case Newsletter:
		head += "Precedence: bulk\r\nList-Id: <news.vendor.example>\r\nList-Unsubscribe: <mailto:leave@lists.vendor.example>\r\n"
		subject = "Our product news this month"
		body = "This month: new fittings, new hoses and our trade fair dates.\r\n"
	}
	return []byte(head + "Subject: " + subject + "\r\n\r\n" + body)
}

// Seed writes the accounts, contacts and orders the mails refer to.
func Seed(ctx context.Context, st *store.Store, run string, mails int) error {
	ids := make([]int64, accounts)
	for i := range ids {
		domain, ext := fmt.Sprintf("acct%03d.example", i), fmt.Sprintf("BENCH-%03d", i)
		c, err := st.CustomerByExternalID(ctx, ext)
		if err == nil {
			ids[i] = c.ID
			continue
		}
		if ids[i], err = st.CreateCustomer(ctx, &store.Customer{ExternalID: ext, Name: fmt.Sprintf("Account %d GmbH", i), Domain: domain, Country: "DE"}); err != nil {
			return fmt.Errorf("seed account: %w", err)
		}
	}
	for n := range mails {
		m := NewMail(run, n)
		if m.Kind != OrderStatus && m.Kind != Support {
			continue
		}
		cust := ids[n%accounts]
		if _, err := st.CreateContact(ctx, &store.Contact{CustomerID: cust, Email: m.From, Name: "A. Buyer"}); err != nil {
			return fmt.Errorf("seed contact: %w", err)
		}
		if _, err := st.CreateOrder(ctx, &store.Order{CustomerID: cust, Number: m.Order, Status: store.OrderShipped,
			Currency: "EUR", AmountCents: 12900 + int64(n), TrackingNumber: "1Z" + m.Order,
			TrackingURL: "https://track.example/" + m.Order, Carrier: "DHL"}); err != nil {
			return fmt.Errorf("seed order: %w", err)
		}
	}
	return nil
}
