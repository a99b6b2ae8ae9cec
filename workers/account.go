package workers

import (
	"context"
	"errors"
	"strings"
	"time"

	"salesdesk/internal/mailer"
	"salesdesk/internal/mailparse"
	"salesdesk/internal/queue"
	"salesdesk/internal/report"
	"salesdesk/internal/store"
)

// The account and mail helpers every handler family calls: the customer's
// mail behind an inquiry, the account's owner rep and the account summary
// that hand-offs and lead mails show.

// mailReader reads an inquiry and the mail it was made from.
type mailReader interface {
	Inquiry(ctx context.Context, id int64) (*store.Inquiry, error)
	InboundParsed(ctx context.Context, id int64) (store.ParsedInbound, bool, error)
}

// repReader reads a rep.
type repReader interface {
	Rep(ctx context.Context, id int64) (*store.Rep, error)
}

// accountReader reads what an account summary shows.
type accountReader interface {
	repReader
	OpenOrdersForCustomer(ctx context.Context, customerID int64) ([]store.Order, error)
	ListLeads(ctx context.Context, f store.LeadFilter) ([]store.Lead, error)
	ListInquiries(ctx context.Context, f store.InquiryFilter) ([]store.Inquiry, error)
}

// customerMail is an inquiry with the mail it was made from.
type customerMail struct {
	inquiry   *store.Inquiry
	parsed    store.ParsedInbound
	messageID string // the customer's Message-ID, without angle brackets
}

// loadCustomerMail reads an inquiry and its inbound mail. A missing
// inquiry is permanent; a missing mail leaves the inquiry's own sender
// and subject.
func loadCustomerMail(ctx context.Context, st mailReader, inquiryID int64) (*customerMail, error) {
	q, err := st.Inquiry(ctx, inquiryID)
	if err != nil {
		return nil, missingIsPermanent(err)
	}
	return customerMailOf(ctx, st, q)
}

// customerMailOf is loadCustomerMail for an inquiry already read.
func customerMailOf(ctx context.Context, st mailReader, q *store.Inquiry) (*customerMail, error) {
	cm := &customerMail{inquiry: q, parsed: store.ParsedInbound{From: q.ContactEmail, Subject: q.Subject}}
	if q.InboundMessageID == 0 {
		return cm, nil
	}
	// One read without the raw message: the parsed form carries the
	// Message-ID, also before the message is parsed.
	p, found, err := st.InboundParsed(ctx, q.InboundMessageID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	cm.messageID = p.MessageID
	if found {
		cm.parsed = p
	}
	return cm, nil
}

// loadTaskMail loads the inquiry a task's payload names. parseErr is the
// error of parsing that payload, returned as it is: a handler parses and
// loads in two lines.
func loadTaskMail(ctx context.Context, st mailReader, inquiryID int64, parseErr error) (*customerMail, error) {
	if parseErr != nil {
		return nil, parseErr
	}
	return loadCustomerMail(ctx, st, inquiryID)
}

// missingIsPermanent marks store.ErrNotFound permanent: a row that is
// gone does not come back on a retry.
func missingIsPermanent(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return queue.Permanent(err)
	}
	return err
}

// sender is the address the mail came from, or "" when it came from no
// address salesdesk can send to (intake stores none then either).
func (cm *customerMail) sender() string {
	if cm.inquiry.ContactEmail != "" {
		return cm.inquiry.ContactEmail
	}
	return mailparse.Sendable(cm.parsed.From)
}

// body is the customer's words: the new part of the mail, else all of it.
func (cm *customerMail) body() string {
	if strings.TrimSpace(cm.parsed.NewText) != "" {
		return cm.parsed.NewText
	}
	return cm.parsed.Text
}

// words is body without surrounding space.
func (cm *customerMail) words() string { return strings.TrimSpace(cm.body()) }

// receivedAt is when the customer wrote, else when the inquiry was made.
func (cm *customerMail) receivedAt() time.Time {
	if !cm.parsed.Date.IsZero() {
		return cm.parsed.Date
	}
	return cm.inquiry.CreatedAt
}

// reply fills the threading fields of an answer to the customer's mail, so
// their mail client shows it in the conversation.
func (cm *customerMail) reply(o *store.OutboundEmail) {
	if cm.messageID == "" {
		return
	}
	o.InReplyTo = cm.messageID
	o.References = append(append([]string{}, cm.parsed.References...), cm.messageID)
}

// thread makes o an answer to the customer's mail about this inquiry.
func (cm *customerMail) thread(o *store.OutboundEmail) {
	o.InquiryID = cm.inquiry.ID
	cm.reply(o)
}

// availableOwner returns the account's owner rep when they can take mail
// about it now (active, with an address, not out of office), or nil.
func (d Desk) availableOwner(ctx context.Context, st repReader, c *store.Customer) *store.Rep {
	if c.OwnerRepID == 0 {
		return nil
	}
	rep, err := st.Rep(ctx, c.OwnerRepID)
	if err != nil {
		d.Logger.WarnContext(ctx, "owner rep not readable", "rep_id", c.OwnerRepID, "error", err.Error())
		return nil
	}
	if !rep.Active || rep.Email == "" || rep.OutOfOfficeUntil.After(d.Clock.Now()) {
		return nil
	}
	return rep
}

// accountSummary fills the account summary: open orders, open leads and
// earlier inquiries of the account, or of the sender when there is no
// account.
func accountSummary(ctx context.Context, st accountReader, q *store.Inquiry, c *store.Customer, a mailer.AccountSummary) (mailer.AccountSummary, error) {
	const maxRows = 10
	if c != nil {
		orders, err := st.OpenOrdersForCustomer(ctx, c.ID)
		if err != nil {
			return a, err
		}
		for i, o := range orders {
			if i == maxRows {
				break
			}
			a.OpenOrders = append(a.OpenOrders, mailer.OrderSummary{Number: o.Number, Status: o.Status,
				Total: money(o.Currency, o.AmountCents), ExpectedAt: o.PromisedDate})
		}
	}
	lf := store.LeadFilter{ContactEmail: q.ContactEmail, Limit: 100}
	if c != nil && c.Domain != "" {
		lf = store.LeadFilter{Domain: c.Domain, Limit: 100}
	}
	if lf.ContactEmail != "" || lf.Domain != "" {
		leads, err := st.ListLeads(ctx, lf)
		if err != nil {
			return a, err
		}
		reps := map[int64]string{}
		for _, l := range leads {
			if len(a.OpenLeads) == maxRows {
				break
			}
			if l.Status != store.LeadUnassigned && l.Status != store.LeadAssigned && l.Status != store.LeadContacted {
				continue
			}
			if c != nil && l.CustomerID != 0 && l.CustomerID != c.ID {
				continue
			}
			a.OpenLeads = append(a.OpenLeads, mailer.LeadSummary{Reference: l.Ref(), Title: l.Summary,
				Status: l.Status, Rep: repName(ctx, st, reps, l.RepID), CreatedAt: l.CreatedAt})
		}
	}
	f := store.InquiryFilter{ContactEmail: q.ContactEmail, Limit: maxRows + 1}
	if c != nil {
		f = store.InquiryFilter{CustomerID: c.ID, Limit: maxRows + 1}
	}
	if f.ContactEmail != "" || f.CustomerID != 0 {
		past, err := st.ListInquiries(ctx, f)
		if err != nil {
			return a, err
		}
		for _, p := range past {
			if p.ID == q.ID || len(a.PastInquiries) == maxRows {
				continue
			}
			a.PastInquiries = append(a.PastInquiries, mailer.InquirySummary{Reference: p.Reference, Category: p.Category,
				Subject: p.Subject, Status: p.Status, ReceivedAt: p.CreatedAt})
		}
	}
	return a, nil
}

// repName is the name of rep id, read once per cache.
func repName(ctx context.Context, st repReader, cache map[int64]string, id int64) string {
	if id == 0 {
		return ""
	}
	if name, ok := cache[id]; ok {
		return name
	}
	var name string
	if rep, err := st.Rep(ctx, id); err == nil {
		name = rep.Name
	}
	cache[id] = name
	return name
}

// contactName is how we greet the contact.
func contactName(c *store.Contact, fallback string) string {
	if c != nil && strings.TrimSpace(c.Name) != "" {
		return c.Name
	}
	return fallback
}

// money formats an amount such as "EUR 1,240.00" (report.FormatCents);
// an order without amount or currency shows nothing.
func money(currency string, cents int64) string {
	if cents == 0 && currency == "" {
		return ""
	}
	return report.FormatCents(cents, currency)
}

// repSigner is how rep signs a customer mail: name, title and phone from
// the rep's record. A nil rep gives the zero Signer: the team signs.
func repSigner(rep *store.Rep) mailer.Signer {
	if rep == nil {
		return mailer.Signer{}
	}
	return mailer.Signer{Name: rep.Name, Title: rep.Title, Phone: rep.Phone, Email: rep.Email}
}
