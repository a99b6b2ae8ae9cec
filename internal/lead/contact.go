package lead

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/store"
)

// ContactStore is what ContactRecognizer reads and writes; *store.Store
// implements it.
type ContactStore interface {
	RepByEmail(ctx context.Context, email string) (*store.Rep, error)
	InquiryByMessageID(ctx context.Context, messageID string) (*store.Inquiry, error)
	InquiryByReference(ctx context.Context, reference string) (*store.Inquiry, error)
	LeadByInquiry(ctx context.Context, inquiryID int64) (*store.Lead, error)
	RecordLeadContact(ctx context.Context, id int64, at time.Time, via string) (bool, error)
}

// ContactRecognizer tells a rep's own reply to a customer, sent with the
// sales inbox in Cc or Bcc, from customer mail: such a mail records the
// first human contact with the lead and is neither acknowledged nor
// treated as an inquiry.
type ContactRecognizer struct {
	st  ContactStore
	log *slog.Logger
}

// NewContactRecognizer returns a recognizer; a nil logger discards.
func NewContactRecognizer(st ContactStore, log *slog.Logger) *ContactRecognizer {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &ContactRecognizer{st: st, log: log}
}

// maxThreadKeys bounds the Message-IDs one mail is threaded by.
const maxThreadKeys = 32

// RepReply reports whether m is a rep's mail in one of our threads (by
// its In-Reply-To/References, else by the reference token in its subject)
// addressed to someone other than us. If so, and the thread's inquiry
// became a lead whose contact is among the recipients, the lead's contact
// is recorded at the mail's date (received, when the Date is missing or in
// the future). A mail from a rep that is in none of our threads is not
// theirs to record: it returns false and intake treats it as any mail.
func (c *ContactRecognizer) RepReply(ctx context.Context, m *mailparse.Message, received time.Time) (bool, error) {
	sender := strings.ToLower(strings.TrimSpace(m.From.Address))
	if sender == "" {
		return false, nil
	}
	rep, err := c.st.RepByEmail(ctx, sender)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	q, err := c.thread(ctx, m)
	if err != nil || q == nil {
		return false, err
	}
	log := c.log.With("rep_id", rep.ID, "inquiry_id", q.ID)
	l, err := c.st.LeadByInquiry(ctx, q.ID)
	if errors.Is(err, store.ErrNotFound) && q.ThreadID != 0 && q.ThreadID != q.ID {
		l, err = c.st.LeadByInquiry(ctx, q.ThreadID)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		log.InfoContext(ctx, "rep reply in a thread without a lead, recorded as nothing")
		return true, nil
	case err != nil:
		return false, err
	}
	if !addressedTo(m, l.ContactEmail) {
		log.InfoContext(ctx, "rep mail in a lead's thread not addressed to its contact, no contact recorded", "lead_id", l.ID)
		return true, nil
	}
	at := m.Date
	if at.IsZero() || at.After(received) {
		at = received
	}
	first, err := c.st.RecordLeadContact(ctx, l.ID, at, store.ContactViaReply)
	if err != nil {
		return false, err
	}
	log.InfoContext(ctx, "rep reply recorded as contact", "lead_id", l.ID, "first_contact", first)
	return true, nil
}

// thread finds the inquiry m answers: by Message-ID first, then by the
// reference token (a rep may write a new mail quoting it).
func (c *ContactRecognizer) thread(ctx context.Context, m *mailparse.Message) (*store.Inquiry, error) {
	for i, id := range mailparse.ThreadKeys(m) {
		if i >= maxThreadKeys {
			break
		}
		q, err := c.st.InquiryByMessageID(ctx, strings.Trim(id, "<> "))
		if err == nil {
			return q, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	tok, ok := mailparse.ReferenceToken(m.Subject)
	if !ok {
		return nil, nil
	}
	q, err := c.st.InquiryByReference(ctx, store.ReferencePrefix+tok)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return q, err
}

// addressedTo reports whether addr is among m's To and Cc.
func addressedTo(m *mailparse.Message, addr string) bool {
	for _, a := range append(append([]mailparse.Address(nil), m.To...), m.Cc...) {
		if addr != "" && strings.EqualFold(strings.TrimSpace(a.Address), addr) {
			return true
		}
	}
	return false
}
