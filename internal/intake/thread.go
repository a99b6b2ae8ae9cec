package intake

import (
	"context"
	"errors"
	"strings"

	"salesdesk/internal/mailparse"
	"salesdesk/internal/store"
)

// findThread returns the inquiry a mail replies to, or nil when it starts
// a new conversation.
//
// The mail's In-Reply-To and References are looked up, most specific
// first, among our outbound mails about an inquiry and the inbound messages
// inquiries were made from. An earlier inbound message that matches but has
// no inquiry of its own (an automated mail, say) passes its own
// In-Reply-To and References on to the search. Every Message-ID is looked
// up at most once and at most MaxThreadLookups in all, so two mails that
// point at each other, or a References list of thousands, end the walk.
func (p *Processor) findThread(ctx context.Context, m *mailparse.Message, sender string) (*store.Inquiry, error) {
	seen := map[string]bool{}
	if m.MessageID != "" {
		seen[m.MessageID] = true
	}
	var pending []string
	push := func(id string) {
		id = strings.Trim(strings.TrimSpace(id), "<>")
		if id != "" && !seen[id] {
			seen[id] = true
			pending = append(pending, id)
		}
	}
	for _, id := range mailparse.ThreadKeys(m) {
		push(id)
	}
	for lookups := 0; len(pending) > 0 && lookups < p.opts.MaxThreadLookups; lookups++ {
		id := pending[0]
		pending = pending[1:]
		q, err := p.st.InquiryByMessageID(ctx, id)
		if err == nil {
			return q, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		earlier, err := p.st.InboundByMessageID(ctx, id)
		if err != nil {
			return nil, err
		}
		for i, inboundID := range earlier {
			if i >= 4 { // the same Message-ID stored more often adds nothing
				break
			}
			prev, found, err := p.st.InboundParsed(ctx, inboundID)
			if err != nil {
				return nil, err
			}
			if !found {
				continue
			}
			push(prev.InReplyTo)
			for j := len(prev.References) - 1; j >= 0; j-- {
				push(prev.References[j])
			}
		}
	}
	return p.threadByToken(ctx, m.Subject, sender)
}

// threadByToken threads by the reference token in the subject. Tokens are
// sequential and so guessable: the token counts only when the sender is on
// the same mail domain as the inquiry's contact.
func (p *Processor) threadByToken(ctx context.Context, subject, sender string) (*store.Inquiry, error) {
	tok, ok := mailparse.ReferenceToken(subject)
	if !ok || sender == "" {
		return nil, nil
	}
	q, err := p.st.InquiryByReference(ctx, store.ReferencePrefix+tok)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(q.ContactEmail, sender) && (domainOf(sender) == "" || !strings.EqualFold(domainOf(q.ContactEmail), domainOf(sender))) {
		p.log.InfoContext(ctx, "reference token from another domain ignored", "reference", q.Reference, "sender", sender)
		return nil, nil
	}
	return q, nil
}

// domainOf returns the lower-case domain of an address, or "".
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 || i == len(addr)-1 {
		return ""
	}
	return strings.ToLower(addr[i+1:])
}
