package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// CountOutboundTo counts the mails sent or bounced since the given time
// whose To field is exactly one of the given forms, up to limit (more
// does not change the answer of a rate limit). One indexed query:
// before every send, the rate limit asks it.
func (s *Store) CountOutboundTo(ctx context.Context, forms []string, since time.Time, limit int) (int, error) {
	if len(forms) == 0 || limit <= 0 {
		return 0, nil
	}
	args := make([]any, 0, len(forms)+4)
	for _, f := range forms {
		args = append(args, f)
	}
	args = append(args, OutboundSent, OutboundBounced, s.ts(since), limit)
	q := "SELECT COUNT(*) FROM (SELECT 1 FROM outbound_emails WHERE to_addrs IN (?" + strings.Repeat(", ?", len(forms)-1) +
		") AND status IN (?, ?) AND created_at >= ? LIMIT ?) AS recent"
	var n int
	if err := s.db.QueryRowContext(ctx, s.rebind(q), args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count outbound to: %w", err)
	}
	return n, nil
}
