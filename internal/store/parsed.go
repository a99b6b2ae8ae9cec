package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Inbound message kinds, as mailparse classifies them.
const (
	KindHuman     = "human"
	KindAutoReply = "auto_reply"
	KindBounce    = "bounce"
	KindList      = "list"
)

// ParsedInbound is what the inbound:email handler learned from a stored
// message: the decoded headers, the text and the kind of sender.
type ParsedInbound struct {
	From       string // address only, e.g. "ann@example.com"
	FromName   string
	To         []string
	Subject    string
	Date       time.Time // the Date header; zero when missing or invalid
	Kind       string    // KindHuman, KindAutoReply, KindBounce or KindList
	Text       string    // best text body
	NewText    string    // the new part of a reply, without quoted history and signature
	InReplyTo  string    // without angle brackets
	References []string  // without angle brackets, oldest first
	Warnings   []string
	ParsedAt   time.Time
	// MessageID is the stored message's Message-ID, without angle
	// brackets: read with the parsed form (a reply threads onto it without
	// loading the raw message), never written by SetInboundParsed.
	MessageID string
}

// SetInboundParsed stores the parsed form of a stored message, replacing
// any earlier one, or returns ErrNotFound.
func (s *Store) SetInboundParsed(ctx context.Context, id int64, p ParsedInbound) error {
	return s.setInboundParsed(ctx, s.db, id, p, nil)
}

// inboundStatus is a status and its reason to store with a parsed form,
// and the sender verdict to keep unless the message has one (auth, may be
// nil).
type inboundStatus struct {
	status, reason string
	auth           *SenderAuth
}

// setInboundParsed stores p; with st set, the status and reason change in
// the same statement, so FinishInbound writes one new version of the row
// (and, on PostgreSQL, one set of its search index entries), not two.
func (s *Store) setInboundParsed(ctx context.Context, q querier, id int64, p ParsedInbound, st *inboundStatus) error {
	now := s.nowUTC()
	parsedAt := p.ParsedAt
	if parsedAt.IsZero() {
		parsedAt = now
	}
	query := `
		UPDATE inbound_messages SET
			from_addr = ?, from_name = ?, to_addrs = ?, subject = ?, sent_at = ?, kind = ?,
			body_text = ?, new_text = ?, in_reply_to = ?, refs = ?, warnings = ?, parsed_at = ?, updated_at = ?`
	args := []any{normEmail(p.From), p.FromName, strings.Join(p.To, "\n"), p.Subject, s.nullTS(p.Date), p.Kind,
		p.Text, p.NewText, p.InReplyTo, strings.Join(p.References, " "), strings.Join(p.Warnings, "\n"),
		s.ts(parsedAt), s.ts(now)}
	if st != nil {
		query += ", status = ?, reason = ?"
		args = append(args, st.status, st.reason)
	}
	if st == nil || st.auth == nil {
		res, err := q.ExecContext(ctx, s.rebind(query+" WHERE id = ?"), append(args, id)...)
		return s.checkUpdated(res, err, "set inbound parsed", id)
	}
	// The verdict in the same statement (SET reads the row as it was):
	// stored when there is none, kept when it is the same; another one
	// matches no row, which the read below tells from a missing row.
	query += `, sender_auth = CASE WHEN sender_auth = '' THEN ? ELSE sender_auth END,
		sender_auth_detail = CASE WHEN sender_auth = '' THEN ? ELSE sender_auth_detail END
		WHERE id = ? AND (sender_auth = '' OR sender_auth = ?)`
	args = append(args, st.auth.Verdict, st.auth.Detail, id, st.auth.Verdict)
	changed, err := s.guardedUpdate(ctx, q, "inbound_messages", id, query, args...)
	if err != nil {
		return fmt.Errorf("store: set inbound parsed %d: %w", id, conflict(err))
	}
	if !changed {
		return fmt.Errorf("store: set inbound parsed %d: %w", id, ErrSenderAuthChanged)
	}
	return nil
}

// InboundParsed returns the parsed form of a stored message; found is false
// when it has not been parsed yet. A missing message is ErrNotFound.
func (s *Store) InboundParsed(ctx context.Context, id int64) (p ParsedInbound, found bool, err error) {
	var to, refs, warnings string
	err = s.db.QueryRowContext(ctx, s.rebind(`
		SELECT from_addr, from_name, to_addrs, subject, sent_at, kind, body_text, new_text, in_reply_to, refs,
			warnings, parsed_at, message_id
		FROM inbound_messages WHERE id = ?`), id).
		Scan(&p.From, &p.FromName, &to, &p.Subject, tcol(&p.Date), &p.Kind, &p.Text, &p.NewText, &p.InReplyTo,
			&refs, &warnings, tcol(&p.ParsedAt), &p.MessageID)
	if errors.Is(err, sql.ErrNoRows) {
		return ParsedInbound{}, false, fmt.Errorf("store: inbound parsed %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ParsedInbound{}, false, fmt.Errorf("store: inbound parsed %d: %w", id, err)
	}
	p.To, p.References, p.Warnings = splitNonEmpty(to, "\n"), strings.Fields(refs), splitNonEmpty(warnings, "\n")
	return p, !p.ParsedAt.IsZero(), nil
}

// InboundByMessageID returns the ids of stored messages with that
// Message-ID (angle brackets optional), oldest first.
func (s *Store) InboundByMessageID(ctx context.Context, messageID string) ([]int64, error) {
	messageID = trimAngles(messageID)
	if messageID == "" {
		return nil, nil
	}
	ids, err := queryAll(ctx, s, scanID, "SELECT id FROM inbound_messages WHERE message_id = ? ORDER BY id", messageID)
	if err != nil {
		return nil, fmt.Errorf("store: inbound by message-id: %w", err)
	}
	return ids, nil
}

func splitNonEmpty(s, sep string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, sep)
}

// trimAngles removes the angle brackets around a Message-ID.
func trimAngles(id string) string {
	id = strings.TrimSpace(id)
	id = strings.TrimPrefix(id, "<")
	return strings.TrimSuffix(id, ">")
}
