package inbox

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"

	"salesdesk/internal/queue"
	"salesdesk/internal/store"
	"salesdesk/tasks"
)

// Steps reported to Deps.Hook, in the order they happen for each message.
const (
	StepStored       = "stored"       // raw message saved in the store
	StepEnqueued     = "enqueued"     // inbound:email task enqueued (or found already there)
	StepCheckpointed = "checkpointed" // checkpoint advanced past the UID
	StepFlagged      = "flagged"      // \Seen set or message moved on the server
)

// chunkBytes bounds the message bytes held in memory at once while a batch
// is fetched; one message larger than this is still fetched alone.
const chunkBytes = 16 << 20

// fetched is one message read from the server.
type fetched struct {
	uid  imap.UID
	size int64  // RFC822.SIZE, the real size
	raw  []byte // at most MaxMessageBytes of it
}

// messageError is a failure that belongs to one message (it could not be
// fetched or stored) rather than to the connection or the services.
type messageError struct {
	uid    imap.UID
	raw    []byte
	reason error
}

func (e *messageError) Error() string { return fmt.Sprintf("uid %d: %v", e.uid, e.reason) }
func (e *messageError) Unwrap() error { return e.reason }

// sync hands off every message above the checkpoint, in UID order, and
// returns the checkpoint it reached.
func (p *Poller) sync(ctx context.Context, cn *conn, uidValidity uint32, firstInSession bool) (store.MailboxState, error) {
	st, found, err := p.deps.Store.MailboxState(ctx, p.mbox.Name)
	if err != nil {
		return st, fmt.Errorf("read checkpoint: %w", err)
	}
	if !found || st.UIDValidity != uidValidity {
		if found {
			// The server renumbered the folder: every message gets a new UID.
			// Re-scan from the start; the store recognises what it already
			// has by Message-ID and content hash.
			p.log.WarnContext(ctx, "uidvalidity changed, re-scanning folder",
				"mailbox", p.mbox.Name, "old_uid_validity", st.UIDValidity, "uid_validity", uidValidity)
		}
		st = store.MailboxState{Mailbox: p.mbox.Name, UIDValidity: uidValidity, LastSyncAt: p.clock.Now()}
		if err := p.deps.Store.SaveMailboxState(ctx, st); err != nil {
			return st, fmt.Errorf("save checkpoint: %w", err)
		}
	} else if firstInSession && st.LastUID > 0 {
		if err := p.finishAfterActions(ctx, cn, st.LastUID); err != nil {
			return st, err
		}
	}

	// One UID FETCH of the sizes both finds the new messages and tells how
	// to chunk their bodies: no SEARCH, and no size fetch per batch.
	var pending imap.UIDSet
	pending.AddRange(imap.UID(st.LastUID+1), 0)
	sizes, err := p.fetchSizes(ctx, cn, pending)
	if err != nil {
		return st, err
	}
	// "last+1:*" also matches the highest UID when it is below last+1.
	maps.DeleteFunc(sizes, func(u imap.UID, _ int64) bool { return uint32(u) <= st.LastUID })
	uids := slices.Sorted(maps.Keys(sizes))

	for batch := range slices.Chunk(uids, p.mbox.BatchSize) {
		if err := p.syncBatch(ctx, cn, &st, batch, sizes); err != nil {
			return st, err
		}
	}
	if len(uids) == 0 || time.Since(cn.flaggedAt) >= p.mbox.FlagDelay {
		return st, p.flagQueued(ctx, cn)
	}
	return st, nil
}

// makeRoom flags the queued messages when n more would not fit in the
// queue. It runs before n messages are handed off, so that at most
// BatchSize messages at or below the checkpoint ever wait: after a crash,
// finishAfterActions repeats the after action for the BatchSize highest
// UIDs at or below the checkpoint only.
func (p *Poller) makeRoom(ctx context.Context, cn *conn, n int) error {
	if len(cn.unflagged)+n > p.mbox.BatchSize {
		return p.flagQueued(ctx, cn)
	}
	return nil
}

// flagQueued runs the after action of the queued messages, with one command.
func (p *Poller) flagQueued(ctx context.Context, cn *conn) error {
	cn.flaggedAt = time.Now()
	uids := cn.unflagged
	if len(uids) == 0 {
		return nil
	}
	if err := p.afterAction(ctx, cn, uids); err != nil {
		return err
	}
	cn.unflagged = nil
	for _, uid := range uids {
		if err := p.hook(StepFlagged, uid); err != nil {
			return err
		}
	}
	return nil
}

// flagWait is how long the queued messages may still wait for their after
// action, or max when none waits.
func (p *Poller) flagWait(cn *conn, max time.Duration) time.Duration {
	if len(cn.unflagged) == 0 {
		return max
	}
	return min(max, p.mbox.FlagDelay-time.Since(cn.flaggedAt))
}

// finishAfterActions repeats the after action (\Seen or move) for handed-off
// messages whose flagging a crash interrupted. Only the last batch can be in
// that state, so only the BatchSize highest UIDs at or below the checkpoint
// are looked at: a message a person marked unread long ago stays unread.
func (p *Poller) finishAfterActions(ctx context.Context, cn *conn, lastUID uint32) error {
	var done imap.UIDSet
	done.AddRange(1, imap.UID(lastUID))
	uids, err := cn.searchUIDs(ctx, done, nil)
	if err != nil {
		return err
	}
	slices.Sort(uids)
	if len(uids) > p.mbox.BatchSize {
		uids = uids[len(uids)-p.mbox.BatchSize:]
	}
	if len(uids) == 0 {
		return nil
	}
	if p.mbox.After == AfterSeen {
		uids, err = cn.searchUIDs(ctx, imap.UIDSetNum(uids...), &imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}})
		if err != nil || len(uids) == 0 {
			return err
		}
	}
	p.log.InfoContext(ctx, "finishing after action interrupted earlier", "mailbox", p.mbox.Name, "messages", len(uids))
	if err := p.afterAction(ctx, cn, uids); err != nil {
		return err
	}
	for _, uid := range uids {
		if err := p.hook(StepFlagged, uid); err != nil {
			return err
		}
	}
	return nil
}

// syncBatch fetches and hands off one batch of UIDs, ascending, whose
// sizes are known.
func (p *Poller) syncBatch(ctx context.Context, cn *conn, st *store.MailboxState, batch []imap.UID, sizes map[imap.UID]int64) error {
	// Fetch in chunks of bounded bytes, so memory does not depend on the
	// batch size or the backlog.
	for len(batch) > 0 {
		var chunk []imap.UID
		var held int64
		for len(batch) > 0 {
			n := min(sizes[batch[0]], p.mbox.MaxMessageBytes)
			if len(chunk) > 0 && held+n > chunkBytes {
				break
			}
			chunk = append(chunk, batch[0])
			held += n
			batch = batch[1:]
		}
		if err := p.syncChunk(ctx, cn, st, chunk, sizes); err != nil {
			return err
		}
	}
	return nil
}

// syncChunk fetches a chunk's bodies, stores them in one transaction,
// enqueues their tasks, advances the checkpoint once and queues them for
// their after action (flagQueued, at the end of a sync or to make room).
// A crash anywhere in between leaves the chunk above the checkpoint: it is
// fetched again, and the store and the tasks' IDs recognise what was done.
func (p *Poller) syncChunk(ctx context.Context, cn *conn, st *store.MailboxState, chunk []imap.UID, sizes map[imap.UID]int64) error {
	if err := p.makeRoom(ctx, cn, len(chunk)); err != nil {
		return err
	}
	msgs, err := p.fetchBodies(ctx, cn, chunk)
	if err != nil {
		return err
	}
	saved, err := p.saveChunk(ctx, st, chunk, msgs)
	if err != nil {
		return err
	}
	var done []imap.UID // handed off or quarantined
	for _, uid := range chunk {
		m, ok := msgs[uid]
		if !ok {
			err = &messageError{uid: uid, reason: errors.New("server returned no body")}
		} else {
			err = p.handOff(ctx, st, m, saved[uid])
		}
		var merr *messageError
		if errors.As(err, &merr) {
			err = p.messageFailed(ctx, st, merr)
		}
		if err != nil {
			return err
		}
		done = append(done, uid)
	}
	if len(done) == 0 {
		return nil
	}
	if err := p.checkpoint(ctx, st, done[len(done)-1]); err != nil {
		return err
	}
	for _, uid := range done {
		if err := p.hook(StepCheckpointed, uid); err != nil {
			return err
		}
	}
	cn.unflagged = append(cn.unflagged, done...)
	return nil
}

// checkpoint advances the checkpoint to uid: every message up to it has
// been handed off or quarantined.
func (p *Poller) checkpoint(ctx context.Context, st *store.MailboxState, uid imap.UID) error {
	next := *st
	next.LastUID = max(st.LastUID, uint32(uid))
	next.LastSyncAt = p.clock.Now()
	if err := p.deps.Store.SaveMailboxState(ctx, next); err != nil {
		return fmt.Errorf("save checkpoint: %w", err)
	}
	*st = next
	return nil
}

// fetchSizes returns RFC822.SIZE for each message in uids.
func (p *Poller) fetchSizes(ctx context.Context, cn *conn, uids imap.UIDSet) (map[imap.UID]int64, error) {
	sizes := make(map[imap.UID]int64)
	err := cn.do(ctx, "uid fetch rfc822.size", func() error {
		bufs, err := cn.c.Fetch(uids, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
		for _, b := range bufs {
			sizes[b.UID] = b.RFC822Size
		}
		return err
	})
	return sizes, err
}

// fetchBodies fetches up to MaxMessageBytes of each message without
// setting \Seen. When the server refuses the whole command, each message is
// fetched alone so that one bad message fails alone.
func (p *Poller) fetchBodies(ctx context.Context, cn *conn, uids []imap.UID) (map[imap.UID]fetched, error) {
	msgs, err := p.fetchBodiesOnce(ctx, cn, uids)
	var ierr *imap.Error
	if !errors.As(err, &ierr) {
		return msgs, err // nil, or the connection failed
	}
	if len(uids) == 1 {
		return msgs, nil // the server refused this message: it fails alone
	}
	msgs = make(map[imap.UID]fetched, len(uids))
	for _, uid := range uids {
		one, err := p.fetchBodiesOnce(ctx, cn, []imap.UID{uid})
		if err != nil && !errors.As(err, &ierr) {
			return msgs, err
		}
		maps.Copy(msgs, one)
	}
	return msgs, nil
}

func (p *Poller) fetchBodiesOnce(ctx context.Context, cn *conn, uids []imap.UID) (map[imap.UID]fetched, error) {
	section := &imap.FetchItemBodySection{Peek: true, Partial: &imap.SectionPartial{Offset: 0, Size: p.mbox.MaxMessageBytes}}
	opts := &imap.FetchOptions{UID: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{section}}
	msgs := make(map[imap.UID]fetched, len(uids))
	g := cn.guard(ctx)
	cmd := cn.c.Fetch(imap.UIDSetNum(uids...), opts)
	var err error
	for {
		msg := cmd.Next()
		if msg == nil {
			break
		}
		g.touch()
		buf, cerr := msg.Collect()
		if cerr != nil {
			err = cerr
			break
		}
		if b := buf.FindBodySection(section); b != nil && buf.UID != 0 {
			msgs[buf.UID] = fetched{uid: buf.UID, size: buf.RFC822Size, raw: b}
		}
	}
	if cerr := cmd.Close(); err == nil {
		err = cerr
	}
	return msgs, g.done(ctx, "uid fetch body", err)
}

// saveChunk stores the chunk's fetched messages in one transaction and
// returns what it did with each. When that fails for the data rather than
// the database (not retryable), it returns no results: each message is
// then stored on its own, so that a bad one fails alone.
func (p *Poller) saveChunk(ctx context.Context, st *store.MailboxState, chunk []imap.UID, msgs map[imap.UID]fetched) (map[imap.UID]store.SavedInbound, error) {
	var ins []*store.InboundMessage
	for _, uid := range chunk {
		if m, ok := msgs[uid]; ok {
			ins = append(ins, p.inbound(st, m))
		}
	}
	if len(ins) < 2 {
		return nil, nil
	}
	res, err := p.deps.Store.SaveInboundMessages(ctx, ins)
	if err != nil {
		if store.IsRetryable(err) {
			return nil, fmt.Errorf("store messages: %w", err)
		}
		p.log.WarnContext(ctx, "storing a chunk failed, storing its messages one by one",
			"mailbox", p.mbox.Name, "messages", len(ins), "err", err)
		return nil, nil
	}
	saved := make(map[imap.UID]store.SavedInbound, len(ins))
	for i, in := range ins {
		saved[imap.UID(in.UID)] = res[i]
	}
	return saved, nil
}

// inbound is the row of a fetched message.
func (p *Poller) inbound(st *store.MailboxState, m fetched) *store.InboundMessage {
	sum := sha256.Sum256(m.raw)
	in := &store.InboundMessage{
		Mailbox:     p.mbox.Name,
		UIDValidity: st.UIDValidity,
		UID:         uint32(m.uid),
		MessageID:   messageID(m.raw),
		ContentHash: hex.EncodeToString(sum[:]),
		Size:        max(m.size, int64(len(m.raw))),
		Raw:         m.raw,
		ReceivedAt:  p.clock.Now(),
	}
	if int64(len(m.raw)) < m.size {
		in.Reason = fmt.Sprintf("oversize: kept the first %d of %d bytes", len(m.raw), m.size)
	}
	return in
}

// handOff stores one message unless saveChunk did (saved is then its
// result) and enqueues its task.
func (p *Poller) handOff(ctx context.Context, st *store.MailboxState, m fetched, saved store.SavedInbound) error {
	id, created, duplicate := saved.ID, saved.Created, saved.Duplicate
	var err error
	if id == 0 {
		id, created, duplicate, err = p.deps.Store.SaveInboundMessage(ctx, p.inbound(st, m))
	}
	if err != nil {
		if store.IsRetryable(err) {
			// A busy or locked database, a lost connection: nothing is wrong
			// with the message. Retry after a backoff without counting an
			// attempt towards quarantine.
			return fmt.Errorf("store message uid %d: %w", m.uid, err)
		}
		return &messageError{uid: m.uid, raw: m.raw, reason: fmt.Errorf("store message: %w", err)}
	}
	switch {
	case duplicate:
		p.metrics.duplicates.WithLabelValues(p.mbox.Name).Inc()
		p.log.InfoContext(ctx, "message already stored under an earlier uidvalidity",
			"mailbox", p.mbox.Name, "uid", m.uid, "inbound_id", id, "message_id", messageID(m.raw))
	case created:
		p.metrics.stored.WithLabelValues(p.mbox.Name).Inc()
	}
	if err := p.hook(StepStored, m.uid); err != nil {
		return err
	}

	// A duplicate's original row already had its task.
	if !duplicate {
		if err := p.enqueue(ctx, id, st.UIDValidity, m.uid); err != nil {
			return err
		}
		if err := p.hook(StepEnqueued, m.uid); err != nil {
			return err
		}
	}
	return nil
}

func (p *Poller) enqueue(ctx context.Context, inboundID int64, uidValidity uint32, uid imap.UID) error {
	task, err := tasks.NewInboundEmailTask(tasks.InboundEmailPayload{
		MessageID: inboundID, Mailbox: p.mbox.Name, UIDValidity: uidValidity, UID: uint32(uid),
	})
	if err != nil {
		return err
	}
	_, dup, err := queue.Enqueue(ctx, p.deps.Enqueuer, task)
	switch {
	case err != nil:
		return fmt.Errorf("enqueue %s: %w", tasks.InboundEmailTaskID(p.mbox.Name, uidValidity, uint32(uid)), err)
	case dup:
		return nil // enqueued before a crash: already done
	}
	p.metrics.enqueued.WithLabelValues(p.mbox.Name).Inc()
	return nil
}

// messageFailed counts a failed attempt at one message. Below MaxAttempts
// it returns an error so that the sync stops and the message is tried again
// after a backoff; at MaxAttempts it quarantines the message, advances the
// checkpoint past it and returns nil, so the messages behind it go on.
func (p *Poller) messageFailed(ctx context.Context, st *store.MailboxState, merr *messageError) error {
	p.metrics.failures.WithLabelValues(p.mbox.Name).Inc()
	reason := merr.reason.Error()
	attempts, err := p.deps.Store.RecordFetchFailure(ctx, p.mbox.Name, st.UIDValidity, uint32(merr.uid), reason)
	if err != nil {
		return fmt.Errorf("record failure of %w: %w", merr, err)
	}
	if attempts < p.mbox.MaxAttempts {
		return fmt.Errorf("attempt %d of %d: %w", attempts, p.mbox.MaxAttempts, merr)
	}
	if err := p.deps.Store.Quarantine(ctx, p.mbox.Name, st.UIDValidity, uint32(merr.uid), reason, merr.raw); err != nil {
		return fmt.Errorf("quarantine %w: %w", merr, err)
	}
	p.metrics.quarantined.WithLabelValues(p.mbox.Name).Inc()
	p.log.ErrorContext(ctx, "message quarantined", "mailbox", p.mbox.Name,
		"uid_validity", st.UIDValidity, "uid", merr.uid, "attempts", attempts, "reason", reason)

	// The messages before it in its chunk are handed off: the checkpoint
	// may pass them too.
	return p.checkpoint(ctx, st, merr.uid)
}

// afterAction marks handed-off messages \Seen or moves them.
func (p *Poller) afterAction(ctx context.Context, cn *conn, uids []imap.UID) error {
	set := imap.UIDSetNum(uids...)
	if p.mbox.After == AfterMove {
		return cn.move(ctx, set, p.mbox.ProcessedFolder)
	}
	return cn.markSeen(ctx, set)
}

func (p *Poller) hook(step string, uid imap.UID) error {
	if p.deps.Hook == nil {
		return nil
	}
	if err := p.deps.Hook(step, uint32(uid)); err != nil {
		return fmt.Errorf("hook after %s of uid %d: %w", step, uid, err)
	}
	return nil
}

// messageID returns the Message-ID header without angle brackets, or "".
// Only the header is read; a malformed header yields "" rather than an error.
func messageID(raw []byte) string {
	// ReadHeader returns the fields before a malformed line along with its error.
	h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	mh := mail.Header{Header: message.Header{Header: h}}
	if id, err := mh.MessageID(); err == nil && id != "" {
		return id
	}
	v := strings.TrimSpace(mh.Get("Message-Id"))
	v = strings.TrimSuffix(strings.TrimPrefix(v, "<"), ">")
	if len(v) > 998 {
		return ""
	}
	return v
}
