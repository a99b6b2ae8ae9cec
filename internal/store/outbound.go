package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Outbound mail statuses.
const (
	OutboundQueued  = "queued"  // a row, not yet sent
	OutboundSent    = "sent"    // accepted by the SMTP server
	OutboundFailed  = "failed"  // permanently refused (5xx); Error says why
	OutboundBounced = "bounced" // sent, then a bounce came back
)

// OutboundEmail is one mail salesdesk sends. It is a row before it is a
// task: mail:send reads it by id and sends it with its fixed MessageID.
type OutboundEmail struct {
	ID             int64
	IdempotencyKey string // unique: what makes "send this" happen once, e.g. "ack:inquiry:42"
	MessageID      string // our Message-ID, without angle brackets; unique
	Kind           string // e.g. "ack", "order_status", "lead_assigned"
	InquiryID      int64  // 0 when not about an inquiry
	From           string
	ReplyTo        string
	To             []string
	Cc             []string
	Subject        string
	BodyText       string
	BodyHTML       string
	InReplyTo      string   // without angle brackets
	References     []string // without angle brackets
	Attachments    []Attachment
	Status         string // OutboundQueued, OutboundSent, OutboundFailed, OutboundBounced
	Error          string // last SMTP error or bounce reason
	Attempts       int    // delivery attempts so far
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SentAt         time.Time
	BouncedAt      time.Time
}

// Attachment is a file carried by an outbound mail, such as a meeting's
// .ics invite.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// CreateOutbound stores a queued outbound mail, unique on its idempotency
// key. When a row with that key exists it returns that row's id with
// created=false and changes nothing. Another row with the same MessageID is
// ErrConflict. On success o.ID is set.
func (s *Store) CreateOutbound(ctx context.Context, o *OutboundEmail) (id int64, created bool, err error) {
	return s.createOutbound(ctx, s.db, o)
}

// createOutbound is CreateOutbound with q, the database or a transaction.
func (s *Store) createOutbound(ctx context.Context, q querier, o *OutboundEmail) (id int64, created bool, err error) {
	switch {
	case o.IdempotencyKey == "":
		return 0, false, errors.New("store: create outbound: idempotency key required")
	case o.MessageID == "":
		return 0, false, errors.New("store: create outbound: message id required")
	case len(o.To) == 0:
		return 0, false, errors.New("store: create outbound: no recipient")
	}
	for _, addr := range append(append([]string{}, o.To...), o.Cc...) {
		if strings.ContainsAny(addr, "\r\n") {
			return 0, false, fmt.Errorf("store: create outbound: recipient %q contains a line break", addr)
		}
	}
	var attachments string
	if len(o.Attachments) > 0 {
		b, err := json.Marshal(o.Attachments)
		if err != nil {
			return 0, false, fmt.Errorf("store: create outbound: attachments: %w", err)
		}
		attachments = string(b)
	}
	now := s.nowUTC()
	err = q.QueryRowContext(ctx, s.rebind(`
		INSERT INTO outbound_emails
			(idempotency_key, message_id, kind, inquiry_id, from_addr, reply_to, to_addrs, cc_addrs, subject,
			 body_text, body_html, in_reply_to, refs, attachments, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING id`),
		o.IdempotencyKey, trimAngles(o.MessageID), o.Kind, nullID(o.InquiryID), o.From, o.ReplyTo,
		joinAddrs(o.To), joinAddrs(o.Cc), o.Subject, o.BodyText, o.BodyHTML, trimAngles(o.InReplyTo),
		strings.Join(o.References, " "), attachments, OutboundQueued, s.ts(now), s.ts(now)).Scan(&id)
	switch {
	case err == nil:
		created = true
	case errors.Is(err, sql.ErrNoRows):
		err = q.QueryRowContext(ctx, s.rebind("SELECT id FROM outbound_emails WHERE idempotency_key = ?"),
			o.IdempotencyKey).Scan(&id)
		if err != nil {
			return 0, false, fmt.Errorf("store: create outbound %q: %w", o.IdempotencyKey, err)
		}
	default:
		return 0, false, fmt.Errorf("store: create outbound %q: %w", o.IdempotencyKey, conflict(err))
	}
	o.ID = id
	return id, created, nil
}

func joinAddrs(addrs []string) string {
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		if a = strings.TrimSpace(a); a != "" {
			out = append(out, a)
		}
	}
	return strings.Join(out, "\n")
}

const outboundColumns = `id, idempotency_key, message_id, kind, inquiry_id, from_addr, reply_to, to_addrs, cc_addrs,
	subject, body_text, body_html, in_reply_to, refs, attachments, status, error, attempts, created_at, updated_at,
	sent_at, bounced_at`

func scanOutbound(r row) (*OutboundEmail, error) {
	var (
		o                             OutboundEmail
		to, cc, refs, attachmentsJSON string
	)
	err := r.Scan(&o.ID, &o.IdempotencyKey, &o.MessageID, &o.Kind, icol(&o.InquiryID), &o.From, &o.ReplyTo, &to, &cc,
		&o.Subject, &o.BodyText, &o.BodyHTML, &o.InReplyTo, &refs, &attachmentsJSON, &o.Status, &o.Error, &o.Attempts,
		tcol(&o.CreatedAt), tcol(&o.UpdatedAt), tcol(&o.SentAt), tcol(&o.BouncedAt))
	if err != nil {
		return nil, err
	}
	o.To, o.Cc, o.References = splitNonEmpty(to, "\n"), splitNonEmpty(cc, "\n"), strings.Fields(refs)
	if attachmentsJSON != "" {
		if err := json.Unmarshal([]byte(attachmentsJSON), &o.Attachments); err != nil {
			return nil, fmt.Errorf("attachments: %w", err)
		}
	}
	return &o, nil
}

func (s *Store) outboundWhere(ctx context.Context, what, cond string, arg any) (*OutboundEmail, error) {
	o, err := queryOne(ctx, s, scanOutbound, "SELECT "+outboundColumns+" FROM outbound_emails WHERE "+cond, arg)
	if err != nil {
		return nil, fmt.Errorf("store: outbound %s: %w", what, err)
	}
	return o, nil
}

// Outbound returns the outbound mail with the given id, or ErrNotFound.
func (s *Store) Outbound(ctx context.Context, id int64) (*OutboundEmail, error) {
	return s.outboundWhere(ctx, fmt.Sprint(id), "id = ?", id)
}

// OutboundByMessageID returns the outbound mail with that Message-ID
// (angle brackets optional), or ErrNotFound. Bounce handling and threading
// use it to find which of our mails a message refers to.
func (s *Store) OutboundByMessageID(ctx context.Context, messageID string) (*OutboundEmail, error) {
	return s.outboundWhere(ctx, "message-id "+messageID, "message_id = ?", trimAngles(messageID))
}

// OutboundByIdempotencyKey returns the outbound mail with that key, or
// ErrNotFound.
func (s *Store) OutboundByIdempotencyKey(ctx context.Context, key string) (*OutboundEmail, error) {
	return s.outboundWhere(ctx, "key "+key, "idempotency_key = ?", key)
}

// MarkOutboundSent records a successful delivery. A row that is already
// sent or bounced keeps its state, so a repeated mail:send is harmless.
func (s *Store) MarkOutboundSent(ctx context.Context, id int64, sentAt time.Time) error {
	if sentAt.IsZero() {
		sentAt = s.nowUTC()
	}
	return s.updateOutbound(ctx, "mark sent", id, `
		UPDATE outbound_emails SET status = ?, error = '', attempts = attempts + 1, sent_at = ?, updated_at = ?
		WHERE id = ? AND status IN ('queued', 'failed')`,
		OutboundSent, s.ts(sentAt), s.ts(s.nowUTC()), id)
}

// RecordOutboundAttempt records a transient delivery failure (SMTP 4xx,
// network): the row stays queued for the next retry.
func (s *Store) RecordOutboundAttempt(ctx context.Context, id int64, reason string) error {
	return s.updateOutbound(ctx, "record attempt", id, `
		UPDATE outbound_emails SET error = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND status = 'queued'`,
		reason, s.ts(s.nowUTC()), id)
}

// MarkOutboundFailed records a permanent refusal (SMTP 5xx) with the
// server's answer. A row already sent keeps its state.
func (s *Store) MarkOutboundFailed(ctx context.Context, id int64, reason string) error {
	return s.updateOutbound(ctx, "mark failed", id, `
		UPDATE outbound_emails SET status = ?, error = ?, attempts = attempts + 1, updated_at = ?
		WHERE id = ? AND status = 'queued'`,
		OutboundFailed, reason, s.ts(s.nowUTC()), id)
}

// MarkOutboundBounced records that a bounce came back for this mail.
func (s *Store) MarkOutboundBounced(ctx context.Context, id int64, reason string) error {
	now := s.ts(s.nowUTC())
	return s.updateOutbound(ctx, "mark bounced", id, `
		UPDATE outbound_emails SET status = ?, error = ?, bounced_at = ?, updated_at = ?
		WHERE id = ? AND status <> 'bounced'`,
		OutboundBounced, reason, now, now, id)
}

// updateOutbound runs a guarded state change. No row changed means either
// the row is missing (ErrNotFound) or its state already rules the change
// out, which is not an error.
func (s *Store) updateOutbound(ctx context.Context, what string, id int64, query string, args ...any) error {
	if _, err := s.guardedUpdate(ctx, s.db, "outbound_emails", id, query, args...); err != nil {
		return fmt.Errorf("store: outbound %s %d: %w", what, id, err)
	}
	return nil
}

// OutboundFilter selects outbound mails; zero fields match everything.
type OutboundFilter struct {
	To        string // exact single recipient
	Kind      string
	Status    string
	InquiryID int64
	Since     time.Time // created at or after
	Limit     int       // default 50, at most 1000
	Offset    int
}

// ListOutbound returns outbound mails matching f, newest first.
func (s *Store) ListOutbound(ctx context.Context, f OutboundFilter) ([]OutboundEmail, error) {
	ctx = asReport(ctx)
	var w where
	if f.To != "" {
		w.add("to_addrs = ?", f.To)
	}
	if f.Kind != "" {
		w.add("kind = ?", f.Kind)
	}
	if f.Status != "" {
		w.add("status = ?", f.Status)
	}
	if f.InquiryID != 0 {
		w.add("inquiry_id = ?", f.InquiryID)
	}
	s.timeRange(&w, "created_at", f.Since, time.Time{})
	clause, args := w.paged("created_at DESC, id DESC", f.Limit, f.Offset)
	out, err := queryAll(ctx, s, scanOutbound, "SELECT "+outboundColumns+" FROM outbound_emails"+clause, args...)
	if err != nil {
		return nil, fmt.Errorf("store: list outbound: %w", err)
	}
	return out, nil
}
