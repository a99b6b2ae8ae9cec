package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Read-only aggregates of mail traffic, for the unusual-activity
// detectors.

// CountInbound returns how many inbound messages were received in
// [since, until).
func (s *Store) CountInbound(ctx context.Context, since, until time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.rebind("SELECT COUNT(*) FROM inbound_messages WHERE received_at >= ? AND received_at < ?"),
		s.ts(since), s.ts(until)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count inbound: %w", err)
	}
	return n, nil
}

// InboundBySender returns how many inbound messages each sender address
// sent in [since, until); messages without a sender are left out.
func (s *Store) InboundBySender(ctx context.Context, since, until time.Time) (map[string]int, error) {
	ctx = asReport(ctx)
	return s.groupCount(ctx, "inbound per sender", `
		SELECT from_addr, COUNT(*) FROM inbound_messages
		WHERE received_at >= ? AND received_at < ? AND from_addr <> ''
		GROUP BY from_addr`, since, until)
}

// OutboundByStatus returns how many outbound mails sent in [since, until)
// are now sent or bounced, by status (OutboundSent, OutboundBounced).
func (s *Store) OutboundByStatus(ctx context.Context, since, until time.Time) (map[string]int, error) {
	ctx = asReport(ctx)
	return s.groupCount(ctx, "outbound per status", `
		SELECT status, COUNT(*) FROM outbound_emails
		WHERE sent_at >= ? AND sent_at < ? AND status IN ('sent', 'bounced')
		GROUP BY status`, since, until)
}

// groupCount runs a "SELECT key, COUNT(*) ... GROUP BY key" query over
// [since, until).
func (s *Store) groupCount(ctx context.Context, what, query string, since, until time.Time) (map[string]int, error) {
	type count struct {
		key string
		n   int
	}
	var counts []count
	if err := readAll(ctx, s, what, &counts, func(c *count) []any { return []any{&c.key, &c.n} }, query, s.ts(since), s.ts(until)); err != nil {
		return nil, err
	}
	out := make(map[string]int, len(counts))
	for _, c := range counts {
		out[c.key] += c.n
	}
	return out, nil
}

// CustomerNames returns the names of the accounts with the given ids;
// ids without an account are left out.
func (s *Store) CustomerNames(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	for chunk := range slices.Chunk(uniqueIDs(ids), 500) {
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		type named struct {
			id   int64
			name string
		}
		var rows []named
		err := readAll(ctx, s, "customer names", &rows, func(n *named) []any { return []any{&n.id, &n.name} },
			"SELECT id, name FROM customers WHERE id IN (?"+strings.Repeat(", ?", len(chunk)-1)+")", args...)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			out[r.id] = r.name
		}
	}
	return out, nil
}

// uniqueIDs returns the distinct non-zero ids, sorted.
func uniqueIDs(ids []int64) []int64 {
	out := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == 0 })
	slices.Sort(out)
	return slices.Compact(out)
}
