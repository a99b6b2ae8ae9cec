package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// InboundOutcome is what the intake of one stored message leaves behind.
type InboundOutcome struct {
	// Parsed, when set, replaces the message's parsed form (SetInboundParsed).
	Parsed *ParsedInbound
	// Pending are the outbox rows of the follow-on work (AddPendingTasks).
	Pending []PendingTask
	// Outbound are mails written with the outcome (CreateOutbound; each
	// one's ID is set), such as the acknowledgement: queued rows, whose
	// mail:send recovery enqueues when the caller's enqueue is lost.
	Outbound []*OutboundEmail
	// Alerts are raised with the outcome (CreateAlert; each one's ID is
	// set), such as an order asked about by a stranger.
	Alerts []*Alert
	// Answered are inquiries answered by the outcome's mails
	// (SetInquiryStatus to InquiryAnswered).
	Answered []int64
	// Status and Reason are the message's new status (SetInboundStatus).
	Status, Reason string
	// SenderAuth, when set, is the sender verdict the outcome was decided
	// with, stored with it unless the message has one already
	// (KeepInboundSenderAuth without a commit of its own). When the
	// message has another verdict, FinishInbound changes nothing and
	// returns ErrSenderAuthChanged: the intake is to run again with the
	// stored one. Only with Parsed.
	SenderAuth *SenderAuth
}

// FinishInbound stores the outcome of the intake of message id in one
// transaction: its parsed form, the outbox rows of its follow-on tasks, its
// outbound mails, alerts and answered inquiries, and its status. A message
// is therefore never marked processed without the rows of the work that
// must follow it, and each mail costs one commit where the separate calls
// cost one each. A missing message is ErrNotFound and
// changes nothing.
func (s *Store) FinishInbound(ctx context.Context, id int64, o InboundOutcome) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.addPendingTasks(ctx, tx, o.Pending); err != nil {
			return fmt.Errorf("store: add pending tasks: %w", err)
		}
		for _, m := range o.Outbound {
			if _, _, err := s.createOutbound(ctx, tx, m); err != nil {
				return err
			}
		}
		for _, a := range o.Alerts {
			if _, err := s.createAlert(ctx, tx, a); err != nil {
				return err
			}
		}
		for _, qid := range o.Answered {
			if err := s.setInquiryStatus(ctx, tx, qid, InquiryAnswered); err != nil {
				return err
			}
		}
		if o.Parsed != nil {
			return s.setInboundParsed(ctx, tx, id, *o.Parsed, &inboundStatus{o.Status, o.Reason, o.SenderAuth})
		}
		if o.SenderAuth != nil {
			return errors.New("store: a sender verdict is stored only with the parsed form")
		}
		return s.setInboundStatus(ctx, tx, id, o.Status, o.Reason)
	})
	if err != nil {
		return fmt.Errorf("store: finish inbound %d: %w", id, err)
	}
	return nil
}
