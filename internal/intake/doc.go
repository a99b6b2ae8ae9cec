// Package intake takes each stored inbound mail the rest of the way in: it
// parses it, records what kind of mail it is, threads it onto an existing
// inquiry or opens a new one, links it to a customer, routes it and starts
// exactly one follow-on task (or writes its answer itself) plus, where due,
// an acknowledgement.
//
// # Steps of Process
//
//  1. Load the stored raw message; one already processed or quarantined is
//     left alone. A message mailparse cannot read at all is quarantined
//     with the reason.
//  2. Store every attachment at its position in the message, streamed
//     while the mail is parsed: its name, type, size and sha256 always,
//     its content when it is at most Options.MaxAttachmentBytes (a larger
//     part is hashed on the way through, never held, and stored as
//     truncated). A failure to store one fails the whole step, to be
//     retried; positions stored already are skipped on the retry.
//  3. By kind: a bounce marks the outbound mail it returns as bounced
//     (found by the report's original Message-ID, else by the bounce's
//     In-Reply-To/References); auto-replies and list mail are recorded and
//     never answered.
//  4. A human mail is threaded: In-Reply-To and References are looked up
//     among our outbound Message-IDs and earlier inbound messages, walking
//     the References of earlier inbound messages that have no inquiry of
//     their own, with a bound so that reference loops end. Failing that,
//     a subject token "[SD-n]" threads the mail when the sender is on the
//     same domain as the inquiry's contact (tokens are sequential, so a
//     stranger must not be able to join someone else's thread by guessing
//     one).
//  5. The sender is linked to a customer by contact address, else by a
//     company (non-free-mail) domain that exactly one account has.
//  6. The router decides category and confidence; the inquiry is created,
//     unique per inbound message, with its reference token.
//  7. One follow-on task, with a deterministic TaskID:
//     - low confidence or oversize: inquiry:triage;
//     - unsubscribe: customer:unsubscribe;
//     - a reply in an existing thread: inquiry:handoff to whoever owns the
//     conversation (unsubscribe excepted);
//     - otherwise the category's entry in [Followups], and inquiry:handoff
//     for every category without one, so nothing is left without an owner.
//  8. An acknowledgement (see [AckKey]; written by Deps.Ack, else an
//     inquiry:ack task) unless the mail is a reply in an existing thread,
//     an unsubscribe request (its confirmation is the acknowledgement),
//     has no sender address, a follow-on answers at once (an order's
//     status), or the sender already got an acknowledgement within the
//     ack window.
//  9. A follow-on task with an [Answerer] in Deps.Answers (order:status_reply)
//     is answered here: its mails, alerts and the inquiry answered go
//     into the outcome instead of the task; the task is enqueued only
//     when the answer cannot be built (a read that failed).
//  10. One transaction (store.FinishInbound) stores the parsed form, the
//     outbox rows of the follow-on tasks, the outbound rows, alerts and
//     answered inquiries, and the status processed; then the tasks and
//     the mails' mail:send are enqueued. A crash before the commit re-runs
//     Process; after it, recovery enqueues every outbox row not yet done
//     and every queued outbound row. One commit per mail instead of three
//     (docs/performance.md).
//
// Every step is idempotent, and the decisions are read back from the stored
// inquiry on a re-run (a model reloaded in between cannot change them), so
// running Process twice has the effect of running it once.
//
// # Complaints
//
// The inquiry:handoff handler counts complaints per account as alerts of
// kind [AlertKindComplaint], one per inquiry (dedupe key
// "complaint:inquiry:<id>", severity info, customer_id set when known);
// the anomaly detector counts them per customer over its window.
package intake
