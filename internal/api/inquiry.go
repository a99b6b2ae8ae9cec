package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"salesdesk/internal/routing"
	"salesdesk/internal/store"
)

// inquiryJSON is an inquiry as the API shows it.
type inquiryJSON struct {
	ID               int64      `json:"id"`
	Reference        string     `json:"reference"`
	CustomerID       *int64     `json:"customer_id"`
	ContactEmail     string     `json:"contact_email"`
	Subject          string     `json:"subject"`
	Category         string     `json:"category"`
	Confidence       float64    `json:"confidence"`
	Status           string     `json:"status"`
	Priority         string     `json:"priority"`
	ThreadID         *int64     `json:"thread_id"`
	ParentID         *int64     `json:"parent_id"`
	InboundMessageID *int64     `json:"inbound_message_id"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	ClosedAt         *time.Time `json:"closed_at"`
	// Language is the ISO 639-1 code of the customer's mail ("" when not
	// detected); SecondaryCategories are its further requests.
	Language            string   `json:"language"`
	SecondaryCategories []string `json:"secondary_categories"`
}

func inquiryOut(q *store.Inquiry) inquiryJSON {
	return inquiryJSON{
		ID: q.ID, Reference: q.Reference, CustomerID: idOrNull(q.CustomerID), ContactEmail: q.ContactEmail,
		Subject: q.Subject, Category: q.Category, Confidence: q.Confidence, Status: q.Status, Priority: q.Priority,
		ThreadID: idOrNull(q.ThreadID), ParentID: idOrNull(q.ParentID), InboundMessageID: idOrNull(q.InboundMessageID),
		CreatedAt: q.CreatedAt, UpdatedAt: q.UpdatedAt, ClosedAt: timeOrNull(q.ClosedAt),
		Language: q.Language, SecondaryCategories: orEmpty(q.SecondaryCategories),
	}
}

// orEmpty shows a missing list as [] rather than null.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// messageJSON is what the parser made of an inquiry's mail.
type messageJSON struct {
	Parsed   bool       `json:"parsed"` // false while the mail waits for the parser
	From     string     `json:"from"`
	FromName string     `json:"from_name"`
	To       []string   `json:"to"`
	Subject  string     `json:"subject"`
	Date     *time.Time `json:"date"`
	Kind     string     `json:"kind"`
	// NewText is the new part of the mail, without quoted history and
	// signature; Text the whole text, cut at maxMessageText bytes.
	NewText       string     `json:"new_text"`
	Text          string     `json:"text,omitempty"`
	TextTruncated bool       `json:"text_truncated,omitempty"`
	Warnings      []string   `json:"warnings"`
	ParsedAt      *time.Time `json:"parsed_at"`
}

// Sizes of the mail text in inquiry answers.
const (
	maxMessageText = 64 << 10 // the inquiry's own mail
	maxThreadText  = 4 << 10  // each mail of its thread
	maxThread      = 200      // mails of a thread shown
)

func messageOut(p store.ParsedInbound, found, full bool) *messageJSON {
	m := &messageJSON{Parsed: found, From: p.From, FromName: p.FromName, To: nonNil(p.To), Subject: p.Subject,
		Date: timeOrNull(p.Date), Kind: p.Kind, Warnings: nonNil(p.Warnings), ParsedAt: timeOrNull(p.ParsedAt)}
	limit := maxThreadText
	if full {
		limit = maxMessageText
		m.Text, m.TextTruncated = cut(p.Text, limit)
	}
	m.NewText, _ = cut(p.NewText, limit)
	return m
}

// cut shortens s to at most n bytes on a character boundary.
func cut(s string, n int) (string, bool) {
	if len(s) <= n {
		return s, false
	}
	for n > 0 && !validCut(s, n) {
		n--
	}
	return s[:n], true
}

func (h *handler) message(ctx context.Context, inboundID int64, full bool) (*messageJSON, error) {
	if inboundID == 0 {
		return nil, nil
	}
	p, found, err := h.st.InboundParsed(ctx, inboundID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return messageOut(p, found, full), nil
}

func (h *handler) listInquiries(w http.ResponseWriter, r *http.Request, q *query) error {
	f := store.InquiryFilter{
		Category:   q.str("category"),
		Status:     q.str("status"),
		CustomerID: q.id("customer_id"),
		Since:      q.time("since"),
		Until:      q.time("until"),
	}
	if f.Category != "" {
		if _, ok := routing.ParseCategory(f.Category); !ok || strings.ToLower(f.Category) != f.Category {
			q.f.add("category", "must be one of %s", categoryList())
		}
	}
	q.window(f.Since, f.Until)
	p := q.page()
	if err := q.f.err(); err != nil {
		return err
	}
	return writePage(w, p, true, func(x *store.Inquiry) sortKey { return sortKey{x.CreatedAt, x.ID} },
		func(limit, offset int) ([]store.Inquiry, error) {
			f.Limit, f.Offset = limit, offset
			return h.st.ListInquiries(r.Context(), f)
		}, inquiryOut)
}

// threadEntry is one inquiry of a thread with a summary of its mail.
type threadEntry struct {
	inquiryJSON
	Message *messageJSON `json:"message"`
}

func (h *handler) getInquiry(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "inquiry")
	if err != nil {
		return err
	}
	ctx := r.Context()
	inq, err := h.st.Inquiry(ctx, id)
	if err != nil {
		return orNotFound(err, "inquiry", id)
	}
	out := struct {
		inquiryJSON
		Message         *messageJSON     `json:"message"`
		Attachments     []attachmentJSON `json:"attachments"`
		Thread          []threadEntry    `json:"thread"`
		ThreadTruncated bool             `json:"thread_truncated,omitempty"`
	}{inquiryJSON: inquiryOut(inq), Thread: []threadEntry{}}
	if out.Message, err = h.message(ctx, inq.InboundMessageID, true); err != nil {
		return err
	}
	if out.Attachments, err = h.attachments(ctx, inq.InboundMessageID); err != nil {
		return err
	}
	threadID := inq.ThreadID
	if threadID == 0 {
		threadID = inq.ID
	}
	thread, err := h.st.InquiryThread(ctx, threadID)
	if err != nil {
		return err
	}
	if len(thread) > maxThread {
		thread, out.ThreadTruncated = thread[:maxThread], true
	}
	for i := range thread {
		e := threadEntry{inquiryJSON: inquiryOut(&thread[i])}
		if e.Message, err = h.message(ctx, thread[i].InboundMessageID, false); err != nil {
			return err
		}
		out.Thread = append(out.Thread, e)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func categoryList() string {
	var names []string
	for _, c := range routing.Categories() {
		names = append(names, string(c))
	}
	return strings.Join(names, ", ")
}

func (h *handler) labelInquiry(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "inquiry")
	if err != nil {
		return err
	}
	var in struct {
		Category string `json:"category"`
	}
	if err := decode(w, r, &in); err != nil {
		return err
	}
	cat, ok := routing.ParseCategory(in.Category)
	switch {
	case strings.TrimSpace(in.Category) == "":
		return invalid("category", "required")
	case !ok:
		return invalid("category", "must be one of %s", categoryList())
	}
	ctx := r.Context()
	inq, err := h.st.Inquiry(ctx, id)
	if err != nil {
		return orNotFound(err, "inquiry", id)
	}

	// The example is stored first: a failure after it is answered as an
	// error and the client's retry stores the same example again (it is
	// unique per inquiry).
	var exampleID *int64
	if ex, err := h.labelExample(ctx, inq, string(cat)); err != nil {
		return err
	} else if ex != nil {
		exampleID = &ex.ID
	}
	if h.hooks.OnLabel != nil {
		if err := h.hooks.OnLabel(ctx, id, string(cat), caller(ctx)); err != nil {
			return orNotFound(err, "inquiry", id)
		}
	} else if err := h.st.SetInquiryCategory(ctx, id, string(cat), 1); err != nil {
		return orNotFound(err, "inquiry", id)
	}
	h.log.InfoContext(ctx, "inquiry relabelled", "inquiry_id", id, "from", inq.Category, "to", string(cat),
		"by", caller(ctx))
	if inq, err = h.st.Inquiry(ctx, id); err != nil {
		return orNotFound(err, "inquiry", id)
	}
	writeJSON(w, http.StatusOK, struct {
		inquiryJSON
		ExampleID *int64 `json:"example_id"`
	}{inquiryOut(inq), exampleID})
	return nil
}

// labelExample stores the inquiry's mail as a routing example of
// category; an inquiry without mail text has nothing to teach and gets
// none (nil).
func (h *handler) labelExample(ctx context.Context, inq *store.Inquiry, category string) (*store.RoutingExample, error) {
	if inq.InboundMessageID == 0 {
		return nil, nil
	}
	p, found, err := h.st.InboundParsed(ctx, inq.InboundMessageID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !found) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	text := p.NewText
	if strings.TrimSpace(text) == "" {
		text = p.Text
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	ex := &store.RoutingExample{InquiryID: inq.ID, Subject: p.Subject, Text: text, Category: category,
		Source: store.ExampleLabel}
	if _, err := h.st.AddRoutingExample(ctx, ex); err != nil {
		return nil, err
	}
	return ex, nil
}

func (h *handler) closeInquiry(w http.ResponseWriter, r *http.Request, q *query) error {
	id, err := pathID(r, "id", "inquiry")
	if err != nil {
		return err
	}
	if err := noBody(w, r); err != nil {
		return err
	}
	ctx := r.Context()
	if err := h.st.SetInquiryStatus(ctx, id, store.InquiryClosed); err != nil {
		return orNotFound(err, "inquiry", id)
	}
	if h.hooks.OnInquiryClosed != nil {
		if err := h.hooks.OnInquiryClosed(ctx, id); err != nil {
			return orNotFound(err, "inquiry", id)
		}
	}
	h.log.InfoContext(ctx, "inquiry closed", "inquiry_id", id, "by", caller(ctx))
	inq, err := h.st.Inquiry(ctx, id)
	if err != nil {
		return orNotFound(err, "inquiry", id)
	}
	writeJSON(w, http.StatusOK, inquiryOut(inq))
	return nil
}
